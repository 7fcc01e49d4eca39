package dev.cutover.rewriter.plan;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Conversion;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.lex.Identifiers;
import dev.cutover.rewriter.lex.SqlText;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.lex.TokenKind;
import dev.cutover.rewriter.resolve.FromItem;
import dev.cutover.rewriter.resolve.Scope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUpdate;

/**
 * Plans UPDATE and DELETE, and holds what they share with {@link InsertPlanner} (the target's scope,
 * a value's conversion and duplication): each write of a migrating column goes to the phase's
 * physical columns, its value duplicated as text; in {@code dual_write} an UPDATE also fills the new
 * column of the rows it touches.
 *
 * <p>Implementation notes: duplicated values are copied from the original text (with their own
 * read substitutions applied) by {@link Edits}, so placeholders inside them bind the same
 * application parameter twice. A value is duplicated only when {@link DuplicationCheck} finds no
 * volatile function in it. Value and right-hand-side spans come from the lexer (top-level commas),
 * cross-checked against the parser's operand counts.
 */
final class WritePlanner {

  private final StatementContext ctx;
  private final QueryPlanner queries;
  /** The scope holding the CTEs of an enclosing WITH, or {@code null}. */
  private final Scope outer;

  WritePlanner(StatementContext ctx, QueryPlanner queries, Scope outer) {
    this.ctx = ctx;
    this.queries = queries;
    this.outer = outer;
  }

  /** The scope holding the CTEs of an enclosing WITH, or {@code null}. */
  Scope outer() {
    return outer;
  }

  /**
   * The UPDATE's row assignments from a sub-SELECT, {@code (a, b) = (SELECT ...)}, masked for the
   * parser as {@code a = (SELECT ...)}: by the token of the first target, the tokens {@code {open,
   * close}} of the target list and of the sub-SELECT.
   */
  private Map<Integer, int[]> rowSelects = Map.of();

  /** The alias of a derived table that computes written values once ({@code ... FROM (SELECT ...) AS cutover_once}). */
  static final String ONCE = "cutover_once";

  /** Sets the UPDATE's row assignments from a sub-SELECT (see {@link #rowSelects}). */
  void rowSelects(Map<Integer, int[]> clauses) {
    this.rowSelects = clauses;
  }

  // ---------------------------------------------------------------- values written (INSERT and UPDATE)

  /** The pieces writing {@code conversion} of the original range {@code span} (copied once per hole). */
  static List<Edits.Piece> converted(Conversion conversion, int[] span) {
    List<Edits.Piece> pieces = new ArrayList<>();
    pieces.add(Edits.Piece.text(conversion.parts().get(0)));
    for (int h = 1; h < conversion.parts().size(); h++) {
      pieces.add(Edits.Piece.copy(span[0], span[1]));
      pieces.add(Edits.Piece.text(conversion.parts().get(h)));
    }
    return pieces;
  }

  /**
   * Wraps the value at {@code span} in {@code conversion} where it stands: the value itself fills the
   * first hole, copies of it the others (which the duplication check must allow).
   */
  void wrap(ColumnMigration m, SqlNode value, int[] span, Conversion conversion) throws RewriteRefusedException {
    if (conversion.isIdentity() || value.getKind() == SqlKind.DEFAULT) {
      return;
    }
    if (conversion.holes() > 1) {
      checkDuplicable(m, value);
    }
    ctx.edits.insert(span[0], List.of(Edits.Piece.text(conversion.parts().get(0))));
    List<Edits.Piece> rest = new ArrayList<>();
    rest.add(Edits.Piece.text(conversion.parts().get(1)));
    for (int h = 2; h < conversion.parts().size(); h++) {
      rest.add(Edits.Piece.copy(span[0], span[1]));
      rest.add(Edits.Piece.text(conversion.parts().get(h)));
    }
    ctx.edits.insert(span[1], rest);
  }

