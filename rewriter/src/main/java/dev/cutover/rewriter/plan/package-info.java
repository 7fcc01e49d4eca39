/**
 * Rewrite planning: from a lexed statement to the edits that make it right for the migrations'
 * phases, or a refusal.
 *
 * <p>{@link dev.cutover.rewriter.plan.StatementPlanner} decides per statement whether it is
 * parsed (the statement check of the rewriter's safety argument), masks it for Calcite and splits
 * what Calcite cannot read (a top-level {@code WITH}, RETURNING, ON CONFLICT, DISTINCT ON, UPDATE
 * ... FROM, DELETE ... USING) into parts parsed at the same positions. Each part goes to the planner
 * of its kind: {@code QueryPlanner} (queries, and the expressions of every other planner),
 * {@code InsertPlanner}, {@code WritePlanner} (UPDATE and DELETE, and what they share with INSERT),
 * {@code UpsertPlanner} (ON CONFLICT), {@code ReadTouchPlanner} (the rows a SELECT returns for the
 * lazy migration). They write nothing but {@code Edits}: splices at token positions of the original
 * text, applied only when the whole statement has been planned.
 *
 * <p>Implementation notes, the invariants every planner keeps:
 *
 * <ul>
 *   <li><b>Nothing in between.</b> A parsed statement is planned in full or refused: every part of
 *       it that can hold a column reference reaches the parser, or is read apart at the same
 *       positions by a planner that resolves it. What is blanked for the parser and not read apart
 *       holds no column reference: keywords, a locking clause's words and table names (a LIMIT or
 *       OFFSET after it stays for the parser), {@code WITH TIES}, the target of {@code SELECT ...
 *       INTO} and the alias of an INSERT's target. A construct the planners do not descend into is
 *       refused when it names a migration column, {@code *} with a migrating table, or may use a
 *       migrating table's whole row. A planner crash is a refusal too, so a statement never
 *       reaches the server half rewritten.
 *   <li><b>Clause context flows down.</b> What a clause means for the references in it (a condition,
 *       a place where the column count is fixed, an INSERT source's unlabelled select list) is an
 *       immutable {@code Clause} passed down the recursion, each nested construct deriving its own,
 *       as Calcite's validator scopes carry theirs; no planner sets a field that another planner
 *       must restore. Statement-wide facts (the edits, the names used, whether rows are read) live
 *       in {@code StatementContext}.
 *   <li><b>Certain or refused.</b> A reference is rewritten only when it resolves with certainty to
 *       a migrating column; a reference that could reach one by a path the planners do not follow is
 *       refused, never passed through as written.
 * </ul>
 */
package dev.cutover.rewriter.plan;
