package dev.cutover.rewriter.plan;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Conversion;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.lex.CalciteMask;
import dev.cutover.rewriter.lex.Identifiers;
import dev.cutover.rewriter.lex.SqlText;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.lex.TokenKind;
import dev.cutover.rewriter.parse.CalciteParser;
import dev.cutover.rewriter.parse.PositionMap;
import dev.cutover.rewriter.resolve.FromItem;
import dev.cutover.rewriter.resolve.Scope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.parser.SqlParseException;

/**
 * Plans PostgreSQL's {@code MERGE INTO target [AS alias] USING source ON condition WHEN [NOT] MATCHED
 * [AND condition] THEN UPDATE SET ... | DELETE | INSERT [(columns)] VALUES (...) | INSERT DEFAULT VALUES |
 * DO NOTHING ...}: every action writes the phase's physical columns as the same UPDATE or INSERT would,
 * and every condition and value reads the phase's read column.
 *
 * <p>Implementation notes: the clauses are found from the tokens (depth-0 {@code WHEN}, a {@code CASE ...
 * END} at depth 0 skipped), then each part is parsed on its own over the statement's mask, everything
 * else blanked, with a first line of its own in front that supplies the words Calcite needs and
 * PostgreSQL's MERGE lacks: {@code SELECT 1 FROM target JOIN source ON condition} for the head
 * ({@code USING} overwritten by {@code JOIN}), {@code SELECT condition} for a clause's condition,
 * {@code UPDATE x SET ...} and {@code INSERT INTO x (...) VALUES (...)} for the actions. The extra line
 * keeps every position of the statement's own text (the position map starts that much earlier), so
 * names are spliced where the application wrote them. An UPDATE action is planned by {@link
 * WritePlanner} over the target and the source, exactly as an {@code UPDATE ... FROM} (dual_write fill
 * included); an INSERT action's single row is planned here: a migrating column is written to each
 * physical column, the value converted for each, copied as text only when it is not volatile.
 * Refused: {@code WHEN NOT MATCHED BY SOURCE | BY TARGET} and {@code RETURNING} (PostgreSQL 17), a
 * MERGE after WITH, a join as the source, a row assignment in an UPDATE action, {@code OVERRIDING},
 * an INSERT without a column list into a migrating table.
 */
final class MergePlanner {

  /** The width of the line put in front of each part's text: the longest words written there, and room. */
  private static final int PREFIX = 32;

  private final StatementContext ctx;
  private final QueryPlanner queries;
  /** The statement's mask (offsets relative to the statement's start). */
  private final char[] base;

  MergePlanner(StatementContext ctx, QueryPlanner queries, char[] base) {
    this.ctx = ctx;
    this.queries = queries;
    this.base = base;
  }

  /** One {@code WHEN} clause: its tokens, where its condition and action are. */
  private record Clause(int when, int end, boolean matched, int condFrom, int then, int action) {}

  /** Plans the MERGE occupying tokens {@code [merge, to)}. */
  void plan(int merge, int to) throws RewriteRefusedException {
    PositionMap saved = ctx.positions;
    ctx.positions = new PositionMap(" ".repeat(PREFIX) + "\n" + new String(base), ctx.stmt.start() - PREFIX - 1);
    try {
      planClauses(merge, to);
    } finally {
      ctx.positions = saved;
    }
  }

