package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
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
 * Migrating columns that have a DEFAULT (issue 11, class 9): a rename of {@code status text NOT NULL
 * DEFAULT 'new'} to {@code state} and a type change of {@code amount numeric(10,2) DEFAULT 1.00} to
 * {@code amount_cents bigint}, both cut over lazily before any backfill. The new column must not
 * take the default in the rows that exist when it is added: the lazy read {@code COALESCE(new,
 * up(old))} would read the default instead of the row's value, and a write computed from it would
 * store that for good. Every phase (and the lazy rollback) is compared with a twin that never
 * migrated, reads and table contents, after writes through the old names.
 */
class LazyDefaultDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  private static final String RENAME = "accounts-state";
  private static final String CHANGE = "accounts-cents";

  private static HikariDataSource cutover;
  private static HikariDataSource plain;
  private static final AtomicInteger ids = new AtomicInteger(10_000);
  private static final List<String> mismatches = new ArrayList<>();

  private record Case(String sql, boolean fresh) {}

  private static final List<Case> WRITES = List.of(
      new Case("UPDATE accounts SET amount = amount + 1 WHERE id % 50 = 1", false),
      new Case("UPDATE accounts SET status = status || '!' WHERE id % 50 = 2", false),
      new Case("UPDATE accounts SET note = 'touched' WHERE id % 50 = 3", false),
      new Case("INSERT INTO accounts (id, note) VALUES (?, 'defaults')", true),
      new Case("INSERT INTO accounts (id, status, amount) VALUES (?, 'explicit', 5.55)", true));

  private static final List<String> READS = List.of(
      "SELECT id, status, state, amount, amount_cents, note FROM accounts ORDER BY id",
      "SELECT count(*) FROM accounts WHERE status = 'new' OR amount = 1.00",
      "SELECT sum(amount), sum(amount_cents), string_agg(state, ',' ORDER BY id) FROM accounts");

  @BeforeAll
  static void setUp() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String schema : new String[] {"mig", "twin"}) {
        boolean twin = schema.equals("twin");
        st.execute("CREATE SCHEMA " + schema);
        st.execute("CREATE TABLE " + schema + ".accounts (id int PRIMARY KEY, status text NOT NULL DEFAULT 'new',"
            + " amount numeric(10,2) DEFAULT 1.00, note text"
            + (twin ? ", state text GENERATED ALWAYS AS (status) STORED,"
                + " amount_cents bigint GENERATED ALWAYS AS ((amount * 100)::bigint) STORED" : "") + ")");
        st.execute("INSERT INTO " + schema + ".accounts (id, status, amount) SELECT g, 's' || g,"
            + " CASE WHEN g % 9 = 0 THEN NULL ELSE g * 1.25 END FROM generate_series(1, 1000) g");
      }
    }
    Differential.cli(db, "init");
    Path rename = dir.resolve(RENAME + ".yaml");
    Files.writeString(rename, "id: " + RENAME + "\ntable: mig.accounts\nrename:\n  from: status\n  to: state\n");
    Path change = dir.resolve(CHANGE + ".yaml");
    Files.writeString(change, "id: " + CHANGE + "\ntable: mig.accounts\nchangeType:\n  column: amount\n"
        + "  to: amount_cents\n  type: bigint\n  up: \"(amount * 100)::bigint\"\n  down: \"amount_cents / 100.0\"\n");
    Differential.cli(db, "plan", rename.toString());
    Differential.cli(db, "plan", change.toString());
    cutover = pool(db.cutoverUrl() + "?currentSchema=mig&cutover.refreshMillis=100&cutover.instance=lazy-default&cutover.readTouch=true");
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
  void columnsWithDefaults_lazilyCutOver_readTheirValues_atEveryPhase() throws Exception {
    check("planned");
    both("advance");
    // The new columns exist, empty in every row that was there, and have their defaults for new rows.
    assertThat(scalar("SELECT count(*) FROM mig.accounts WHERE state IS NOT NULL OR amount_cents IS NOT NULL"))
        .as("rows whose new column is filled right after dual_write's DDL").isEqualTo("0");
    assertThat(scalar("SELECT string_agg(column_name || '=' || column_default, ', ' ORDER BY column_name)"
        + " FROM information_schema.columns WHERE table_schema = 'mig' AND table_name = 'accounts'"
        + " AND column_name IN ('state', 'amount_cents')"))
        .isEqualTo("amount_cents=((1.00 * (100)::numeric))::bigint, state='new'::text");
    check("dual_write");

    // A row written past the driver (as an instance still in planned would, after the ADD COLUMN)
    // has a filled new column that differs: a lazy read would take it as it is, so --lazy refuses.
    sql("INSERT INTO mig.accounts (id, status, amount, state, amount_cents) VALUES (5000, 'late', 9.99, 'new', 100)",
        "INSERT INTO twin.accounts (id, status, amount) VALUES (5000, 'late', 9.99)");
    for (String id : List.of(RENAME, CHANGE)) {
      assertThat(Differential.cliCode(db, "advance", id, "--to", "read_new", "--lazy")).as("--lazy of %s", id)
          .isEqualTo(3);
    }
    sql("UPDATE mig.accounts SET state = NULL, amount_cents = NULL WHERE id = 5000");
    for (String id : List.of(RENAME, CHANGE)) {
      Differential.cli(db, "advance", id, "--to", "read_new", "--lazy");
    }
    assertThat(scalar("SELECT count(*) FROM mig.accounts WHERE state IS NULL")).as("rows not backfilled")
        .isNotEqualTo("0");
    check("lazy read_new");
    Differential.cli(db, "rollback", CHANGE);
    check("dual_write after the lazy rollback");
    Differential.cli(db, "advance", CHANGE, "--lazy");
    check("lazy read_new again");
    for (String id : List.of(RENAME, CHANGE)) {
      Differential.cli(db, "backfill", id);
      Differential.cli(db, "verify", id);
    }
    both("advance");
    check("new_only");
    for (String id : List.of(RENAME, CHANGE)) {
      Differential.cli(db, "advance", id, "--to", "completed", "--force");
    }
    check("completed");
    assertThat(mismatches).isEmpty();
  }

  private static void both(String verb) {
    for (String id : List.of(RENAME, CHANGE)) {
      Differential.cli(db, verb, id);
    }
  }

  private static void check(String where) throws SQLException {
    for (boolean prepared : new boolean[] {true, false}) {
      try (Connection c = cutover.getConnection(); Connection t = plain.getConnection()) {
        for (Case k : WRITES) {
          Object[] params = k.fresh() ? new Object[] {ids.incrementAndGet()} : new Object[0];
          compare(where, k.sql(), params, prepared, c, t);
          for (String read : READS) {
            compare(where + ", after " + k.sql(), read, new Object[0], prepared, c, t);
          }
        }
      }
    }
  }

  private static void compare(String where, String sql, Object[] params, boolean prepared, Connection c, Connection t) {
    Outcome got = TypeChangeDifferentialTest.run(c, sql, params, prepared);
    Outcome want = TypeChangeDifferentialTest.run(t, sql, params, prepared);
    if (!got.equals(want)) {
      mismatches.add("[" + where + (prepared ? ", prepared] " : ", simple] ") + sql + "\n    cutover "
          + abbreviate(got) + "\n    twin    " + abbreviate(want));
    }
  }

  private static String abbreviate(Outcome o) {
    String s = o.toString();
    return s.length() > 600 ? s.substring(0, 600) + "..." : s;
  }

  private static void sql(String... statements) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  private static String scalar(String sql) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  static HikariDataSource pool(String url) {
    return TestPools.open(db, url, 2);
  }
}
