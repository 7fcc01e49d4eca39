package dev.cutover.rewriter.plan;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Conversion;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.lex.Identifiers;
import dev.cutover.rewriter.lex.SqlText;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.lex.TokenKind;
import dev.cutover.rewriter.resolve.AppColumns;
import dev.cutover.rewriter.resolve.FromItem;
import dev.cutover.rewriter.resolve.Scope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUpdate;

/**
 * Plans INSERT, UPDATE and DELETE: each write of a migrating column goes to the phase's physical
 * columns, its value duplicated as text; in {@code dual_write} an UPDATE also fills the new column
 * of the rows it touches.
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

  /** Sets the UPDATE's row assignments from a sub-SELECT (see {@link #rowSelects}). */
  void rowSelects(Map<Integer, int[]> clauses) {
    this.rowSelects = clauses;
  }

  // ---------------------------------------------------------------- INSERT

  /**
   * The values an INSERT writes, one row at a time: for each column its expression and, once
   * located in the text, its span and where duplicated values go.
   */
  private record Row(List<SqlNode> values, List<int[]> spans, int insertAt, List<Boolean> aliased) {}

  /** Plans an INSERT whose clauses end before token {@code limitToken}; returns the target's scope. */
  Scope insert(SqlInsert insert, int limitToken, int aliasToken) throws RewriteRefusedException {
    Scope scope;
    if (aliasToken >= 0) {
      // INSERT INTO t AS a: the alias was blanked for the parser; it names the target from here on.
      scope = target(insert.getTargetTable(), ctx.text.folded(aliasToken),
          ctx.text.tokens().get(aliasToken).text(ctx.text.sql()));
    } else {
      scope = target(insert.getTargetTable(), null);
    }
    FromItem item = scope.items().get(0);
    SqlNode source = insert.getSource();
    SqlNodeList columns = insert.getTargetColumnList();
    boolean values = source.getKind() == SqlKind.VALUES;
    if (!values) {
      if (!QueryPlanner.isQuery(source) || source.getKind() == SqlKind.WITH) {
        if (item.isMigrating()) {
          throw ctx.refuse(item.migrations().get(0), "INSERT ... " + QueryPlanner.construct(source)
              + " into a migrating table is not supported yet");
        }
        queries.nested(source);
        return scope;
      }
      SqlNode top = source instanceof SqlOrderBy orderBy ? orderBy.query : source;
      queries.unlabelled = top instanceof SqlSelect s ? s.getSelectList() : null;
      queries.fixedWidthQuery(source, outer);
    } else {
      for (SqlNode row : ((SqlCall) source).getOperandList()) {
        if (row.getKind() != SqlKind.ROW) {
          throw ctx.refuse("a VALUES row the rewriter cannot read");
        }
        for (SqlNode value : ((SqlCall) row).getOperandList()) {
          queries.expression(value, new Scope(outer));
        }
      }
    }
    if (!item.isMigrating()) {
      return scope;
    }
    ColumnMigration first = item.migrations().get(0);
    SqlSelect select = null;
    int width;
    if (values) {
      width = ((SqlCall) ((SqlCall) source).operand(0)).operandCount();
      for (SqlNode row : ((SqlCall) source).getOperandList()) {
        if (((SqlCall) row).operandCount() != width) {
          throw ctx.refuse(first, "VALUES rows of different lengths");
        }
      }
    } else {
      SqlNode query = source instanceof SqlOrderBy orderBy ? orderBy.query : source;
      if (!(query instanceof SqlSelect s)) {
        throw ctx.refuse(first, "INSERT ... " + QueryPlanner.construct(query) + " into a migrating table is not"
            + " supported yet");
      }
      select = s;
      for (SqlNode selected : select.getSelectList()) {
        if (selected instanceof SqlIdentifier id && id.isStar()) {
          throw ctx.refuse(first, "INSERT ... SELECT * into a migrating table is not supported; list the columns");
        }
      }
      width = select.getSelectList().size();
    }
    // The application's column names, in order, and where each sits in the text (null when generated).
    List<String> names = new ArrayList<>();
    List<int[]> spans = new ArrayList<>();
    boolean generated = columns == null || columns.isEmpty();
    if (generated) {
      if (!item.columnsKnown()) {
        throw ctx.refuse(first, "INSERT without a column list into table '" + item.table()
            + "' whose columns the catalog does not know; list the columns");
      }
      List<AppColumns.AppColumn> view = AppColumns.of(item.info(), item.migrations());
      if (view == null || width > view.size()) {
        throw ctx.refuse(first, "INSERT without a column list whose values do not match the table's columns");
      }
      for (int j = 0; j < width; j++) {
        names.add(view.get(j).name());
        spans.add(null);
      }
    } else {
      for (SqlNode c : columns) {
        // PostgreSQL: the first name is the column, any further ones a field of its composite type.
        SqlIdentifier id = (SqlIdentifier) c;
        List<String> folded = ctx.folded(id);
        names.add(folded.get(0));
        spans.add(ctx.span(id, 0));
        refuseFieldOfMigrating(item, folded);
      }
      if (names.size() != width) {
        return scope; // PostgreSQL rejects it anyway
      }
    }
    Map<ColumnMigration, Integer> seen = new HashMap<>();
    List<String> written = new ArrayList<>(names);
    // Conversion of each value into its first physical column (identity when none).
    Map<Integer, Conversion> wraps = new HashMap<>();
    List<String> extraColumns = new ArrayList<>();
    List<Conversion> extraConversions = new ArrayList<>();
    List<Integer> extraSources = new ArrayList<>();
    for (int j = 0; j < names.size(); j++) {
      ColumnMigration m = item.migrationFor(names.get(j));
      if (m == null) {
        continue;
      }
      if (seen.put(m, j) != null) {
        throw ctx.refuse(m, "the INSERT sets both '" + m.oldColumn() + "' and '" + m.newColumn()
            + "', the same logical column twice");
      }
      if (spans.get(j) != null) {
        ctx.used(m, names.get(j)); // a generated column list names nothing the application wrote
      }
      List<ColumnMigration.Write> targets = m.writes(names.get(j));
      written.set(j, targets.get(0).column());
      if (!targets.get(0).conversion().isIdentity()) {
        wraps.put(j, targets.get(0).conversion());
      }
      for (int k = 1; k < targets.size(); k++) {
        extraColumns.add(targets.get(k).column());
        extraConversions.add(targets.get(k).conversion());
        extraSources.add(j);
      }
      if (spans.get(j) != null && !targets.get(0).column().equals(names.get(j))) {
        ctx.edits.replace(spans.get(j)[0], spans.get(j)[1], Identifiers.quote(targets.get(0).column()));
      }
    }
    if (!generated && seen.isEmpty()) {
      return scope;
    }
    if (generated) {
      // Positional values: pin the columns down, since the physical column order is not the app's.
      StringBuilder list = new StringBuilder(" (");
      for (int j = 0; j < written.size(); j++) {
        list.append(j == 0 ? "" : ", ").append(Identifiers.quote(written.get(j)));
      }
      for (String extra : extraColumns) {
        list.append(", ").append(Identifiers.quote(extra));
      }
      list.append(')');
      SqlIdentifier table = (SqlIdentifier) tableNode(insert.getTargetTable());
      int[] end = ctx.span(table, table.names.size() - 1);
      ctx.edits.insert(end[1], List.of(Edits.Piece.text(list.toString())));
    } else if (!extraColumns.isEmpty()) {
      int open = ctx.text.tokenStartingAt(ctx.positions.start(columns.getParserPosition()));
      int close = open < 0 ? -1 : ctx.text.matching(open);
      if (close < 0 || ctx.text.tokens().get(open).kind() != TokenKind.LPAREN) {
        throw ctx.refuse(first, "could not locate the INSERT column list in the SQL text");
      }
      List<Edits.Piece> pieces = new ArrayList<>();
      for (String extra : extraColumns) {
        pieces.add(Edits.Piece.text(", " + Identifiers.quote(extra)));
      }
      ctx.edits.insert(ctx.text.tokens().get(close).start(), pieces);
    }
    if (extraColumns.isEmpty() && wraps.isEmpty()) {
      return scope;
    }
    List<Row> rows = values ? valuesRows((SqlCall) source, first) : List.of(selectRow(select, limitToken, first));
    for (Row row : rows) {
      if (row.spans().size() != width) {
        throw ctx.refuse(first, "the inserted values' text does not match the parser's reading");
      }
      if (wraps.isEmpty()) {
        // A volatile value written to two columns of a rename: computed once where possible.
        List<Integer> once = new ArrayList<>();
        for (int k = 0; k < extraColumns.size(); k++) {
          int j = extraSources.get(k);
          if (DuplicationCheck.firstUnsafe(row.values().get(j)) != null) {
            if (rows.size() > 1 || !values || !extraConversions.get(k).isIdentity()) {
              checkDuplicable(item.migrationFor(names.get(j)), row.values().get(j)); // refuses
            }
            once.add(j);
          }
        }
        if (!once.isEmpty()) {
          for (int j = 0; j < row.values().size(); j++) {
            String other = DuplicationCheck.firstUnsafe(row.values().get(j));
            if (!once.contains(j) && other != null) {
              // Computing one value first would change the order PostgreSQL evaluates the row in
              // (nextval(...) then currval(...) in the same row): refuse rather than reorder.
              throw ctx.refuse(item.migrationFor(names.get(once.get(0))), "the row also calls " + other
                  + " in another value; computing the value written to both columns once would change the"
                  + " order the row's volatile calls run in; compute them in the application or bind them");
            }
          }
          computeOnce(row, once, extraSources, item, names);
          continue;
        }
      }
      for (Map.Entry<Integer, Conversion> wrap : wraps.entrySet()) {
        int j = wrap.getKey();
        ColumnMigration m = item.migrationFor(names.get(j));
        checkConvertible(m, row, j, wrap.getValue());
        wrap(m, row.values().get(j), row.spans().get(j), wrap.getValue());
      }
      List<Edits.Piece> pieces = new ArrayList<>();
      for (int k = 0; k < extraColumns.size(); k++) {
        int j = extraSources.get(k);
        ColumnMigration m = item.migrationFor(names.get(j));
        checkDuplicable(m, row.values().get(j));
        checkConvertible(m, row, j, extraConversions.get(k));
        pieces.add(Edits.Piece.text(", "));
        if (row.values().get(j).getKind() == SqlKind.DEFAULT) {
          pieces.add(Edits.Piece.text("DEFAULT")); // each column takes its own default
        } else {
          pieces.addAll(converted(extraConversions.get(k), row.spans().get(j)));
        }
      }
      if (!pieces.isEmpty()) {
        ctx.edits.insert(row.insertAt(), pieces);
      }
    }
    return scope;
  }

  /** The alias of the derived table that computes a single row's volatile values once. */
  private static final String ONCE = "cutover_once";

  /**
   * A single-row {@code VALUES (...)} whose values {@code once} are volatile (or unknown) and go to
   * two columns: {@code VALUES (a, f())} becomes
   * {@code SELECT a, cutover_once.v2, cutover_once.v2 FROM (SELECT f() AS v2) AS cutover_once}, so
   * each is computed once and written to both columns. The other values stay in the top-level
   * select list, where PostgreSQL types literals and parameters by their target columns as it does
   * in VALUES. Refused when the row has a {@code DEFAULT} (not allowed in a select list).
   */
  private void computeOnce(Row row, List<Integer> once, List<Integer> extraSources, FromItem item, List<String> names)
      throws RewriteRefusedException {
    SqlText text = ctx.text;
    ColumnMigration m = item.migrationFor(names.get(once.get(0)));
    for (SqlNode value : row.values()) {
      if (value.getKind() == SqlKind.DEFAULT) {
        checkDuplicable(m, row.values().get(once.get(0))); // refuses: DEFAULT cannot move to a SELECT
      }
    }
    int close = text.tokenStartingAt(row.insertAt());
    int open = close < 0 ? -1 : text.matching(close);
    int keyword = open < 0 ? -1 : text.previousSignificant(open - 1, ctx.stmt.fromToken());
    if (keyword < 0 || !text.isKeyword(keyword, "values")) {
      checkDuplicable(m, row.values().get(once.get(0))); // refuses
    }
    Token values = text.tokens().get(keyword);
    Token openToken = text.tokens().get(open);
    Token closeToken = text.tokens().get(close);
    ctx.edits.replace(values.start(), values.end(), "SELECT");
    // VALUES (a becomes SELECT a; VALUES(a becomes SELECT a, never SELECTa.
    ctx.edits.replace(openToken.start(), openToken.end(), openToken.start() > values.end() ? "" : " ");
    List<Integer> distinct = new ArrayList<>();
    for (int j : once) {
      if (!distinct.contains(j)) {
        distinct.add(j);
        int[] span = row.spans().get(j);
        ctx.edits.move(span[0], span[1], ONCE + ".v" + (j + 1));
      }
    }
    List<Edits.Piece> extra = new ArrayList<>();
    for (int j : extraSources) {
      extra.add(Edits.Piece.text(", "));
      extra.add(distinct.contains(j) ? Edits.Piece.text(ONCE + ".v" + (j + 1))
          : Edits.Piece.copy(row.spans().get(j)[0], row.spans().get(j)[1]));
    }
    ctx.edits.insert(closeToken.start(), extra);
    ctx.edits.replace(closeToken.start(), closeToken.end(), "");
    List<Edits.Piece> from = new ArrayList<>();
    from.add(Edits.Piece.text(" FROM (SELECT "));
    for (int k = 0; k < distinct.size(); k++) {
      int j = distinct.get(k);
      from.add(Edits.Piece.text(k == 0 ? "" : ", "));
      from.add(Edits.Piece.copy(row.spans().get(j)[0], row.spans().get(j)[1]));
      from.add(Edits.Piece.text(" AS v" + (j + 1)));
    }
    from.add(Edits.Piece.text(") AS " + ONCE));
    ctx.edits.insert(closeToken.end(), from);
  }

  /** A SELECT item {@code expr AS label} cannot be wrapped in a conversion as it stands in the text. */
  private void checkConvertible(ColumnMigration m, Row row, int j, Conversion conversion)
      throws RewriteRefusedException {
    if (!conversion.isIdentity() && row.aliased() != null && row.aliased().get(j)) {
      throw ctx.refuse(m, "INSERT ... SELECT with an aliased item ('... AS name') written to '" + m.oldColumn()
          + "', whose value must be converted between types; drop the alias (INSERT ... SELECT ignores it)");
    }
  }

  /** The pieces writing {@code conversion} of the original range {@code span} (copied once per hole). */
  private static List<Edits.Piece> converted(Conversion conversion, int[] span) {
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
  private void wrap(ColumnMigration m, SqlNode value, int[] span, Conversion conversion) throws RewriteRefusedException {
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

  private List<Row> valuesRows(SqlCall values, ColumnMigration first) throws RewriteRefusedException {
    List<Row> rows = new ArrayList<>();
    for (SqlNode node : values.getOperandList()) {
      SqlCall row = (SqlCall) node;
      int open = ctx.text.tokenStartingAt(ctx.positions.start(row.getParserPosition()));
      if (open < 0 || ctx.text.tokens().get(open).kind() != TokenKind.LPAREN) {
        throw ctx.refuse(first, "could not locate a VALUES row in the SQL text");
      }
      int close = ctx.text.matching(open);
      rows.add(new Row(row.getOperandList(), splitTopLevel(open + 1, close), ctx.text.tokens().get(close).start(),
          null));
    }
    return rows;
  }

  private static final java.util.Set<String> SELECT_LIST_END = java.util.Set.of(
      "from", "where", "group", "having", "window", "order", "limit", "offset", "fetch", "for", "union",
      "intersect", "except", "returning", "on", "into");

  /** The select list of an INSERT ... SELECT as one row: its items' spans, duplicates going after the last. */
  private Row selectRow(SqlSelect select, int limitToken, ColumnMigration first) throws RewriteRefusedException {
    SqlText text = ctx.text;
    int limit = Math.min(limitToken, ctx.stmt.toToken());
    int keyword = text.tokenStartingAt(ctx.positions.start(select.getParserPosition()));
    if (keyword < 0 || !text.isKeyword(keyword, "select")) {
      throw ctx.refuse(first, "could not locate the SELECT list of the INSERT in the SQL text");
    }
    int start = text.nextSignificant(keyword + 1, limit);
    if (start >= 0 && text.isKeyword(start, "distinct")) {
      int next = text.nextSignificant(start + 1, limit);
      if (next >= 0 && text.isKeyword(next, "on")) {
        int open = text.nextSignificant(next + 1, limit);
        int close = open < 0 ? -1 : text.matching(open);
        if (close < 0) {
          throw ctx.refuse(first, "could not locate the SELECT list of the INSERT in the SQL text");
        }
        next = text.nextSignificant(close + 1, limit);
      }
      start = next;
    } else if (start >= 0 && text.isKeyword(start, "all")) {
      start = text.nextSignificant(start + 1, limit);
    }
    int end = limit;
    int depth = 0;
    for (int i = Math.max(start, 0); i < limit; i++) {
      Token t = text.tokens().get(i);
      if (t.kind() == TokenKind.LPAREN || t.kind() == TokenKind.LBRACKET) {
        depth++;
      } else if (t.kind() == TokenKind.RPAREN || t.kind() == TokenKind.RBRACKET) {
        depth--;
      } else if (depth == 0 && t.kind() == TokenKind.IDENT && SELECT_LIST_END.contains(text.folded(i))) {
        end = i;
        break;
      }
    }
    if (start < 0) {
      throw ctx.refuse(first, "could not locate the SELECT list of the INSERT in the SQL text");
    }
    List<int[]> spans = splitTopLevel(start, end);
    List<SqlNode> items = new ArrayList<>();
    List<Boolean> aliased = new ArrayList<>();
    for (SqlNode item : select.getSelectList()) {
      items.add(item.getKind() == SqlKind.AS ? ((SqlCall) item).operand(0) : item);
      aliased.add(item.getKind() == SqlKind.AS);
    }
    int insertAt = spans.isEmpty() ? -1 : spans.get(spans.size() - 1)[1];
    return new Row(items, spans, insertAt, aliased);
  }

  private void checkDuplicable(ColumnMigration m, SqlNode value) throws RewriteRefusedException {
    String bad = DuplicationCheck.firstUnsafe(value);
    if (bad != null) {
      throw ctx.refuse(m, "the value written to '" + m.oldColumn() + "' calls " + bad
          + ", which is volatile or unknown: writing it to both '" + m.oldColumn() + "' and '"
          + m.physicalNewColumn() + "' would give the two columns different values;"
          + " compute it in the application or bind it as a parameter");
    }
  }

  /**
   * Offsets {@code [start, end)} of the comma-separated elements between tokens {@code from}
   * (inclusive) and {@code to} (exclusive), skipping bracketed parts; trivia around elements excluded.
   */
  private List<int[]> splitTopLevel(int from, int to) {
    List<int[]> out = new ArrayList<>();
    int elementStart = -1;
    int elementEnd = -1;
    SqlText text = ctx.text;
    for (int i = from; i < to; i++) {
      Token t = text.tokens().get(i);
      if (t.kind() == TokenKind.COMMA) {
        out.add(new int[] {elementStart, elementEnd});
        elementStart = -1;
        continue;
      }
      if (t.isTrivia()) {
        continue;
      }
      if (elementStart < 0) {
        elementStart = t.start();
      }
      if ((t.kind() == TokenKind.LPAREN || t.kind() == TokenKind.LBRACKET || t.kind() == TokenKind.LBRACE)
          && text.matching(i) > i) {
        i = text.matching(i);
      }
      elementEnd = text.tokens().get(i).end();
    }
    out.add(new int[] {elementStart, elementEnd});
    for (int[] e : out) {
      if (e[0] < 0) {
        return List.of();
      }
    }
    return out;
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
   * element would need converting inside the other column's array).
   */
  private void subscripted(ColumnMigration m, String name, Token target, int open, SqlNode value, int[] rhs,
      List<ColumnMigration.Write> physical) throws RewriteRefusedException {
    String written = "SET " + name + "[...] = ...";
    if (!m.isRename()) {
      throw ctx.refuse(m, "an assignment to an element or slice of migrating column '" + name + "' (" + written
          + ") is not supported for a type change: the element would have to be converted inside the other column's"
          + " array; assign the whole array");
    }
    if (physical.size() > 1 && m.fillsLazily()) {
      throw ctx.refuse(m, "an assignment to an element or slice of migrating column '" + name + "' (" + written
          + ") is not supported in " + m.phase().sqlName() + ": rows the backfill has not reached have no new value"
          + " to change the element of; assign the whole array, or run it once the migration reads the new column");
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
  private void refuseFieldOfMigrating(FromItem item, List<String> names) throws RewriteRefusedException {
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

  private Scope target(SqlNode table, SqlIdentifier alias) throws RewriteRefusedException {
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

  private Scope target(SqlNode table, String aliasName, String aliasText) throws RewriteRefusedException {
    SqlNode node = tableNode(table);
    if (!(node instanceof SqlIdentifier id)) {
      throw ctx.refuse("a write whose target is not a plain table name");
    }
    Scope scope = new Scope(outer);
    scope.add(queries.table(id, aliasName, aliasText, null)); // a write's target is never a CTE
    return scope;
  }

  private static SqlNode tableNode(SqlNode table) {
    return table.getKind() == SqlKind.AS ? ((SqlCall) table).operand(0) : table;
  }
}
