package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A driver instance that registers (writes its first heartbeat) late: it read the phase, and its
 * first heartbeat, carrying that phase's epoch, commits only after {@code advance} has recorded
 * the next epoch and counted the live instances. The acknowledgement wait did not see it (no row
 * yet), nor did the fence (its connections, as behind a pooler, carry no tag), and the heartbeat
 * then confirmed its lease for the phase it had read: for a lease's time it ran statements two
 * epochs behind the others. Here, a type change advanced from read_new to new_only: the late
 * instance, still in read_new with the old column not marked stale, read a condition on the old
 * name from the old column, which the instance in new_only no longer writes, and missed its new
 * row. The heartbeat is held at the exact point by a row lock on the instance's key.
 */
class LateRegistrationTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  @org.junit.jupiter.api.BeforeEach
  void noControlSchema() throws SQLException {
    sql("DROP SCHEMA IF EXISTS cutover CASCADE"); // the database is the class's: no other test's migration
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void instanceRegisteringAfterTheBarrier_doesNotRunOnThePhaseItReadBefore() throws Exception {
    sql("CREATE TABLE pay (id int PRIMARY KEY, amount numeric(10,2), note text)", "CREATE INDEX ON pay (amount)",
        "INSERT INTO pay SELECT g, g * 0.25 FROM generate_series(1, 100) g");
    Path file = dir.resolve("pay.yaml");
    Files.writeString(file, "id: pay\ntable: pay\nchangeType:\n  column: amount\n  to: amount_cents\n  type: bigint\n"
        + "  up: \"(amount * 100)::bigint\"\n  down: \"amount_cents / 100.0\"\n");
    Differential.cli(db, "init");
    Differential.cli(db, "plan", file.toString());
    Differential.cli(db, "advance", "pay");
    Differential.cli(db, "backfill", "pay");
    Differential.cli(db, "advance", "pay");
    assertThat(phase()).isEqualTo("read_new");

    try (TcpProxy proxy = TcpProxy.untagging(db.host(), db.port());
        Connection writer = DriverManager.getConnection(db.cutoverUrl() + "?cutover.instance=writer"
            + "&cutover.refreshMillis=100", db.properties());
        Connection blocker = db.plainConnection()) {
      // The late instance's first heartbeat waits on this uncommitted row of its key.
      blocker.setAutoCommit(false);
      try (Statement st = blocker.createStatement()) {
        st.execute("INSERT INTO cutover.instances (instance, applied_epoch, started_at, heartbeat_at)"
            + " VALUES ('late', 0, now(), now())");
      }
      // Behind the proxy, as behind a pooler: the fence cannot tell its backends (assumeMinServerVersion
      // has pgjdbc send application_name in the startup message, which the proxy replaces, rather than
      // SET it afterwards). It reads read_new (epoch E) when it connects, and again in its first poll,
      // whose heartbeat then waits.
      Connection late = DriverManager.getConnection("jdbc:cutover:postgresql://127.0.0.1:" + proxy.port() + "/"
          + db.name() + "?cutover.instance=late&cutover.refreshMillis=5000&cutover.notifications=poll"
          + "&cutover.leaseMillis=20000&assumeMinServerVersion=10", db.properties());
      try {
        awaitHeartbeatWaiting();

        // The stale mark (E+1) and new_only (E+2): every instance the CLI can see acknowledges both.
        Differential.cli(db, "advance", "pay", "--wait", "30s");
        assertThat(phase()).isEqualTo("new_only");
        try (PreparedStatement ps = writer.prepareStatement("INSERT INTO pay (id, amount) VALUES (?, ?)")) {
          ps.setInt(1, 1000);
          ps.setBigDecimal(2, new BigDecimal("12.34"));
          assertThat(ps.executeUpdate()).isEqualTo(1);
        }

        blocker.rollback(); // the heartbeat goes through now, with the epoch the poll read
        awaitRegistered();
        try (PreparedStatement ps = late.prepareStatement("SELECT id FROM pay WHERE amount = ?")) {
          ps.setBigDecimal(1, new BigDecimal("12.34"));
          List<Integer> ids = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getInt(1));
            }
          }
          assertThat(ids).as("rows with amount 12.34, read through the late instance (applied epoch %d, recorded %d)",
              appliedEpoch(), recordedEpoch()).containsExactly(1000);
        }
      } finally {
        late.close();
      }
    }
  }

  /**
   * Open (fails when enabled): the lease is enforced only while the snapshot has an unfinished
   * migration. An instance that connected while none had, and whose own connection to the control
   * schema then fails (here the proxy refuses every connection after the application's first, so
   * its registration at connect fails; a server out of connection slots, a pooler's limit), keeps
   * the empty snapshot, unregistered and unleased, for as long as that lasts. A rename goes from plan
   * to read_new without waiting for it (no row; its backends untagged, as behind a pooler), and its
   * update through the old name, rewritten for no migration at all, reaches the old column alone:
   * the others read the new column, which keeps the value before it (a lost write). Enforcing the
   * lease whenever the control schema is installed would refuse its statements instead, also in
   * applications that migrate nothing, whose statements now never wait for the control schema.
   */
  @Test
  @Disabled("open: while its snapshot has no unfinished migration an instance runs without the lease, so one whose"
      + " control-schema connection fails stays unregistered and keeps writing as if nothing migrated")
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void instanceStartedBeforeThePlan_unregistered_doesNotWriteTheOldColumnAloneAtReadNew() throws Exception {
    sql("CREATE TABLE people (id int PRIMARY KEY, full_name text)",
        "INSERT INTO people SELECT g, 'user ' || g FROM generate_series(1, 100) g");
    Differential.cli(db, "init");
    try (TcpProxy proxy = TcpProxy.untagging(db.host(), db.port());
        Connection reader = DriverManager.getConnection(db.cutoverUrl() + "?cutover.instance=reader"
            + "&cutover.refreshMillis=100", db.properties())) {
      // Its first connection gets through; the one its runtime opens for the control schema (its
      // registration, on the caller's thread) and every later one are refused for now.
      proxy.refuseAfter(1);
      Connection late = DriverManager.getConnection("jdbc:cutover:postgresql://127.0.0.1:" + proxy.port() + "/"
          + db.name() + "?cutover.instance=starting&cutover.refreshMillis=1000&cutover.notifications=poll"
          + "&assumeMinServerVersion=10", db.properties());
      try {
        Path file = dir.resolve("people.yaml");
        Files.writeString(file, "id: people\ntable: people\nrename:\n  from: full_name\n  to: display_name\n");
        Differential.cli(db, "plan", file.toString());
        Differential.cli(db, "advance", "people");
        Differential.cli(db, "backfill", "people");
        Differential.cli(db, "advance", "people");
        assertThat(phase("people")).isEqualTo("read_new");
        try (PreparedStatement ps = late.prepareStatement("UPDATE people SET full_name = ? WHERE id = 1")) {
          ps.setString(1, "written late");
          assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        try (Statement st = reader.createStatement();
            ResultSet rs = st.executeQuery("SELECT display_name FROM people WHERE id = 1")) {
          rs.next();
          assertThat(rs.getString(1)).as("row 1 read at read_new after the late instance's committed update")
              .isEqualTo("written late");
        }
      } finally {
        proxy.refuseAfter(Integer.MAX_VALUE);
        late.close();
      }
    }
  }

  private void awaitHeartbeatWaiting() throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Connection c = db.plainConnection(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
              + " AND wait_event_type = 'Lock' AND query LIKE '%instance_heartbeat%'")) {
        rs.next();
        if (rs.getInt(1) > 0) {
          return;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the late instance's heartbeat never waited");
  }

  private void awaitRegistered() throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Connection c = db.plainConnection(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM cutover.instances WHERE instance = 'late'")) {
        rs.next();
        if (rs.getInt(1) > 0) {
          Thread.sleep(200); // the heartbeat's own connection reports the commit to the runtime
          return;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the late instance never registered");
  }

  private long appliedEpoch() throws SQLException {
    return longQuery("SELECT applied_epoch FROM cutover.instances WHERE instance = 'late'");
  }

  private long recordedEpoch() throws SQLException {
    return longQuery("SELECT epoch FROM cutover.migrations WHERE id = 'pay'");
  }

  private long longQuery(String query) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  private String phase() throws SQLException {
    return phase("pay");
  }

  private String phase(String id) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT phase FROM cutover.migrations WHERE id = '" + id + "'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private void sql(String... statements) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }
}
