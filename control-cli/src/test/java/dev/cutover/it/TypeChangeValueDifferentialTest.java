package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.it.TypeChangeDifferentialTest.Case;
import dev.cutover.it.TypeChangeDifferentialTest.Outcome;
import dev.cutover.testing.TestDatabase;
import java.math.BigDecimal;
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
 * What a type change stores when a value is written as something other than the column's own type
 * (issue 11, classes 12 to 14): {@code orders.amount numeric(10,2) DEFAULT 1.00} becomes
 * {@code amount_cents bigint}. A float bound for {@code amount} is stored rounded to two places, so
 * {@code up} must see the rounded value, not the float ({@code setDouble(1.005)} gave {@code 1.01} in
 * one column and {@code 100} in the other); likewise through the new name, an expression of another
 * type ({@code amount * ?}), an untyped literal ({@code '12.34'}), and {@code DEFAULT} through either
 * name. A statement PostgreSQL fails on the never-migrated table fails with the same SQLState.
 *
 * <p>The twin holds both names as real columns, kept equal by a trigger as PostgreSQL stores them
 * (the name a statement writes wins, the other is computed from its stored value), so every
 * statement runs on it exactly as written. Compared at every phase, forward and back: results and
 * SQLStates, the table as read through both names, and, while both physical columns are written,
 * that every filled new value equals {@code up} of the old one.
 */
class TypeChangeValueDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  private static final String ID = "orders-amount-cents";

  private static HikariDataSource cutover;
  private static HikariDataSource plain;
  private static final AtomicInteger ids = new AtomicInteger(1000);
  private static final List<String> mismatches = new ArrayList<>();

  private static Case insert(String sql, Object value) {
    return new Case(sql, sql, i -> value == null ? new Object[] {i.incrementAndGet()}
        : new Object[] {i.incrementAndGet(), value});
  }

  private static Case update(String sql, Object... params) {
    return new Case(sql, sql, i -> params);
  }

  static final List<Case> WRITES = List.of(
      // class 12: the value as PostgreSQL would store it, then converted
      insert("INSERT INTO orders (id, amount) VALUES (?, ?)", 1.005d),
      insert("INSERT INTO orders (id, amount_cents) VALUES (?, ?)", 1234.5d),
      insert("INSERT INTO orders (id, amount) VALUES (?, ?)", 2.675f),
      insert("INSERT INTO orders (id, amount_cents, note) VALUES (?, ?, 'f')", 77.5f),
      update("UPDATE orders SET amount = amount * ? WHERE id = ?", 1.0005d, 4),
      update("UPDATE orders SET amount_cents = ? WHERE id = ?", 99.7d, 6),
      update("UPDATE orders SET amount = ? + 0.004 WHERE id = ?", new BigDecimal("3.001"), 12),
      insert("INSERT INTO orders (id, amount) VALUES (?, '12.345')", null),
      insert("INSERT INTO orders (id, amount_cents) VALUES (?, '5678')", null),
      insert("INSERT INTO orders (id, amount_cents) VALUES (?, 15.5)", null),
      // class 13: DEFAULT through either name
      update("UPDATE orders SET amount = DEFAULT WHERE id = ?", 7),
      update("UPDATE orders SET amount_cents = DEFAULT WHERE id = ?", 8),
      update("UPDATE orders SET note = 'd', amount_cents = DEFAULT WHERE id = ?", 13),
      insert("INSERT INTO orders (id, amount) VALUES (?, DEFAULT)", null),
      insert("INSERT INTO orders (id, amount_cents, note) VALUES (?, DEFAULT, 'd')", null),
      insert("INSERT INTO orders (id, note) VALUES (?, 'omitted')", null),
      // class 14: what PostgreSQL refuses, refused with the same SQLState
      insert("INSERT INTO orders (id, amount) VALUES (?, 'abc')", null),
      insert("INSERT INTO orders (id, amount_cents) VALUES (?, 'x1')", null),
      update("UPDATE orders SET amount = ? WHERE id = ?", 1e12d, 9),
      update("UPDATE orders SET amount_cents = ? WHERE id = ?", 1e30d, 10),
      update("UPDATE orders SET amount = note WHERE id = ?", 11),
      update("UPDATE orders SET amount_cents = note WHERE id = ?", 11),
      update("UPDATE orders SET amount = true WHERE id = ?", 11),
      update("UPDATE orders SET amount_cents = now() WHERE id = ?", 11),
      insert("INSERT INTO orders (id, amount) VALUES (?, ?)", "12.34"),
      insert("INSERT INTO orders (id, amount_cents) VALUES (?, ?)", "77"),
      insert("INSERT INTO orders (id, amount) VALUES (?, 'x'::text)", null));

  static final List<Case> READS = List.of(
      update("SELECT id, amount, amount_cents, note FROM orders ORDER BY id"),
      update("SELECT id FROM orders WHERE amount = ? ORDER BY id", new BigDecimal("1.01")),
      update("SELECT id FROM orders WHERE amount_cents = ? ORDER BY id", 1234L));

  @BeforeAll
  static void setUp() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String schema : new String[] {"mig", "twin"}) {
        boolean twin = schema.equals("twin");
        st.execute("CREATE SCHEMA " + schema);
        st.execute("CREATE TABLE " + schema + ".orders (id int PRIMARY KEY, amount numeric(10,2) DEFAULT 1.00,"
            + " note text" + (twin ? ", amount_cents bigint DEFAULT 100" : "") + ")");
        st.execute("INSERT INTO " + schema + ".orders (id, amount, note) SELECT g,"
            + " CASE WHEN g % 9 = 0 THEN NULL ELSE g * 1.25 END, 'n' || g FROM generate_series(1, 30) g");
      }
      // The twin keeps both names as PostgreSQL stores them: the one written wins (on INSERT,
      // amount_cents wins when amount has its default and amount_cents does not).
      st.execute("""
          CREATE FUNCTION twin.sync_cents() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF TG_OP = 'INSERT' THEN
              IF NEW.amount IS NOT DISTINCT FROM 1.00 AND NEW.amount_cents IS DISTINCT FROM 100 THEN
                NEW.amount := NEW.amount_cents / 100.0;
              ELSE
                NEW.amount_cents := (NEW.amount * 100)::bigint;
              END IF;
            ELSIF NEW.amount_cents IS DISTINCT FROM OLD.amount_cents THEN
              NEW.amount := NEW.amount_cents / 100.0;
            ELSE
              NEW.amount_cents := (NEW.amount * 100)::bigint;
            END IF;
            RETURN NEW;
          END $$""");
      st.execute("CREATE TRIGGER sync_cents BEFORE INSERT OR UPDATE ON twin.orders FOR EACH ROW"
          + " EXECUTE FUNCTION twin.sync_cents()");
      st.execute("UPDATE twin.orders SET note = note");
    }
    Differential.cli(db, "init");
    Path file = dir.resolve(ID + ".yaml");
    Files.writeString(file, "id: " + ID + "\ntable: mig.orders\nchangeType:\n  column: amount\n  to: amount_cents\n"
        + "  type: bigint\n  up: \"(amount * 100)::bigint\"\n  down: \"amount_cents / 100.0\"\n");
    Differential.cli(db, "plan", file.toString());
    cutover = pool(db.cutoverUrl() + "?currentSchema=mig&cutover.refreshMillis=100&cutover.instance=values&cutover.readTouch=true");
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
  void valuesOfOtherTypes_defaultsAndErrors_matchTheTwin_atEveryPhase() throws Exception {
    check("planned");
    move("advance", "dual_write");
    check("dual_write");
    Differential.cli(db, "backfill", ID);
    check("dual_write, backfilled");
    move("advance", "read_new");
    check("read_new");
    move("advance", "new_only");
    check("new_only");
    move("rollback", "read_new");
    check("read_new after the rollback");
    move("rollback", "dual_write");
    check("dual_write after the rollback");
    Differential.cli(db, "verify", ID);
    move("advance", "read_new");
    move("advance", "new_only");
    Differential.cli(db, "advance", ID, "--to", "completed", "--force");
    check("completed");
    assertThat(mismatches).as(String.join("\n", mismatches)).isEmpty();
  }

  private static void move(String verb, String phase) {
    Differential.cli(db, verb, ID, "--to", phase);
  }

  private static void check(String where) throws SQLException {
    for (boolean prepared : new boolean[] {true, false}) {
      try (Connection c = cutover.getConnection(); Connection t = plain.getConnection()) {
        for (Case k : WRITES) {
          compare(where, k, prepared, c, t);
          for (Case read : READS) {
            if (!compare(where + ", after " + k.sql(), read, prepared, c, t)) {
              resync(c, t); // report each difference once, not again after every later statement
              break;
            }
          }
          if (where.startsWith("dual_write") || where.startsWith("read_new")) {
            checkColumnsAgree(where, k);
          }
        }
      }
    }
  }

  private static boolean compare(String where, Case k, boolean prepared, Connection c, Connection t) {
    Object[] params = k.params().apply(ids);
    Outcome got = comparable(TypeChangeDifferentialTest.run(c, k.sql(), params, prepared));
    Outcome want = comparable(TypeChangeDifferentialTest.run(t, k.twinSql(), params, prepared));
    if (!got.equals(want)) {
      mismatches.add("[" + where + (prepared ? ", prepared] " : ", simple] ") + k.sql() + " " + List.of(params)
          + "\n    cutover " + got + "\n    twin    " + want);
      return false;
    }
    return true;
  }

  /** Makes the twin hold what the application reads through Cutover. */
  private static void resync(Connection c, Connection t) throws SQLException {
    try (Statement read = c.createStatement(); Statement write = t.createStatement();
        ResultSet rs = read.executeQuery("SELECT id, amount, note FROM orders ORDER BY id")) {
      write.execute("DELETE FROM orders");
      while (rs.next()) {
        try (java.sql.PreparedStatement ps = t.prepareStatement("INSERT INTO orders (id, amount, note) VALUES (?, ?, ?)")) {
          ps.setInt(1, rs.getInt(1));
          ps.setBigDecimal(2, rs.getBigDecimal(2));
          ps.setString(3, rs.getString(3));
          ps.executeUpdate();
        }
      }
    }
  }

  /** An error compared by its SQLState (the messages differ by the statement's text positions). */
  private static Outcome comparable(Outcome o) {
    return o.sqlState() == null ? o
        : new Outcome(o.labels(), o.types(), o.rows(), o.updateCount(), o.sqlState().substring(0, 5));
  }

  /** While both columns are written, every filled new value equals up of the old one. */
  private static void checkColumnsAgree(String where, Case after) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT string_agg(id || ': ' || amount || ' / ' || amount_cents, ', ')"
            + " FROM mig.orders WHERE amount_cents IS NOT NULL AND amount_cents IS DISTINCT FROM (amount * 100)::bigint")) {
      rs.next();
      if (rs.getString(1) != null) {
        mismatches.add("[" + where + "] the columns disagree after " + after.sql() + ": " + rs.getString(1));
      }
    }
  }

  private static HikariDataSource pool(String url) {
    return TestPools.open(db, url, 2);
  }
}