  private void planClauses(int merge, int to) throws RewriteRefusedException {
    SqlText text = ctx.text;
    int into = text.nextSignificant(merge + 1, to);
    if (into < 0 || !text.isKeyword(into, "into")) {
      throw ctx.refuse("a MERGE the rewriter cannot read (no INTO)");
    }
    int using = depthZero("using", into + 1, to);
    int on = using < 0 ? -1 : depthZero("on", using + 1, to);
    if (on < 0) {
      throw ctx.refuse("a MERGE the rewriter cannot read (no USING ... ON)");
    }
    for (int i = using + 1; i < on; i = skip(i)) {
      if (depthZeroWord(i, "join") || text.tokens().get(i).kind() == TokenKind.COMMA) {
        throw ctx.refuse("MERGE ... USING a join on a migrating table is not supported; write the source as a"
            + " subquery (USING (SELECT ... FROM a JOIN b ON ...) AS s)");
      }
    }
    if (depthZero("returning", on, to) >= 0) {
      throw ctx.refuse("MERGE ... RETURNING is not supported on a migrating table");
    }
    List<Integer> whens = new ArrayList<>();
    int caseDepth = 0;
    for (int i = on + 1; i < to; i = skip(i)) {
      if (depthZeroWord(i, "case")) {
        caseDepth++;
      } else if (depthZeroWord(i, "end") && caseDepth > 0) {
        caseDepth--;
      } else if (caseDepth == 0 && depthZeroWord(i, "when")) {
        whens.add(i);
      }
    }
    if (whens.isEmpty()) {
      throw ctx.refuse("a MERGE without WHEN clauses");
    }
    List<Clause> clauses = new ArrayList<>();
    for (int k = 0; k < whens.size(); k++) {
      clauses.add(clause(whens.get(k), k + 1 < whens.size() ? whens.get(k + 1) : to));
    }

    // The head: SELECT 1 FROM target [AS alias] JOIN source ON condition.
    char[] head = only(text.nextSignificant(into + 1, to), whens.get(0));
    overwrite(head, using, "JOIN");
    SqlNode node = parse(head, "SELECT 1 FROM", "the MERGE's target, source and condition");
    if (!(node instanceof SqlSelect select) || !(select.getFrom() instanceof SqlJoin join)) {
      throw ctx.refuse("a MERGE the rewriter cannot read");
    }
    Scope scope = new Scope(null);
    List<SqlNode> conditions = new ArrayList<>();
    queries.from(join, scope, conditions);
    for (SqlNode condition : conditions) {
      queries.expression(condition, scope);
    }
    if (scope.items().size() < 2) {
      throw ctx.refuse("a MERGE the rewriter cannot read");
    }
    FromItem target = scope.items().get(0);
    if (target.table() == null || !target.applied().isEmpty()) {
      // A whole-row reference to the target (or a column alias list on it) asked for it as a
      // derived table of the application's columns, which a MERGE cannot write.
      throw ctx.refuse("the whole row of the MERGE target, or a column alias list on it, is not supported while"
          + " its table migrates (it would have to be a derived table, which cannot be written); list the columns");
    }
    WritePlanner writes = new WritePlanner(ctx, queries, null);
    for (Clause c : clauses) {
      if (c.condFrom() >= 0) {
        char[] chars = only(c.condFrom(), c.then());
        SqlNode cond = parse(chars, "SELECT", "a WHEN clause's condition");
        if (!(cond instanceof SqlSelect s) || s.getSelectList().size() != 1 || s.getFrom() != null) {
          throw ctx.refuse("a MERGE WHEN condition the rewriter cannot read");
        }
        queries.predicate(s.getSelectList().get(0), scope);
      }
      int action = c.action();
      if (text.isKeyword(action, "do")) {
        int nothing = text.nextSignificant(action + 1, c.end());
        if (nothing < 0 || !text.isKeyword(nothing, "nothing") || text.nextSignificant(nothing + 1, c.end()) >= 0) {
          throw ctx.refuse("a MERGE action the rewriter cannot read");
        }
      } else if (text.isKeyword(action, "delete")) {
        if (!c.matched() || text.nextSignificant(action + 1, c.end()) >= 0) {
          throw ctx.refuse("a MERGE action the rewriter cannot read");
        }
      } else if (text.isKeyword(action, "update") && c.matched()) {
        update(c, action, scope, writes);
      } else if (text.isKeyword(action, "insert") && !c.matched()) {
        insert(c, action, scope, target);
      } else {
        throw ctx.refuse("a MERGE action the rewriter cannot read");
      }
    }
  }

