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
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;

/**
 * Plans an INSERT ({@code VALUES} rows or a {@code SELECT}): each value written to a migrating
 * column goes to the phase's physical columns, converted where the types differ and duplicated as
 * text where two columns take it; without a column list the application's column order is pinned
 * down by an added list, since the physical order is not the application's.
 *
 * <p>Implementation notes: values are located in the text by the lexer (top-level commas of a
 * {@code VALUES} row or of the select list) and cross-checked against the parser's operand counts;
 * duplicated values are copied from the original text by {@link Edits}, so a placeholder inside one
 * binds the same application parameter twice. A value is duplicated only when
 * {@link DuplicationCheck} finds no volatile function in it; a single {@code VALUES} row whose
 * volatile value goes to two columns becomes a {@code SELECT} over a derived table that computes it
 * once. The target's scope, conversions and the duplication check are shared with UPDATE through
 * {@link WritePlanner}. An {@code ON CONFLICT} clause is planned afterwards by {@link UpsertPlanner}.
 */
final class InsertPlanner {

  private final StatementContext ctx;
  private final QueryPlanner queries;
  private final WritePlanner writes;
  /** The scope holding the CTEs of an enclosing WITH, or {@code null}. */
  private final Scope outer;

  InsertPlanner(StatementContext ctx, QueryPlanner queries, WritePlanner writes) {
    this.ctx = ctx;
    this.queries = queries;
    this.writes = writes;
    this.outer = writes.outer();
  }

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
      scope = writes.target(insert.getTargetTable(), ctx.text.folded(aliasToken),
          ctx.text.tokens().get(aliasToken).text(ctx.text.sql()));
    } else {
      scope = writes.target(insert.getTargetTable(), null);
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
      queries.insertSource(source, outer);
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
        writes.refuseFieldOfMigrating(item, folded);
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
      SqlIdentifier table = (SqlIdentifier) WritePlanner.tableNode(insert.getTargetTable());
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
              writes.checkDuplicable(item.migrationFor(names.get(j)), row.values().get(j)); // refuses
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
        writes.wrap(m, row.values().get(j), row.spans().get(j), wrap.getValue());
      }
      List<Edits.Piece> pieces = new ArrayList<>();
      for (int k = 0; k < extraColumns.size(); k++) {
        int j = extraSources.get(k);
        ColumnMigration m = item.migrationFor(names.get(j));
        writes.checkDuplicable(m, row.values().get(j));
        checkConvertible(m, row, j, extraConversions.get(k));
        pieces.add(Edits.Piece.text(", "));
        if (row.values().get(j).getKind() == SqlKind.DEFAULT) {
          pieces.add(Edits.Piece.text("DEFAULT")); // each column takes its own default
        } else {
          pieces.addAll(WritePlanner.converted(extraConversions.get(k), row.spans().get(j)));
        }
      }
      if (!pieces.isEmpty()) {
        ctx.edits.insert(row.insertAt(), pieces);
      }
    }
    return scope;
  }

  /** The alias of the derived table that computes a single row's volatile values once. */
  private static final String ONCE = WritePlanner.ONCE;

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
        writes.checkDuplicable(m, row.values().get(once.get(0))); // refuses: DEFAULT cannot move to a SELECT
      }
    }
    int close = text.tokenStartingAt(row.insertAt());
    int open = close < 0 ? -1 : text.matching(close);
    int keyword = open < 0 ? -1 : text.previousSignificant(open - 1, ctx.stmt.fromToken());
    if (keyword < 0 || !text.isKeyword(keyword, "values")) {
      writes.checkDuplicable(m, row.values().get(once.get(0))); // refuses
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

}