  /**
   * Refuses a value written to two physical columns of {@code m} when it calls something volatile or
   * unknown: each copy would be computed on its own.
   */
  void checkDuplicable(ColumnMigration m, SqlNode value) throws RewriteRefusedException {
    String bad = DuplicationCheck.firstUnsafe(value);
    if (bad != null) {
      throw ctx.refuse(m, "the value written to '" + m.oldColumn() + "' calls " + bad
          + ", which is volatile or unknown: writing it to both '" + m.oldColumn() + "' and '"
          + m.physicalNewColumn() + "' would give the two columns different values;"
          + " compute it in the application or bind it as a parameter");
    }
  }

  // ---------------------------------------------------------------- UPDATE

  /**
   * Plans an UPDATE, with {@code fromList} its {@code FROM} items parsed apart (or {@code null});
   * returns the target's scope for RETURNING.
   */
  Scope update(SqlUpdate update, int limitToken, SqlNode fromList) throws RewriteRefusedException {
    Scope scope = target(update.getTargetTable(), update.getAlias());
    if (fromList == null) {
      return update(update, limitToken, scope, "");
    }
    extraItems(fromList, scope);
    // With FROM items an unqualified name in the fill could be ambiguous: qualify it.
    return update(update, limitToken, scope, scope.items().get(0).qualifierText() + ".");
  }

  /** Adds the items of an UPDATE's FROM or a DELETE's USING list to {@code scope}, after the target. */
  private void extraItems(SqlNode list, Scope scope) throws RewriteRefusedException {
    List<SqlNode> joinConditions = new ArrayList<>();
    queries.from(list, scope, joinConditions);
    for (SqlNode condition : joinConditions) {
      queries.expression(condition, scope);
    }
  }

  /**
   * Plans an UPDATE (or the DO UPDATE of an upsert) over {@code scope}, whose first item is the
   * target; {@code fillQualifier} prefixes the old column in the dual_write fill (an upsert needs
   * it: there an unqualified name is ambiguous with {@code EXCLUDED}).
   */
  Scope update(SqlUpdate update, int limitToken, Scope scope, String fillQualifier) throws RewriteRefusedException {
    FromItem item = scope.items().get(0);
    SqlNodeList targets = update.getTargetColumnList();
    SqlNodeList sources = update.getSourceExpressionList();
    for (SqlNode source : sources) {
      queries.expression(source, scope);
    }
    queries.predicate(update.getCondition(), scope);
    if (!item.isMigrating()) {
      return scope;
    }
    Map<ColumnMigration, String> seen = new HashMap<>();
    int lastEnd = -1;
    for (int j = 0; j < targets.size(); j++) {
      SqlIdentifier id = (SqlIdentifier) targets.get(j);
      List<String> names = ctx.folded(id);
      // PostgreSQL: the first name is the column (never a table qualifier), any further ones a field.
      String name = names.get(0);
      refuseFieldOfMigrating(item, names);
      int leaf = ctx.tokenOf(id, names.size() - 1);
      int[] row = names.size() == 1 ? rowSelects.get(ctx.tokenOf(id, 0)) : null;
      if (row != null) {
        lastEnd = Math.max(lastEnd, ctx.text.tokens().get(row[3]).end());
        rowFromSelect(item, sources.get(j), row, seen);
        continue;
      }
      int[] rhs = rightHandSide(leaf, limitToken);
      if (rhs == null) {
        throw ctx.refuse(item.migrations().get(0), "could not locate the SET item '" + name + "' in the SQL text");
      }
      lastEnd = Math.max(lastEnd, rhs[1]);
      ColumnMigration m = item.migrationFor(name);
      if (m == null) {
        continue;
      }
      if (seen.put(m, name) != null) {
        throw ctx.refuse(m, "the UPDATE sets both '" + m.oldColumn() + "' and '" + m.newColumn()
            + "', the same logical column twice");
      }
      ctx.used(m, name);
      List<ColumnMigration.Write> physical = m.writes(name);
      Token leafToken = ctx.text.tokens().get(ctx.tokenOf(id, 0));
      int subscript = subscript(ctx.tokenOf(id, 0));
      if (subscript >= 0) {
        subscripted(m, name, leafToken, subscript, sources.get(j), rhs, physical);
        continue;
      }
      if (physical.size() > 1 && onceThroughRow(sources.get(j), rhs, leafToken, physical)) {
        continue;
      }
      if (!physical.get(0).column().equals(name)) {
        ctx.edits.replace(leafToken.start(), leafToken.end(), Identifiers.quote(physical.get(0).column()));
      }
      // SET col = DEFAULT: each physical column takes its own default, nothing to convert or copy.
      boolean isDefault = isDefault(sources.get(j), rhs);
      if (!isDefault) {
        wrap(m, sources.get(j), rhs, physical.get(0).conversion());
      }
      if (physical.size() > 1) {
        if (!isDefault) {
          checkDuplicable(m, sources.get(j));
        }
        List<Edits.Piece> pieces = new ArrayList<>();
        for (int k = 1; k < physical.size(); k++) {
          pieces.add(Edits.Piece.text(", " + Identifiers.quote(physical.get(k).column()) + " = "));
          pieces.addAll(isDefault ? List.of(Edits.Piece.text("DEFAULT"))
              : converted(physical.get(k).conversion(), rhs));
        }
        ctx.edits.insert(rhs[1], pieces);
      }
    }
    for (ColumnMigration m : item.migrations()) {
      if (m.fillsLazily() && !seen.containsKey(m)) {
        // Lazy migration: every row the UPDATE touches gets its new column filled now.
        ctx.edits.insert(lastEnd, List.of(Edits.Piece.text(", " + Identifiers.quote(m.physicalNewColumn())
            + " = " + m.fillSql(fillQualifier))));
      }
    }
    return scope;
  }

