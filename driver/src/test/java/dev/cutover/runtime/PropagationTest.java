package dev.cutover.runtime;

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
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Phase changes reach a connected driver through LISTEN/NOTIFY, well before the next poll
 * ({@code cutover.refreshMillis=60000} everywhere here, so only a notification or the reload after
 * the listener reconnects can explain a change seen within a second).
 */
class PropagationTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private static final long SLOW_POLL = 60_000;

  @BeforeAll
  static void install() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      dev.cutover.control.install.ControlSchemaInstaller.install(c, "cutover");
      st.execute("CREATE TABLE users (id bigint PRIMARY KEY, full_name text)");
    }
  }

  @AfterEach
  void clean() throws SQLException {
    try (Connection admin = db.plainConnection(); Statement st = admin.createStatement()) {
      st.execute("DELETE FROM cutover.migrations");
    }
  }

  static Connection connect(String instance, long refreshMillis, Properties extra) throws SQLException {
    Properties p = db.properties();
    p.setProperty("cutover.instance", instance);
    p.setProperty("cutover.refreshMillis", Long.toString(refreshMillis));
    p.putAll(extra);
    return DriverManager.getConnection(db.cutoverUrl(), p);
  }

  /** Waits up to {@code millis} for {@code condition}; returns the milliseconds it took, or -1. */
  static long await(long millis, BooleanSupplier condition) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + millis * 1_000_000L;
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return (System.nanoTime() - start) / 1_000_000L;
      }
      Thread.sleep(10);
    }
    return condition.getAsBoolean() ? millis : -1;
  }

  /** The listener's server pid for {@code instance}, found by its ApplicationName, or 0. */
  static int listenerPid(Connection admin, String instance) throws SQLException {
    try (PreparedStatement ps = admin.prepareStatement(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?")) {
      ps.setString(1, dev.cutover.control.InstanceMarker.applicationName("cutover-listener " + instance,
          dev.cutover.control.InstanceMarker.of("cutover", instance)));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    }
  }

  static int listenerPidQuietly(Connection admin, String instance) {
    try {
      return listenerPid(admin, instance);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void listener_phaseChange_reachesDriverWithinOneSecondDespiteSlowPolling() throws Exception {
    try (Connection admin = db.plainConnection(); Connection app = connect("notify-latency", SLOW_POLL, new Properties())) {
      CutoverConnection cutover = app.unwrap(CutoverConnection.class);
      assertThat(await(5_000, () -> listenerPidQuietly(admin, "notify-latency") != 0)).isNotNegative();

      long planned = MigrationRows.insertRename(admin, "cutover", "users-dn", "users", "full_name", "display_name",
          Phase.PLANNED);
      assertThat(await(1_000, () -> cutover.currentEpoch() == planned)).as("ms until the insert was seen").isBetween(0L, 999L);

      for (Phase phase : new Phase[] {Phase.DUAL_WRITE, Phase.READ_NEW, Phase.DUAL_WRITE}) {
        long epoch = MigrationRows.setPhase(admin, "cutover", "users-dn", phase);
        assertThat(await(1_000, () -> cutover.currentEpoch() == epoch)).as("ms until %s was seen", phase)
            .isBetween(0L, 999L);
        assertThat(cutover.currentSnapshot().migrations().get(0).phase()).isEqualTo(phase);
      }
    }
  }

  /** Regression: a change made while the listener was still connecting waited for the next poll. */
  @Test
  void listener_changeWhileListenerStarts_isSeenAfterItsListen() throws Exception {
    try (Connection admin = db.plainConnection(); Connection app = connect("notify-startup", SLOW_POLL, new Properties())) {
      CutoverConnection cutover = app.unwrap(CutoverConnection.class);
      long planned = MigrationRows.insertRename(admin, "cutover", "users-dn", "users", "full_name", "display_name",
          Phase.PLANNED);
      assertThat(await(1_500, () -> cutover.currentEpoch() == planned)).isNotNegative();
    }
  }

  @Test
  void listener_burstOfChanges_endsOnTheLastEpoch() throws Exception {
    try (Connection admin = db.plainConnection(); Connection app = connect("notify-burst", SLOW_POLL, new Properties())) {
      CutoverConnection cutover = app.unwrap(CutoverConnection.class);
      assertThat(await(5_000, () -> listenerPidQuietly(admin, "notify-burst") != 0)).isNotNegative();
      MigrationRows.insertRename(admin, "cutover", "users-dn", "users", "full_name", "display_name", Phase.PLANNED);
      long last = 0;
      for (int i = 0; i < 20; i++) {
        last = MigrationRows.setPhase(admin, "cutover", "users-dn", i % 2 == 0 ? Phase.DUAL_WRITE : Phase.PLANNED);
      }
      long expected = last;
      assertThat(await(1_000, () -> cutover.currentEpoch() == expected)).isBetween(0L, 999L);
      assertThat(cutover.currentSnapshot().migrations().get(0).phase()).isEqualTo(Phase.PLANNED);
    }
  }

  @Test
  void listener_terminatedByServer_reconnectsAndStillReceivesChanges() throws Exception {
    String instance = "notify-terminated";
    try (Connection admin = db.plainConnection(); Connection app = connect(instance, SLOW_POLL, new Properties())) {
      CutoverConnection cutover = app.unwrap(CutoverConnection.class);
      assertThat(await(5_000, () -> listenerPidQuietly(admin, instance) != 0)).isNotNegative();
      int first = listenerPid(admin, instance);

      // Kill the listener and change the phase at once: the notification may be lost, the reload after
      // reconnecting must catch it.
      long missed;
      try (Statement st = admin.createStatement()) {
        st.execute("SELECT pg_terminate_backend(" + first + ")");
        missed = MigrationRows.insertRename(admin, "cutover", "users-dn", "users", "full_name", "display_name",
            Phase.PLANNED);
      }
      assertThat(await(3_000, () -> cutover.currentEpoch() == missed)).isNotNegative();
      assertThat(await(3_000, () -> {
        int pid = listenerPidQuietly(admin, instance);
        return pid != 0 && pid != first;
      })).as("a new listener connection").isNotNegative();

      long later = MigrationRows.setPhase(admin, "cutover", "users-dn", Phase.DUAL_WRITE);
      assertThat(await(1_000, () -> cutover.currentEpoch() == later)).isBetween(0L, 999L);

      // The application's own connection was not touched.
      try (Statement st = app.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
        assertThat(rs.next()).isTrue();
      }
    }
  }

  /**
   * Regression: a side connection ended while idle (the CLI's fence of a runtime lingering after its
   * last connection closed) made the next refreshMigrations() fail with 57P01 until a poll noticed.
   */
  @Test
  void refreshNow_sideConnectionEndedWhileIdle_reconnectsOnce() throws Exception {
    String instance = "side-ended";
    try (Connection admin = db.plainConnection(); Connection app = connect(instance, SLOW_POLL, new Properties())) {
      CutoverConnection cutover = app.unwrap(CutoverConnection.class);
      cutover.refreshMigrations(); // opens the side connection
      String name = dev.cutover.control.InstanceMarker.applicationName("cutover-runtime " + instance,
          dev.cutover.control.InstanceMarker.of("cutover", instance));
      try (PreparedStatement ps = admin.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
          + " WHERE datname = current_database() AND application_name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).as("the side connection was found").isTrue();
        }
      }
      assertThat(await(5_000, () -> countByName(admin, name) == 0)).isNotNegative();
      long planned = MigrationRows.insertRename(admin, "cutover", "users-dn", "users", "full_name", "display_name",
          Phase.PLANNED);
      assertThat(cutover.refreshMigrations()).isEqualTo(planned);
    }
  }

  @Test
  void sideConnections_applicationNameOfUser_isKept() throws Exception {
    Properties named = new Properties();
    named.setProperty("ApplicationName", "my-app-named");
    try (Connection admin = db.plainConnection(); Connection app = connect("notify-named", SLOW_POLL, named)) {
      // The application's connection, the runtime's side connection and the listener all keep the
      // user's name, tagged with the instance's marker (for the CLI's fence).
      String tagged = dev.cutover.control.InstanceMarker.applicationName("my-app-named",
          dev.cutover.control.InstanceMarker.of("cutover", "notify-named"));
      assertThat(await(5_000, () -> countByName(admin, tagged) == 3)).isNotNegative();
      assertThat(countByName(admin, "my-app-named")).isZero();
    }
  }

  private static int countByName(Connection admin, String name) {
    try (PreparedStatement ps = admin.prepareStatement(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
