package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.CutoverStatistics;
import dev.cutover.cli.CutoverCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read replicas, with a real streaming hot standby: a primary and a standby cluster of the test's
 * own ({@code pg_createcluster} on free ports, the standby made by {@code pg_basebackup -R}, both
 * dropped at the end even on failure; the shared server is never touched). The standby's replay is
 * paused with {@code pg_wal_replay_pause()} to hold it behind.
 *
 * <p>Skipped, saying why, where the Debian cluster tools or {@code pg_basebackup} are missing or
 * cannot be used (they need root or the postgres user).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReadReplicaTest {

  @TempDir static Path dir;

  static PrivateCluster primary;
  static PrivateCluster standby;
  static String primaryUrl;
  static String standbyUrl;

  record Run(int exit, String out) {}

  @BeforeAll
  static void clusters() throws Exception {
    PrivateCluster.assumeAvailable("pg_conftool", "pg_basebackup");
    // wal_level replica, max_wal_senders and trust for replication from localhost are the defaults.
    primary = PrivateCluster.start("cutover_primary");
    primaryUrl = primary.url();
    primary.awaitAccepting();
    standby = PrivateCluster.standbyOf(primary, "cutover_standby");
    standbyUrl = standby.url();
    awaitTrue("the standby streams", () -> query(primaryUrl,
        "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == 1);

    ok(cli("init"));
  }

  @AfterAll
  static void dropClusters() throws Exception {
    // Both, each even when the other fails.
    try {
      if (standby != null) {
        standby.close();
      }
    } finally {
      if (primary != null) {
        primary.close();
      }
    }
  }

  /** The standby's name in pg_stat_replication: its cluster_name, which the Debian tools set. */
  static String standbyName() {
    return standby.clusterName();
  }

  static void migration(String id, String table, int rows) throws Exception {
    sql(primaryUrl, "CREATE TABLE " + table + " (id int PRIMARY KEY, label text)",
        "INSERT INTO " + table + " SELECT g, 'v' || g FROM generate_series(1, " + rows + ") g");
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(f, "id: " + id + "\ntable: " + table + "\nrename: {from: label, to: title}\n");
    ok(cli("plan", f.toString()));
    ok(cli("advance", id));
  }

  static void pauseReplay() throws Exception {
    sql(standbyUrl, "SELECT pg_wal_replay_pause()");
    awaitTrue("replay paused", () -> "paused".equals(text(standbyUrl, "SELECT pg_get_wal_replay_pause_state()")));
  }

  static void resumeReplay() throws Exception {
    sql(standbyUrl, "SELECT pg_wal_replay_resume()");
  }

  @Test
  @Order(1)
  void advanceToReadNew_standbyBehindTheBackfill_waitsUntilItReplaysIt() throws Exception {
    migration("wait-m", "waited", 3000);
    pauseReplay();
    try {
      ok(cli("backfill", "wait-m"));
      ok(cli("verify", "wait-m"));
      CompletableFuture<Run> advance = CompletableFuture.supplyAsync(() -> cli("advance", "wait-m", "--wait", "90s"));
      Thread.sleep(3_000);
      assertThat(advance).as("advance waits for the paused standby").isNotDone();
      assertThat(text(primaryUrl, "SELECT phase FROM cutover.migrations WHERE id = 'wait-m'")).isEqualTo("dual_write");

      // status shows the standby and how far behind it is
      Run status = cli("status");
      ok(status);
      assertThat(status.out()).contains("standbys:", standbyName() + " (127.0.0.1)", "streaming", "bytes of WAL");
      assertThat(status.out()).doesNotContain(" 0 bytes of WAL");
      Run json = cli("status", "--json");
      ok(json);
      assertThat(json.out()).contains("\"standbys\"", "\"name\" : \"" + standbyName() + "\"", "\"lagBytes\"");

      resumeReplay();
      Run done = advance.get(60, TimeUnit.SECONDS);
      ok(done);
      assertThat(done.out()).contains("waiting for 1 standby(s) to replay the backfill of migration 'wait-m'",
          "standby '" + standbyName() + "' (127.0.0.1)", "every standby has replayed the backfill",
          "dual_write -> read_new");
    } finally {
      resumeReplay();
    }
    // The standby has every row filled by the time drivers read the new column.
    awaitTrue("the standby replays the phase change",
        () -> "read_new".equals(text(standbyUrl, "SELECT phase FROM cutover.migrations WHERE id = 'wait-m'")));
    assertThat(query(standbyUrl, "SELECT count(*) FROM waited WHERE title IS DISTINCT FROM label")).isZero();

    // new_only stops writing the old column: drivers on the standby (no heartbeat) get a TTL to read read_new.
    long t0 = System.nanoTime();
    Run newOnly = cli("advance", "wait-m", "--instance-ttl", "3s", "--wait", "30s");
    ok(newOnly);
    assertThat(newOnly.out()).contains("waiting 3s (--instance-ttl) before new_only stops writing \"label\"",
        "read_new -> new_only");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(3_000);
  }

  @Test
  @Order(2)
  void advanceToReadNew_standbyNeverCatchesUp_isRefusedNamingIt() throws Exception {
    migration("stuck-m", "stuck", 500);
    pauseReplay();
    try {
      ok(cli("backfill", "stuck-m"));
      Run run = cli("advance", "stuck-m", "--wait", "2s");
      assertThat(run.exit()).as(run.out()).isEqualTo(3);
      assertThat(run.out()).contains("1 standby(s) have not replayed the backfill of migration 'stuck-m'",
          "standby '" + standbyName() + "' (127.0.0.1)", "of WAL behind", "within --wait 2s",
          "The phase was not changed");
      assertThat(text(primaryUrl, "SELECT phase FROM cutover.migrations WHERE id = 'stuck-m'")).isEqualTo("dual_write");
    } finally {
      resumeReplay();
    }
    ok(cli("advance", "stuck-m", "--wait", "60s"));
  }

  @Test
  @Order(2)
  void advanceToReadNew_disconnectedStandbyKnownByItsSlot_isRefusedNamingIt() throws Exception {
    migration("gone-m", "gone", 200);
    // A standby that used this slot and is gone: the primary knows it only by the slot.
    sql(primaryUrl, "SELECT pg_create_physical_replication_slot('gone_standby', true)");
    try {
      ok(cli("backfill", "gone-m"));
      Run status = cli("status");
      assertThat(status.out()).contains("gone_standby  disconnected");
      Run run = cli("advance", "gone-m", "--wait", "2s");
      assertThat(run.exit()).as(run.out()).isEqualTo(3);
      assertThat(run.out()).contains("standby 'gone_standby' is disconnected (inactive replication slot)",
          "pg_drop_replication_slot");
      assertThat(text(primaryUrl, "SELECT phase FROM cutover.migrations WHERE id = 'gone-m'")).isEqualTo("dual_write");
    } finally {
      sql(primaryUrl, "SELECT pg_drop_replication_slot('gone_standby')");
    }
    ok(cli("advance", "gone-m", "--wait", "60s"));
  }

  @Test
  @Order(3)
  void backfill_standbyFallsBehindMaxReplicaLag_waitsUntilItCatchesUp() throws Exception {
    migration("lag-m", "lagging", 2000);
    pauseReplay();
    CompletableFuture<Run> backfill;
    try {
      // One worker and a pause between chunks: unthrottled, the 20 chunks take over 2 s and are done
      // long before the check below.
      backfill = CompletableFuture.supplyAsync(() -> cli("backfill", "lag-m", "--batch-size", "100",
          "--workers", "1", "--pause", "100ms", "--max-replica-lag", "1kB"));
      Thread.sleep(4_000);
      assertThat(backfill).as("the backfill waits for the standby").isNotDone();
      // The first chunk's WAL puts the standby over 1 kB; the throttle's checks run every 200 ms, so
      // at most the chunks begun before the next check ran (about 100 ms each); none after it.
      assertThat(query(primaryUrl, "SELECT count(*) FROM lagging WHERE title IS NOT NULL")).isBetween(0L, 300L);
    } finally {
      resumeReplay();
    }
    Run done = backfill.get(90, TimeUnit.SECONDS);
    ok(done);
    assertThat(done.out()).contains("throttled: standby '" + standbyName() + "' (127.0.0.1)",
        "> --max-replica-lag 1.0 kB", "done");
    assertThat(query(primaryUrl, "SELECT count(*) FROM lagging WHERE title IS DISTINCT FROM label")).isZero();
  }

  @Test
  @Order(4)
  void cutoverOnTheStandby_dualWriteAndReadNew_readsCorrectValuesAndQueuesNoLazyWrite() throws Exception {
    migration("ro-m", "readonly_rows", 300); // dual_write, not backfilled: every new column is empty
    String url = "jdbc:cutover:" + standbyUrl.substring("jdbc:".length()) + "?cutover.refreshMillis=200&cutover.readTouch=true"; // the lazy migration of rows read is off by default
    awaitTrue("the standby replays dual_write",
        () -> "dual_write".equals(text(standbyUrl, "SELECT phase FROM cutover.migrations WHERE id = 'ro-m'")));
    long queuedBefore = CutoverStatistics.lazyRowsQueued();
    try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
      // Longer than the lease (5 s): the runtime on the standby keeps confirming its phase without a heartbeat.
      for (int round = 0; round < 4; round++) {
        assertThat(readAll(c, "SELECT id, label FROM readonly_rows ORDER BY id")).isEqualTo(expected(300));
        assertThat(readAll(c, "SELECT id, title FROM readonly_rows ORDER BY id")).isEqualTo(expected(300));
        Thread.sleep(2_000);
      }
      assertThat(CutoverStatistics.lazyRowsQueued() - queuedBefore).as("keys queued for lazy migration").isZero();

      // The lazy cut-over: read_new reads COALESCE(new, up(old)), no write needed.
      ok(cli("advance", "ro-m", "--lazy", "--wait", "30s"));
      awaitTrue("the standby replays the lazy cut-over",
          () -> "read_new".equals(text(standbyUrl, "SELECT phase FROM cutover.migrations WHERE id = 'ro-m'")));
      Thread.sleep(1_000); // the standby's runtime polls every 200 ms
      assertThat(readAll(c, "SELECT id, title FROM readonly_rows ORDER BY id")).isEqualTo(expected(300));
      assertThat(readAll(c, "SELECT id, label FROM readonly_rows ORDER BY id")).isEqualTo(expected(300));
      assertThat(CutoverStatistics.lazyRowsQueued() - queuedBefore).as("keys queued for lazy migration").isZero();
    }
    assertThat(query(primaryUrl, "SELECT count(*) FROM readonly_rows WHERE title IS NOT NULL"))
        .as("nothing filled the new column lazily").isZero();
    assertThat(query(primaryUrl, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'cutover-touch%'"))
        .isZero();
  }

  @Test
  @Order(5)
  void cutoverOnThePrimary_readOnlyConnection_queuesNoLazyWrite_writableOneDoes() throws Exception {
    migration("rw-m", "primary_rows", 200);
    String url = "jdbc:cutover:" + primaryUrl.substring("jdbc:".length()) + "?cutover.refreshMillis=200&cutover.readTouch=true"; // the lazy migration of rows read is off by default
    try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
      c.setReadOnly(true);
      long before = CutoverStatistics.lazyRowsQueued();
      assertThat(readAll(c, "SELECT id, title FROM primary_rows ORDER BY id")).isEqualTo(expected(200));
      assertThat(CutoverStatistics.lazyRowsQueued() - before).isZero();
      try (Connection ro = DriverManager.getConnection(url + "&readOnly=true", "postgres", "")) {
        assertThat(readAll(ro, "SELECT id, title FROM primary_rows ORDER BY id")).isEqualTo(expected(200));
      }
      assertThat(CutoverStatistics.lazyRowsQueued() - before).isZero();
      Thread.sleep(1_000);
      assertThat(query(primaryUrl, "SELECT count(*) FROM primary_rows WHERE title IS NOT NULL")).isZero();

      // The same read on a writable connection queues the rows, and they get filled: the guard is what held them back.
      c.setReadOnly(false);
      assertThat(readAll(c, "SELECT id, title FROM primary_rows ORDER BY id")).isEqualTo(expected(200));
      assertThat(CutoverStatistics.lazyRowsQueued() - before).isEqualTo(200);
      awaitTrue("the lazy migration fills the rows read",
          () -> query(primaryUrl, "SELECT count(*) FROM primary_rows WHERE title IS NOT NULL") == 200);
    }
  }

  static List<String> expected(int rows) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= rows; i++) {
      out.add(i + "=v" + i);
    }
    return out;
  }

  static List<String> readAll(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs.getMetaData().getColumnCount()).isEqualTo(2);
      while (rs.next()) {
        out.add(rs.getInt(1) + "=" + rs.getString(2));
      }
    }
    return out;
  }

  // ---- helpers

  static Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of("--url", primaryUrl, "--user", "postgres"));
    all.addAll(List.of(args));
    if (args[0].equals("advance")) {
      all.add("--yes");
    }
    StringWriter out = new StringWriter();
    int exit = CutoverCommand.commandLine().setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(out, true)).execute(all.toArray(String[]::new));
    return new Run(exit, out.toString());
  }

  static void ok(Run run) {
    assertThat(run.exit()).as(run.out()).isZero();
  }

  static void sql(String url, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  static long query(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static String text(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void awaitTrue(String what, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(100);
    }
  }
}