  /**
   * A SET value that is exactly a scalar subquery ({@code SET c = (SELECT ...)}), written to two
   * physical columns: copying the subquery would run it twice, and two runs may see different rows
   * or values. It becomes one row assignment fed by one run,
   * {@code (old, new) = (SELECT conv(v), conv'(v) FROM (SELECT ...) AS cutover_once(v))}: the
   * subquery stays correlated exactly as written (run once per row, or once per statement), no row
   * gives NULL to both columns as the scalar subquery gives NULL, more than one row is the same
   * error.
   *
   * @return whether the item was rewritten so (otherwise the caller's ordinary path applies)
   */
  private boolean onceThroughRow(SqlNode value, int[] rhs, Token target, List<ColumnMigration.Write> physical) {
    if (!isScalarSubquery(value, rhs) || DuplicationCheck.firstUnsafe(value) == null) {
      return false;
    }
    List<String> columns = new ArrayList<>();
    List<String> reads = new ArrayList<>();
    for (ColumnMigration.Write w : physical) {
      columns.add(Identifiers.quote(w.column()));
      reads.add(w.conversion().isIdentity() ? "cutover_once.v" : w.conversion().apply("cutover_once.v"));
    }
    ctx.edits.replace(target.start(), target.end(), "(" + String.join(", ", columns) + ")");
    ctx.edits.insert(rhs[0], List.of(Edits.Piece.text("(SELECT " + String.join(", ", reads) + " FROM ")));
    ctx.edits.insert(rhs[1], List.of(Edits.Piece.text(" AS cutover_once(v))")));
    return true;
  }

