package dev.cutover.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.control.ControlSchema;
import dev.cutover.migration.Phase;
import dev.cutover.runtime.CutoverRuntime;
import dev.cutover.testing.MigrationRows;
import dev.cutover.testing.PgBouncer;
import dev.cutover.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The driver behind PgBouncer in transaction mode (a private PgBouncer of the test's own; skipped
 * when {@code pgbouncer} is not installed): notifications cannot reach it, it finds that out, says
 * so once and relies on polling; phase changes, heartbeats and the lease keep working.
 */
class PgBouncerTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private static final long REFRESH = 500;
  private static final String NOTICE = "do not reach this process";

  private static PgBouncer bouncer;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(PgBouncer.binary().isPresent(),
        "pgbouncer is not installed (neither on the PATH nor /usr/sbin/pgbouncer): apt-get install pgbouncer;"
            + " .ci/run installs it when apt is available");
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      dev.cutover.control.install.ControlSchemaInstaller.install(c, "cutover");
      st.execute("CREATE TABLE users (id bigint PRIMARY KEY, full_name text, display_name text)");
    }
    bouncer = PgBouncer.start(db, "transaction");
  }

  @AfterAll
  static void stop() {
    if (bouncer != null) {
      bouncer.close();
    }
  }

  @AfterEach
  void clean() throws SQLException {
    try (Connection admin = db.plainConnection(); Statement st = admin.createStatement()) {
      st.execute("DELETE FROM cutover.migrations; DELETE FROM users");
    }
  }

  private static Connection throughBouncer(String instance, String notifications) throws SQLException {
    Properties p = db.properties();
    p.setProperty("cutover.instance", instance);
    p.setProperty("cutover.refreshMillis", Long.toString(REFRESH));
    if (notifications != null) {
      p.setProperty("cutover.notifications", notifications);
    }
    // Server-side prepared statements do not survive a transaction pooler before PgBouncer 1.21.
    p.setProperty("prepareThreshold", "0");
    return DriverManager.getConnection(bouncer.cutoverUrl(), p);
  }

  private static CutoverRuntime runtime(Connection c) throws SQLException {
    return c.unwrap(ProxyConnection.class).runtime();
  }

  @Test
  void transactionPooling_notificationsDoNotArrive_pollsAndSaysSoOnce() throws Exception {
    try (LogCapture log = new LogCapture(); Connection app = throughBouncer("pgb-detect", null)) {
      CutoverRuntime runtime = runtime(app);
      assertThat(await(15_000, runtime::pollingOnly)).as("ms until the check gave up").isNotNegative();
      assertThat(runtime.listening()).isFalse();
      Thread.sleep(2 * REFRESH); // nothing more is logged: the listener has stopped
      assertThat(log.count(NOTICE)).as(log.text()).isEqualTo(1);
      assertThat(log.text()).contains("127.0.0.1:" + bouncer.port(), "polling every " + REFRESH + " ms");
    }
  }

  @Test
  void directConnection_checkPasses_listens() throws Exception {
    Properties p = db.properties();
    p.setProperty("cutover.instance", "pgb-direct");
    p.setProperty("cutover.refreshMillis", "60000");
    try (Connection admin = db.plainConnection(); Connection app = DriverManager.getConnection(db.cutoverUrl(), p)) {
      CutoverRuntime runtime = runtime(app);
      dev.cutover.CutoverConnection cutover = app.unwrap(dev.cutover.CutoverConnection.class);
      assertThat(await(10_000, runtime::listening)).isNotNegative();
      // Only a notification explains a change seen within a second with a 60 s poll.
      long epoch = MigrationRows.insertRename(admin, "cutover", "direct", "users", "full_name", "display_name",
          Phase.PLANNED);
      assertThat(await(1_000, () -> cutover.currentEpoch() == epoch))
          .isBetween(0L, 999L);
      assertThat(runtime.pollingOnly()).isFalse();
    }
  }

  /** In session mode each client keeps its server connection: the check passes and notifications work. */
  @Test
  void sessionPooling_checkPasses_listens() throws Exception {
    try (PgBouncer session = PgBouncer.start(db, "session"); Connection admin = db.plainConnection()) {
      Properties p = db.properties();
      p.setProperty("cutover.instance", "pgb-session");
      p.setProperty("cutover.refreshMillis", "60000");
      try (Connection app = DriverManager.getConnection(session.cutoverUrl(), p)) {
        CutoverRuntime runtime = runtime(app);
        dev.cutover.CutoverConnection cutover = app.unwrap(dev.cutover.CutoverConnection.class);
        assertThat(await(10_000, runtime::listening)).isNotNegative();
        long epoch = MigrationRows.insertRename(admin, "cutover", "session", "users", "full_name", "display_name",
            Phase.PLANNED);
        assertThat(await(1_000, () -> cutover.currentEpoch() == epoch)).isBetween(0L, 999L);
      }
    }
  }

  @Test
  void pollMode_neverListens() throws Exception {
    try (Connection app = throughBouncer("pgb-poll", "poll")) {
      CutoverRuntime runtime = runtime(app);
      assertThat(runtime.pollingOnly()).isTrue();
      assertThat(runtime.listenerBackendPid()).isZero();
    }
  }

  /**
   * Statements run through PgBouncer on four threads while the phase moves from planned to
   * dual_write to read_new (written directly): each change reaches the driver within about
   * refreshMillis, the driver applies it (a write under dual_write fills both columns), the
   * instance acknowledges each epoch through PgBouncer, and no statement fails (the lease is
   * confirmed through PgBouncer too).
   */
  @Test
  void phaseChanges_reachTheDriverByPolling_whileStatementsRun() throws Exception {
    String instance = "pgb-phases";
    try (Connection admin = db.plainConnection(); Connection first = throughBouncer(instance, null)) {
      CutoverRuntime runtime = runtime(first);
      dev.cutover.CutoverConnection cutover = first.unwrap(dev.cutover.CutoverConnection.class);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong ids = new AtomicLong();
      AtomicLong statements = new AtomicLong();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread w = new Thread(() -> {
          try (Connection c = throughBouncer(instance, null);
              PreparedStatement insert = c.prepareStatement("INSERT INTO users (id, full_name) VALUES (?, ?)");
              PreparedStatement select = c.prepareStatement("SELECT full_name FROM users WHERE id = ?")) {
            while (!stop.get()) {
              long id = ids.incrementAndGet();
              insert.setLong(1, id);
              insert.setString(2, "name " + id);
              insert.executeUpdate();
              select.setLong(1, id);
              try (ResultSet rs = select.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("name " + id);
              }
              statements.addAndGet(2);
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        });
        w.start();
        writers.add(w);
      }
      try {
        assertThat(await(15_000, runtime::pollingOnly)).isNotNegative();
        long planned = MigrationRows.insertRename(admin, "cutover", "users-dn", "users", "full_name", "display_name",
            Phase.PLANNED);
        assertThat(await(5_000, () -> cutover.currentEpoch() == planned)).isNotNegative();
        for (Phase phase : new Phase[] {Phase.DUAL_WRITE, Phase.READ_NEW}) {
          Thread.sleep(300);
          long epoch = MigrationRows.setPhase(admin, "cutover", "users-dn", phase);
          long seen = await(5_000, () -> cutover.currentEpoch() == epoch);
          assertThat(seen).as("ms until %s was seen (refreshMillis %d)", phase, REFRESH).isBetween(0L, 3 * REFRESH);
          System.out.printf(java.util.Locale.ROOT, "PgBouncerTest: %s reached the driver through PgBouncer after %d ms (refreshMillis %d)%n",
              phase, seen, REFRESH);
          assertThat(await(10_000, () -> appliedEpoch(admin, instance) >= epoch))
              .as("the heartbeat through PgBouncer acknowledges %s", phase).isNotNegative();
          if (phase == Phase.DUAL_WRITE) {
            // Rows written from now on carry both columns: the driver applies dual_write.
            long mark = ids.get() + 1;
            assertThat(await(5_000, () -> ids.get() > mark + 20)).isNotNegative();
            try (PreparedStatement ps = admin.prepareStatement(
                "SELECT count(*) FROM users WHERE id > ? AND display_name IS DISTINCT FROM full_name")) {
              ps.setLong(1, mark + 4); // a statement in flight at the change may predate it
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).as("rows written under dual_write without the new column").isZero();
              }
            }
          }
        }
        Thread.sleep(1_000);
      } finally {
        stop.set(true);
        for (Thread w : writers) {
          w.join(10_000);
        }
      }
      assertThat(failure.get()).as("a statement failed through PgBouncer").isNull();
      assertThat(statements.get()).isGreaterThan(50);
      try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM users")) {
        rs.next();
        assertThat(rs.getLong(1)).as("every insert that returned is there").isEqualTo(statements.get() / 2);
      }
    }
  }

  private static long appliedEpoch(Connection admin, String instance) {
    try (PreparedStatement ps = admin.prepareStatement("SELECT applied_epoch FROM cutover.instances WHERE instance = ?")) {
      ps.setString(1, instance);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits up to {@code millis} for {@code condition}; returns the milliseconds it took, or -1. */
  private static long await(long millis, BooleanSupplier condition) throws InterruptedException {
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

  /** What is logged meanwhile (slf4j-simple writes to the current {@code System.err}), still passed on. */
  private static final class LogCapture extends OutputStream implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    LogCapture() {
      System.setErr(new PrintStream(this, true, StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void write(int b) {
      copy.write(b);
      original.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      copy.write(b, off, len);
      original.write(b, off, len);
    }

    synchronized String text() {
      return copy.toString(StandardCharsets.UTF_8);
    }

    int count(String needle) {
      String text = text();
      int n = 0;
      for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
        n++;
      }
      return n;
    }

    @Override
    public void close() {
      System.setErr(original);
    }
  }
}
