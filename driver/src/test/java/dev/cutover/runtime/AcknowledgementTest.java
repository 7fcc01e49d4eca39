package dev.cutover.runtime;

import static dev.cutover.runtime.PropagationTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.CutoverConnection;
import dev.cutover.control.ControlSchema;
import dev.cutover.migration.Phase;
import dev.cutover.testing.MigrationRows;
import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code instances.applied_epoch} is acknowledged only when no transaction that began under an
 * older epoch is still open; the instance row lives while the runtime has connections.
 */
class AcknowledgementTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private static final long SLOW_POLL = 60_000;

  @BeforeAll
  static void install() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      dev.cutover.control.install.ControlSchemaInstaller.install(c, "cutover");
      st.execute("CREATE TABLE users (id bigint PRIMARY KEY, full_name text)");
      st.execute("INSERT INTO users VALUES (1, 'Ada')");
    }
  }

  @AfterEach
  void clean() throws SQLException {
    try (Connection admin = db.plainConnection(); Statement st = admin.createStatement()) {
      st.execute("DELETE FROM cutover.migrations");
    }
  }

  private static Connection connect(String instance, long refreshMillis) throws SQLException {
    Properties p = db.properties();
    p.setProperty("cutover.instance", instance);
    p.setProperty("cutover.refreshMillis", Long.toString(refreshMillis));
    return DriverManager.getConnection(db.cutoverUrl(), p);
  }

  private static Long appliedEpoch(Connection admin, String instance) {
    try (PreparedStatement ps = admin.prepareStatement("SELECT applied_epoch FROM cutover.instances WHERE instance = ?")) {
      ps.setString(1, instance);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Timestamp heartbeatAt(Connection admin, String instance) throws SQLException {
    try (PreparedStatement ps = admin.prepareStatement("SELECT heartbeat_at FROM cutover.instances WHERE instance = ?")) {
      ps.setString(1, instance);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getTimestamp(1) : null;
      }
    }
  }

  /** Registers a migration, waits until {@code app} runs and acknowledges it; returns its epoch. */
  private static long planned(Connection admin, Connection app, String instance) throws Exception {
    long epoch = MigrationRows.insertRename(admin, "cutover", "users-dn", "users", "full_name", "display_name",
        Phase.PLANNED);
    app.unwrap(CutoverConnection.class).refreshMigrations();
    assertThat(await(2_000, () -> Long.valueOf(epoch).equals(appliedEpoch(admin, instance)))).isNotNegative();
    return epoch;
  }

  private static void runQuery(Connection app) throws SQLException {
    try (PreparedStatement ps = app.prepareStatement("SELECT full_name FROM users WHERE id = ?")) {
      ps.setLong(1, 1);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
      }
    }
  }

  @Test
  void applied_olderTransactionOpen_heldBackUntilCommit() throws Exception {
    String instance = "ack-commit";
    try (Connection admin = db.plainConnection(); Connection app = connect(instance, SLOW_POLL)) {
      CutoverConnection cutover = app.unwrap(CutoverConnection.class);
      long old = planned(admin, app, instance);

      app.setAutoCommit(false);
      runQuery(app); // the transaction begins under `old`
      long next = MigrationRows.setPhase(admin, "cutover", "users-dn", Phase.DUAL_WRITE);
      assertThat(await(1_000, () -> cutover.currentEpoch() == next)).isNotNegative();

      // New statements follow the new snapshot, but the transaction that began before it is still open.
      runQuery(app);
      cutover.refreshMigrations(); // forces a heartbeat
      Thread.sleep(300);
      assertThat(appliedEpoch(admin, instance)).isEqualTo(old);

      app.commit();
      assertThat(await(1_000, () -> Long.valueOf(next).equals(appliedEpoch(admin, instance))))
          .as("ms until acknowledged after commit").isBetween(0L, 999L);

      // A transaction that begins after the change holds nothing back.
      runQuery(app);
      cutover.refreshMigrations();
      assertThat(appliedEpoch(admin, instance)).isEqualTo(next);
      app.rollback();
    }
  }

  @Test
  void applied_olderTransactionOpen_heldBackUntilRollback() throws Exception {
    String instance = "ack-rollback";
    try (Connection admin = db.plainConnection(); Connection app = connect(instance, SLOW_POLL);
        Connection other = connect(instance, SLOW_POLL)) {
      CutoverConnection cutover = app.unwrap(CutoverConnection.class);
      long old = planned(admin, app, instance);

      app.setAutoCommit(false);
      runQuery(app);
      long next = MigrationRows.setPhase(admin, "cutover", "users-dn", Phase.DUAL_WRITE);
      assertThat(await(1_000, () -> cutover.currentEpoch() == next)).isNotNegative();
      runQuery(other); // another connection's autocommit statements do not release the hold
      cutover.refreshMigrations();
      assertThat(appliedEpoch(admin, instance)).isEqualTo(old);

      app.rollback();
      assertThat(await(1_000, () -> Long.valueOf(next).equals(appliedEpoch(admin, instance)))).isBetween(0L, 999L);
    }
  }

  @Test
  void applied_setAutoCommitTrue_endsTheTransaction() throws Exception {
    String instance = "ack-autocommit";
    try (Connection admin = db.plainConnection(); Connection app = connect(instance, SLOW_POLL)) {
      CutoverConnection cutover = app.unwrap(CutoverConnection.class);
      long old = planned(admin, app, instance);
      app.setAutoCommit(false);
      runQuery(app);
      long next = MigrationRows.setPhase(admin, "cutover", "users-dn", Phase.DUAL_WRITE);
      assertThat(await(1_000, () -> cutover.currentEpoch() == next)).isNotNegative();
      cutover.refreshMigrations();
      assertThat(appliedEpoch(admin, instance)).isEqualTo(old);
      app.setAutoCommit(true);
      assertThat(await(1_000, () -> Long.valueOf(next).equals(appliedEpoch(admin, instance)))).isBetween(0L, 999L);
    }
  }

  @Test
  void applied_sqlBeginInAutocommit_heldBackUntilSqlCommit() throws Exception {
    String instance = "ack-sql-begin";
    try (Connection admin = db.plainConnection(); Connection app = connect(instance, SLOW_POLL)) {
      CutoverConnection cutover = app.unwrap(CutoverConnection.class);
      long old = planned(admin, app, instance);
      try (Statement st = app.createStatement()) {
        st.execute("BEGIN");
        runQuery(app);
        long next = MigrationRows.setPhase(admin, "cutover", "users-dn", Phase.DUAL_WRITE);
        assertThat(await(1_000, () -> cutover.currentEpoch() == next)).isNotNegative();
        cutover.refreshMigrations();
        assertThat(appliedEpoch(admin, instance)).isEqualTo(old);
        st.execute("COMMIT");
        assertThat(await(1_000, () -> Long.valueOf(next).equals(appliedEpoch(admin, instance)))).isBetween(0L, 999L);
      }
    }
  }

  @Test
  void applied_statementRunningAcrossChange_heldBackUntilItEnds() throws Exception {
    String instance = "ack-running";
    try (Connection admin = db.plainConnection(); Connection app = connect(instance, SLOW_POLL)) {
      CutoverConnection cutover = app.unwrap(CutoverConnection.class);
      long old = planned(admin, app, instance);
      CompletableFuture<Void> sleeping = CompletableFuture.runAsync(() -> {
        try (Statement st = app.createStatement()) {
          st.execute("SELECT pg_sleep(1.5)"); // autocommit: a transaction of its own
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      Thread.sleep(300);
      long next = MigrationRows.setPhase(admin, "cutover", "users-dn", Phase.DUAL_WRITE);
      assertThat(await(1_000, () -> cutover.currentEpoch() == next)).isNotNegative();
      assertThat(sleeping).isNotDone();
      assertThat(appliedEpoch(admin, instance)).isEqualTo(old);
      sleeping.get();
      assertThat(await(1_000, () -> Long.valueOf(next).equals(appliedEpoch(admin, instance)))).isBetween(0L, 999L);
    }
  }

  @Test
  void applied_statementBatchRewrittenBeforeChange_heldBackUntilExecuted() throws Exception {
    String instance = "ack-batch";
    try (Connection admin = db.plainConnection(); Connection app = connect(instance, SLOW_POLL);
        Statement st = app.createStatement()) {
      CutoverConnection cutover = app.unwrap(CutoverConnection.class);
      long old = planned(admin, app, instance);
      st.addBatch("UPDATE users SET full_name = full_name WHERE id = 1"); // rewritten for `old` now
      long next = MigrationRows.setPhase(admin, "cutover", "users-dn", Phase.DUAL_WRITE);
      assertThat(await(1_000, () -> cutover.currentEpoch() == next)).isNotNegative();
      cutover.refreshMigrations();
      assertThat(appliedEpoch(admin, instance)).isEqualTo(old);
      assertThat(st.executeBatch()).containsExactly(1);
      assertThat(await(1_000, () -> Long.valueOf(next).equals(appliedEpoch(admin, instance)))).isBetween(0L, 999L);
    }
  }

  @Test
  void close_lastConnection_deletesInstanceRowAndReconnectWritesItAgain() throws Exception {
    String instance = "ack-close";
    try (Connection admin = db.plainConnection()) {
      Connection first = connect(instance, SLOW_POLL);
      Connection second = connect(instance, SLOW_POLL);
      assertThat(await(2_000, () -> appliedEpoch(admin, instance) != null)).isNotNegative();
      first.close();
      assertThat(appliedEpoch(admin, instance)).as("one connection still open").isNotNull();
      second.close();
      assertThat(appliedEpoch(admin, instance)).as("row deleted when the last connection closed").isNull();
      Thread.sleep(1_500); // the lingering runtime must not write it back while it has no connection
      assertThat(appliedEpoch(admin, instance)).isNull();

      try (Connection again = connect(instance, SLOW_POLL)) {
        assertThat(await(2_000, () -> appliedEpoch(admin, instance) != null)).isNotNegative();
      }
      assertThat(appliedEpoch(admin, instance)).isNull();
    }
  }

  @Test
  void heartbeat_idleConnectionWithSlowPolling_continuesAtLeastEveryFiveSeconds() throws Exception {
    String instance = "ack-idle";
    try (Connection admin = db.plainConnection(); Connection app = connect(instance, SLOW_POLL)) {
      assertThat(await(2_000, () -> appliedEpoch(admin, instance) != null)).isNotNegative();
      Timestamp first = heartbeatAt(admin, instance);
      assertThat(await(6_500, () -> {
        try {
          return heartbeatAt(admin, instance).after(first);
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      })).as("ms until the next heartbeat").isNotNegative();
    }
  }

  @Test
  void heartbeatMillis_boundedBetweenOneAndFiveSeconds() {
    assertThat(CutoverRuntime.heartbeatMillis(50)).isEqualTo(1_000);
    assertThat(CutoverRuntime.heartbeatMillis(2_500)).isEqualTo(2_500);
    assertThat(CutoverRuntime.heartbeatMillis(60_000)).isEqualTo(5_000);
  }

  /**
   * A statement reads the epoch for its transaction's mark before it writes the mark; when the
   * runtime publishes a new snapshot and scans the marks in between, it acknowledges the new epoch
   * and the mark then carries the older one, while the statement itself reads the new snapshot. The
   * next heartbeat must not take the acknowledgement back: the CLI had already counted it, and its
   * fence ended the connections of an instance whose acknowledgement went back (a CI run's
   * LazyCutoverCliTest lost its application connection with 57P01 during a rollback).
   */
  @Test
  void applied_markWrittenAfterTheScan_neverGoesBack() throws Exception {
    String instance = "ack-late-mark";
    try (Connection admin = db.plainConnection(); Connection app = connect(instance, SLOW_POLL)) {
      CutoverConnection cutover = app.unwrap(CutoverConnection.class);
      long old = planned(admin, app, instance);
      long next = MigrationRows.setPhase(admin, "cutover", "users-dn", Phase.DUAL_WRITE);
      cutover.refreshMigrations();
      assertThat(await(1_000, () -> Long.valueOf(next).equals(appliedEpoch(admin, instance)))).isNotNegative();

      CutoverRuntime runtime = RuntimeRegistry.running().stream()
          .filter(r -> r.config().instance().equals(instance)).findFirst().orElseThrow();
      TransactionMark late = runtime.register();
      try {
        late.begin(old); // the epoch read before the scan, written after it
        cutover.refreshMigrations(); // forces a heartbeat
        assertThat(appliedEpoch(admin, instance)).isEqualTo(next);
        runQuery(app);
        cutover.refreshMigrations();
        assertThat(appliedEpoch(admin, instance)).isEqualTo(next);
      } finally {
        runtime.unregister(late);
      }
    }
  }
}