  /**
   * A row assignment from a sub-SELECT, {@code (a, col) = (SELECT x, y ...)}, whose targets include a
   * migrating column: the target list gets every physical column of each target, and the sub-SELECT,
   * run once as written (same correlation, so as often as before), feeds them all:
   * {@code (a, old, new) = (SELECT cutover_once.v1, cutover_once.v2, conv(cutover_once.v2) FROM (SELECT
   * x, y ...) AS cutover_once(v1, v2))}. No row gives NULL to every target, as before; more than one row
   * is the same error. A sub-SELECT whose width is not the target count, or with {@code *}, is refused
   * (PostgreSQL would reject the first; the second's width is the table's).
   */
  private void rowFromSelect(FromItem item, SqlNode value, int[] row, Map<ColumnMigration, String> seen)
      throws RewriteRefusedException {
    SqlText text = ctx.text;
    List<Integer> targets = new ArrayList<>();
    for (int k = text.nextSignificant(row[0] + 1, row[1]); k >= 0 && k < row[1]; k = text.nextSignificant(k + 1, row[1])) {
      if (text.tokens().get(k).isIdentifier()) {
        targets.add(k);
      }
    }
    List<String> reads = new ArrayList<>();
    List<String> aliases = new ArrayList<>();
    boolean migrating = false;
    for (int n = 0; n < targets.size(); n++) {
      Token t = text.tokens().get(targets.get(n));
      String name = text.folded(targets.get(n));
      String v = ONCE + ".v" + (n + 1);
      aliases.add("v" + (n + 1));
      ColumnMigration m = item.migrationFor(name);
      if (m == null) {
        reads.add(v);
        continue;
      }
      if (seen.put(m, name) != null) {
        throw ctx.refuse(m, "the UPDATE sets both '" + m.oldColumn() + "' and '" + m.newColumn()
            + "', the same logical column twice");
      }
      ctx.used(m, name);
      List<ColumnMigration.Write> writes = m.writes(name);
      // Written as it stands (planned: the old column, its own value): nothing to wrap for this one.
      migrating |= writes.size() > 1 || !writes.get(0).conversion().isIdentity();
      List<String> columns = new ArrayList<>();
      for (ColumnMigration.Write w : writes) {
        columns.add(Identifiers.quote(w.column()));
        reads.add(w.conversion().isIdentity() ? v : w.conversion().apply(v));
      }
      String replacement = String.join(", ", columns);
      if (!replacement.equals(t.text(text.sql()))) {
        ctx.edits.replace(t.start(), t.end(), replacement);
      }
    }
    if (!migrating) {
      return;
    }
    SqlNode query = value instanceof SqlOrderBy orderBy ? orderBy.query : value;
    ColumnMigration first = item.migrations().get(0);
    if (!(query instanceof SqlSelect select)) {
      throw ctx.refuse(first, "a row assignment from a " + QueryPlanner.construct(query) + " writing migrating column"
          + " is not supported; write the sub-SELECT as one SELECT");
    }
    for (SqlNode selected : select.getSelectList()) {
      if (selected instanceof SqlIdentifier sid && sid.isStar()) {
        throw ctx.refuse(first, "a row assignment from SELECT * writing a migrating column is not supported; list the"
            + " columns");
      }
    }
    if (select.getSelectList().size() != targets.size()) {
      throw ctx.refuse(first, "a row assignment whose sub-SELECT has " + select.getSelectList().size()
          + " columns for " + targets.size() + " targets");
    }
    ctx.edits.insert(text.tokens().get(row[2]).start(),
        List.of(Edits.Piece.text("(SELECT " + String.join(", ", reads) + " FROM ")));
    ctx.edits.insert(text.tokens().get(row[3]).end(),
        List.of(Edits.Piece.text(" AS " + ONCE + "(" + String.join(", ", aliases) + "))")));
  }

  /** The token of the {@code [} right after SET target token {@code target}, or -1 when it has no subscript. */
  private int subscript(int target) {
    int next = ctx.text.nextSignificant(target + 1, ctx.stmt.toToken());
    return next >= 0 && ctx.text.tokens().get(next).kind() == TokenKind.LBRACKET && ctx.text.matching(next) > next
        ? next : -1;
  }

