package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.it.TypeChangeDifferentialTest.Case;
import dev.cutover.it.TypeChangeDifferentialTest.Outcome;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names that PostgreSQL reads as something else unless quoted (issue 11, class 10): a table named
 * {@code user}, columns named {@code current_schema} and {@code user} (unquoted, PostgreSQL evaluates
 * the function: every value became {@code 'public'} or the role's name), a mixed-case
 * {@code "Owner"}, and names with a space or a double quote, renamed and type-changed through every
 * phase, forward and back to planned, then to completed. Every statement Cutover generates (the
 * driver's rewrites and lazy fills, the backfill, verify, the refill of a rollback, the DDL) must
 * name them right: reads and writes through either name are compared with a twin that never
 * migrated, after every phase change, and the backfill and the refill must copy the values.
 */
class OddIdentifierDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  /** current_schema -> "current_user", "user" -> "q""x", "Owner" -> "a b c", items."Amount Due" -> "user" bigint. */
  private static final List<String> IDS = List.of("schema-to-current-user", "user-to-quote", "owner-to-space",
      "amount-due-to-user");

  private static HikariDataSource cutover;
  private static HikariDataSource plain;
  private static final AtomicInteger ids = new AtomicInteger(1000);
  private static final List<String> mismatches = new ArrayList<>();

  private static Case same(String sql, Object... params) {
    return new Case(sql, sql, i -> params);
  }

  private static final String ALL_USER_NAMES =
      "id, \"current_schema\", \"current_user\", \"user\", \"q\"\"x\", \"Owner\", \"a b c\", note";

  private static final List<Case> READS = List.of(
      same("SELECT " + ALL_USER_NAMES + " FROM \"user\" ORDER BY id"),
      same("SELECT * FROM \"user\" ORDER BY id"),
      same("SELECT u.\"current_schema\", u.\"Owner\", u.\"a b c\" AS \"Owner\" FROM \"user\" AS u WHERE u.\"user\" = ?"
          + " OR u.\"q\"\"x\" = ? ORDER BY u.id", "u3", "u4"),
      new Case("SELECT count(*), max(\"current_user\"), min(\"current_schema\") FROM public.\"user\" WHERE"
          + " \"current_user\" LIKE 's%' AND \"user\" IS NOT NULL", "SELECT count(*), max(\"current_user\"),"
          + " min(\"current_schema\") FROM twin.\"user\" WHERE \"current_user\" LIKE 's%' AND \"user\" IS NOT NULL",
          i -> new Object[0]),
      same("SELECT id, \"Amount Due\", \"user\" FROM items ORDER BY id"),
      same("SELECT * FROM items ORDER BY id"),
      same("SELECT i.\"user\" / 2 AS half, sum(i.\"Amount Due\") FROM items i WHERE i.\"user\" > ? GROUP BY i.\"user\""
          + " ORDER BY 1", 300L));

  private static final List<Case> WRITES = List.of(
      new Case("UPDATE \"user\" SET \"current_schema\" = ?, \"user\" = \"user\" || '!' WHERE id = ?",
          "UPDATE \"user\" SET \"current_schema\" = ?, \"user\" = \"user\" || '!' WHERE id = ?",
          i -> new Object[] {"set" + i.incrementAndGet(), 2}),
      new Case("INSERT INTO \"user\" (id, \"current_schema\", \"user\", \"Owner\") VALUES (?, 'ins', 'u-ins', 'O-ins')",
          "INSERT INTO \"user\" (id, \"current_schema\", \"user\", \"Owner\") VALUES (?, 'ins', 'u-ins', 'O-ins')",
          i -> new Object[] {i.incrementAndGet()}),
      same("UPDATE \"user\" SET note = 'touched' WHERE id BETWEEN 5 AND 8"),
      new Case("UPDATE \"user\" AS u SET \"current_user\" = u.\"a b c\" || ?, \"q\"\"x\" = 'qx' WHERE u.id = ?"
          + " RETURNING u.\"current_user\", \"q\"\"x\", \"Owner\"",
          "UPDATE \"user\" AS u SET \"current_schema\" = u.\"Owner\" || ?, \"user\" = 'qx' WHERE u.id = ?"
          + " RETURNING u.\"current_user\", \"q\"\"x\", \"Owner\"",
          i -> new Object[] {"-via-new", 3}),
      new Case("INSERT INTO \"user\" (id, \"current_user\", \"q\"\"x\", \"a b c\") VALUES (?, 'n1', 'n2', 'n3')",
          "INSERT INTO \"user\" (id, \"current_schema\", \"user\", \"Owner\") VALUES (?, 'n1', 'n2', 'n3')",
          i -> new Object[] {i.incrementAndGet()}),
      same("UPDATE items SET \"Amount Due\" = \"Amount Due\" + 1 WHERE id = ?", 4),
      new Case("INSERT INTO items (id, \"Amount Due\") VALUES (?, 3.25)", "INSERT INTO items (id, \"Amount Due\") VALUES (?, 3.25)",
          i -> new Object[] {i.incrementAndGet()}),
      new Case("UPDATE items SET \"user\" = \"user\" + 100 WHERE id = ?",
          "UPDATE items SET \"Amount Due\" = (CAST((\"Amount Due\" * 100) AS bigint) + 100) / 100.0 WHERE id = ?",
          i -> new Object[] {5}),
      new Case("INSERT INTO items (id, \"user\") VALUES (?, 5678)", "INSERT INTO items (id, \"Amount Due\") VALUES (?, 56.78)",
          i -> new Object[] {i.incrementAndGet()}),
      same("UPDATE items SET note = 'touched' WHERE id BETWEEN 6 AND 9"));

  @BeforeAll
  static void setUp() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String schema : new String[] {"public", "twin"}) {
        boolean twin = schema.equals("twin");
        if (twin) {
          st.execute("CREATE SCHEMA twin");
        }
        st.execute("CREATE TABLE " + schema + ".\"user\" (id int PRIMARY KEY, \"current_schema\" text, note text,"
            // (each migrating column follows one that stays: at completed, SELECT * puts a dropped column
            // that followed another dropped one at the wrong place, a defect of its own)
            + " \"user\" text, tag text, \"Owner\" text"
            // (SELECT * through Cutover appends the new names in the order of the migrations' ids)
            + (twin ? ", \"a b c\" text GENERATED ALWAYS AS (\"Owner\") STORED,"
                + " \"current_user\" text GENERATED ALWAYS AS (\"current_schema\") STORED,"
                + " \"q\"\"x\" text GENERATED ALWAYS AS (\"user\") STORED" : "") + ")");
        st.execute("CREATE INDEX ON " + schema + ".\"user\" (\"current_schema\")");
        st.execute("CREATE INDEX ON " + schema + ".\"user\" (\"user\")");
        st.execute("CREATE INDEX ON " + schema + ".\"user\" (\"Owner\")");
        st.execute("INSERT INTO " + schema + ".\"user\" (id, \"current_schema\", \"user\", \"Owner\") SELECT g, 's' || g,"
            + " 'u' || g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'O' || g END FROM generate_series(1, 30) g");
        st.execute("CREATE TABLE " + schema + ".items (id int PRIMARY KEY, \"Amount Due\" numeric(10,2)"
            + " CHECK (\"Amount Due\" >= 0), note text"
            + (twin ? ", \"user\" bigint GENERATED ALWAYS AS ((\"Amount Due\" * 100)::bigint) STORED" : "") + ")");
        st.execute("INSERT INTO " + schema + ".items (id, \"Amount Due\") SELECT g, CASE WHEN g % 7 = 0 THEN NULL"
            + " ELSE g * 1.25 END FROM generate_series(1, 20) g");
      }
    }
    Differential.cli(db, "init");
    String[] files = {
        "table: '\"user\"'\nrename:\n  from: current_schema\n  to: '\"current_user\"'\n",
        "table: '\"user\"'\nrename:\n  from: '\"user\"'\n  to: '\"q\"\"x\"'\n",
        "table: '\"user\"'\nrename:\n  from: '\"Owner\"'\n  to: '\"a b c\"'\n",
        "table: items\nchangeType:\n  column: '\"Amount Due\"'\n  to: '\"user\"'\n  type: bigint\n"
            + "  up: '(\"Amount Due\" * 100)::bigint'\n  down: '\"user\" / 100.0'\n"};
    for (int i = 0; i < files.length; i++) {
      Path file = dir.resolve(IDS.get(i) + ".yaml");
      Files.writeString(file, "id: " + IDS.get(i) + "\n" + files[i]);
      Differential.cli(db, "plan", file.toString());
    }
    cutover = pool(db.cutoverUrl() + "?cutover.refreshMillis=100&cutover.instance=odd-names&cutover.readTouch=true");
    plain = pool(db.plainUrl() + "?currentSchema=twin");
  }

  @AfterAll
  static void tearDown() {
    if (cutover != null) {
      cutover.close();
    }
    if (plain != null) {
      plain.close();
    }
  }

  @Test
  void oddNames_everyPhaseForwardAndBack_matchTwin() throws Exception {
    check("planned");
    all("advance");
    check("dual_write");
    for (String id : IDS) {
      Differential.cli(db, "backfill", id);
      Differential.cli(db, "verify", id);
    }
    assertBothColumnsEqual("after the backfill");
    check("dual_write, backfilled");
    all("advance");
    check("read_new");
    all("advance");
    check("new_only");
    all("rollback");
    assertBothColumnsEqual("after the refill of the rollback to read_new");
    check("read_new after the rollback");
    all("rollback");
    check("dual_write after the rollback");
    for (String id : IDS) {
      Differential.cli(db, "verify", id);
    }
    all("rollback");
    check("planned after the rollback");
    all("advance");
    for (String id : IDS) {
      Differential.cli(db, "backfill", id);
    }
    all("advance");
    all("advance");
    check("new_only again");
    for (String id : IDS) {
      Differential.cli(db, "advance", id, "--to", "completed", "--force");
    }
    check("completed");
    assertThat(mismatches).as(String.join("\n", mismatches)).isEmpty();
  }

  private static void all(String verb) {
    for (String id : IDS) {
      Differential.cli(db, verb, id);
    }
  }

  /** While both columns are live, each new column holds exactly its old column's value (converted). */
  private static void assertBothColumnsEqual(String where) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM public.\"user\" WHERE \"current_user\" IS DISTINCT"
            + " FROM \"current_schema\" OR \"q\"\"x\" IS DISTINCT FROM \"user\" OR \"a b c\" IS DISTINCT FROM \"Owner\"),"
            + " (SELECT count(*) FROM public.items WHERE \"user\" IS DISTINCT FROM (\"Amount Due\" * 100)::bigint)")) {
      rs.next();
      if (rs.getLong(1) + rs.getLong(2) != 0) {
        mismatches.add("[" + where + "] rows whose columns differ: " + rs.getLong(1) + " of \"user\", "
            + rs.getLong(2) + " of items");
      }
    }
  }

  private static void check(String where) throws SQLException {
    for (boolean prepared : new boolean[] {true, false}) {
      try (Connection c = cutover.getConnection(); Connection t = plain.getConnection()) {
        for (Case k : READS) {
          compare(where, k, prepared, c, t);
        }
        for (Case k : WRITES) {
          compare(where, k, prepared, c, t);
          compare(where + ", after " + k.sql(), READS.get(0), prepared, c, t);
          compare(where + ", after " + k.sql(), READS.get(4), prepared, c, t);
        }
      }
    }
  }

  private static void compare(String where, Case k, boolean prepared, Connection c, Connection t) {
    Object[] params = k.params().apply(ids);
    Outcome got = TypeChangeDifferentialTest.run(c, k.sql(), params, prepared);
    Outcome want = TypeChangeDifferentialTest.run(t, k.twinSql(), params, prepared);
    if (!got.equals(want)) {
      mismatches.add("[" + where + (prepared ? ", prepared] " : ", simple] ") + k.sql() + "\n    cutover "
          + abbreviate(got) + "\n    twin    " + abbreviate(want));
    }
  }

  private static String abbreviate(Outcome o) {
    String s = o.toString();
    return s.length() > 700 ? s.substring(0, 700) + "..." : s;
  }

  private static HikariDataSource pool(String url) {
    return TestPools.open(db, url, 2);
  }
}
