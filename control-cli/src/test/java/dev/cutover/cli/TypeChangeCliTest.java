package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.CutoverConnection;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Type changes through the CLI (issue 4): what {@code plan} refuses (naming file, field and reason,
 * changing nothing), the DDL of each phase, backfill and verify through {@code up}, a value
 * {@code up} cannot convert, and the rollback from {@code new_only} refilling through {@code down}.
 */
class TypeChangeCliTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() throws Exception {
    cli = new Cli(db);
    cli.sql("CREATE TABLE prices (id int PRIMARY KEY, amount numeric(10,2), label text)",
        "INSERT INTO prices SELECT g, g * 1.25, 'p' || g FROM generate_series(1, 50) g");
    assertThat(cli.run("init").exit()).isEqualTo(0);
  }

  static Path file(String name, String content) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, content);
    return f;
  }

  static String changeType(String id, String table, String column, String to, String type, String up, String down) {
    return "id: " + id + "\ntable: " + table + "\nchangeType:\n  column: " + column + "\n"
        + (to == null ? "" : "  to: " + to + "\n") + "  type: " + type + "\n  up: \"" + up + "\"\n  down: \""
        + down + "\"\n";
  }

  @ParameterizedTest(name = "{0}: {1} / {2} / {3}")
  @CsvSource(delimiter = '|', textBlock = """
      changeType.type | bigintt                          | (amount * 100)::bigint          | amount_cents / 100.0              | not a type PostgreSQL knows
      changeType.type | bigint; DROP TABLE prices        | (amount * 100)::bigint          | amount_cents / 100.0              | not a type name
      changeType.up   | bigint                           | (amount * * 100)::bigint        | amount_cents / 100.0              | does not type-check
      changeType.up   | bigint                           | (amount * 100)::bigint; DROP TABLE prices | amount_cents / 100.0    | ';' is not allowed
      changeType.up   | bigint                           | (amount * ?)::bigint            | amount_cents / 100.0              | '?' is not allowed
      changeType.up   | bigint                           | (amount * 100)::bigint -- x     | amount_cents / 100.0              | is not allowed
      changeType.up   | bigint                           | (SELECT max(id) FROM prices)    | amount_cents / 100.0              | no subquery
      changeType.up   | bigint                           | (amount * id)::bigint           | amount_cents / 100.0              | may use only column "amount"
      changeType.up   | bigint                           | 100                             | amount_cents / 100.0              | does not use column "amount"
      changeType.up   | bigint                           | (amount * 100 * random())::bigint | amount_cents / 100.0            | random(), which is volatile
      changeType.up   | bigint                           | amount::text                    | amount_cents / 100.0              | does not type-check
      changeType.down | bigint                           | (amount * 100)::bigint          | amount_cents / 10                 | down(up(x)) is not x on a sampled row
      changeType.down | bigint                           | (amount * 100)::bigint          | amount / 100.0                    | does not use column "amount_cents"
      changeType.up   | smallint                         | (amount * 1000)::smallint       | amount_cents / 1000.0             | up fails on a sampled row: key
      """)
  void plan_refusesBadTypeOrExpressions(String field, String type, String up, String down, String reason)
      throws Exception {
    String t = type.equals("bigint") || type.equals("smallint") ? type : type;
    Path f = file("bad.yaml", changeType("prices-bad", "prices", "amount", "amount_cents", t, up, down));
    Cli.Run run = cli.run("plan", f.toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(1);
    assertThat(run.err()).contains(f.toString(), "field '" + field + "'", reason);
    assertThat(cli.one("SELECT count(*) FROM cutover.migrations WHERE id = 'prices-bad'")).isEqualTo("0");
    assertThat(cli.columns("prices")).containsExactly("id", "amount", "label");
    assertThat(cli.one("SELECT count(*) FROM prices")).isEqualTo("50");
  }

  @Test
  void plan_expressionsWithFromAndAMultiWordTypeAreAccepted() throws Exception {
    cli.sql("CREATE TABLE events (id int PRIMARY KEY, at timestamp with time zone)",
        "INSERT INTO events VALUES (1, '2024-01-02 03:04:05+00'), (2, NULL)");
    Path f = file("events.yaml", changeType("events-epoch", "events", "at", "at_epoch", "bigint",
        "extract(epoch FROM at)::bigint", "to_timestamp(at_epoch)::timestamp with time zone"));
    Cli.Run run = cli.run("plan", f.toString(), "--dry-run");
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
    assertThat(run.out()).contains("ADD COLUMN IF NOT EXISTS \"at_epoch\" bigint");
  }

  @Test
  void plan_typeChangeDryRunPrintsTheDdlWithTheNewTypeDefaultAndCheckThroughDown() throws Exception {
    cli.sql("CREATE TABLE charges (id int PRIMARY KEY, amount numeric(10,2) NOT NULL DEFAULT 0 CHECK (amount >= 0))",
        "CREATE INDEX charges_amount ON charges (amount)", "CREATE INDEX charges_expr ON charges ((amount * 2))",
        "INSERT INTO charges VALUES (1, 2.50), (2, 0)");
    Path f = file("charges.yaml", changeType("charges-cents", "charges", "amount", "amount_cents", "bigint",
        "(amount * 100)::bigint", "amount_cents / 100.0"));
    Cli.Run refused = cli.run("plan", f.toString(), "--dry-run");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("field 'changeType.column'", "index: \"charges_expr\": an expression over \"amount\"");
    cli.sql("DROP INDEX charges_expr");
    Cli.Run run = cli.run("plan", f.toString(), "--dry-run");
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
    assertThat(run.out()).contains(
        "ALTER TABLE \"public\".\"charges\" ADD COLUMN IF NOT EXISTS \"amount_cents\" bigint;",
        "-- once every instance has applied dual_write: ALTER TABLE \"public\".\"charges\" ALTER COLUMN"
            + " \"amount_cents\" SET DEFAULT CAST(((0) * 100)::bigint AS bigint)",
        "ADD CONSTRAINT \"charges_amount_check_cutover\" CHECK ((CAST((\"amount_cents\") / 100.0 AS numeric(10,2)) >= (0)::numeric)) NOT VALID",
        "[carried] default: 0: the new column gets DEFAULT",
        "CREATE INDEX CONCURRENTLY \"charges_amount_cutover\" ON public.charges USING btree (\"amount_cents\")");
  }

  @Test
  void typeChange_lifecycle_backfillVerifyRollbackThroughDownAndComplete() throws Exception {
    cli.sql("CREATE TABLE orders (id int PRIMARY KEY, amount numeric(10,2) NOT NULL, note text)",
        "CREATE INDEX orders_amount ON orders (amount)",
        "INSERT INTO orders SELECT g, g * 0.5, 'n' || g FROM generate_series(1, 200) g");
    Path f = file("orders.yaml", changeType("orders-cents", "orders", "amount", "amount_cents", "bigint",
        "(amount * 100)::bigint", "amount_cents / 100.0"));
    Cli.Run plan = cli.run("plan", f.toString());
    assertThat(plan.exit()).as(plan.all()).isEqualTo(0);
    assertThat(plan.out()).contains("-> \"amount_cents\" bigint");
    assertThat(cli.one("SELECT new_type || '|' || up_expr || '|' || down_expr FROM cutover.migrations"
        + " WHERE id = 'orders-cents'")).isEqualTo("bigint|(amount * 100)::bigint|amount_cents / 100.0");

    assertThat(cli.run("advance", "orders-cents").exit()).isEqualTo(0);
    assertThat(cli.one("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'orders'::regclass"
        + " AND attname = 'amount_cents'")).isEqualTo("bigint");
    assertThat(cli.indexes("orders")).contains("CREATE INDEX orders_amount_cutover ON public.orders USING btree (amount_cents)");

    // Writes through the driver, by either name, fill both columns converted.
    try (Connection c = db.cutoverConnection()) {
      c.unwrap(CutoverConnection.class).refreshMigrations();
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (id, amount) VALUES (?, ?)")) {
        ps.setInt(1, 1001);
        ps.setBigDecimal(2, new java.math.BigDecimal("12.34"));
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (id, amount_cents) VALUES (?, ?)")) {
        ps.setInt(1, 1002);
        ps.setLong(2, 5678);
        ps.executeUpdate();
      }
      try (Statement st = c.createStatement()) {
        st.executeUpdate("UPDATE orders SET note = 'touched' WHERE id = 7"); // the lazy fill
        try (ResultSet rs = st.executeQuery("SELECT amount_cents, amount FROM orders WHERE id = 1002")) {
          rs.next();
          assertThat(rs.getLong(1)).isEqualTo(5678);
          assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("56.78");
        }
      }
    }
    assertThat(cli.query("SELECT id || ':' || amount || ':' || amount_cents FROM orders WHERE id IN (7, 1001, 1002)"
        + " ORDER BY id")).containsExactly("7:3.50:350", "1001:12.34:1234", "1002:56.78:5678");

    Cli.Run early = cli.run("verify", "orders-cents");
    assertThat(early.exit()).isEqualTo(3);
    assertThat(cli.run("advance", "orders-cents").exit()).as("read_new is guarded").isEqualTo(3);
    Cli.Run backfill = cli.run("backfill", "orders-cents", "--batch-size", "37");
    assertThat(backfill.exit()).as(backfill.all()).isEqualTo(0);
    assertThat(cli.one("SELECT count(*) FROM orders WHERE amount_cents IS DISTINCT FROM (amount * 100)::bigint"))
        .isEqualTo("0");
    Cli.Run verify = cli.run("verify", "orders-cents");
    assertThat(verify.exit()).as(verify.all()).isEqualTo(0);
    // A difference verify must see: a value that is not up(old).
    cli.sql("UPDATE orders SET amount_cents = amount_cents + 1 WHERE id = 3");
    Cli.Run bad = cli.run("verify", "orders-cents");
    assertThat(bad.exit()).isEqualTo(3);
    assertThat(bad.err()).contains("3");
    cli.sql("UPDATE orders SET amount_cents = 150 WHERE id = 3");

    assertThat(cli.run("advance", "orders-cents", "--to", "new_only").exit()).isEqualTo(0);
    // new_only: only the new column is written; the old one goes stale.
    try (Connection c = db.cutoverConnection(); Statement st = c.createStatement()) {
      c.unwrap(CutoverConnection.class).refreshMigrations();
      st.executeUpdate("UPDATE orders SET amount = 99.99 WHERE id = 10");
      st.executeUpdate("INSERT INTO orders (id, amount_cents, note) VALUES (1003, 4321, 'new')");
    }
    assertThat(cli.one("SELECT amount || ':' || amount_cents FROM orders WHERE id = 10")).isEqualTo("5.00:9999");
    // The rollback refills the old column through down.
    Cli.Run back = cli.run("rollback", "orders-cents");
    assertThat(back.exit()).as(back.all()).isEqualTo(0);
    assertThat(cli.query("SELECT id || ':' || amount FROM orders WHERE id IN (10, 1003) ORDER BY id"))
        .containsExactly("10:99.99", "1003:43.21");
    assertThat(cli.one("SELECT count(*) FROM orders WHERE amount IS DISTINCT FROM amount_cents / 100.0"))
        .isEqualTo("0");

    Cli.Run complete = cli.run("advance", "orders-cents", "--to", "completed", "--force");
    assertThat(complete.exit()).as(complete.all()).isEqualTo(0);
    assertThat(cli.columns("orders")).containsExactly("id", "note", "amount_cents");
    try (Connection c = db.cutoverConnection(); Statement st = c.createStatement()) {
      c.unwrap(CutoverConnection.class).refreshMigrations();
      try (ResultSet rs = st.executeQuery("SELECT amount, amount_cents FROM orders WHERE id = 10")) {
        rs.next();
        assertThat(rs.getBigDecimal(1)).isEqualByComparingTo("99.99");
        assertThat(rs.getLong(2)).isEqualTo(9999);
      }
    }
  }

  @Test
  void backfill_valueUpCannotConvert_stopsAtItsKeyWithNothingOfTheBatchWritten() throws Exception {
    cli.sql("CREATE TABLE codes (id int PRIMARY KEY, code text)",
        "INSERT INTO codes SELECT g, g::text FROM generate_series(1, 60) g");
    Path f = file("codes.yaml", changeType("codes-num", "codes", "code", "code_num", "int", "code::int",
        "code_num::text"));
    Cli.Run plan = cli.run("plan", f.toString());
    assertThat(plan.exit()).as(plan.all()).isEqualTo(0);
    assertThat(cli.run("advance", "codes-num").exit()).isEqualTo(0);
    // A writer that bypasses Cutover leaves a value up cannot convert.
    cli.sql("UPDATE codes SET code = 'twenty-five' WHERE id = 25");

    // One worker: the chunks after the failing one are not begun (with several, see the next test).
    Cli.Run run = cli.run("backfill", "codes-num", "--batch-size", "10", "--workers", "1");
    assertThat(run.exit()).as(run.all()).isEqualTo(1);
    assertThat(run.err()).contains("stopped at key 25", "\"code\" = 'twenty-five'", "invalid input syntax for type integer",
        "nothing of that batch was written");
    // Committed batches stay (checkpointed); the failing one wrote nothing (how many batches came
    // before depends on the plan PostgreSQL picks for the batch scan).
    assertThat(cli.one("SELECT count(*) FROM codes WHERE code_num IS NOT NULL")).isEqualTo(
        cli.one("SELECT coalesce((SELECT rows_done FROM cutover.backfill_state WHERE migration_id = 'codes-num'), 0)"));
    assertThat(cli.one("SELECT count(*) FROM codes WHERE code_num IS NOT NULL AND id > 20")).isEqualTo("0");

    cli.sql("UPDATE codes SET code = '25' WHERE id = 25");
    Cli.Run again = cli.run("backfill", "codes-num", "--batch-size", "10");
    assertThat(again.exit()).as(again.all()).isEqualTo(0);
    assertThat(cli.run("verify", "codes-num").exit()).isEqualTo(0);
    assertThat(cli.one("SELECT sum(code_num) FROM codes")).isEqualTo(String.valueOf(60 * 61 / 2));
  }

  @Test
  void backfill_valueUpCannotConvert_severalWorkers_countsExactlyWhatCommitted_andResumes() throws Exception {
    cli.sql("CREATE TABLE codes2 (id int PRIMARY KEY, code text)",
        "INSERT INTO codes2 SELECT g, g::text FROM generate_series(1, 200) g");
    Path f = file("codes2.yaml", changeType("codes2-num", "codes2", "code", "code_num", "int", "code::int",
        "code_num::text"));
    assertThat(cli.run("plan", f.toString()).exit()).isEqualTo(0);
    assertThat(cli.run("advance", "codes2-num").exit()).isEqualTo(0);
    cli.sql("UPDATE codes2 SET code = 'forty-five' WHERE id = 45");

    Cli.Run run = cli.run("backfill", "codes2-num", "--batch-size", "10", "--workers", "3");
    assertThat(run.exit()).as(run.all()).isEqualTo(1);
    assertThat(run.err()).contains("stopped at key 45", "\"code\" = 'forty-five'", "nothing of that batch was written");
    // Chunks other workers took may have committed beyond the failing one; each is counted, and the
    // failing chunk (41 to 50) wrote nothing.
    assertThat(cli.one("SELECT count(*) FROM codes2 WHERE code_num IS NOT NULL")).isEqualTo(
        cli.one("SELECT coalesce((SELECT rows_done FROM cutover.backfill_state WHERE migration_id = 'codes2-num'), 0)"));
    assertThat(cli.one("SELECT count(*) FROM codes2 WHERE code_num IS NOT NULL AND id BETWEEN 41 AND 50")).isEqualTo("0");

    cli.sql("UPDATE codes2 SET code = '45' WHERE id = 45");
    Cli.Run again = cli.run("backfill", "codes2-num", "--batch-size", "10", "--workers", "3");
    assertThat(again.exit()).as(again.all()).isEqualTo(0);
    assertThat(cli.run("verify", "codes2-num").exit()).isEqualTo(0);
    assertThat(cli.one("SELECT sum(code_num) FROM codes2")).isEqualTo(String.valueOf(200 * 201 / 2));
    assertThat(cli.one("SELECT rows_done FROM cutover.backfill_state WHERE migration_id = 'codes2-num'")).isEqualTo("200");
  }

  @Test
  void inPlace_smallintToInt_renamedIntoPlaceAtCompleted() throws Exception {
    cli.sql("CREATE TABLE stock (id int PRIMARY KEY, qty smallint NOT NULL)",
        "CREATE INDEX stock_qty ON stock (qty)",
        "INSERT INTO stock SELECT g, g FROM generate_series(1, 30) g");
    Path f = file("stock.yaml", changeType("stock-qty", "stock", "qty", null, "int", "qty::int", "qty::smallint"));
    Cli.Run plan = cli.run("plan", f.toString());
    assertThat(plan.exit()).as(plan.all()).isEqualTo(0);
    assertThat(plan.out()).contains("in place (new column \"qty__cutover_new\" until completed)");
    assertThat(cli.run("advance", "stock-qty").exit()).isEqualTo(0);
    assertThat(cli.columns("stock")).containsExactly("id", "qty", "qty__cutover_new");
    assertThat(cli.run("backfill", "stock-qty").exit()).isEqualTo(0);
    assertThat(cli.run("advance", "stock-qty", "--to", "new_only").exit()).isEqualTo(0);
    try (Connection c = db.cutoverConnection(); Statement st = c.createStatement()) {
      c.unwrap(CutoverConnection.class).refreshMigrations();
      st.executeUpdate("UPDATE stock SET qty = 100000 WHERE id = 1"); // beyond smallint: only the new column
      try (ResultSet rs = st.executeQuery("SELECT qty FROM stock WHERE id = 1")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(100000);
      }
    }
    // down cannot bring 100000 back into a smallint: the rollback stops at that key, the phase stays.
    Cli.Run back = cli.run("rollback", "stock-qty");
    assertThat(back.exit()).as(back.all()).isEqualTo(1);
    assertThat(back.err()).contains("stopped at key 1", "down cannot convert", "out of range");
    assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'stock-qty'")).isEqualTo("new_only");

    Cli.Run complete = cli.run("advance", "stock-qty", "--force");
    assertThat(complete.exit()).as(complete.all()).isEqualTo(0);
    assertThat(cli.columns("stock")).containsExactly("id", "qty");
    assertThat(cli.one("SELECT format_type(atttypid, atttypmod) || ':' || attnotnull FROM pg_attribute"
        + " WHERE attrelid = 'stock'::regclass AND attname = 'qty'")).isEqualTo("integer:true");
    assertThat(cli.indexes("stock")).contains("CREATE INDEX stock_qty ON public.stock USING btree (qty)");
    assertThat(cli.one("SELECT qty FROM stock WHERE id = 1")).isEqualTo("100000");
    try (Connection c = db.cutoverConnection(); Statement st = c.createStatement()) {
      c.unwrap(CutoverConnection.class).refreshMigrations();
      try (ResultSet rs = st.executeQuery("SELECT * FROM stock WHERE id = 2")) {
        rs.next();
        assertThat(rs.getMetaData().getColumnCount()).isEqualTo(2);
        assertThat(rs.getInt("qty")).isEqualTo(2);
      }
    }
  }

  @Test
  void inPlaceSerialKey_rollbackToPlannedStoppedBeforeTheDrop_insertsWithAnExplicitKeyStillWork() throws Exception {
    cli.sql("CREATE TABLE tickets (id serial PRIMARY KEY, note text)",
        "INSERT INTO tickets (note) SELECT 'n' FROM generate_series(1, 10)");
    Path f = file("tickets.yaml", changeType("tickets-id", "tickets", "id", null, "bigint", "id::bigint", "id::int"));
    assertThat(cli.run("plan", f.toString()).exit()).isEqualTo(0);
    // An instance that hears of phase changes only when told (no listener, no polling within the test).
    try (Connection app = java.sql.DriverManager.getConnection(db.cutoverUrl()
        + "?cutover.refreshMillis=3600000&cutover.notifications=poll&cutover.instance=laggard", db.user(),
        db.password()); Statement st = app.createStatement()) {
      app.unwrap(CutoverConnection.class).refreshMigrations();
      Thread acknowledge = new Thread(() -> {
        try {
          Thread.sleep(500);
          app.unwrap(CutoverConnection.class).refreshMigrations(); // applies dual_write while advance waits
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      acknowledge.start();
      Cli.Run advance = cli.run("advance", "tickets-id", "--wait", "30s");
      acknowledge.join();
      assertThat(advance.exit()).as(advance.all()).isEqualTo(0);
      // (its default was set once the instance acknowledged dual_write)
      assertThat(cli.one("SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON"
          + " a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'tickets'::regclass"
          + " AND a.attname = 'id__cutover_new'")).contains("currval");
      st.executeUpdate("INSERT INTO tickets (note) VALUES ('dual')"); // a nextval in this session
      // The rollback records planned, then waits for the instance, which does not hear of it: the new
      // column stays until the next rollback drops it.
      Cli.Run back = cli.run("rollback", "tickets-id", "--wait", "1s");
      assertThat(back.exit()).as(back.all()).isEqualTo(3);
      assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'tickets-id'")).isEqualTo("planned");
      assertThat(cli.columns("tickets")).contains("id__cutover_new");
      app.unwrap(CutoverConnection.class).refreshMigrations();
      // Before: the new column kept its DEFAULT currval(...), so every insert with an explicit key put the
      // session's last nextval into it: 23505 on its unique copy.
      st.executeUpdate("INSERT INTO tickets (id, note) VALUES (1000, 'a')");
      st.executeUpdate("INSERT INTO tickets (id, note) VALUES (1001, 'b')");
    }
    assertThat(cli.run("rollback", "tickets-id").exit()).isEqualTo(0);
    assertThat(cli.columns("tickets")).containsExactly("id", "note");
    assertThat(cli.one("SELECT count(*) FROM tickets")).isEqualTo("13");
  }
}