  /**
   * {@code SET col[i] = v} (or a slice) where {@code col} migrates: the same element change on each
   * physical column written. That is the application's change only where both columns hold the same
   * array before it: always when one column is written, and in {@code read_new} entered after the
   * backfill and verify (every row equal, every write since reaching both). In {@code dual_write} and a
   * lazy {@code read_new}, a row the backfill has not reached has an empty new column, and the element
   * change would make it a one-element array that looks migrated: refused, as is a type change (the
   * element would need converting inside the other column's array). Setting the other column to the
   * whole converted array instead would need the array after the assignment, which no SET item can
   * read (each sees the row as it was) and no PostgreSQL expression computes (an element assignment
   * can extend the array with NULLs or move its lower bound): emulating it risks a silent difference.
   */
  private void subscripted(ColumnMigration m, String name, Token target, int open, SqlNode value, int[] rhs,
      List<ColumnMigration.Write> physical) throws RewriteRefusedException {
    String written = "SET " + name + "[...] = ...";
    if (!m.isRename()) {
      throw ctx.refuse(m, "an assignment to an element or slice of migrating column '" + name + "' (" + written
          + ") is not supported for a type change: the other column would need the element converted inside its"
          + " array, or the whole array converted after the assignment, which no SET item can read; assign the"
          + " whole array (SET " + name + " = ...)");
    }
    if (physical.size() > 1 && m.fillsLazily()) {
      throw ctx.refuse(m, "an assignment to an element or slice of migrating column '" + name + "' (" + written
          + ") is not supported in " + m.phase().sqlName() + ": a row the backfill has not reached has no new array"
          + " to assign the element in (it would become a one-element array that looks filled), and the array"
          + " after the assignment, which the new column could be set to instead, is not something a SET item can"
          + " read; assign the whole array (SET " + name + " = ...), or run it once the migration reads the new"
          + " column without --lazy (read_new)");
    }
    if (!physical.get(0).column().equals(name)) {
      ctx.edits.replace(target.start(), target.end(), Identifiers.quote(physical.get(0).column()));
    }
    if (physical.size() > 1) {
      if (!isDefault(value, rhs)) {
        checkDuplicable(m, value);
      }
      int close = ctx.text.matching(open);
      List<Edits.Piece> pieces = new ArrayList<>();
      for (int k = 1; k < physical.size(); k++) {
        pieces.add(Edits.Piece.text(", " + Identifiers.quote(physical.get(k).column())));
        pieces.add(Edits.Piece.copy(ctx.text.tokens().get(open).start(), ctx.text.tokens().get(close).end()));
        pieces.add(Edits.Piece.text(" = "));
        pieces.add(Edits.Piece.copy(rhs[0], rhs[1]));
      }
      ctx.edits.insert(rhs[1], pieces);
    }
  }

  /** Whether {@code value}, written at {@code rhs}, is one parenthesised query and nothing else. */
  private boolean isScalarSubquery(SqlNode value, int[] rhs) {
    if (!QueryPlanner.isQuery(value) || value.getKind() == SqlKind.VALUES) {
      return false;
    }
    int open = ctx.text.tokenStartingAt(rhs[0]);
    if (open < 0 || ctx.text.tokens().get(open).kind() != TokenKind.LPAREN || ctx.text.matching(open) < 0) {
      return false;
    }
    return ctx.text.tokens().get(ctx.text.matching(open)).end() == rhs[1];
  }

  /**
   * Whether a SET value is the keyword {@code DEFAULT}: the parser does not always say so by its
   * kind (an UPDATE's {@code SET c = DEFAULT} reaches the planner as an ordinary operand), so the
   * text decides too; bare, the word cannot be anything else (it is reserved).
   */
  private boolean isDefault(SqlNode value, int[] span) {
    return value.getKind() == SqlKind.DEFAULT
        || span[1] - span[0] == "default".length() && ctx.text.sql().regionMatches(true, span[0], "default", 0, 7);
  }

  /**
   * Refuses an assignment to a field of a migrating column ({@code SET col.f = ...}, {@code INSERT
   * INTO t (col.f)}): each physical column would need its own field assignment.
   */
  void refuseFieldOfMigrating(FromItem item, List<String> names) throws RewriteRefusedException {
    ColumnMigration m = names.size() > 1 ? item.migrationFor(names.get(0)) : null;
    if (m != null) {
      throw ctx.refuse(m, "assigning a field of migrating column '" + names.get(0) + "' ('" + String.join(".", names)
          + "') is not supported; assign the whole column");
    }
  }

