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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The fence: an application instance that stops answering at {@code dual_write} (paused with
 * SIGSTOP, or cut off by a stalled network) while {@code advance --wait} goes past it to {@code
 * read_new} and {@code new_only}, and a writer sets rows through the new name, must not write with
 * the stale phase when it comes back. Before the fence, its threads sent {@code UPDATE t SET note
 * = ?, b = a ...} (rewritten for dual_write) on resume and overwrote the new values with the old
 * column's.
 *
 * <p>The instance is a JVM of its own ({@link LedgerApplication}): writers through HikariCP, each
 * with a ledger of what it committed. At the end every row must hold what was last committed (0
 * lost, 0 misplaced); its failed statements are counted by SQLState (refusals and broken
 * connections are fine, a wrong write is not). The tests tagged {@code chaos} are longer variants
 * with the default TTL and lease ({@code ./mvnw -Pchaos ...}, see the README).
 */
class FencingTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  private static final String MIGRATION = "t-b";
  private static final String INSTANCE = "ledger-app";

  /** How an instance stops answering. */
  enum Fault { SIGSTOP, STALLED_NETWORK }

  /**
   * One run's settings.
   *
   * @param ttl the CLI's --instance-ttl
   * @param driverParams the instance's extra URL parameters (its lease)
   * @param writers writer threads of the instance
   * @param shared rows whose note the instance updates and whose new column the other writer sets
   * @param runAfterResumeMillis how long the instance runs after it resumed
   */
  record Settings(String ttl, String driverParams, int writers, int shared, long runAfterResumeMillis) {}

  record Run(int exit, String out) {}

  private Process app;
  private TcpProxy proxy;

  @BeforeEach
  void schema() throws Exception {
    sql("DROP SCHEMA IF EXISTS cutover CASCADE", "DROP TABLE IF EXISTS t",
        "CREATE TABLE t (id int PRIMARY KEY, a text, note text)");
  }

  @AfterEach
  void stopEverything() throws Exception {
    if (app != null && app.isAlive()) {
      signal("CONT", app);
      app.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void sigstop_atDualWrite_advancedPastToNewOnly_resumedInstanceWritesNothingStale() throws Exception {
    scenario(Fault.SIGSTOP, new Settings("4s", "&cutover.leaseMillis=3000", 6, 24, 3_000));
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void stalledNetwork_atDualWrite_advancedPastToNewOnly_resumedInstanceWritesNothingStale() throws Exception {
    scenario(Fault.STALLED_NETWORK, new Settings("4s", "&cutover.leaseMillis=3000", 6, 24, 3_000));
  }

  @Test
  @Tag("chaos")
  @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void chaos_sigstop_defaultTtlAndLease() throws Exception {
    scenario(Fault.SIGSTOP, new Settings("30s", "", 8, 64, 10_000));
  }

  @Test
  @Tag("chaos")
  @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void chaos_stalledNetwork_defaultTtlAndLease() throws Exception {
    scenario(Fault.STALLED_NETWORK, new Settings("30s", "", 8, 64, 10_000));
  }

  private void scenario(Fault fault, Settings s) throws Exception {
    sql("INSERT INTO t SELECT g, 'seed ' || g, 'seed' FROM generate_series(1, " + s.shared() + ") g");
    Path file = dir.resolve("m.yaml");
    Files.writeString(file, "id: " + MIGRATION + "\ntable: t\nrename: {from: a, to: b}\n");
    ok(cli("init"));
    ok(cli("plan", file.toString()));
    ok(cli("advance", MIGRATION));
    ok(cli("backfill", MIGRATION));

    String url = db.cutoverUrl();
    if (fault == Fault.STALLED_NETWORK) {
      Properties server = org.postgresql.Driver.parseURL(db.plainUrl(), new Properties());
      proxy = new TcpProxy(server.getProperty("PGHOST"), Integer.parseInt(server.getProperty("PGPORT")));
      url = "jdbc:cutover:postgresql://127.0.0.1:" + proxy.port() + "/" + db.name();
    }
    Path stop = dir.resolve("stop");
    Path ledgerFile = dir.resolve("ledger");
    Path log = dir.resolve("app.log");
    app = java(log, LedgerApplication.class.getName(),
        url + "?cutover.refreshMillis=1000&cutover.instance=" + INSTANCE + s.driverParams(), db.user(),
        stop.toString(), ledgerFile.toString(), String.valueOf(s.writers()), String.valueOf(s.shared()), "1000000");
    awaitTrue("the instance writes", () -> Files.readString(log).contains("READY"), log);

    if (fault == Fault.SIGSTOP) {
      signal("STOP", app);
    } else {
      proxy.stall();
    }
    long faultAt = System.nanoTime();
    Run advance = cli("advance", MIGRATION, "--to", "new_only", "--wait", "90s", "--instance-ttl", s.ttl());
    ok(advance);
    assertThat(advance.out()).contains("read_new -> new_only").containsPattern(
        "fenced instance " + INSTANCE + " \\(applied epoch \\d+, heartbeat [0-9.]+s ago, --instance-ttl \\S+\\):"
            + " terminated [1-9]\\d* backend\\(s\\)");

    // The other writer sets every shared row through the new name, at new_only.
    Map<Integer, String> newValues = new TreeMap<>();
    try (Connection c = java.sql.DriverManager.getConnection(
        db.cutoverUrl() + "?cutover.instance=new-writer", db.properties());
        PreparedStatement ps = c.prepareStatement("UPDATE t SET b = ? WHERE id = ?")) {
      for (int round = 0; round < 2; round++) {
        for (int id = 1; id <= s.shared(); id++) {
          String value = "new-" + round + "-" + id;
          ps.setString(1, value);
          ps.setInt(2, id);
          assertThat(ps.executeUpdate()).isEqualTo(1);
          newValues.put(id, value);
        }
      }
    }

    if (fault == Fault.SIGSTOP) {
      signal("CONT", app);
    } else {
      proxy.resume();
    }
    long pausedMillis = (System.nanoTime() - faultAt) / 1_000_000;
    Thread.sleep(s.runAfterResumeMillis());
    Files.writeString(stop, "stop");
    assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the instance stops").isTrue();
    String out = Files.readString(log);
    assertThat(app.exitValue()).as(out).isZero();
    assertThat(out).as(out).doesNotContain("Exception in thread");

    // Every row holds what was last committed: the instance's ledger, and the new writer's values.
    Map<String, Set<String>> ledger = LedgerApplication.read(ledgerFile);
    Map<Integer, String[]> rows = new HashMap<>();
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, b, note FROM t")) {
      while (rs.next()) {
        rows.put(rs.getInt(1), new String[] {rs.getString(2), rs.getString(3)});
      }
    }
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : ledger.entrySet()) {
      String[] key = e.getKey().split(" ");
      String[] row = rows.get(Integer.parseInt(key[1]));
      String actual = row == null ? LedgerApplication.ABSENT : key[0].equals("note") ? row[1] : row[0];
      if (!e.getValue().contains(actual)) {
        wrong.add(e.getKey() + " is " + actual + ", committed " + e.getValue());
      }
    }
    for (Map.Entry<Integer, String> e : newValues.entrySet()) {
      String actual = rows.get(e.getKey())[0];
      if (!e.getValue().equals(actual)) {
        wrong.add("b of shared row " + e.getKey() + " is " + actual + ", the new writer committed " + e.getValue());
      }
    }
    Map<String, Long> failures = new TreeMap<>();
    Matcher m = Pattern.compile("(?m)^FAILED (\\S+) (\\d+)").matcher(out);
    while (m.find()) {
      failures.put(m.group(1), Long.parseLong(m.group(2)));
    }
    Matcher okAfter = Pattern.compile("OK (\\d+) OK_AFTER_PAUSE (\\d+)").matcher(out);
    assertThat(okAfter.find()).as(out).isTrue();
    System.out.printf("%s: paused %d ms; %d ledger entries, %d wrong; the instance's failed statements by SQLState: %s;"
        + " %s statements ok, %s after the pause%n%s%n", fault, pausedMillis, ledger.size(), wrong.size(), failures,
        okAfter.group(1), okAfter.group(2), advance.out());
    assertThat(wrong).as("rows that do not hold what was last committed (lost or misplaced writes)\n" + out).isEmpty();
    assertThat(ledger.size()).isGreaterThan(s.shared());
    // The application keeps running once it is back: it reconnected and wrote at the current phase.
    assertThat(Long.parseLong(okAfter.group(2))).as(out).isPositive();
  }

  private static void signal(String signal, Process process) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor()).isZero();
  }

  private static void ok(Run run) {
    assertThat(run.exit()).as(run.out()).isZero();
  }

  private Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of("--url", db.plainUrl(), "--user", db.user()));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    int exit = new CommandLine(new CutoverCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
        .execute(all.toArray(String[]::new));
    return new Run(exit, out.toString());
  }

  interface Check {
    boolean ok() throws Exception;
  }

  private static void awaitTrue(String what, Check check, Path log) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what + "\n" + Files.readString(log));
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

  private static Process java(Path log, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    command.add(mainClass);
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
