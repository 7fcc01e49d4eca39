package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.CutoverConnection;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code init --grant ROLE}: the application's role runs the driver (reads migrations, heartbeats)
 * but cannot change a phase. Roles are cluster-wide: this one has a unique name and is dropped after.
 */
class ApplicationRoleTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static final String ROLE = "cutover_app_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10)
      .toLowerCase(Locale.ROOT);

  static Cli cli;

  @BeforeAll
  static void setUp() throws Exception {
    cli = new Cli(db);
    cli.sql("CREATE ROLE " + ROLE + " LOGIN");
    Cli.Run init = cli.run("init", "--grant", ROLE);
    assertThat(init.exit()).as(init.all()).isEqualTo(0);
    assertThat(init.out()).contains("granted role \"" + ROLE + "\"");
    cli.sql("CREATE TABLE users (id int PRIMARY KEY, full_name text)", "INSERT INTO users VALUES (1, 'Ada')",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON users TO " + ROLE);
    Path f = dir.resolve("m.yaml");
    Files.writeString(f, "id: users-dn\ntable: users\nrename: {from: full_name, to: display_name}\n");
    assertThat(cli.run("plan", f.toString()).exit()).isEqualTo(0);
  }

  @AfterAll
  static void dropRole() throws Exception {
    cli.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + ROLE + "'",
        "DROP OWNED BY " + ROLE, "DROP ROLE " + ROLE);
  }

  @Test
  void grants_areTheMinimum() throws Exception {
    String[][] expected = {
        {"migrations", "SELECT"}, {"schema_version", "SELECT"}, {"backfill_state", "SELECT"},
        {"instances", "SELECT,INSERT,UPDATE,DELETE"}, {"name_usage", "SELECT,INSERT,UPDATE"},
    };
    for (String[] e : expected) {
      for (String privilege : new String[] {"SELECT", "INSERT", "UPDATE", "DELETE"}) {
        assertThat(cli.one("SELECT has_table_privilege('" + ROLE + "', 'cutover." + e[0] + "', '" + privilege + "')"))
            .as(e[0] + " " + privilege).isEqualTo(e[1].contains(privilege) ? "t" : "f");
      }
    }
    for (String table : new String[] {"audit_log", "backfill_control"}) {
      assertThat(cli.one("SELECT has_table_privilege('" + ROLE + "', 'cutover." + table + "',"
          + " 'SELECT,INSERT,UPDATE,DELETE')")).as(table).isEqualTo("f");
    }
    assertThat(cli.one("SELECT has_sequence_privilege('" + ROLE + "', 'cutover.epoch_seq', 'USAGE,SELECT,UPDATE')"))
        .isEqualTo("f");
    assertThat(cli.one("SELECT has_schema_privilege('" + ROLE + "', 'cutover', 'CREATE')")).isEqualTo("f");
  }

  @Test
  void advance_asApplicationRole_failsWithPermission_changesNothing() throws Exception {
    String before = cli.one("SELECT phase || ':' || epoch FROM cutover.migrations WHERE id = 'users-dn'");
    String audit = cli.one("SELECT count(*) FROM cutover.audit_log");
    for (String[] args : new String[][] {{"advance", "users-dn"}, {"rollback", "users-dn"}}) {
      Cli.Run run = new Cli(db, db.plainUrl(), ROLE).run(args);
      assertThat(run.exit()).as(run.all()).isEqualTo(1);
      assertThat(run.err()).contains("permission denied");
    }
    assertThat(cli.one("SELECT phase || ':' || epoch FROM cutover.migrations WHERE id = 'users-dn'")).isEqualTo(before);
    assertThat(cli.one("SELECT count(*) FROM cutover.audit_log")).isEqualTo(audit);
    assertThat(cli.columns("users")).containsExactly("id", "full_name");
    // And directly, with SQL: no UPDATE on migrations.
    Properties p = new Properties();
    p.setProperty("user", ROLE);
    try (Connection c = new org.postgresql.Driver().connect(db.plainUrl(), p); Statement st = c.createStatement()) {
      assertThat(org.assertj.core.api.Assertions.catchThrowable(
          () -> st.executeUpdate("UPDATE cutover.migrations SET phase = 'dual_write'")))
          .hasMessageContaining("permission denied");
    }
  }

  @Test
  void driver_asApplicationRole_readsMigrationsAndHeartbeats() throws Exception {
    Properties p = new Properties();
    p.setProperty("user", ROLE);
    String instance = "role-app-" + ROLE;
    long epoch = Long.parseLong(cli.one("SELECT epoch FROM cutover.migrations WHERE id = 'users-dn'"));
    try (Connection c = DriverManager.getConnection(
        db.cutoverUrl() + "?cutover.refreshMillis=200&cutover.instance=" + instance, p)) {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT display_name FROM users")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("Ada"); // planned: the new name maps to the old column
      }
      assertThat(c.unwrap(CutoverConnection.class).currentEpoch()).isGreaterThanOrEqualTo(epoch);
      long deadline = System.nanoTime() + 15_000_000_000L;
      String row = "";
      while (System.nanoTime() < deadline) {
        var rows = cli.query("SELECT applied_epoch FROM cutover.instances WHERE instance = '" + instance + "'");
        if (!rows.isEmpty() && Long.parseLong(rows.get(0)) >= epoch) {
          row = rows.get(0);
          break;
        }
        Thread.sleep(100);
      }
      assertThat(row).as("the instance's heartbeat with the applied epoch").isNotEmpty();
      String first = cli.one("SELECT heartbeat_at FROM cutover.instances WHERE instance = '" + instance + "'");
      Thread.sleep(2500);
      assertThat(cli.one("SELECT heartbeat_at FROM cutover.instances WHERE instance = '" + instance + "'"))
          .isNotEqualTo(first);
    }
    // A clean close removes its row (the role may DELETE it).
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline
        && !cli.one("SELECT count(*) FROM cutover.instances WHERE instance = '" + instance + "'").equals("0")) {
      Thread.sleep(100);
    }
    assertThat(cli.one("SELECT count(*) FROM cutover.instances WHERE instance = '" + instance + "'")).isEqualTo("0");
  }

  /** A plain pgjdbc session as the application's role: what a compromised or buggy application can do. */
  private static Connection asRole() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", ROLE);
    return new org.postgresql.Driver().connect(db.plainUrl(), p);
  }

  private static String sqlState(Statement st, String sql) {
    try {
      st.execute(sql);
      return "ok";
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }

  private static void awaitRow(String instance, long epoch) throws Exception {
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (System.nanoTime() < deadline) {
      var rows = cli.query("SELECT applied_epoch FROM cutover.instances WHERE instance = '" + instance + "'");
      if (!rows.isEmpty() && Long.parseLong(rows.get(0)) >= epoch) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("instance " + instance + " never acknowledged epoch " + epoch);
  }

  /**
   * Regression: with the grants of {@code init --grant}, the application's role could write any
   * instance row ({@code applied_epoch = 1000000} let advance pass a lagging instance;
   * {@code heartbeat_at = 'infinity'} crashed a rollback after it recorded the phase) and delete the
   * name-use telemetry the quiet period relies on.
   */
  @Test
  @Timeout(value = 120, unit = java.util.concurrent.TimeUnit.SECONDS,
      threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void applicationRole_cannotForgeTheBarrier() throws Exception {
    cli.sql("CREATE TABLE forge (id int PRIMARY KEY, full_name text)",
        "INSERT INTO forge SELECT g, 'n' || g FROM generate_series(1, 20) g",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON forge TO " + ROLE);
    cli.plan(dir, "forge-m", "forge", "rename: {from: full_name, to: display_name}\n");
    long planned = Long.parseLong(cli.one("SELECT epoch FROM cutover.migrations WHERE id = 'forge-m'"));
    String instance = "real-" + ROLE;
    Properties p = new Properties();
    p.setProperty("user", ROLE);
    try (Connection app = DriverManager.getConnection(
        db.cutoverUrl() + "?cutover.refreshMillis=100&cutover.instance=" + instance, p);
        Connection forger = asRole(); Statement f = forger.createStatement();
        Connection lingering = asRole()) {
      awaitRow(instance, planned);
      // A session of the role (not through Cutover) with a transaction open across the phase changes.
      lingering.setAutoCommit(false);
      int lingeringPid;
      try (Statement st = lingering.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        lingeringPid = rs.getInt(1);
      }
      // The real instance holds a transaction open from planned: it cannot acknowledge dual_write.
      app.setAutoCommit(false);
      try (Statement st = app.createStatement()) {
        st.executeQuery("SELECT id FROM users WHERE id = 1").close(); // another table: the DDL is not blocked
      }
      Cli.Run first = cli.run("advance", "forge-m", "--wait", "1s");
      assertThat(first.exit()).as(first.all()).isEqualTo(3);
      assertThat(first.err()).contains("is recorded, but", instance);
      long dual = Long.parseLong(cli.one("SELECT epoch FROM cutover.migrations WHERE id = 'forge-m'"));
      cli.ok("backfill", "forge-m");

      // Forging its acknowledgement, or any epoch beyond the newest, or a heartbeat in the future: refused.
      assertThat(sqlState(f, "UPDATE cutover.instances SET applied_epoch = " + dual + " WHERE instance = '"
          + instance + "'")).isEqualTo("42501");
      assertThat(sqlState(f, "UPDATE cutover.instances SET applied_epoch = 1000000")).isIn("42501", "22023");
      assertThat(sqlState(f, "INSERT INTO cutover.instances (instance, applied_epoch) VALUES ('fake', 1000000)"))
          .isEqualTo("22023");
      assertThat(sqlState(f, "INSERT INTO cutover.instances (instance, heartbeat_at) VALUES ('fake', 'infinity')"))
          .isEqualTo("22023");
      assertThat(sqlState(f, "DELETE FROM cutover.instances WHERE instance = '" + instance + "'")).isEqualTo("42501");
      assertThat(sqlState(f, "SELECT cutover.instance_heartbeat('" + instance + "', " + dual + ", '00000000000000000000000000000000', false)"))
          .isEqualTo("42501");
      // Name use: not deletable, not movable back.
      assertThat(sqlState(f, "DELETE FROM cutover.name_usage")).isIn("42501", "ok");
      cli.sql("INSERT INTO cutover.name_usage VALUES ('" + instance + "', 'forge-m', now(), NULL)"
          + " ON CONFLICT DO NOTHING");
      assertThat(sqlState(f, "DELETE FROM cutover.name_usage")).isEqualTo("42501");
      assertThat(sqlState(f, "UPDATE cutover.name_usage SET old_used_at = NULL")).isEqualTo("ok");
      assertThat(sqlState(f, "UPDATE cutover.name_usage SET old_used_at = '-infinity'")).isEqualTo("22023");
      assertThat(cli.one("SELECT count(*) FROM cutover.name_usage WHERE instance = '" + instance
          + "' AND old_used_at > now() - interval '1 minute'")).isEqualTo("1");

      // The barrier holds: the real instance still lags.
      Cli.Run blocked = cli.run("advance", "forge-m", "--wait", "1s");
      assertThat(blocked.exit()).as(blocked.all()).isEqualTo(3);
      assertThat(blocked.err()).contains(instance, "applied epoch " + planned);
      assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'forge-m'")).isEqualTo("dual_write");

      // A fake instance row from a session that then ends: it expires with its heartbeat, never counts.
      try (Connection gone = asRole(); Statement g = gone.createStatement()) {
        g.execute("INSERT INTO cutover.instances (instance, applied_epoch) VALUES ('fake-" + ROLE + "', " + dual + ")");
      }
      app.commit(); // the real instance acknowledges now
      awaitRow(instance, dual);
      Cli.Run fakeBlocks = cli.run("advance", "forge-m", "--wait", "1s");
      assertThat(fakeBlocks.exit()).as(fakeBlocks.all()).isEqualTo(3);
      assertThat(fakeBlocks.err()).contains("fake-" + ROLE, "written by a session that has ended");
      Cli.Run last = cli.ok("advance", "forge-m", "--wait", "20s", "--instance-ttl", "3s");
      assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'forge-m'")).isEqualTo("read_new");
      // The server's view: the lingering transaction is named (it began before the acknowledged epoch).
      assertThat(last.out()).contains("note: every live instance acknowledged epoch " + dual, "pid " + lingeringPid,
          "role " + ROLE);
      lingering.rollback();
    } finally {
      cli.sql("DELETE FROM cutover.instances WHERE instance LIKE 'fake-%'"); // the operator may
    }
  }

  @Test
  void init_upgradesAVersion2Schema_onTheRecord_andADriverOfVersion2StillWorks() throws Exception {
    // What a version 2 driver runs for its heartbeat and its clean stop, as the application role.
    try (Connection old = asRole(); Statement st = old.createStatement()) {
      String upsert = "INSERT INTO cutover.instances AS i (instance, applied_epoch, started_at, heartbeat_at)"
          + " VALUES ('v2-" + ROLE + "', 0, now(), now()) ON CONFLICT (instance) DO UPDATE SET"
          + " applied_epoch = EXCLUDED.applied_epoch, heartbeat_at = now()";
      assertThat(sqlState(st, upsert)).isEqualTo("ok");
      assertThat(sqlState(st, upsert)).isEqualTo("ok");
      assertThat(cli.one("SELECT owner || ' ' || (backend_pid IS NOT NULL) FROM cutover.instances WHERE instance = 'v2-"
          + ROLE + "'")).isEqualTo(ROLE + " true");
      assertThat(sqlState(st, "DELETE FROM cutover.instances WHERE instance = 'v2-" + ROLE + "'")).isEqualTo("ok");
    }
    // A version 2 schema and the grants of a version 2 `init --grant`: init upgrades it, records it
    // next to each unfinished migration, once, and moves the granted role to the new heartbeat path.
    cli.sql("DELETE FROM cutover.schema_version WHERE version >= 3",
        "REVOKE EXECUTE ON FUNCTION cutover.instance_heartbeat(text, bigint, text, boolean),"
            + " cutover.instance_deregister(text, text) FROM " + ROLE,
        "GRANT DELETE ON cutover.name_usage TO " + ROLE);
    Cli.Run init = cli.ok("init");
    assertThat(init.out()).contains("upgraded the control schema \"cutover\" from version 2 to 5");
    assertThat(cli.query("SELECT detail FROM cutover.audit_log WHERE migration_id = 'users-dn' AND detail LIKE"
        + " 'control schema%'")).containsExactly("control schema upgraded from version 2 to 5 (guarded instance rows)");
    assertThat(cli.ok("init").out()).doesNotContain("upgraded");
    assertThat(cli.one("SELECT has_function_privilege('" + ROLE + "', 'cutover.instance_heartbeat(text, bigint, text,"
        + " boolean)', 'EXECUTE') AND NOT has_table_privilege('" + ROLE + "', 'cutover.name_usage', 'DELETE')"))
        .isEqualTo("t");
    assertThat(cli.one("SELECT max(version) FROM cutover.schema_version")).isEqualTo("5");
  }
}
