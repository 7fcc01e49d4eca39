package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.cli.CutoverCommand;
import dev.cutover.testing.TestDatabase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Three driver instances, each its own JVM ({@link InstanceApplication}), busy throughout a rename:
 * {@code advance} waits for an instance that holds a transaction open; an instance killed with
 * {@code destroyForcibly} is ignored once its heartbeat is older than {@code --instance-ttl}; the
 * listener connections, terminated by the server, come back. All along, a sampler reads the live
 * instances' applied epochs: together with the epochs in the audit log they show that no two
 * non-adjacent phases were ever in use at once (min and max applied epoch never span more than one
 * phase change).
 *
 * <p>A database restart is not tested: the server is shared with every other test.
 */
class ThreeInstancesTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  private static final String TTL = "6s";

  record Run(int exit, String out, long millis) {}

  record Sample(long min, long max) {}

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void rename_threeInstances_waitsForLaggard_ignoresDead_survivesListenerLoss_neverSpansTwoPhases() throws Exception {
    sql("CREATE TABLE items (id int PRIMARY KEY, label text)",
        "INSERT INTO items SELECT g, 'seed ' || g FROM generate_series(1, 200) g");
    Path file = dir.resolve("m.yaml");
    Files.writeString(file, "id: items-title\ntable: items\nrename: {from: label, to: title}\n");
    ok(cli("init"));
    ok(cli("plan", file.toString()));
    long planEpoch = query("SELECT epoch FROM cutover.migrations WHERE id = 'items-title'");

    Path stop = dir.resolve("stop");
    String[] names = {"inst-a", "inst-b", "inst-c"};
    List<Process> apps = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      apps.add(java(dir.resolve(names[i] + ".log"), InstanceApplication.class.getName(),
          db.cutoverUrl() + "?cutover.refreshMillis=1000&cutover.instance=" + names[i], db.user(), stop.toString(),
          dir.resolve("hold-" + names[i]).toString(), String.valueOf(1_000_000 * (i + 1))));
    }
    AtomicBoolean sampling = new AtomicBoolean(true);
    List<Sample> samples = new CopyOnWriteArrayList<>();
    List<String> sampleErrors = new CopyOnWriteArrayList<>();
    Thread sampler = new Thread(() -> {
      try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
        while (sampling.get()) {
          try (ResultSet rs = st.executeQuery("SELECT min(applied_epoch), max(applied_epoch), count(*)"
              + " FROM cutover.instances WHERE heartbeat_at > now() - interval '" + TTL + "'")) {
            rs.next();
            if (rs.getLong(3) > 0) {
              samples.add(new Sample(rs.getLong(1), rs.getLong(2)));
            }
          }
          Thread.sleep(20);
        }
      } catch (Exception e) {
        sampleErrors.add(e.toString());
      }
    });
    try {
      awaitTrue("three instances applied the plan", () -> query("SELECT count(*) FROM cutover.instances"
          + " WHERE applied_epoch >= " + planEpoch) == 3);
      sampler.start();

      ok(cli("advance", "items-title", "--wait", "30s", "--instance-ttl", TTL));
      ok(cli("backfill", "items-title"));
      ok(cli("advance", "items-title", "--wait", "30s", "--instance-ttl", TTL));
      assertThat(phase()).isEqualTo("read_new");

      // 1. A lagging instance: inst-b keeps a transaction (begun in read_new) open for three seconds.
      Files.writeString(dir.resolve("hold-inst-b"), "hold");
      awaitTrue("inst-b holds its transaction", () -> Files.readString(dir.resolve("inst-b.log")).contains("HOLDING"));
      Run lag = cli("advance", "items-title", "--wait", "30s", "--instance-ttl", TTL);
      ok(lag);
      assertThat(lag.out()).contains("read_new -> new_only", "waiting for");
      assertThat(lag.millis()).as(lag.out()).isGreaterThan(1500);
      assertThat(Files.readString(dir.resolve("inst-b.log"))).contains("RELEASED");

      // 2. A dead instance: killed without closing, its row stays; ignored once its heartbeat expired.
      apps.get(2).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      Run dead = cli("rollback", "items-title", "--wait", "30s", "--instance-ttl", TTL);
      ok(dead);
      assertThat(dead.out()).contains("new_only -> read_new", "waiting for");
      assertThat(dead.millis()).as(dead.out()).isGreaterThan(3000);
      assertThat(query("SELECT count(*) FROM cutover.instances WHERE instance = 'inst-c'")).isEqualTo(1);
      assertThat(phase()).isEqualTo("read_new");

      // 3. The listeners' connections are terminated by the server; they reconnect by themselves.
      assertThat(query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database()"
          + " AND application_name LIKE 'cutover-listener%'")).isEqualTo(2);
      awaitTrue("both listeners reconnected", () -> query("SELECT count(*) FROM pg_stat_activity"
          + " WHERE datname = current_database() AND application_name LIKE 'cutover-listener%'") == 2);
      Run afterLoss = cli("advance", "items-title", "--wait", "10s", "--instance-ttl", TTL);
      ok(afterLoss);
      assertThat(afterLoss.millis()).isLessThan(10_000);
      ok(cli("advance", "items-title", "--force", "--wait", "30s", "--instance-ttl", TTL));
      assertThat(phase()).isEqualTo("completed");
      Thread.sleep(1500); // load in completed too
    } finally {
      sampling.set(false);
      Files.writeString(stop, "stop");
      for (Process p : apps) {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      sampler.join(10_000);
    }
    for (int i = 0; i < 2; i++) {
      String log = Files.readString(dir.resolve(names[i] + ".log"));
      assertThat(apps.get(i).exitValue()).as(names[i] + "\n" + log).isZero();
      assertThat(log).contains("FAILURES 0");
    }
    assertThat(sampleErrors).isEmpty();

    // No moment with two non-adjacent phases in use: between the oldest and the newest applied epoch
    // of live instances there is at most one phase change.
    List<Long> changes = new ArrayList<>();
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT epoch FROM cutover.audit_log WHERE migration_id = 'items-title'"
            + " AND from_phase IS NOT NULL ORDER BY id")) {
      while (rs.next()) {
        changes.add(rs.getLong(1));
      }
    }
    assertThat(changes).hasSize(6);
    assertThat(samples).hasSizeGreaterThan(100);
    int maxSpan = 0;
    for (Sample s : samples) {
      long span = changes.stream().filter(e -> e > s.min() && e <= s.max()).count();
      assertThat(span).as("sample %s against phase-change epochs %s", s, changes).isLessThanOrEqualTo(1);
      maxSpan = Math.max(maxSpan, (int) span);
    }
    // Not vacuous: the sampler did see instances one phase apart (the laggard, the dead one).
    assertThat(maxSpan).isEqualTo(1);
  }

  private String phase() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT phase FROM cutover.migrations WHERE id = 'items-title'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void ok(Run run) {
    assertThat(run.exit()).as(run.out()).isZero();
  }

  private Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of("--url", db.plainUrl(), "--user", db.user()));
    all.addAll(List.of(args));
    if (args[0].equals("advance")) {
      all.add("--yes"); // a script: entering completed is not asked about
    }
    StringWriter out = new StringWriter();
    long start = System.nanoTime();
    int exit = CutoverCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
        .execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), (System.nanoTime() - start) / 1_000_000);
  }

  interface Check {
    boolean ok() throws Exception;
  }

  private static void awaitTrue(String what, Check check) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  private void sql(String... statements) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  private long query(String sql) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Process java(Path log, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
