package dev.cutover.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code cutover demo}: the quick start. Creates {@code cutover_demo.users}, runs a live workload
 * through HikariCP and the Cutover driver (two application versions, one using the old column name
 * and one the new), walks the rename forward through every phase, back to {@code planned}, and
 * forward again to {@code completed}, printing what happens and how many statements failed.
 *
 * <p>Runs in a database of its own (created and dropped by {@code cutover demo}); idempotent even
 * in a database it shares: each run drops the demo schema and forgets its own migration first.
 */
public final class Demo {

  /** Runs one {@code cutover} subcommand with the demo's connection options; returns its exit code. */
  @FunctionalInterface
  public interface Cli {
    int run(String... args);
  }

  static final String MIGRATION_ID = "cutover-demo-display-name";
  /** What {@link #showRewrites()} shows at each phase: one statement per application version and an insert. */
  private static final List<String> SHOWN = List.of(
      "SELECT full_name FROM cutover_demo.users WHERE id = ?",
      "UPDATE cutover_demo.users SET display_name = ? WHERE id = ?",
      "INSERT INTO cutover_demo.users (full_name, email) VALUES (?, ?)");
  private static final int SEED_ROWS = 5_000;
  private static final int WORKERS = 4;

  private final String plainUrl;
  private final String user;
  private final String password;
  private final String controlSchema;
  private final PrintWriter out;
  private final Cli cli;
  private volatile HikariDataSource app;

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong statements = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final List<String> failureSamples = new ArrayList<>();

  /**
   * @param plainUrl a {@code jdbc:postgresql://} URL of the database to run in
   * @param user the user
   * @param password the password (may be empty)
   * @param controlSchema the control schema ({@code cutover.schema})
   * @param out where the demo narrates
   * @param cli runs the CLI's own commands, so the demo shows exactly what an operator would type
   */
  public Demo(String plainUrl, String user, String password, String controlSchema, PrintWriter out, Cli cli) {
    this.plainUrl = plainUrl;
    this.user = user;
    this.password = password == null ? "" : password;
    this.controlSchema = controlSchema;
    this.out = out;
    this.cli = cli;
  }

  /**
   * Runs the demo; returns the exit code (0 when every step worked and no statement failed).
   *
   * @param workDir where the migration file is written (and left, for the reader)
   */
  public int run(Path workDir) throws SQLException, IOException, InterruptedException {
    say("== Cutover demo: rename cutover_demo.users.full_name to display_name, live ==");
    prepareTable();
    step("init");
    Path file = workDir.resolve(MIGRATION_ID + ".yaml");
    Files.writeString(file, "id: " + MIGRATION_ID + "\ntable: cutover_demo.users\nrename:\n  from: full_name\n  to: display_name\n");
    say("The migration file, " + file + ":");
    for (String line : Files.readAllLines(file)) {
      say("   " + line);
    }
    step("plan", file.toString());

    String cutoverUrl = "jdbc:cutover:" + plainUrl.substring("jdbc:".length())
        + (plainUrl.contains("?") ? "&" : "?") + "cutover.refreshMillis=200&cutover.instance=demo-app"
        + "&cutover.schema=" + controlSchema;
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(cutoverUrl);
    config.setExceptionOverrideClassName("dev.cutover.HikariRefusalOverride"); // a refusal keeps the connection
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(WORKERS);
    config.setPoolName("demo-app");
    List<Thread> workers = new ArrayList<>();
    try (HikariDataSource app = new HikariDataSource(config)) {
      this.app = app;
      try {
        walk(app, cutoverUrl, workers);
      } finally {
        // Stop the workers before the pool closes under them.
        running.set(false);
        for (Thread t : workers) {
          t.join(5_000);
        }
      }
    }
    step("status", MIGRATION_ID);
    say(String.format("== done: %,d statements through Cutover, %d failed ==", statements.get(), failures.get()));
    synchronized (failureSamples) {
      failureSamples.forEach(s -> say("  failure: " + s));
    }
    return failures.get() == 0 ? 0 : 1;
  }

  private void walk(HikariDataSource app, String cutoverUrl, List<Thread> workers) throws InterruptedException {
    say("Application: " + WORKERS + " workers through HikariCP on " + cutoverUrl);
    say("  v1 workers use full_name, v2 workers use display_name, each checking it reads back what it wrote");
    for (int i = 0; i < WORKERS; i++) {
      boolean v2 = i % 2 == 1;
      Thread t = new Thread(() -> work(app, v2), "demo-worker-" + i);
      t.setDaemon(true);
      t.start();
      workers.add(t);
    }
    pause();
    report("planned");
    forward("dual_write");
    step("backfill", MIGRATION_ID);
    step("verify", MIGRATION_ID);
    report("dual_write, backfilled");
    forward("read_new");
    forward("new_only");
    say("-- and back again, one step at a time --");
    backward("read_new");
    backward("dual_write");
    backward("planned");
    say("-- and forward to the end --");
    forward("dual_write");
    step("backfill", MIGRATION_ID);
    forward("read_new");
    forward("new_only");
    say("v1 workers still use the old name: `advance --to completed` would refuse; --force overrides");
    step("advance", MIGRATION_ID, "--to", "completed", "--yes", "--force");
    pause();
    report("completed");
  }

