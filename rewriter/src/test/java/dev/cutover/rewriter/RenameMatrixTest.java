package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import dev.cutover.rewriter.lex.Lexer;
import dev.cutover.rewriter.lex.TokenKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Phase x statement kind x name used: every case states the exact rewritten SQL and parameter map,
 * and {@link #checkInvariants} runs after each one.
 */
class RenameMatrixTest {

  private static final String OLD = "full_name";
  private static final String NEW = "display_name";

  /**
   * One statement kind: the application's SQL for a name, and the expected SQL and parameter map.
   */
  record Kind(String name, Function<String, String> sql, ExpectedFn expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  interface ExpectedFn {
    Expected of(String used, Phase phase, ColumnMigration m);
  }

  record Expected(String sql, int[] map) {}

  private static String reads(ColumnMigration m) {
    return m.readColumn();
  }

  /** The select-list form of a bare reference: the read column, labelled when it differs. */
  private static String labelled(String prefix, String used, ColumnMigration m) {
    String read = m.readColumn();
    return read.equals(used) ? prefix + used : prefix + read + " AS " + used;
  }

  private static List<String> targets(ColumnMigration m) {
    List<String> out = new ArrayList<>();
    if (m.phase().writesOld()) {
      out.add(OLD);
    }
    if (m.phase().writesNew()) {
      out.add(NEW);
    }
    return out;
  }

  static final List<Kind> KINDS = List.of(
      new Kind("select bare",
          n -> "SELECT id, " + n + " FROM users WHERE " + n + " = ?",
          (n, p, m) -> new Expected(
              "SELECT id, " + labelled("", n, m) + " FROM users WHERE " + reads(m) + " = ?", new int[] {1})),
      new Kind("select qualified with order by",
          n -> "SELECT u." + n + " FROM users u WHERE u.id = ? ORDER BY u." + n,
          (n, p, m) -> new Expected("SELECT " + labelled("u.", n, m) + " FROM users u WHERE u.id = ? ORDER BY u."
              + reads(m), new int[] {1})),
      new Kind("select expressions, group by, having",
          n -> "SELECT upper(" + n + "), count(*) FROM users GROUP BY " + n + " HAVING max(" + n + ") > ?",
          (n, p, m) -> new Expected("SELECT upper(" + reads(m) + "), count(*) FROM users GROUP BY " + reads(m)
              + " HAVING max(" + reads(m) + ") > ?", new int[] {1})),
      new Kind("select alias kept, order by label untouched",
          n -> "SELECT lower(" + n + ") AS " + n + " FROM users ORDER BY " + n,
          (n, p, m) -> new Expected("SELECT lower(" + reads(m) + ") AS " + n + " FROM users ORDER BY " + n,
              new int[0])),
      new Kind("join on",
          n -> "SELECT o.total FROM orders o JOIN users u ON u.id = o.user_id AND u." + n + " = ?",
          (n, p, m) -> new Expected("SELECT o.total FROM orders o JOIN users u ON u.id = o.user_id AND u."
              + reads(m) + " = ?", new int[] {1})),
      new Kind("insert",
          n -> "INSERT INTO users (id, " + n + ") VALUES (?, ?)",
          (n, p, m) -> {
            List<String> t = targets(m);
            String cols = String.join(", ", t);
            String vals = t.size() == 2 ? "?, ?, ?" : "?, ?";
            return new Expected("INSERT INTO users (id, " + cols + ") VALUES (" + vals + ")",
                t.size() == 2 ? new int[] {1, 2, 2} : new int[] {1, 2});
          }),
      new Kind("insert multi-row with literal",
          n -> "INSERT INTO users (" + n + ", id) VALUES (?, 1), ('x', ?)",
          (n, p, m) -> {
            List<String> t = targets(m);
            if (t.size() == 2) {
              return new Expected("INSERT INTO users (full_name, id, display_name) VALUES (?, 1, ?), ('x', ?, 'x')",
                  new int[] {1, 1, 2});
            }
            return new Expected("INSERT INTO users (" + t.get(0) + ", id) VALUES (?, 1), ('x', ?)", new int[] {1, 2});
          }),
      new Kind("update set parameter",
          n -> "UPDATE users SET " + n + " = ? WHERE " + n + " = ?",
          (n, p, m) -> {
            List<String> t = targets(m);
            String set = t.size() == 2 ? "full_name = ?, display_name = ?" : t.get(0) + " = ?";
            return new Expected("UPDATE users SET " + set + " WHERE " + reads(m) + " = ?",
                t.size() == 2 ? new int[] {1, 1, 2} : new int[] {1, 2});
          }),
      new Kind("update set expression",
          n -> "UPDATE users SET " + n + " = " + n + " || ? WHERE id = ?",
          (n, p, m) -> {
            List<String> t = targets(m);
            String rhs = reads(m) + " || ?";
            String set = t.size() == 2 ? "full_name = " + rhs + ", display_name = " + rhs : t.get(0) + " = " + rhs;
            return new Expected("UPDATE users SET " + set + " WHERE id = ?",
                t.size() == 2 ? new int[] {1, 1, 2} : new int[] {1, 2});
          }),
      new Kind("delete",
          n -> "DELETE FROM users WHERE " + n + " = ? AND id > ?",
          (n, p, m) -> new Expected("DELETE FROM users WHERE " + reads(m) + " = ? AND id > ?", new int[] {1, 2})),
      new Kind("cte read",
          n -> "WITH c AS (SELECT id, " + n + " FROM users) SELECT " + n + " FROM c WHERE id = ?",
          (n, p, m) -> new Expected("WITH c AS (SELECT id, " + labelled("", n, m) + " FROM users) SELECT " + n
              + " FROM c WHERE id = ?", new int[] {1})),
      new Kind("data-modifying cte",
          n -> "WITH u AS (UPDATE users SET " + n + " = ? WHERE id = ? RETURNING " + n + ") SELECT " + n + " FROM u",
          (n, p, m) -> {
            List<String> t = targets(m);
            String set = t.size() == 2 ? "full_name = ?, display_name = ?" : t.get(0) + " = ?";
            return new Expected("WITH u AS (UPDATE users SET " + set + " WHERE id = ? RETURNING " + labelled("", n, m)
                + ") SELECT " + n + " FROM u", t.size() == 2 ? new int[] {1, 1, 2} : new int[] {1, 2});
          }),
      new Kind("lateral",
          n -> "SELECT x.f FROM users u, LATERAL (SELECT upper(u." + n + ") AS f) x WHERE u.id = ?",
          (n, p, m) -> new Expected("SELECT x.f FROM users u, LATERAL (SELECT upper(u." + reads(m) + ") AS f) x"
              + " WHERE u.id = ?", new int[] {1})),
      new Kind("distinct on",
          n -> "SELECT DISTINCT ON (" + n + ") id FROM users ORDER BY " + n + ", id",
          (n, p, m) -> new Expected("SELECT DISTINCT ON (" + reads(m) + ") id FROM users ORDER BY " + reads(m) + ", id",
              new int[0])),
      new Kind("update from",
          n -> "UPDATE users SET " + n + " = o.total::text FROM orders o WHERE o.user_id = users.id AND o.id = ?",
          (n, p, m) -> {
            List<String> t = targets(m);
            String set = t.size() == 2 ? "full_name = o.total::text, display_name = o.total::text"
                : t.get(0) + " = o.total::text";
            return new Expected("UPDATE users SET " + set + " FROM orders o WHERE o.user_id = users.id AND o.id = ?",
                new int[] {1});
          }),
      new Kind("update from, other column",
          n -> "UPDATE users u SET email = o.total::text FROM orders o WHERE o.user_id = u.id AND u." + n + " = ?",
          (n, p, m) -> new Expected("UPDATE users u SET email = o.total::text"
              + (p == Phase.DUAL_WRITE ? ", display_name = u.full_name" : "") + " FROM orders o WHERE o.user_id = u.id"
              + " AND u." + reads(m) + " = ?", new int[] {1})),
      new Kind("delete using",
          n -> "DELETE FROM orders o USING users u WHERE u.id = o.user_id AND u." + n + " = ?",
          (n, p, m) -> new Expected("DELETE FROM orders o USING users u WHERE u.id = o.user_id AND u." + reads(m)
              + " = ?", new int[] {1})),
      new Kind("insert default",
          n -> "INSERT INTO users (id, " + n + ") VALUES (?, DEFAULT)",
          (n, p, m) -> {
            List<String> t = targets(m);
            return new Expected("INSERT INTO users (id, " + String.join(", ", t) + ") VALUES (?, DEFAULT"
                + (t.size() == 2 ? ", DEFAULT" : "") + ")", new int[] {1});
          }),
      new Kind("insert volatile, one row",
          n -> "INSERT INTO users (id, " + n + ") VALUES (?, md5(random()::text))",
          (n, p, m) -> {
            List<String> t = targets(m);
            if (t.size() == 2) {
              return new Expected("INSERT INTO users (id, full_name, display_name) SELECT ?, cutover_once.v2,"
                  + " cutover_once.v2 FROM (SELECT md5(random()::text) AS v2) AS cutover_once", new int[] {1});
            }
            return new Expected("INSERT INTO users (id, " + t.get(0) + ") VALUES (?, md5(random()::text))", new int[] {1});
          }),
      new Kind("self-join using",
          n -> "SELECT a.id FROM users a JOIN users b USING (" + n + ") WHERE b.id = ?",
          (n, p, m) -> new Expected("SELECT a.id FROM users a JOIN users b USING (" + reads(m) + ") WHERE b.id = ?",
              new int[] {1})),
      new Kind("update returning",
          n -> "UPDATE users SET email = ? WHERE id = ? RETURNING id, " + n,
          (n, p, m) -> new Expected("UPDATE users SET email = ?"
              + (p == Phase.DUAL_WRITE ? ", display_name = full_name" : "") + " WHERE id = ? RETURNING id, "
              + labelled("", n, m), new int[] {1, 2})));

  static Stream<Arguments> matrix() {
    List<Arguments> out = new ArrayList<>();
    for (Phase phase : Phase.values()) {
      for (Kind kind : KINDS) {
        for (String used : List.of(OLD, NEW)) {
          out.add(Arguments.of(phase, kind, used));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} / {1} / {2}")
  @MethodSource("matrix")
  void rewrite_matrix(Phase phase, Kind kind, String used) throws Exception {
    String sql = kind.sql().apply(used);
    ColumnMigration m = Fixtures.rename(phase);
    Expected expected = kind.expected().of(used, phase, m);

    Rewrite rewrite = Fixtures.rewrite(sql, phase);

    assertThat(rewrite.sql()).isEqualTo(expected.sql());
    if (rewrite.sql().equals(sql)) {
      assertThat(rewrite.parameterMap()).isNull();
    } else {
      assertThat(rewrite.parameterMap()).containsExactly(expected.map());
    }
    assertThat(rewrite.oldNameUsed()).isEqualTo(used.equals(OLD) ? Set.of(Fixtures.ID) : Set.of());
    assertThat(rewrite.newNameUsed()).isEqualTo(used.equals(NEW) ? Set.of(Fixtures.ID) : Set.of());
    checkInvariants(sql, rewrite, phase);
  }

  /** Holds for every rewrite: placeholders match the map, and no column that is absent in the phase is referenced. */
  static void checkInvariants(String original, Rewrite rewrite, Phase phase) {
    long appParams = placeholders(original);
    long rewrittenParams = placeholders(rewrite.sql());
    if (rewrite.parameterMap() == null) {
      assertThat(rewrittenParams).isEqualTo(appParams);
    } else {
      assertThat(rewrite.parameterMap()).hasSize((int) rewrittenParams);
      for (int p : rewrite.parameterMap()) {
        assertThat(p).isBetween(1, (int) appParams);
      }
    }
    if (!phase.newColumnExists()) {
      assertOnlyAsLabel(rewrite.sql(), NEW);
    }
    if (!phase.oldColumnExists()) {
      assertOnlyAsLabel(rewrite.sql(), OLD);
    }
  }

  private static long placeholders(String sql) {
    return Lexer.lex(sql).stream().filter(t -> t.kind() == TokenKind.PLACEHOLDER).count();
  }

  private static void assertOnlyAsLabel(String sql, String column) {
    Matcher matcher = Pattern.compile("(\\w+\\s+)?\\b" + column + "\\b").matcher(sql);
    while (matcher.find()) {
      String before = matcher.group(1) == null ? "" : matcher.group(1).trim();
      // Allowed: a label (AS name), or ORDER BY of that label, which means the output column, or a
      // reference to a CTE's column of that label (SELECT name FROM cte).
      boolean labelled = sql.contains("AS " + column);
      boolean label = before.equals("AS") || (before.equals("BY") || before.equals("SELECT")) && labelled;
      assertThat(label).as("'%s' referenced as a column in %s", column, sql).isTrue();
    }
  }
}