  /** The offsets of the right-hand side of the SET item whose target is token {@code leaf}. */
  private int[] rightHandSide(int leaf, int limitToken) {
    SqlText text = ctx.text;
    int limit = Math.min(limitToken, ctx.stmt.toToken());
    int eq = text.nextSignificant(leaf + 1, limit);
    if (eq >= 0 && text.tokens().get(eq).kind() == TokenKind.LBRACKET && text.matching(eq) > eq) {
      // SET tags[1] = ...: the subscript (blanked for the parser) belongs to the target.
      eq = text.nextSignificant(text.matching(eq) + 1, limit);
    }
    if (eq < 0 || !"=".equals(text.tokens().get(eq).text(text.sql()))) {
      return null;
    }
    int start = -1;
    int end = -1;
    for (int i = eq + 1; i < limit; i++) {
      Token t = text.tokens().get(i);
      if (t.kind() == TokenKind.COMMA || t.kind() == TokenKind.RPAREN || t.kind() == TokenKind.RBRACE
          || text.isKeyword(i, "where") || text.isKeyword(i, "returning")
          || text.isKeyword(i, "from") && !afterDistinct(i)) {
        break;
      }
      if (t.isTrivia()) {
        continue;
      }
      if (start < 0) {
        start = t.start();
      }
      if ((t.kind() == TokenKind.LPAREN || t.kind() == TokenKind.LBRACKET || t.kind() == TokenKind.LBRACE)
          && text.matching(i) > i) {
        i = text.matching(i);
      }
      end = text.tokens().get(i).end();
    }
    return start < 0 ? null : new int[] {start, end};
  }

  /** Whether token {@code i} follows {@code DISTINCT} ({@code IS [NOT] DISTINCT FROM}, not a FROM clause). */
  private boolean afterDistinct(int i) {
    int before = ctx.text.previousSignificant(i - 1, ctx.stmt.fromToken());
    return before >= 0 && ctx.text.isKeyword(before, "distinct");
  }

  // ---------------------------------------------------------------- DELETE

  /**
   * Plans a DELETE, with {@code usingList} its {@code USING} items parsed apart (or {@code null});
   * returns the target's scope for RETURNING.
   */
  Scope delete(SqlDelete delete, SqlNode usingList) throws RewriteRefusedException {
    Scope scope = target(delete.getTargetTable(), delete.getAlias());
    if (usingList != null) {
      extraItems(usingList, scope);
    }
    queries.predicate(delete.getCondition(), scope);
    return scope;
  }

  // ---------------------------------------------------------------- shared

  /** The scope of a write's target table, named by {@code alias} when it has one. */
  Scope target(SqlNode table, SqlIdentifier alias) throws RewriteRefusedException {
    if (table.getKind() == SqlKind.AS) {
      alias = (SqlIdentifier) ((SqlCall) table).operand(1);
    }
    String aliasName = null;
    String aliasText = null;
    if (alias != null) {
      aliasName = ctx.folded(alias).get(0);
      Token t = ctx.text.tokens().get(ctx.tokenOf(alias, 0));
      aliasText = t.text(ctx.text.sql());
    }
    return target(table, aliasName, aliasText);
  }

  /** The scope of a write's target table, named by the folded {@code aliasName} (written {@code aliasText}) if not null. */
  Scope target(SqlNode table, String aliasName, String aliasText) throws RewriteRefusedException {
    SqlNode node = tableNode(table);
    if (!(node instanceof SqlIdentifier id)) {
      throw ctx.refuse("a write whose target is not a plain table name");
    }
    Scope scope = new Scope(outer);
    scope.add(queries.table(id, aliasName, aliasText, null)); // a write's target is never a CTE
    return scope;
  }

  /** The table of a write's target, without its alias. */
  static SqlNode tableNode(SqlNode table) {
    return table.getKind() == SqlKind.AS ? ((SqlCall) table).operand(0) : table;
  }
}
