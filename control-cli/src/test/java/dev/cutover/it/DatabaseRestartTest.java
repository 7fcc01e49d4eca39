package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.CutoverConnection;
import dev.cutover.testing.TestDatabase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver survives a restart of the database server: its poller, heartbeat and listener
 * reconnect by themselves, a phase change made after the restart is acknowledged (so
 * {@code cutover advance} completes), and the application's statements follow the new phase.
 *
 * <p>Runs only where it can restart the server itself: the local cluster on 127.0.0.1:5432 managed
 * by {@code pg_ctlcluster} (the developers' machines and CI); skipped with {@code CUTOVER_TEST_URL}
 * or Testcontainers. It restarts the whole server, so it must not share it with other test runs:
 * set {@code CUTOVER_TEST_NO_RESTART=1} to skip it when several builds share one server.
 */
class DatabaseRestartTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  @Test
  void driver_databaseRestarted_reconnectsAndFollowsNextPhase() throws Exception {
    File clusters = new File("/etc/postgresql");
    String[] versions = clusters.list();
    assumeTrue(System.getenv("CUTOVER_TEST_NO_RESTART") == null, "CUTOVER_TEST_NO_RESTART is set");
    assumeTrue(System.getenv("CUTOVER_TEST_URL") == null && db.plainUrl().contains("//127.0.0.1:5432/")
        && versions != null && versions.length == 1 && onPath("pg_ctlcluster"),
        "needs the local pg_ctlcluster-managed server");

    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE users (id int PRIMARY KEY, full_name text)");
      st.execute("INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 100) g");
    }
    Path file = dir.resolve("m.yaml");
    Files.writeString(file, "id: m\ntable: users\nrename:\n  from: full_name\n  to: display_name\n");
    RenameDifferentialTest.cli(db, "init");
    RenameDifferentialTest.cli(db, "plan", file.toString());

    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.cutoverUrl() + "?cutover.refreshMillis=200&cutover.instance=restart-app");
    config.setUsername(db.user());
    config.setMaximumPoolSize(2);
    try (HikariDataSource app = new HikariDataSource(config)) {
      long before;
      try (Connection c = app.getConnection()) {
        assertThat(name(c, 1)).isEqualTo("user 1");
        before = c.unwrap(CutoverConnection.class).currentEpoch();
      }

      Process restart = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", versions[0], "main", "restart")
          .redirectErrorStream(true).start();
      assertThat(restart.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(restart.exitValue()).as(new String(restart.getInputStream().readAllBytes())).isZero();
      awaitServer();

      // The CLI waits until every live instance acknowledged the new epoch: it completes only if
      // the driver reconnected its side connections and saw the change.
      RenameDifferentialTest.cli(db, "advance", "m", "--wait", "30s");

      try (Connection c = connectionAfterRestart(app)) {
        assertThat(c.unwrap(CutoverConnection.class).currentEpoch()).isGreaterThan(before);
        try (PreparedStatement ps = c.prepareStatement("UPDATE users SET display_name = ? WHERE id = ?")) {
          ps.setString(1, "after restart");
          ps.setInt(2, 2);
          assertThat(ps.executeUpdate()).isEqualTo(1);
        }
      }
    }
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT full_name, display_name FROM users WHERE id = 2")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("after restart");
      assertThat(rs.getString(2)).isEqualTo("after restart");
    }
  }

  private static String name(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT display_name FROM users WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** A pooled connection that works: the pool may hand out one the restart broke. */
  private static Connection connectionAfterRestart(HikariDataSource app) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      Connection c = app.getConnection();
      try {
        name(c, 1);
        return c;
      } catch (SQLException e) {
        c.close();
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  private static void awaitServer() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Connection c = db.plainConnection()) {
        return;
      } catch (SQLException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  private static boolean onPath(String command) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(d, command).canExecute()) {
        return true;
      }
    }
    return false;
  }
}
