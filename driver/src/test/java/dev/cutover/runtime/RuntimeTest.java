package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.CutoverConnection;
import dev.cutover.control.ControlSchema;
import dev.cutover.migration.Phase;
import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The runtime reads migrations from the control schema and reports its heartbeat. */
class RuntimeTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @BeforeAll
  static void install() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      dev.cutover.control.install.ControlSchemaInstaller.install(c, "cutover");
      st.execute("CREATE TABLE users (id bigint PRIMARY KEY, full_name text)");
    }
  }

  static long insertMigration(Connection c, String id, Phase phase) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO cutover.migrations (id, table_schema, table_name, old_column, new_column, physical_new_column,"
            + " phase, epoch, spec) VALUES (?, 'public', 'users', 'full_name', 'display_name', 'display_name', ?,"
            + " nextval('cutover.epoch_seq'), '{}') RETURNING epoch")) {
      ps.setString(1, id);
      ps.setString(2, phase.sqlName());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  static long setPhase(Connection c, String id, Phase phase) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE cutover.migrations SET phase = ?, epoch = nextval('cutover.epoch_seq') WHERE id = ? RETURNING epoch")) {
      ps.setString(1, phase.sqlName());
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static Connection connect(String instance, long refreshMillis) throws SQLException {
    Properties p = db.properties();
    p.setProperty("cutover.instance", instance);
    p.setProperty("cutover.refreshMillis", Long.toString(refreshMillis));
    return java.sql.DriverManager.getConnection(db.cutoverUrl(), p);
  }

  private static Long appliedEpoch(Connection c, String instance) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT applied_epoch FROM cutover.instances WHERE instance = ?")) {
      ps.setString(1, instance);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  @Test
  void refreshMigrations_seesPhaseChangesAndReportsHeartbeat() throws SQLException {
    try (Connection admin = db.plainConnection(); Connection app = connect("runtime-test", 60_000)) {
      CutoverConnection cutover = app.unwrap(CutoverConnection.class);
      long start = cutover.currentEpoch();

      long planned = insertMigration(admin, "users-display-name", Phase.PLANNED);
      assertThat(planned).isGreaterThan(start);
      assertThat(cutover.refreshMigrations()).isEqualTo(planned);
      assertThat(cutover.currentSnapshot().migrations())
          .singleElement()
          .satisfies(m -> {
            assertThat(m.id()).isEqualTo("users-display-name");
            assertThat(m.phase()).isEqualTo(Phase.PLANNED);
          });
      assertThat(appliedEpoch(admin, "runtime-test")).isEqualTo(planned);

      long dualWrite = setPhase(admin, "users-display-name", Phase.DUAL_WRITE);
      cutover.refreshMigrations();
      assertThat(cutover.currentEpoch()).isEqualTo(dualWrite);
      assertThat(cutover.currentSnapshot().migrations().get(0).phase()).isEqualTo(Phase.DUAL_WRITE);
      assertThat(appliedEpoch(admin, "runtime-test")).isEqualTo(dualWrite);

      // A statement on the migrating table still runs (the stub rewriter leaves it unchanged today).
      try (PreparedStatement ps = app.prepareStatement("SELECT count(*) FROM users WHERE full_name = ?")) {
        ps.setString(1, "x");
        setPhase(admin, "users-display-name", Phase.PLANNED);
        cutover.refreshMigrations();
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getLong(1)).isZero();
        }
      }
    } finally {
      try (Connection admin = db.plainConnection(); Statement st = admin.createStatement()) {
        st.execute("DELETE FROM cutover.migrations");
      }
    }
  }

  @Test
  void poller_picksUpChangesWithoutRefresh() throws Exception {
    try (Connection admin = db.plainConnection(); Connection app = connect("poller-test", 50)) {
      CutoverConnection cutover = app.unwrap(CutoverConnection.class);
      cutover.refreshMigrations();
      long epoch = insertMigration(admin, "poll-me", Phase.PLANNED);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (cutover.currentEpoch() != epoch && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(cutover.currentEpoch()).isEqualTo(epoch);
    } finally {
      try (Connection admin = db.plainConnection(); Statement st = admin.createStatement()) {
        st.execute("DELETE FROM cutover.migrations");
      }
    }
  }
}
