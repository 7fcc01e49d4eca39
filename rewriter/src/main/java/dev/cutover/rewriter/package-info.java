/**
 * Rewrites the SQL an application sends for the phases of the column migrations in a snapshot
 * ({@link dev.cutover.rewriter.StatementRewriter}).
 *
 * <h2>The safety argument</h2>
 *
 * A text reaches the server unchanged only when Cutover has proved, from its tokens, that nothing
 * in it can read or write a migrating column under any spelling; otherwise it is fully resolved by
 * the parser and rewritten, or refused (SQLSTATE {@code 0A000} naming the migration). Nothing in
 * between. The proof has two stages, each conservative (a false "may touch" costs work, never
 * correctness):
 *
 * <ol>
 *   <li><b>The pre-check</b> ({@link dev.cutover.migration.MigrationSnapshot#mayTouch}, one
 *       allocation-free pass over the characters, remembered per text by the driver): the text
 *       cannot name a migrating table. It splits words wherever PostgreSQL might, so that every
 *       spelling PostgreSQL's lexer accepts for a table name (any case, quoted, schema-qualified,
 *       glued to operators, parentheses, comments or dollar quotes, longer than 63 bytes) contains
 *       the name as a word, and it answers "may touch" for every text holding an escaped spelling
 *       it cannot read ({@code U&"..."}, {@code U&'...'}, a backslash after {@code E'}); see
 *       {@link dev.cutover.rewriter.lex.WordSet}. Strings and comments are scanned too.
 *   <li><b>The statement check</b> ({@code plan.StatementPlanner}), on the lexed text, per
 *       statement: no identifier token, folded and decoded as PostgreSQL does, is a migrating
 *       table's name; or the statement is a kind that reads and writes no row values (locking,
 *       session and cursor commands) and names no migration column, {@code *} or NATURAL; or it is a
 *       query or write that names no migration column, no {@code *} and no NATURAL, does not use a
 *       migrating table's whole row (no name of the table or its alias other than as a qualifier, no
 *       column alias list after it), and writes nothing Cutover must mirror. Everything else is
 *       parsed: each FROM item resolves to a table whose columns are known, or the statement is
 *       refused where a reference could reach the migrating table through it (a construct the
 *       planner does not follow, an unknown statement kind, a JDBC call escape, a Unicode-escaped
 *       identifier, {@code TABLE}, {@code PREPARE}).
 * </ol>
 *
 * A parsed statement is rewritten in full: every part of it that can hold a column reference is
 * read by the parser, or apart at the same positions, and planned; only words that hold none (a
 * locking clause's, {@code WITH TIES}) are hidden from the parser. The planners' invariants are in
 * the {@code plan} package's notes.
 *
 * SQL that the server runs later is outside the rewrite: the body of a {@code DO} block or of a
 * function or procedure created through the driver, and query text handed to a function that runs
 * it ({@code query_to_xml}, {@code ts_stat}, {@code dblink}, ...). Each string of such a statement
 * gets the pre-check; when it may name a migrating table (or is in escape syntax and cannot be
 * read) the statement is refused ({@code plan.DeferredText}). What no text scan can see is
 * documented rather than checked: SQL assembled at run time from pieces ({@code 'us' || 'ers'}),
 * functions, triggers, rules and views already in the database (the CLI's {@code plan} inspects
 * those), and a statement prepared with SQL-level {@code PREPARE} before the migration existed and
 * executed later with {@code EXECUTE} (a {@code PREPARE} naming a migrating table is refused while a
 * migration exists).
 *
 * <p>A planner crash is not a refusal of the statement's shape but a bug; the rewriter turns it into
 * a refusal so that the statement never reaches the server half-rewritten.
 */
package dev.cutover.rewriter;
