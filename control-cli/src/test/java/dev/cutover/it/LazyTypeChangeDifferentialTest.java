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
 * The differential test of the lazy cut-over of type changes (issue 4), to a new name and in place:
 * {@code orders.amount numeric(10,2)} becomes {@code amount_cents bigint} (the statements and the
 * twin of {@link TypeChangeDifferentialTest}), and {@code items.code text} becomes {@code int} in
 * place (its twin has {@code code int} from the start). Both enter read_new with {@code --lazy}
 * while two rows in three have no new value; every statement, prepared and plain, must then give
 * through Cutover what plain pgjdbc gives on the never-migrated twin, and the tables must hold the
 * same; likewise after a rollback to dual_write, the lazy cut-over again, and new_only once the
 * backfill is verified (refused before).
 */
class LazyTypeChangeDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  private static final String ORDERS = "orders-amount-cents";
  private static final String ITEMS = "items-code-int";

  private static HikariDataSource cutover;
  private static HikariDataSource plain;
  private static final AtomicInteger ids = new AtomicInteger(1000);
  private static final List<String> mismatches = new ArrayList<>();

  private static Case same(String sql, Object... params) {
    return new Case(sql, sql, ids -> params);
  }

  static final List<Case> ITEM_READS = List.of(
      same("SELECT code FROM items WHERE id = ?", 2),
      same("SELECT id, code FROM items WHERE code > ? AND id < ? ORDER BY code, id", 10, 1000),
      same("SELECT * FROM items WHERE id < ? ORDER BY id", 20),
      same("SELECT sum(code), count(code), max(code) FROM items WHERE id < ?", 1000),
      same("SELECT i.code + 1 AS code_after, i.label FROM items i WHERE i.id BETWEEN ? AND ? ORDER BY i.id", 3, 9),
      same("SELECT code, count(*) FROM items WHERE id < ? GROUP BY code ORDER BY code NULLS FIRST", 1000));

  static final List<Case> ITEM_WRITES = List.of(
      new Case("INSERT INTO items (id, code, label) VALUES (?, ?, 'new')", "INSERT INTO items (id, code, label) VALUES (?, ?, 'new')",
          ids -> new Object[] {ids.incrementAndGet(), 77}),
      same("UPDATE items SET code = code + ? WHERE id = ?", 5, 4),
      same("UPDATE items SET label = ? WHERE id BETWEEN ? AND ?", "touched", 10, 13),
      same("UPDATE items SET code = ? WHERE id = ? RETURNING id, code", 123, 5),
      new Case("INSERT INTO items (id, code) VALUES (?, ?) RETURNING code, label", "INSERT INTO items (id, code) VALUES (?, ?) RETURNING code, label",
          ids -> new Object[] {ids.incrementAndGet(), 8}),
      same("DELETE FROM items WHERE code = ? AND id > ?", 8, 1000));

  @BeforeAll
  static void setUp() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String schema : new String[] {"mig", "twin"}) {
        boolean twin = schema.equals("twin");
        st.execute("CREATE SCHEMA " + schema);
        String generated = twin ? ", amount_cents bigint GENERATED ALWAYS AS ((amount * 100)::bigint) STORED" : "";
        st.execute("CREATE TABLE " + schema + ".orders (id int PRIMARY KEY, amount numeric(10,2), note text,"
            + " customer_id int" + generated + ")");
        st.execute("INSERT INTO " + schema + ".orders (id, amount, note, customer_id) SELECT g,"
            + " CASE WHEN g % 9 = 0 THEN NULL ELSE g * 1.25 END, 'n' || g, g % 4 FROM generate_series(1, 60) g");
        st.execute("CREATE TABLE " + schema + ".items (id int PRIMARY KEY, code " + (twin ? "int" : "text")
            + ", label text)");
        st.execute("INSERT INTO " + schema + ".items SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE (g * 3)::text END"
            + (twin ? "::int" : "") + ", 'l' || g FROM generate_series(1, 40) g");
      }
    }
    RenameDifferentialTest.cli(db, "init");
    Path orders = dir.resolve(ORDERS + ".yaml");
    Files.writeString(orders, "id: " + ORDERS + "\ntable: mig.orders\nchangeType:\n  column: amount\n  to: amount_cents\n"
        + "  type: bigint\n  up: \"(amount * 100)::bigint\"\n  down: \"amount_cents / 100.0\"\n");
    Path items = dir.resolve(ITEMS + ".yaml");
    Files.writeString(items, "id: " + ITEMS + "\ntable: mig.items\nchangeType:\n  column: code\n  type: int\n"
        + "  up: \"code::int\"\n  down: \"code::text\"\n");
    RenameDifferentialTest.cli(db, "plan", orders.toString());
    RenameDifferentialTest.cli(db, "plan", items.toString());
    cutover = pool(db.cutoverUrl() + "?currentSchema=mig&cutover.refreshMillis=100&cutover.instance=lazy-differential"
        + "&cutover.readTouch=true");
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
  void typeChanges_lazilyCutOverBeforeTheBackfill_matchTwin_thenRollbackAndNewOnly() throws Exception {
    for (String id : List.of(ORDERS, ITEMS)) {
      RenameDifferentialTest.cli(db, "advance", id);
    }
    // A partial backfill: one row in three reached, the rest with an empty new column.
    sql("UPDATE mig.orders SET amount_cents = (amount * 100)::bigint WHERE id % 3 = 0",
        "UPDATE mig.items SET code__cutover_new = code::int WHERE id % 3 = 0");
    for (String id : List.of(ORDERS, ITEMS)) {
      RenameDifferentialTest.cli(db, "advance", id, "--to", "read_new", "--lazy");
    }
    assertThat(lazyFlags()).containsExactly("items-code-int read_new true", "orders-amount-cents read_new true");
    long before = notReached();
    assertThat(before).as("rows not backfilled when the statements run").isGreaterThan(40);

    check("lazy read_new", true);
    // The rows the reads returned are filled in the background (the read touch goes on while lazily
    // cut over); once it is quiet, empty two rows again so that new_only has something to refuse.
    long settled = settledNotReached();
    assertThat(settled).as("rows the lazy migration filled").isLessThan(before);
    sql("UPDATE mig.orders SET amount_cents = NULL WHERE id IN (1, 2)",
        "UPDATE mig.items SET code__cutover_new = NULL WHERE id IN (1, 2)");
    for (String id : List.of(ORDERS, ITEMS)) {
      assertThat(RenameDifferentialTest.cliCode(db, "advance", id)).as("new_only of %s before the backfill", id)
          .isEqualTo(3);
    }

    RenameDifferentialTest.cli(db, "rollback", ORDERS);
    assertThat(lazyFlags()).containsExactly("items-code-int read_new true", "orders-amount-cents dual_write false");
    check("orders back in dual_write", true);
    RenameDifferentialTest.cli(db, "advance", ORDERS, "--lazy");

    for (String id : List.of(ORDERS, ITEMS)) {
      RenameDifferentialTest.cli(db, "backfill", id);
      RenameDifferentialTest.cli(db, "verify", id);
      RenameDifferentialTest.cli(db, "advance", id);
    }
    assertThat(lazyFlags()).containsExactly("items-code-int new_only false", "orders-amount-cents new_only false");
    check("new_only after the lazy cut-over", false);

    assertThat(mismatches).isEmpty();
  }

  private static void check(String where, boolean bothLive) throws Exception {
    for (boolean prepared : new boolean[] {true, false}) {
      try (Connection c = cutover.getConnection(); Connection t = plain.getConnection()) {
        for (Case k : TypeChangeDifferentialTest.READS) {
          compare(k, c, t, prepared, where);
        }
        for (Case k : ITEM_READS) {
          compare(k, c, t, prepared, where);
        }
        for (Case k : TypeChangeDifferentialTest.WRITES) {
          compare(k, c, t, prepared, where);
          checkState(where, k, bothLive);
        }
        for (Case k : ITEM_WRITES) {
          compare(k, c, t, prepared, where);
          checkState(where, k, bothLive);
        }
      }
    }
  }

  private static void compare(Case k, Connection c, Connection t, boolean prepared, String where) {
    Object[] params = k.params().apply(ids);
    Outcome got = TypeChangeDifferentialTest.run(c, k.sql(), params, prepared);
    Outcome want = TypeChangeDifferentialTest.run(t, k.twinSql(), params, prepared);
    if (!got.equals(want)) {
      mismatches.add("[" + where + (prepared ? ", prepared] " : ", simple] ") + k.sql() + "\n    cutover " + got
          + "\n    twin    " + want);
    }
  }

  /**
   * The tables as the application sees them (the new value where filled, else computed from the
   * old one) equal the twin's; while both columns are written, a filled new value equals up(old).
   */
  private static void checkState(String where, Case after, boolean bothLive) throws SQLException {
    String amount = bothLive ? "CAST(COALESCE(amount_cents, (amount * 100)::bigint) / 100.0 AS numeric(10,2))"
        : "CAST(amount_cents / 100.0 AS numeric(10,2))";
    String code = bothLive ? "COALESCE(code__cutover_new, code::int)" : "code__cutover_new";
    compareState(where, after, "SELECT id, " + amount + ", note, customer_id FROM mig.orders ORDER BY id",
        "SELECT id, amount, note, customer_id FROM twin.orders ORDER BY id",
        "DELETE FROM twin.orders; INSERT INTO twin.orders (id, amount, note, customer_id) SELECT id, " + amount
            + ", note, customer_id FROM mig.orders");
    compareState(where, after, "SELECT id, " + code + ", label FROM mig.items ORDER BY id",
        "SELECT id, code, label FROM twin.items ORDER BY id",
        "DELETE FROM twin.items; INSERT INTO twin.items SELECT id, " + code + ", label FROM mig.items");
    if (bothLive) {
      String bad = one("SELECT (SELECT count(*) FROM mig.orders WHERE amount_cents IS NOT NULL"
          + " AND amount_cents IS DISTINCT FROM (amount * 100)::bigint)"
          + " + (SELECT count(*) FROM mig.items WHERE code__cutover_new IS NOT NULL"
          + " AND code__cutover_new IS DISTINCT FROM code::int)");
      if (!bad.equals("0")) {
        mismatches.add("[" + where + "] " + bad + " filled new value(s) differ from up(old) after: " + after.sql());
      }
    }
  }

  private static void compareState(String where, Case after, String mig, String twin, String resync)
      throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      List<List<Object>> got = TypeChangeDifferentialTest.rows(st.executeQuery(mig));
      List<List<Object>> want = TypeChangeDifferentialTest.rows(st.executeQuery(twin));
      if (!got.equals(want)) {
        mismatches.add("[" + where + "] table contents differ after: " + after.sql() + "\n    " + mig);
        st.execute(resync); // make the twin equal again, so that one bug is reported once
      }
    }
  }

  private static List<String> lazyFlags() throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id || ' ' || phase || ' ' || lazy FROM cutover.migrations ORDER BY id")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static long notReached() throws SQLException {
    return Long.parseLong(one("SELECT (SELECT count(*) FROM mig.orders WHERE amount_cents IS NULL AND amount IS NOT NULL)"
        + " + (SELECT count(*) FROM mig.items WHERE code__cutover_new IS NULL AND code IS NOT NULL)"));
  }

  /** {@link #notReached()} once it stayed the same for a second (at most 15 s). */
  private static long settledNotReached() throws Exception {
    long deadline = System.nanoTime() + 15_000_000_000L;
    long last = notReached();
    long since = System.nanoTime();
    while (System.nanoTime() < deadline && System.nanoTime() - since < 1_000_000_000L) {
      Thread.sleep(100);
      long now = notReached();
      if (now != last) {
        last = now;
        since = System.nanoTime();
      }
    }
    return last;
  }

  private static String one(String sql) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void sql(String... statements) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  private static HikariDataSource pool(String url) {
    return TestPools.open(db, url, 3);
  }
}
