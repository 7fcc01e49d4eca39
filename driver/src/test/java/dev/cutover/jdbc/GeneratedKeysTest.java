package dev.cutover.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.core.BaseConnection;

/**
 * {@link GeneratedKeys#appendTo} appends the RETURNING clause where pgjdbc appends it, and nowhere
 * else: compared with the text pgjdbc itself sends for the same statement (its {@code toString()}
 * shows the native SQL), spacing aside.
 */
class GeneratedKeysTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private static final String[] TEXTS = {
      "INSERT INTO t (a) VALUES (1)",
      "insert into t (a) values (1);",
      "UPDATE t SET a = 2 WHERE a = 1 -- trailing comment",
      "DELETE FROM t WHERE a = 3 /* block */",
      "INSERT INTO t (a) VALUES (1) RETURNING a",
      "SELECT a FROM t",
      "WITH x AS (SELECT 1 AS v) INSERT INTO t (a) SELECT v FROM x",
      "WITH x AS (SELECT 1 AS v) SELECT v FROM x",
      "WITH d AS (DELETE FROM t RETURNING a) SELECT a FROM d",
      "UPDATE t SET a = 1; SELECT 1; DELETE FROM t",
      "VALUES (1)",
  };

  @Test
  void appendTo_appendsWherePgjdbcAppends() throws SQLException {
    try (Connection c = db.plainConnection()) {
      boolean quote = c.unwrap(BaseConnection.class).getQueryExecutor().getQuoteReturningIdentifiers();
      for (String sql : TEXTS) {
        for (String[] columns : new String[][] {{"*"}, {"a", "Mixed \"q\""}}) {
          String pgjdbc;
          try (PreparedStatement ps = c.prepareStatement(sql, columns)) {
            pgjdbc = ps.toString();
          }
          String ours;
          try (PreparedStatement ps = c.prepareStatement(GeneratedKeys.of(columns).appendTo(sql, quote),
              Statement.RETURN_GENERATED_KEYS)) {
            ours = ps.toString();
          }
          assertThat(normalise(ours)).as("%s with %s", sql, String.join(",", columns)).isEqualTo(normalise(pgjdbc));
        }
      }
    }
  }

  @Test
  void appendTo_noStatementTakesOne_returnsTheSameString() {
    String sql = "SELECT 1";
    assertThat(GeneratedKeys.ALL.appendTo(sql, true)).isSameAs(sql);
  }

  @Test
  void of_noKeysAsked_isNull() {
    assertThat(GeneratedKeys.of(Statement.NO_GENERATED_KEYS)).isNull();
    assertThat(GeneratedKeys.of(new String[0])).isNull();
    assertThat(GeneratedKeys.of((String[]) null)).isNull();
  }

  /** Whitespace collapsed, comments dropped: pgjdbc puts its clause on a new line after a comment, Cutover before it. */
  private static String normalise(String sql) {
    return sql.replaceAll("--[^\n]*", "").replaceAll("/\\*.*?\\*/", "").replaceAll("\\s+", " ").trim()
        .replace(" ;", ";");
  }
}