  private void forward(String phase) throws InterruptedException {
    step("advance", MIGRATION_ID, "--to", phase);
    pause();
    report(phase);
  }

  private void backward(String phase) throws InterruptedException {
    step("rollback", MIGRATION_ID, "--to", phase);
    pause();
    report(phase);
  }

  private void step(String... args) {
    say("$ cutover " + String.join(" ", args));
    out.flush();
    int code = cli.run(args);
    if (code != 0) {
      throw new IllegalStateException("cutover " + String.join(" ", args) + " exited " + code);
    }
  }

  private void report(String phase) {
    say(String.format("   [%s] %,d statements so far, %d failed", phase, statements.get(), failures.get()));
    showRewrites();
  }

  /** A few statements as the application wrote them and as PostgreSQL receives them now. */
  private void showRewrites() {
    HikariDataSource pool = app;
    if (pool == null) {
      return;
    }
    try (Connection c = pool.getConnection()) {
      for (String sql : SHOWN) {
        String sent = c.nativeSQL(sql);
        say("     app:  " + sql);
        say("     sent: " + (sent.equals(sql) ? "(unchanged)" : sent));
      }
    } catch (SQLException e) {
      say("     (cannot show the rewrites: " + e.getMessage() + ")");
    }
  }

  private void say(String line) {
    out.println(line);
    out.flush();
  }

  private static void pause() throws InterruptedException {
    Thread.sleep(1_000);
  }

  private void prepareTable() throws SQLException {
    try (Connection c = plain(); Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS cutover_demo CASCADE");
      st.execute("CREATE SCHEMA cutover_demo");
      st.execute("CREATE TABLE cutover_demo.users (id bigserial PRIMARY KEY, full_name text, email text NOT NULL)");
      st.execute("CREATE INDEX users_full_name_idx ON cutover_demo.users (full_name)");
      st.execute("INSERT INTO cutover_demo.users (full_name, email) SELECT 'User ' || g, 'user' || g || '@example.com'"
          + " FROM generate_series(1, " + SEED_ROWS + ") g");
      try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + controlSchema.replace("'", "''") + ".migrations')")) {
        rs.next();
        if (rs.getString(1) != null) {
          // Forget an earlier run's migration of the (now re-created) demo table.
          try (PreparedStatement ps = c.prepareStatement("DELETE FROM \"" + controlSchema.replace("\"", "\"\"")
              + "\".migrations WHERE id = ?")) {
            ps.setString(1, MIGRATION_ID);
            ps.executeUpdate();
          }
        }
      }
    }
    say(String.format("Created cutover_demo.users with %,d rows and an index on full_name", SEED_ROWS));
  }

  private Connection plain() throws SQLException {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    return new org.postgresql.Driver().connect(plainUrl, p);
  }

  /** One application worker: insert, update, read back, through one name. */
  private void work(HikariDataSource app, boolean v2) {
    String name = v2 ? "display_name" : "full_name";
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (running.get()) {
      try (Connection c = app.getConnection()) {
        String value = (v2 ? "v2 " : "v1 ") + random.nextInt(1_000_000);
        long id;
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO cutover_demo.users (" + name + ", email) VALUES (?, ?)", new String[] {"id"})) {
          ps.setString(1, value);
          ps.setString(2, "demo@example.com");
          ps.executeUpdate();
          try (ResultSet keys = ps.getGeneratedKeys()) {
            keys.next();
            id = keys.getLong(1);
          }
        }
        expect(c, name, id, value);
        long target = 1 + random.nextInt(SEED_ROWS);
        String renamed = value + " (renamed)";
        try (PreparedStatement ps = c.prepareStatement("UPDATE cutover_demo.users SET " + name + " = ? WHERE id = ?")) {
          ps.setString(1, renamed);
          ps.setLong(2, target);
          ps.executeUpdate();
        }
        statements.addAndGet(2);
        expect(c, name, target, null);
      } catch (SQLException | RuntimeException e) {
        fail(e.getMessage());
      }
    }
  }

  private void expect(Connection c, String name, long id, String value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + name + " FROM cutover_demo.users WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        statements.incrementAndGet();
        if (!rs.next()) {
          fail("row " + id + " not found through " + name);
        } else if (value != null && !Objects.equals(rs.getString(1), value)) {
          fail("row " + id + " read " + rs.getString(1) + " through " + name + ", wrote " + value);
        }
      }
    }
  }

  private void fail(String message) {
    failures.incrementAndGet();
    synchronized (failureSamples) {
      if (failureSamples.size() < 10) {
        failureSamples.add(message);
      }
    }
  }
}