  /** Reads the clause {@code WHEN [NOT] MATCHED [AND condition] THEN action} over tokens {@code [when, end)}. */
  private Clause clause(int when, int end) throws RewriteRefusedException {
    SqlText text = ctx.text;
    int i = text.nextSignificant(when + 1, end);
    boolean matched = true;
    if (i >= 0 && text.isKeyword(i, "not")) {
      matched = false;
      i = text.nextSignificant(i + 1, end);
    }
    if (i < 0 || !text.isKeyword(i, "matched")) {
      throw ctx.refuse("a MERGE WHEN clause the rewriter cannot read");
    }
    i = text.nextSignificant(i + 1, end);
    if (i >= 0 && text.isKeyword(i, "by")) {
      throw ctx.refuse("MERGE ... WHEN NOT MATCHED BY SOURCE / BY TARGET is not supported on a migrating table");
    }
    int condFrom = -1;
    if (i >= 0 && text.isKeyword(i, "and")) {
      condFrom = i + 1;
    }
    int then = -1;
    int caseDepth = 0;
    for (int k = i; k >= 0 && k < end; k = skip(k)) {
      if (depthZeroWord(k, "case")) {
        caseDepth++;
      } else if (depthZeroWord(k, "end") && caseDepth > 0) {
        caseDepth--;
      } else if (caseDepth == 0 && depthZeroWord(k, "then")) {
        then = k;
        break;
      }
    }
    int action = then < 0 ? -1 : text.nextSignificant(then + 1, end);
    if (action < 0 || condFrom < 0 && then != i) {
      throw ctx.refuse("a MERGE WHEN clause the rewriter cannot read");
    }
    return new Clause(when, end, matched, condFrom, then, action);
  }

  /** {@code THEN UPDATE SET ...}: planned as an UPDATE of the target over the target and the source. */
  private void update(Clause c, int action, Scope scope, WritePlanner writes) throws RewriteRefusedException {
    SqlText text = ctx.text;
    int set = text.nextSignificant(action + 1, c.end());
    if (set < 0 || !text.isKeyword(set, "set")) {
      throw ctx.refuse("a MERGE UPDATE action the rewriter cannot read");
    }
    int first = text.nextSignificant(set + 1, c.end());
    if (first >= 0 && text.tokens().get(first).kind() == TokenKind.LPAREN) {
      throw ctx.refuse("a row assignment (SET (a, b) = ...) in a MERGE UPDATE action is not supported on a migrating"
          + " table; assign each column on its own");
    }
    char[] chars = only(set, c.end());
    int depth = 0;
    for (int i = set; i < c.end(); i++) {
      Token t = text.tokens().get(i);
      if (t.kind() == TokenKind.LPAREN || t.kind() == TokenKind.LBRACKET) {
        depth++;
      } else if (t.kind() == TokenKind.RPAREN || t.kind() == TokenKind.RBRACKET) {
        depth--;
      } else if (depth == 0 && text.isKeyword(i, "default")) {
        int before = text.previousSignificant(i - 1, set);
        if (before >= 0 && "=".equals(text.tokens().get(before).text(text.sql()))) {
          overwrite(chars, i, "NULL"); // SET c = DEFAULT: read as a value, the write planner sees the word
        }
      }
    }
    SqlNode node = parse(chars, "UPDATE x", "a MERGE UPDATE action");
    if (!(node instanceof SqlUpdate update) || update.getCondition() != null) {
      throw ctx.refuse("a MERGE UPDATE action the rewriter cannot read");
    }
    writes.update(update, c.end(), scope, scope.items().get(0).qualifierText() + ".");
  }

