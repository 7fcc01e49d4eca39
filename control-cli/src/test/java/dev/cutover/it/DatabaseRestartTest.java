package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.cli.CutoverCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three driver instances under load survive a restart of the database server: their poller,
 * heartbeat and listener connections reconnect by themselves, the next phase change is acknowledged
 * by all three (so {@code cutover advance --wait} completes), the applications' statements succeed
 * again and follow the new phase, and at no moment were two non-adjacent phases in use.
 *
 * <p>The test restarts a PostgreSQL cluster of its own ({@code pg_createcluster} on a free port,
 * dropped at the end), so it never disturbs other tests sharing the machine's server. It runs where
 * the Debian cluster tools are installed and may be used (root or the postgres user): the
 * developers' machines and CI; elsewhere it is skipped.
 */
class DatabaseRestartTest {

  private static final String TTL = "10s";

  @TempDir Path dir;

  record Run(int exit, String out) {}

  record Sample(long min, long max) {}

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void rename_serverRestartedUnderThreeInstances_reconnectsAcknowledgesAndFollowsNextPhase() throws Exception {
    PrivateCluster.assumeAvailable();
    try (PrivateCluster cluster = PrivateCluster.start("cutover_restart")) {
      exercise(cluster);
    }
  }

  private void exercise(PrivateCluster cluster) throws Exception {
    String plainUrl = cluster.url();
    cluster.awaitAccepting();
    sql(plainUrl, "CREATE TABLE items (id int PRIMARY KEY, label text)",
        "INSERT INTO items SELECT g, 'seed ' || g FROM generate_series(1, 200) g");
    Path file = dir.resolve("m.yaml");
    Files.writeString(file, "id: items-title\ntable: items\nrename: {from: label, to: title}\n");
    ok(cli(plainUrl, "init"));
    ok(cli(plainUrl, "plan", file.toString()));

    String cutoverUrl = "jdbc:cutover:" + plainUrl.substring("jdbc:".length());
    List<HikariDataSource> pools = new ArrayList<>();
    List<Thread> loads = new ArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong okAfterAdvance = new AtomicLong();
    AtomicBoolean advancedAfterRestart = new AtomicBoolean();
    List<String> failuresAfterAdvance = new CopyOnWriteArrayList<>();
    List<String> mismatches = new CopyOnWriteArrayList<>();
    List<Sample> samples = new CopyOnWriteArrayList<>();
    String[] names = {"restart-a", "restart-b", "restart-c"};
    try {
      for (int i = 0; i < names.length; i++) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(cutoverUrl + "?cutover.refreshMillis=500&cutover.instance=" + names[i]);
        config.setUsername("postgres");
        config.setMaximumPoolSize(2);
        config.setConnectionTimeout(2_000);
        HikariDataSource pool = new HikariDataSource(config);
        pools.add(pool);
        int firstId = 1_000_000 * (i + 1);
        Thread load = new Thread(() -> load(pool, firstId, running, advancedAfterRestart, okAfterAdvance,
            failuresAfterAdvance, mismatches), names[i]);
        loads.add(load);
        load.start();
      }
      Thread sampler = new Thread(() -> sample(plainUrl, running, samples), "sampler");
      sampler.start();
      loads.add(sampler);

      ok(cli(plainUrl, "advance", "items-title", "--wait", "30s", "--instance-ttl", TTL));
      ok(cli(plainUrl, "backfill", "items-title"));
      assertThat(query(plainUrl, "SELECT count(*) FROM cutover.instances WHERE instance LIKE 'restart-%'")).isEqualTo(3);

      cluster.ctl("restart");
      cluster.awaitAccepting();

      // Completes only when all three instances reconnected their side connections, saw the new
      // epoch and acknowledged it.
      Run advance = cli(plainUrl, "advance", "items-title", "--wait", "60s", "--instance-ttl", TTL);
      ok(advance);
      assertThat(advance.out()).contains("dual_write -> read_new");
      advancedAfterRestart.set(true);
      ok(cli(plainUrl, "advance", "items-title", "--wait", "30s", "--instance-ttl", TTL));
      ok(cli(plainUrl, "rollback", "items-title", "--wait", "30s", "--instance-ttl", TTL));
      assertThat(query(plainUrl, "SELECT count(*) FROM cutover.migrations WHERE id = 'items-title' AND phase = 'read_new'"))
          .isEqualTo(1);
      long before = okAfterAdvance.get();
      awaitTrue("the applications run statements after the restart", () -> okAfterAdvance.get() > before + 30);
    } finally {
      running.set(false);
      for (Thread t : loads) {
        t.join(30_000);
      }
      pools.forEach(HikariDataSource::close);
    }

