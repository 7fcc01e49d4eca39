package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.CutoverConnection;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
        {"migrations", "SELECT"}, {"schema_version", "SELECT"},
        {"instances", "SELECT,INSERT,UPDATE,DELETE"}, {"name_usage", "SELECT,INSERT,UPDATE,DELETE"},
    };
    for (String[] e : expected) {
      for (String privilege : new String[] {"SELECT", "INSERT", "UPDATE", "DELETE"}) {
        assertThat(cli.one("SELECT has_table_privilege('" + ROLE + "', 'cutover." + e[0] + "', '" + privilege + "')"))
            .as(e[0] + " " + privilege).isEqualTo(e[1].contains(privilege) ? "t" : "f");
      }
    }
    for (String table : new String[] {"audit_log", "backfill_state"}) {
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
}