  /** {@code THEN INSERT [(columns)] VALUES (...) | DEFAULT VALUES}: one row, written like an INSERT's. */
  private void insert(Clause c, int action, Scope scope, FromItem target) throws RewriteRefusedException {
    SqlText text = ctx.text;
    int next = text.nextSignificant(action + 1, c.end());
    if (next >= 0 && text.isKeyword(next, "default")) {
      int values = text.nextSignificant(next + 1, c.end());
      if (values < 0 || !text.isKeyword(values, "values") || text.nextSignificant(values + 1, c.end()) >= 0) {
        throw ctx.refuse("a MERGE INSERT action the rewriter cannot read");
      }
      return; // every column takes its default; the new column has the old one's (see the phase table)
    }
    if (depthZero("overriding", action, c.end()) >= 0) {
      throw ctx.refuse("MERGE ... INSERT OVERRIDING ... VALUE is not supported on a migrating table");
    }
    SqlNode node = parse(only(action + 1, c.end()), "INSERT INTO x", "a MERGE INSERT action");
    if (!(node instanceof SqlInsert ins) || ins.getSource().getKind() != SqlKind.VALUES
        || ((SqlCall) ins.getSource()).operandCount() != 1
        || ((SqlCall) ins.getSource()).operand(0).getKind() != SqlKind.ROW) {
      throw ctx.refuse("a MERGE INSERT action the rewriter cannot read (one VALUES row)");
    }
    SqlCall row = ((SqlCall) ins.getSource()).operand(0);
    List<SqlNode> values = row.getOperandList();
    for (SqlNode value : values) {
      queries.expression(value, scope);
    }
    if (!target.isMigrating()) {
      return;
    }
    ColumnMigration first = target.migrations().get(0);
    SqlNodeList columns = ins.getTargetColumnList();
    if (columns == null || columns.isEmpty()) {
      throw ctx.refuse(first, "MERGE ... INSERT VALUES without a column list into migrating table '" + target.table()
          + "' is not supported; list the columns");
    }
    if (columns.size() != values.size()) {
      return; // PostgreSQL rejects it
    }
    int open = text.tokenStartingAt(ctx.positions.start(row.getParserPosition()));
    int close = open < 0 ? -1 : text.matching(open);
    if (close < 0 || text.tokens().get(open).kind() != TokenKind.LPAREN) {
      throw ctx.refuse(first, "could not locate the MERGE INSERT's VALUES row in the SQL text");
    }
    List<int[]> spans = splitTopLevel(open + 1, close);
    if (spans.size() != values.size()) {
      throw ctx.refuse(first, "the MERGE INSERT's values do not match the parser's reading");
    }
    Map<ColumnMigration, String> seen = new HashMap<>();
    List<Edits.Piece> extraColumns = new ArrayList<>();
    List<Edits.Piece> extraValues = new ArrayList<>();
    for (int j = 0; j < columns.size(); j++) {
      SqlIdentifier id = (SqlIdentifier) columns.get(j);
      List<String> names = ctx.folded(id);
      ColumnMigration m = target.migrationFor(names.get(0));
      if (m == null) {
        continue;
      }
      if (names.size() > 1) {
        throw ctx.refuse(m, "assigning a field of migrating column '" + names.get(0) + "' is not supported; assign"
            + " the whole column");
      }
      if (seen.put(m, names.get(0)) != null) {
        throw ctx.refuse(m, "the MERGE INSERT sets both '" + m.oldColumn() + "' and '" + m.newColumn()
            + "', the same logical column twice");
      }
      ctx.used(m, names.get(0));
      List<ColumnMigration.Write> physical = m.writes(names.get(0));
      int[] column = ctx.span(id, 0);
      if (!physical.get(0).column().equals(names.get(0))) {
        ctx.edits.replace(column[0], column[1], Identifiers.quote(physical.get(0).column()));
      }
      SqlNode value = values.get(j);
      int[] span = spans.get(j);
      boolean isDefault = value.getKind() == SqlKind.DEFAULT
          || span[1] - span[0] == 7 && text.sql().regionMatches(true, span[0], "default", 0, 7);
      if (physical.size() > 1 && !isDefault) {
        String bad = DuplicationCheck.firstUnsafe(value);
        if (bad != null) {
          throw ctx.refuse(m, "the value written to '" + names.get(0) + "' by the MERGE INSERT calls " + bad
              + ", which is volatile or unknown: writing it to both '" + m.oldColumn() + "' and '"
              + m.physicalNewColumn() + "' would give the two columns different values; compute it in the"
              + " application or bind it as a parameter");
        }
      }
      if (!isDefault) {
        wrap(m, value, span, physical.get(0).conversion());
      }
      for (int k = 1; k < physical.size(); k++) {
        extraColumns.add(Edits.Piece.text(", " + Identifiers.quote(physical.get(k).column())));
        extraValues.add(Edits.Piece.text(", "));
        if (isDefault) {
          extraValues.add(Edits.Piece.text("DEFAULT"));
        } else {
          extraValues.addAll(converted(physical.get(k).conversion(), span));
        }
      }
    }
    if (!extraColumns.isEmpty()) {
      int listOpen = text.tokenStartingAt(ctx.positions.start(columns.getParserPosition()));
      int listClose = listOpen < 0 ? -1 : text.matching(listOpen);
      if (listClose < 0 || text.tokens().get(listOpen).kind() != TokenKind.LPAREN) {
        throw ctx.refuse(first, "could not locate the MERGE INSERT's column list in the SQL text");
      }
      ctx.edits.insert(text.tokens().get(listClose).start(), extraColumns);
      ctx.edits.insert(text.tokens().get(close).start(), extraValues);
    }
  }