    assertThat(failuresAfterAdvance).as("statements failing after the post-restart phase change").isEmpty();
    assertThat(mismatches).isEmpty();
    // While both columns are live, every row carries the same value in both.
    assertThat(query(plainUrl, "SELECT count(*) FROM items WHERE label IS DISTINCT FROM title")).isZero();
    assertThat(query(plainUrl, "SELECT count(*) FROM items WHERE id >= 1000000")).isGreaterThan(30);

    List<Long> changes = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(plainUrl, "postgres", ""); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT epoch FROM cutover.audit_log WHERE migration_id = 'items-title'"
            + " AND from_phase IS NOT NULL ORDER BY id")) {
      while (rs.next()) {
        changes.add(rs.getLong(1));
      }
    }
    assertThat(changes).hasSize(4);
    assertThat(samples).hasSizeGreaterThan(50);
    for (Sample s : samples) {
      long span = changes.stream().filter(e -> e > s.min() && e <= s.max()).count();
      assertThat(span).as("sample %s against phase-change epochs %s", s, changes).isLessThanOrEqualTo(1);
    }
  }

  /** An application: writes through either name, reads each write back through both. */
  private static void load(HikariDataSource pool, int firstId, AtomicBoolean running, AtomicBoolean advanced,
      AtomicLong okAfterAdvance, List<String> failuresAfterAdvance, List<String> mismatches) {
    int id = firstId;
    while (running.get()) {
      boolean counted = advanced.get(); // failures are expected only while the server restarts
      id++;
      String column = id % 2 == 0 ? "title" : "label";
      String value = "v" + id;
      try (Connection c = pool.getConnection()) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (id, " + column + ") VALUES (?, ?)")) {
          ps.setInt(1, id);
          ps.setString(2, value);
          ps.executeUpdate();
        }
        for (String col : new String[] {"label", "title"}) {
          try (PreparedStatement ps = c.prepareStatement("SELECT " + col + " FROM items WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              String got = rs.next() ? rs.getString(1) : null;
              if (!Objects.equals(got, value)) {
                mismatches.add("id " + id + " via " + col + ": " + got);
              }
            }
          }
        }
        if (counted) {
          okAfterAdvance.incrementAndGet();
        }
      } catch (SQLException e) {
        if (counted) {
          failuresAfterAdvance.add(e.getSQLState() + " " + e.getMessage());
        }
      }
      sleep(10);
    }
  }

  /** The oldest and newest epoch applied by live instances, every 20 ms, reconnecting after the restart. */
  private static void sample(String plainUrl, AtomicBoolean running, List<Sample> samples) {
    while (running.get()) {
      try (Connection c = DriverManager.getConnection(plainUrl, "postgres", ""); Statement st = c.createStatement()) {
        while (running.get()) {
          try (ResultSet rs = st.executeQuery("SELECT min(applied_epoch), max(applied_epoch), count(*)"
              + " FROM cutover.instances WHERE heartbeat_at > now() - interval '" + TTL + "'")) {
            rs.next();
            if (rs.getLong(3) > 0) {
              samples.add(new Sample(rs.getLong(1), rs.getLong(2)));
            }
          }
          sleep(20);
        }
      } catch (SQLException e) {
        sleep(100); // the server is restarting
      }
    }
  }

  private static Run cli(String plainUrl, String... args) {
    List<String> all = new ArrayList<>(List.of("--url", plainUrl, "--user", "postgres"));
    all.addAll(List.of(args));
    if (args[0].equals("advance")) {
      all.add("--yes"); // a script: entering completed is not asked about
    }
    StringWriter out = new StringWriter();
    int exit = CutoverCommand.commandLine().setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(out, true)).execute(all.toArray(String[]::new));
    return new Run(exit, out.toString());
  }

  private static void ok(Run run) {
    assertThat(run.exit()).as(run.out()).isZero();
  }

  private static void sql(String url, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  private static long query(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  private static void awaitTrue(String what, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
