package dev.cutover.runtime;

import static dev.cutover.runtime.PropagationTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.CutoverSQLException;
import dev.cutover.control.ControlSchema;
import dev.cutover.control.InstanceMarker;
import dev.cutover.migration.Phase;
import dev.cutover.testing.MigrationRows;
import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lease ({@code cutover.leaseMillis}): while a migration is unfinished, a statement is sent only
 * if the phase was confirmed (a reload, then a heartbeat) within the lease; otherwise it waits
 * briefly for a confirmation and is refused with 08006, unsent. Here the confirmations stop because
 * the heartbeat's table is locked (as if the control schema had stopped answering this instance).
 */
class LeaseTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @BeforeAll
  static void install() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      dev.cutover.control.install.ControlSchemaInstaller.install(c, "cutover");
      st.execute("CREATE TABLE users (id bigint PRIMARY KEY, full_name text, display_name text)");
      st.execute("CREATE TABLE other (id bigint)");
    }
  }

  @AfterEach
  void clean() throws SQLException {
    try (Connection admin = db.plainConnection(); Statement st = admin.createStatement()) {
      st.execute("DELETE FROM cutover.migrations");
      st.execute("TRUNCATE users, other");
    }
  }

  private static Connection connect(String instance) throws SQLException {
    Properties p = db.properties();
    p.setProperty("cutover.instance", instance);
    p.setProperty("cutover.refreshMillis", "1000");
    p.setProperty("cutover.leaseMillis", "2000");
    return DriverManager.getConnection(db.cutoverUrl(), p);
  }

  @Test
  void unconfirmedPhase_duringMigration_statementRefusedUnsent_thenRunsOnceConfirmedAgain() throws Exception {
    try (Connection admin = db.plainConnection(); Connection app = connect("lease-a")) {
      MigrationRows.insertRename(admin, "cutover", "users-dn", "users", "full_name", "display_name", Phase.DUAL_WRITE);
      try (Statement st = app.createStatement()) {
        assertThat(await(5_000, () -> epochSeen(app) > 0)).isNotNegative();
        st.executeUpdate("INSERT INTO users (id, full_name) VALUES (1, 'Ada')");

        Connection locker = db.plainConnection();
        try (Statement lock = locker.createStatement()) {
          locker.setAutoCommit(false);
          lock.execute("LOCK TABLE cutover.instances IN ACCESS EXCLUSIVE MODE"); // the heartbeat now blocks
          Thread.sleep(2_500); // longer than the lease
          long start = System.nanoTime();
          // Also a statement that does not touch the migrating table: the instance may be behind on any.
          assertThatThrownBy(() -> st.executeUpdate("INSERT INTO other VALUES (1)"))
              .isInstanceOf(CutoverSQLException.class)
              .hasMessageContaining("lease-a last confirmed the migration phase")
              .hasMessageContaining("cutover.leaseMillis = 2000")
              .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"));
          long waited = (System.nanoTime() - start) / 1_000_000;
          assertThat(waited).as("waited briefly for a confirmation").isBetween(1_500L, 5_000L);
          locker.rollback();
        } finally {
          locker.close();
        }
        // Confirmed again as soon as the heartbeat gets through.
        st.executeUpdate("INSERT INTO other VALUES (2)");
        st.executeUpdate("UPDATE users SET display_name = 'Ada L.' WHERE id = 1");
      }
      try (Statement st = admin.createStatement();
          ResultSet rs = st.executeQuery("SELECT string_agg(id::text, ',' ORDER BY id) FROM other")) {
        rs.next();
        assertThat(rs.getString(1)).as("the refused statement was not sent").isEqualTo("2");
      }
    }
  }

  @Test
  void noUnfinishedMigration_leaseNotNeeded() throws Exception {
    try (Connection admin = db.plainConnection(); Connection app = connect("lease-b")) {
      MigrationRows.insertRename(admin, "cutover", "users-dn", "users", "full_name", "display_name", Phase.COMPLETED);
      assertThat(await(5_000, () -> epochSeen(app) > 0)).isNotNegative();
      Connection locker = db.plainConnection();
      try (Statement lock = locker.createStatement(); Statement st = app.createStatement()) {
        locker.setAutoCommit(false);
        lock.execute("LOCK TABLE cutover.instances IN ACCESS EXCLUSIVE MODE");
        Thread.sleep(2_500);
        long start = System.nanoTime();
        st.executeUpdate("INSERT INTO other VALUES (1)");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1_000L);
        locker.rollback();
      } finally {
        locker.close();
      }
    }
  }

  @Test
  void applicationName_setByTheApplication_keepsTheInstanceTag() throws Exception {
    try (Connection app = connect("lease-c")) {
      app.setClientInfo("ApplicationName", "billing");
      try (Statement st = app.createStatement();
          ResultSet rs = st.executeQuery("SELECT current_setting('application_name')")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("billing " + InstanceMarker.of("cutover", "lease-c"));
      }
    }
  }

  private static long epochSeen(Connection app) {
    try {
      return app.unwrap(dev.cutover.CutoverConnection.class).currentEpoch();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void firstConnection_instanceRowWrittenBeforeItIsHandedOut() throws Exception {
    try (Connection admin = db.plainConnection()) {
      MigrationRows.insertRename(admin, "cutover", "m", "users", "full_name", "display_name", Phase.DUAL_WRITE);
    }
    for (int round = 0; round < 3; round++) {
      // A new runtime, then the same one after its last close deleted the row (it lingers): either
      // way the row is there, acknowledging the current epoch, when the connection is returned. An
      // advance in between fences a tag without a row (the application's first statement got 57P01).
      try (Connection c = connect("registered-early"); Connection admin = db.plainConnection();
          Statement st = admin.createStatement();
          ResultSet rs = st.executeQuery("SELECT applied_epoch FROM cutover.instances WHERE instance = 'registered-early'")) {
        assertThat(rs.next()).as("round %d", round).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(c.unwrap(dev.cutover.CutoverConnection.class).refreshMigrations());
      }
    }
  }
}