  // ---------------------------------------------------------------- helpers

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

  /** Wraps the value at {@code span} in {@code conversion} where it stands (copies of it fill further holes). */
  private void wrap(ColumnMigration m, SqlNode value, int[] span, Conversion conversion)
      throws RewriteRefusedException {
    if (conversion.isIdentity()) {
      return;
    }
    if (conversion.holes() > 1 && DuplicationCheck.firstUnsafe(value) != null) {
      throw ctx.refuse(m, "the value written to '" + m.oldColumn() + "' calls " + DuplicationCheck.firstUnsafe(value)
          + ", which is volatile or unknown, and its conversion uses it twice; compute it in the application");
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

  /** Offsets {@code [start, end)} of the comma-separated elements of tokens {@code [from, to)}, brackets skipped. */
  private List<int[]> splitTopLevel(int from, int to) {
    List<int[]> out = new ArrayList<>();
    int start = -1;
    int end = -1;
    SqlText text = ctx.text;
    for (int i = from; i < to; i++) {
      Token t = text.tokens().get(i);
      if (t.kind() == TokenKind.COMMA) {
        out.add(new int[] {start, end});
        start = -1;
        continue;
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
    out.add(new int[] {start, end});
    for (int[] e : out) {
      if (e[0] < 0) {
        return List.of();
      }
    }
    return out;
  }

  /** The token after {@code i}, skipping a bracketed group that {@code i} opens. */
  private int skip(int i) {
    TokenKind kind = ctx.text.tokens().get(i).kind();
    if ((kind == TokenKind.LPAREN || kind == TokenKind.LBRACKET) && ctx.text.matching(i) > i) {
      return ctx.text.matching(i) + 1;
    }
    return i + 1;
  }

  /** Whether token {@code i} (reached by {@link #skip}, so at bracket depth 0) is keyword {@code word}. */
  private boolean depthZeroWord(int i, String word) {
    return ctx.text.tokens().get(i).kind() == TokenKind.IDENT && ctx.text.isKeyword(i, word);
  }

  /** The first depth-0 token in {@code [from, to)} that is keyword {@code word}, or -1. */
  private int depthZero(String word, int from, int to) {
    for (int i = from; i >= 0 && i < to; i = skip(i)) {
      if (depthZeroWord(i, word)) {
        return i;
      }
    }
    return -1;
  }

  /** A copy of the mask with everything outside tokens {@code [from, to)} blanked. */
  private char[] only(int from, int to) {
    char[] chars = base.clone();
    CalciteMask.blank(chars, 0, offset(from));
    CalciteMask.blank(chars, offset(to), chars.length);
    return chars;
  }

  private int offset(int token) {
    return token >= ctx.stmt.toToken() ? base.length : ctx.text.tokens().get(token).start() - ctx.stmt.start();
  }

  /** Writes {@code word} over token {@code token}, which is at least as long; the rest of it blanked. */
  private void overwrite(char[] chars, int token, String word) throws RewriteRefusedException {
    Token t = ctx.text.tokens().get(token);
    if (t.end() - t.start() < word.length()) {
      throw ctx.refuse("a MERGE the rewriter cannot read");
    }
    int at = offset(token);
    CalciteMask.blank(chars, at, at + t.end() - t.start());
    word.getChars(0, word.length(), chars, at);
  }

  /** Parses {@code chars} behind a first line holding {@code words} (see the class notes). */
  private SqlNode parse(char[] chars, String words, String what) throws RewriteRefusedException {
    StringBuilder sql = new StringBuilder(PREFIX + 1 + chars.length);
    sql.append(words).append(" ".repeat(PREFIX - words.length())).append('\n').append(chars);
    try {
      return CalciteParser.parse(sql.toString());
    } catch (SqlParseException | RuntimeException e) {
      throw ctx.refuse("the SQL parser could not read " + what + "; Cutover refuses rather than guess");
    }
  }
}
