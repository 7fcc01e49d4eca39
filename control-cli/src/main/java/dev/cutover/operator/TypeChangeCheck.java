package dev.cutover.operator;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Conversion;
import dev.cutover.rewriter.lex.Lexer;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.lex.TokenKind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The plan-time checks of a type change: the type exists, {@code up} and
 * {@code down} are single expressions over their one column that type-check (assignment rules, as
 * the dual writes and the backfill assign them), call nothing volatile, and round-trip on a sample of
 * the table's rows. Every failure names the migration file, the field and the reason; nothing is
 * changed (everything runs under a savepoint of the plan's transaction, rolled back).
 *
 * <p>Implementation notes: {@code up} and {@code down} are the operator's SQL, spliced by the driver
 * into application statements; they are lexed as pgjdbc lexes them and refused when they hold a
 * {@code ;}, a placeholder, a comment, braces or a subquery keyword, so that the text cannot end the
 * statement or change its parameters. Type-checking runs them over a one-column derived table named
 * like the column, so a reference to any other column fails as an undefined column. Immutability is
 * checked by PostgreSQL itself (a temporary stored generated column); volatile calls are found by name.
 */
final class TypeChangeCheck {

  /** Rows of the table whose values are round-tripped through up and down at plan time. */
  static final int SAMPLE_ROWS = 1000;

  private static final Set<TokenKind> REFUSED_TOKENS = Set.of(TokenKind.SEMICOLON, TokenKind.PLACEHOLDER,
      TokenKind.ESCAPED_QUESTION, TokenKind.DOLLAR_PARAM, TokenKind.LINE_COMMENT, TokenKind.BLOCK_COMMENT,
      TokenKind.LBRACE, TokenKind.RBRACE);
  // Words that start a subquery or a statement (all reserved: never a column or function name).
  // FROM and WITH are allowed: extract(epoch FROM x), substring(x FROM 2), timestamp WITH time zone.
  private static final Set<String> REFUSED_WORDS = Set.of("select", "values", "table", "insert", "update",
      "delete", "returning");
  private static final Set<TokenKind> TYPE_TOKENS = Set.of(TokenKind.IDENT, TokenKind.QUOTED_IDENT, TokenKind.NUMBER,
      TokenKind.LPAREN, TokenKind.RPAREN, TokenKind.COMMA, TokenKind.DOT, TokenKind.LBRACKET, TokenKind.RBRACKET,
      TokenKind.WHITESPACE);

  private final Connection c;
  private final Path file;
  private final List<String> warnings = new ArrayList<>();

  private TypeChangeCheck(Connection c, Path file) {
    this.c = c;
    this.file = file;
  }

  /**
   * The result of the checks.
   *
   * @param newType the new type as PostgreSQL prints it (e.g. {@code numeric(12,2)}), what the DDL uses
   * @param warnings what the operator should know (e.g. a stable function in up)
   */
  record Checked(String newType, List<String> warnings) {}

  /**
   * Checks the type change of {@code old} into {@code m} (at {@code planned}, with {@code up},
   * {@code down} and the type as written in the file).
   *
   * @throws InvalidMigrationFileException naming the file, the field and the reason
   */
  static Checked check(Connection c, Path file, TableCatalog.Table table, TableCatalog.Column old, ColumnMigration m,
      String typeText) throws SQLException {
    TypeChangeCheck check = new TypeChangeCheck(c, file);
    Savepoint savepoint = c.setSavepoint();
    try {
      String newType = check.type(typeText, old);
      check.expression("changeType.up", m.up(), m.oldColumn());
      check.expression("changeType.down", m.down(), m.newColumn());
      check.typeChecks("changeType.up", m.up(), m.oldColumn(), old.type(), newType);
      check.typeChecks("changeType.down", m.down(), m.newColumn(), newType, old.type());
      check.volatility("changeType.up", m.up(), m.oldColumn(), old.type(), newType);
      check.volatility("changeType.down", m.down(), m.newColumn(), newType, old.type());
      check.roundTrip(table, old, m, newType);
      return new Checked(newType, List.copyOf(check.warnings));
    } finally {
      c.rollback(savepoint);
    }
  }

  private InvalidMigrationFileException refuse(String field, String reason) {
    return new InvalidMigrationFileException(file, field, reason);
  }

  /** Validates the type text and returns PostgreSQL's spelling of it. */
  private String type(String text, TableCatalog.Column old) throws SQLException {
    for (Token t : Lexer.lex(text)) {
      if (!TYPE_TOKENS.contains(t.kind()) || t.unterminated()) {
        throw refuse("changeType.type", "'" + text + "' is not a type name (unexpected '" + t.text(text) + "')");
      }
    }
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TEMP TABLE cutover_type_check (v " + text + ") ON COMMIT DROP");
    } catch (SQLException e) {
      throw refuse("changeType.type", "'" + text + "' is not a type PostgreSQL knows: " + firstLine(e));
    }
    String type;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT format_type(atttypid, atttypmod)"
        + " FROM pg_attribute WHERE attrelid = 'pg_temp.cutover_type_check'::regclass AND attname = 'v'")) {
      rs.next();
      type = rs.getString(1);
    }
    if (type.equals(old.type())) {
      throw refuse("changeType.type", "column " + Identifiers.quote(old.name()) + " is of type " + type
          + " already; nothing to change");
    }
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TEMP TABLE cutover_old_type_check (v " + old.type() + ") ON COMMIT DROP");
    }
    return type;
  }

  /** Lexical checks: one expression over {@code column}, nothing that could escape the statement. */
  private void expression(String field, String sql, String column) {
    List<Token> tokens = Lexer.lex(sql);
    int depth = 0;
    for (Token t : tokens) {
      String text = t.text(sql);
      if (t.unterminated()) {
        throw refuse(field, "unterminated " + t.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " in '"
            + sql + "'");
      }
      if (REFUSED_TOKENS.contains(t.kind())) {
        throw refuse(field, "'" + text + "' is not allowed in an up/down expression (it is spliced into the"
            + " application's statements: no ';', '?' placeholder or operator, $n, comment or JDBC escape; write"
            + " jsonb_exists(x, k) for the ? operator)");
      }
      if (t.kind() == TokenKind.IDENT && REFUSED_WORDS.contains(text.toLowerCase(Locale.ROOT))) {
        throw refuse(field, "'" + text + "' is not allowed: up/down must be a single expression over the column"
            + " (no subquery)");
      }
      if (t.kind() == TokenKind.LPAREN || t.kind() == TokenKind.LBRACKET) {
        depth++;
      } else if (t.kind() == TokenKind.RPAREN || t.kind() == TokenKind.RBRACKET) {
        if (--depth < 0) {
          throw refuse(field, "unbalanced ')' in '" + sql + "'");
        }
      }
    }
    if (depth != 0) {
      throw refuse(field, "unbalanced '(' in '" + sql + "'");
    }
    try {
      Conversion.of(sql, column);
    } catch (IllegalArgumentException e) {
      throw refuse(field, "'" + sql + "' does not use column " + Identifiers.quote(column) + " (in "
          + (field.endsWith("up") ? "up the old name stands for the old value" : "down the new name stands for the new value")
          + ")");
    }
  }

  /** The expression, over a one-column derived table, assigned to a column of the target type. */
  private void typeChecks(String field, String sql, String column, String fromType, String toType) throws SQLException {
    String target = field.endsWith("up") ? "cutover_type_check" : "cutover_old_type_check";
    Savepoint sp = c.setSavepoint();
    try (Statement st = c.createStatement()) {
      st.execute("INSERT INTO pg_temp." + target + " (v) SELECT " + sql + " FROM (SELECT NULL::" + fromType
          + " AS " + Identifiers.quote(column) + ") AS cutover_check LIMIT 0");
    } catch (SQLException e) {
      c.rollback(sp);
      String hint = "42703".equals(e.getSQLState())
          ? " (it may use only column " + Identifiers.quote(column) + ", of type " + fromType + ")" : "";
      throw refuse(field, "'" + sql + "' does not type-check as " + fromType + " -> " + toType + ": " + firstLine(e) + hint);
    }
    c.releaseSavepoint(sp);
  }

  /**
   * Refuses a volatile function in the expression; warns when it is not immutable. Immutability is
   * PostgreSQL's own verdict (the expression as a stored generated column); dependencies on built-in
   * functions are not recorded anywhere, so volatile calls are found by name (fail closed: a name
   * with any volatile overload counts).
   */
  private void volatility(String field, String sql, String column, String fromType, String toType)
      throws SQLException {
    Savepoint sp = c.setSavepoint();
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TEMP TABLE cutover_immutable_check (" + Identifiers.quote(column) + " " + fromType
          + ", cutover_v " + toType + " GENERATED ALWAYS AS (" + sql + ") STORED) ON COMMIT DROP");
      c.rollback(sp);
      return; // immutable
    } catch (SQLException e) {
      c.rollback(sp);
    }
    List<Token> tokens = Lexer.lex(sql);
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (!t.isIdentifier()) {
        continue;
      }
      int next = i + 1;
      while (next < tokens.size() && tokens.get(next).isTrivia()) {
        next++;
      }
      if (next >= tokens.size() || tokens.get(next).kind() != TokenKind.LPAREN) {
        continue;
      }
      String name = dev.cutover.rewriter.lex.Identifiers.fold(t.text(sql));
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT count(*) FILTER (WHERE provolatile = 'v') FROM pg_proc WHERE proname = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) > 0) {
            throw refuse(field, "'" + sql + "' calls " + name + "(), which is volatile: the dual writes, the lazy"
                + " fill and the backfill would compute different values for the same row");
          }
        }
      }
    }
    warnings.add(field + " '" + sql + "' is not immutable (it calls something stable, e.g. a cast or function that"
        + " reads TimeZone, DateStyle or search_path): every session writing through Cutover and the backfill must"
        + " use the same settings");
  }

  /**
   * down(up(x)) = x and up(down(y)) = y for y = up(x), on a sample of the table's rows and NULL;
   * the first counterexample (or the first row up or down fails on) is refused.
   */
  private void roundTrip(TableCatalog.Table table, TableCatalog.Column old, ColumnMigration m, String newType)
      throws SQLException {
    List<TableCatalog.Column> key = TableCatalog.primaryKey(c, table.oid());
    String keyExpr = key.size() == 1 ? Identifiers.quote(key.get(0).name()) : "ctid";
    String oldCol = Identifiers.quote(old.name());
    String up1 = "CAST(" + m.upConversion().apply("s.o") + " AS " + newType + ")";
    String down1 = "CAST(" + m.downConversion().apply("u.n") + " AS " + old.type() + ")";
    String up2 = "CAST(" + m.upConversion().apply("d.b") + " AS " + newType + ")";
    String sample = "SELECT k, o FROM (SELECT " + keyExpr + "::text AS k, " + oldCol + " AS o FROM " + table.quoted()
        + " LIMIT " + SAMPLE_ROWS + ") AS t UNION ALL SELECT 'NULL (any row where the column is NULL)', NULL::"
        + old.type();
    String sql = "SELECT x.k, x.o::text, x.n::text, x.b::text, x.n2::text FROM (SELECT d.k, d.o, d.n, d.b, " + up2
        + " AS n2 FROM (SELECT u.k, u.o, u.n, " + down1 + " AS b FROM (SELECT s.k, s.o, " + up1 + " AS n FROM ("
        + sample + ") AS s) AS u) AS d) AS x WHERE x.b IS DISTINCT FROM x.o OR x.n2 IS DISTINCT FROM x.n LIMIT 1";
    Savepoint sp = c.setSavepoint();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      if (rs.next()) {
        String k = rs.getString(1);
        String o = rs.getString(2);
        String n = rs.getString(3);
        String b = rs.getString(4);
        if (!java.util.Objects.equals(b, o)) {
          throw refuse("changeType.down", "down(up(x)) is not x on a sampled row: key " + k + ", old value "
              + show(o) + ", up gives " + show(n) + ", down of that gives " + show(b));
        }
        throw refuse("changeType.up", "up(down(y)) is not y on a sampled row: key " + k + ", new value " + show(n)
            + ", down gives " + show(b) + ", up of that gives " + show(rs.getString(5)));
      }
      c.releaseSavepoint(sp);
    } catch (SQLException e) {
      c.rollback(sp);
      throw firstFailing(table, keyExpr, oldCol, old.type(), up1, down1, e);
    }
  }

  /** Finds the sampled row on which up or down fails, for the message. */
  private InvalidMigrationFileException firstFailing(TableCatalog.Table table, String keyExpr, String oldCol,
      String oldType, String up1, String down1, SQLException failure) throws SQLException {
    List<String[]> rows = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + keyExpr + "::text, " + oldCol
        + "::text FROM " + table.quoted() + " LIMIT " + SAMPLE_ROWS)) {
      while (rs.next()) {
        rows.add(new String[] {rs.getString(1), rs.getString(2)});
      }
    }
    String from = " FROM (SELECT CAST(? AS " + oldType + ") AS o) AS s";
    for (String[] row : rows) {
      for (boolean up : new boolean[] {true, false}) {
        Savepoint sp = c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement(up ? "SELECT " + up1 + from
            : "SELECT " + down1 + from + ", LATERAL (SELECT " + up1 + " AS n) AS u")) {
          ps.setString(1, row[1]);
          ps.executeQuery().close();
          c.releaseSavepoint(sp);
        } catch (SQLException e) {
          c.rollback(sp);
          throw refuse(up ? "changeType.up" : "changeType.down", (up ? "up" : "down of up(x)") + " fails on a sampled"
              + " row: key " + row[0] + ", old value " + show(row[1]) + ": " + firstLine(e));
        }
      }
    }
    return refuse("changeType.up", "up or down fails on the sampled rows: " + firstLine(failure));
  }

  private static String show(String value) {
    return value == null ? "NULL" : "'" + value + "'";
  }

  static String firstLine(SQLException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
