package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index copy at dual_write ({@code CREATE INDEX CONCURRENTLY}) waits for every older
 * transaction of the database, on any table. Regressions: a report query on another table held
 * {@code advance --lock-retry-budget 10s} for as long as it ran, printing nothing; and a CLI killed
 * during that wait left its server session running with the migration's lock.
 */
class IndexCopyWaitTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() throws Exception {
    cli = new Cli(db);
    cli.ok("init");
    cli.sql("CREATE TABLE report_source (id int PRIMARY KEY)", "INSERT INTO report_source VALUES (1)");
  }

  private static void table(String name) throws Exception {
    cli.sql("CREATE TABLE " + name + " (id int PRIMARY KEY, email text)",
        "CREATE INDEX " + name + "_email_idx ON " + name + " (email)",
        "INSERT INTO " + name + " SELECT g, 'u' || g FROM generate_series(1, 100) g");
    cli.plan(dir, name, name, "rename: {from: email, to: contact}\n");
  }

  /** A long report on another table: a transaction holding a snapshot, named 'nightly-report'. */
  private static Connection report() throws Exception {
    Properties p = new Properties();
    p.setProperty("user", db.user());
    if (!db.password().isEmpty()) {
      p.setProperty("password", db.password());
    }
    p.setProperty("ApplicationName", "nightly-report");
    Connection c = new org.postgresql.Driver().connect(db.plainUrl(), p);
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    try (Statement st = c.createStatement()) {
      st.executeQuery("SELECT count(*) FROM report_source").close();
    }
    return c;
  }

  private static String phase(String id) throws Exception {
    return cli.one("SELECT phase FROM cutover.migrations WHERE id = '" + id + "'");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void indexCopy_behindAnOldTransaction_reportsWhoAndGivesUpAtTheBudget() throws Exception {
    table("budget");
    try (Connection report = report()) {
      long start = System.nanoTime();
      Cli.Run run = CompletableFuture.supplyAsync(() -> cli.run("advance", "budget", "--lock-retry-budget", "3s"))
          .get(30, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      assertThat(run.exit()).as(run.all()).isEqualTo(1);
      assertThat(seconds).as("gave up at the budget").isLessThan(15);
      assertThat(run.out()).contains("index copy \"budget_email_idx_cutover\": waiting for", "nightly-report");
      assertThat(run.err()).contains("waited more than 3s", "nightly-report", "cancelled", "phase did not change");
      assertThat(phase("budget")).isEqualTo("planned");
      assertThat(cli.one("SELECT count(*) FROM pg_index WHERE indrelid = 'budget'::regclass AND NOT indisvalid"))
          .as("no INVALID index left").isEqualTo("0");
      report.commit();
    }
    Cli.Run again = cli.ok("advance", "budget", "--lock-retry-budget", "3s");
    assertThat(again.out()).contains("planned -> dual_write");
    assertThat(cli.one("SELECT count(*) FROM pg_index WHERE indrelid = 'budget'::regclass AND NOT indisvalid"))
        .isEqualTo("0");
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void cliKilledDuringTheIndexWait_leavesNoSessionHoldingTheMigration() throws Exception {
    table("killed");
    Path log = dir.resolve("killed.log");
    try (Connection report = report()) {
      Process p = java(log, "--url", db.plainUrl(), "--user", db.user(), "advance", "killed",
          "--lock-retry-budget", "10m");
      try {
        long deadline = System.nanoTime() + 40_000_000_000L;
        while (cli.one("SELECT count(*) FROM pg_stat_progress_create_index p JOIN pg_stat_activity a USING (pid)"
            + " WHERE a.application_name = 'cutover-cli' AND p.relid = 'killed'::regclass").equals("0")) {
          assertThat(System.nanoTime()).as("the CLI reached the index wait; log:\n" + log(log)).isLessThan(deadline);
          Thread.sleep(100);
        }
      } finally {
        p.destroyForcibly(); // SIGKILL
        p.waitFor(10, TimeUnit.SECONDS);
      }
      // The server notices the client is gone within a second or two, cancels and ends the session.
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!cli.one("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cutover-cli'"
          + " AND datname = current_database() AND pid <> pg_backend_pid()").equals("0")
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      Cli.Run rerun = cli.run("advance", "killed", "--lock-retry-budget", "2s");
      assertThat(rerun.err()).as(rerun.all()).doesNotContain("another cutover command is already working");
      report.commit();
    }
    cli.ok("advance", "killed");
    assertThat(phase("killed")).isEqualTo("dual_write");
    assertThat(cli.one("SELECT count(*) FROM pg_index WHERE indrelid = 'killed'::regclass AND NOT indisvalid"))
        .isEqualTo("0");
  }

  private static String log(Path log) throws Exception {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private static Process java(Path log, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.cutover.cli.CutoverCommand");
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
