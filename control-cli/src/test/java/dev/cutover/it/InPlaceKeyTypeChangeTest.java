package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.cli.CutoverCommand;
import dev.cutover.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code accounts.id serial PRIMARY KEY} becomes {@code bigint} in place (issue 4) while writers
 * insert (taking ids from the sequence) and update through Cutover the whole time: the new column's
 * unique index is built {@code CONCURRENTLY} at dual_write, and at completed the key constraint, the
 * sequence (owned, widened) and the name move in one short transaction. At the end the key is a
 * bigint primary key, ids beyond the int range can be inserted, and every acknowledged write is there.
 */
class InPlaceKeyTypeChangeTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  private static final String ID = "accounts-id-bigint";

  @Test
  void plan_foreignKeyOfAnotherTypeReferencingTheColumn_refusedClearly() throws Exception {
    // (a referencing column of the key's own type joins the key's group: ForeignKeyGroupTest)
    sql("CREATE TABLE parents (id int PRIMARY KEY)", "CREATE TABLE children (id int PRIMARY KEY,"
        + " parent_id bigint REFERENCES parents (id))");
    cli("init");
    Path file = dir.resolve("parents.yaml");
    Files.writeString(file, "id: parents-id\ntable: parents\nchangeType:\n  column: id\n  type: bigint\n"
        + "  up: id::bigint\n  down: id::int\n");
    StringWriter err = new StringWriter();
    int code = run(new StringWriter(), err, "plan", file.toString());
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains(file.toString(), "field 'changeType.column'", "foreign key",
        "children_parent_id_fkey", "is bigint, not integer", "drop the foreign key before planning");
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void inPlace_serialKeyToBigint_completesUnderConcurrentInsertsAndUpdates() throws Exception {
    sql("CREATE TABLE accounts (id serial PRIMARY KEY, balance int NOT NULL DEFAULT 0, label text)",
        "INSERT INTO accounts (balance, label) SELECT 0, 'a' || g FROM generate_series(1, 500) g");
    cli("init");
    Path file = dir.resolve(ID + ".yaml");
    Files.writeString(file, "id: " + ID + "\ntable: accounts\nchangeType:\n  column: id\n  type: bigint\n"
        + "  up: id::bigint\n  down: id::int\n");
    StringWriter planOut = new StringWriter();
    StringWriter planErr = new StringWriter();
    assertThat(run(planOut, planErr, "plan", file.toString(), "--dry-run")).as("%s%s", planOut, planErr).isZero();
    assertThat(planOut.toString()).contains("[carried] primary key", "[carried] sequence default",
        "ADD CONSTRAINT \"accounts_pkey\" PRIMARY KEY USING INDEX \"accounts_pkey_cutover\"",
        "ALTER SEQUENCE accounts_id_seq AS bigint");
    cli("plan", file.toString());

    Map<Long, Long> balances = new ConcurrentHashMap<>();
    for (long i = 1; i <= 500; i++) {
      balances.put(i, 0L);
    }
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong inserts = new AtomicLong();
    AtomicLong updates = new AtomicLong();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicReference<String> phase = new AtomicReference<>("planned");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.cutoverUrl() + "?cutover.refreshMillis=100&cutover.instance=writers");
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(3);
    try (HikariDataSource app = new HikariDataSource(config)) {
      Runnable writer = () -> {
        while (running.get()) {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          try (Connection c = app.getConnection()) {
            if (random.nextInt(3) == 0) {
              try (PreparedStatement ps = c.prepareStatement(
                  "INSERT INTO accounts (balance, label) VALUES (?, 'w') RETURNING id")) {
                ps.setInt(1, 7);
                try (ResultSet rs = ps.executeQuery()) {
                  rs.next();
                  balances.put(rs.getLong(1), 7L);
                }
              }
              inserts.incrementAndGet();
            } else {
              Long[] ids = balances.keySet().toArray(Long[]::new);
              long id = ids[random.nextInt(ids.length)];
              try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET balance = balance + 1 WHERE id = ?")) {
                ps.setLong(1, id);
                if (ps.executeUpdate() == 1) {
                  balances.merge(id, 1L, Long::sum);
                }
              }
              updates.incrementAndGet();
            }
          } catch (SQLException e) {
            failures.add(phase.get() + ": " + e.getSQLState() + " " + e.getMessage());
          }
        }
      };
      Thread[] threads = {new Thread(writer, "writer-1"), new Thread(writer, "writer-2")};
      for (Thread t : threads) {
        t.start();
      }
      try {
        Thread.sleep(300);
        phase.set("dual_write");
        cli("advance", ID);
        cli("backfill", ID, "--batch-size", "100");
        cli("verify", ID);
        phase.set("read_new");
        cli("advance", ID);
        phase.set("new_only");
        cli("advance", ID);
        Thread.sleep(300);
        phase.set("completed");
        cli("advance", ID, "--force");
        Thread.sleep(500);
      } finally {
        running.set(false);
        for (Thread t : threads) {
          t.join(10_000);
        }
      }
    }

    assertThat(inserts.get()).isPositive();
    assertThat(updates.get()).isPositive();
    // Statements rewritten for new_only that reach the server between the swap's commit and the
    // driver applying completed name the temporary column (42703); in autocommit the driver loads
    // the new phase and runs them again, so the application sees no failure at all.
    assertThat(failures).as("statements through Cutover that failed").isEmpty();
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      assertThat(one(st, "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)"
          + " FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum > 0 AND NOT attisdropped"))
          .isEqualTo("balance integer, label text, id bigint");
      assertThat(one(st, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'accounts'::regclass"
          + " AND contype = 'p'")).isEqualTo("PRIMARY KEY (id)");
      assertThat(one(st, "SELECT conname FROM pg_constraint WHERE conrelid = 'accounts'::regclass AND contype = 'p'"))
          .isEqualTo("accounts_pkey");
      assertThat(one(st, "SELECT pg_get_serial_sequence('accounts', 'id')")).isEqualTo("public.accounts_id_seq");
      assertThat(one(st, "SELECT seqtypid::regtype::text FROM pg_sequence WHERE seqrelid = 'accounts_id_seq'::regclass"))
          .isEqualTo("bigint");
      Map<Long, Long> found = new HashMap<>();
      try (ResultSet rs = st.executeQuery("SELECT id, balance FROM accounts")) {
        while (rs.next()) {
          found.put(rs.getLong(1), rs.getLong(2));
        }
      }
      assertThat(found).as("every acknowledged insert and update").isEqualTo(balances);
      // Beyond the int range now, through the sequence.
      st.execute("SELECT setval('accounts_id_seq', 3000000000)");
      st.executeUpdate("INSERT INTO accounts (balance) VALUES (1)");
      assertThat(one(st, "SELECT max(id) FROM accounts")).isEqualTo("3000000001");
    }
  }

  private static String one(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
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

  private static void cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = run(out, err, args);
    assertThat(code).as("cutover %s%nout: %s%nerr: %s", String.join(" ", args), out, err).isZero();
  }

  private static int run(StringWriter out, StringWriter err, String... args) {
    List<String> all = new ArrayList<>(List.of("--url", db.plainUrl(), "--user", db.user()));
    if (!db.password().isEmpty()) {
      all.addAll(List.of("--password", db.password()));
    }
    all.addAll(List.of(args));
    if (args[0].equals("advance")) {
      all.add("--yes"); // a script: entering completed is not asked about
    }
    return CutoverCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(all.toArray(String[]::new));
  }
}
