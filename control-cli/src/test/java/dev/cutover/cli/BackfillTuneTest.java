package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cutover tune} changes a running backfill from another "terminal" (a second CLI run, with
 * its own connection, as from another machine) through the control schema; {@code status} shows
 * the settings and why the backfill waits.
 */
class BackfillTuneTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() throws Exception {
    cli = new Cli(db);
    assertThat(cli.run("init").exit()).isEqualTo(0);
  }

  static void table(String id, String table, int rows) throws Exception {
    cli.sql("CREATE TABLE " + table + " (id int PRIMARY KEY, a text)",
        "INSERT INTO " + table + " SELECT g, 'v' || g FROM generate_series(1, " + rows + ") g");
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(f, "id: " + id + "\ntable: " + table + "\nrename: {from: a, to: b}\n");
    assertThat(cli.run("plan", f.toString()).exit()).isEqualTo(0);
    Cli.Run run = cli.run("advance", id);
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
  }

  static long rowsDone(String id) throws Exception {
    return Long.parseLong(cli.one("SELECT coalesce((SELECT rows_done FROM cutover.backfill_state WHERE migration_id = '"
        + id + "'), 0)"));
  }

  static void await(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  static long filled(String table) {
    try {
      return Long.parseLong(cli.one("SELECT count(*) FROM " + table + " WHERE b IS NOT NULL"));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String control(String id, String column) {
    try {
      // Empty until the backfill has written its row.
      return String.join("", cli.query("SELECT " + column + " FROM cutover.backfill_control WHERE migration_id = '"
          + id + "'"));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void tune_pausesResumesAndChangesWorkersAndBatchSize_ofARunningBackfill() throws Exception {
    int rows = 40_000;
    table("tuned-b", "tuned", rows);
    // Slow on purpose: one worker, 100 rows a chunk, 100 ms between chunks (about 1,000 rows/s).
    CompletableFuture<Cli.Run> backfill = CompletableFuture.supplyAsync(() -> cli.run("backfill", "tuned-b",
        "--batch-size", "100", "--workers", "1", "--pause", "100ms"));
    await("the first chunks", () -> filled("tuned") >= 300);

    Cli.Run pause = cli.run("tune", "tuned-b", "pause=true");
    assertThat(pause.exit()).as(pause.all()).isEqualTo(0);
    assertThat(pause.out()).contains("paused", "applied by the running backfill");
    Thread.sleep(500); // a chunk under way when the pause arrived commits
    long pausedAt = filled("tuned");
    Thread.sleep(2_000);
    assertThat(filled("tuned")).as("no chunk while paused").isEqualTo(pausedAt);
    assertThat(backfill).isNotDone();
    Cli.Run status = cli.run("status", "tuned-b");
    assertThat(status.out()).contains("backfill settings: batch size 100", "1 worker(s), paused",
        "throttled: paused (`cutover tune tuned-b pause=false` resumes)");
    assertThat(control("tuned-b", "throttle_reasons::text")).contains("paused");

    Cli.Run resume = cli.run("tune", "tuned-b", "pause=false", "workers=3", "batch-size=500");
    assertThat(resume.exit()).as(resume.all()).isEqualTo(0);
    assertThat(resume.out()).contains("batch size 500", "3 worker(s)", "running", "applied by the running backfill");
    await("progress after the resume", () -> filled("tuned") > pausedAt);
    await("three workers", () -> control("tuned-b", "active_workers").equals("3"));
    Cli.Run running = cli.run("status", "tuned-b");
    assertThat(running.out()).contains("batch size 500", "3 worker(s)", "3 worker(s) active", "chunks of 500 rows",
        "throttled: no");
    Cli.Run json = cli.run("--json", "status", "tuned-b");
    assertThat(json.out().replace(" ", "")).contains("\"batchSize\":500", "\"workers\":3", "\"paused\":false",
        "\"running\":true", "\"activeWorkers\":3");

    Cli.Run done = backfill.get(120, TimeUnit.SECONDS);
    assertThat(done.exit()).as(done.all()).isEqualTo(0);
    assertThat(done.out()).contains(rows + "/" + rows, "done");
    assertThat(cli.one("SELECT count(*) FROM tuned WHERE b IS DISTINCT FROM a")).isEqualTo("0");
    assertThat(rowsDone("tuned-b")).as("each row counted once across workers").isEqualTo(rows);
    assertThat(cli.run("verify", "tuned-b").exit()).isEqualTo(0);
    assertThat(cli.run("status", "tuned-b").out()).contains("backfill not running (last run: finished)");

    Cli.Run late = cli.run("tune", "tuned-b", "workers=2");
    assertThat(late.exit()).isEqualTo(1);
    assertThat(late.err()).contains("no backfill of 'tuned-b' is running");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void tune_maxLag_holdsTheBackfill_andStatusSaysItIsTheReplicaLag() throws Exception {
    cli.sql("CREATE SCHEMA IF NOT EXISTS lagtest", "CREATE TABLE lagtest.fake (seconds float8)",
        "INSERT INTO lagtest.fake VALUES (5)",
        "CREATE FUNCTION lagtest.lag() RETURNS float8 LANGUAGE sql AS 'SELECT seconds FROM lagtest.fake'");
    int rows = 20_000;
    table("lagged-b", "lagged", rows);
    // No lag limit at the start: the (fake) 5 s lag does not matter until tune sets one.
    CompletableFuture<Cli.Run> backfill = CompletableFuture.supplyAsync(() -> cli.run("backfill", "lagged-b",
        "--batch-size", "100", "--workers", "1", "--pause", "100ms", "--lag-query", "SELECT lagtest.lag()"));
    await("the first chunks", () -> filled("lagged") >= 200);
    Cli.Run limit = cli.run("tune", "lagged-b", "max-lag=1s");
    assertThat(limit.exit()).as(limit.all()).isEqualTo(0);
    assertThat(limit.out()).contains("max lag 1s", "applied by the running backfill");
    Thread.sleep(500);
    long heldAt = filled("lagged");
    Thread.sleep(1_500);
    assertThat(filled("lagged")).as("no chunk while the lag exceeds max-lag").isEqualTo(heldAt);
    assertThat(cli.run("status", "lagged-b").out()).contains("max lag 1s",
        "throttled: replication lag 5.0s > --max-lag 1s");

    Cli.Run off = cli.run("tune", "lagged-b", "max-lag=off", "workers=4", "batch-size=auto");
    assertThat(off.exit()).as(off.all()).isEqualTo(0);
    assertThat(off.out()).contains("batch size auto", "max lag off");
    Cli.Run done = backfill.get(100, TimeUnit.SECONDS);
    assertThat(done.exit()).as(done.all()).isEqualTo(0);
    assertThat(done.out()).contains("throttled: replication lag 5.0s > --max-lag 1s", rows + "/" + rows, "done");
    assertThat(cli.one("SELECT count(*) FROM lagged WHERE b IS DISTINCT FROM a")).isEqualTo("0");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void maxTransactionAge_holdsTheBackfill_whileALongTransactionIsOpen() throws Exception {
    table("old-b", "oldtx", 2_000);
    try (java.sql.Connection tx = db.plainConnection()) {
      tx.setAutoCommit(false);
      try (java.sql.Statement st = tx.createStatement()) {
        st.execute("SELECT txid_current()"); // holds back vacuum's horizon until it ends
      }
      Thread.sleep(1_200);
      CompletableFuture<Cli.Run> backfill = CompletableFuture.supplyAsync(() -> cli.run("backfill", "old-b",
          "--batch-size", "100", "--max-transaction-age", "1s"));
      await("the backfill's report", () -> control("old-b", "throttle_reasons::text").contains("long transaction"));
      assertThat(filled("oldtx")).as("no chunk while the transaction is open").isZero();
      assertThat(cli.run("status", "old-b").out()).contains("throttled: long transaction: pid",
          "> --max-transaction-age 1s");
      tx.commit();
      Cli.Run done = backfill.get(60, TimeUnit.SECONDS);
      assertThat(done.exit()).as(done.all()).isEqualTo(0);
      assertThat(done.out()).contains("2000/2000", "done");
    }
  }

  @Test
  void tune_badInput_isAUsageErrorNamingTheSetting() throws Exception {
    table("bad-b", "bad", 10);
    Cli.Run none = cli.run("tune", "bad-b");
    assertThat(none.exit()).isEqualTo(2);
    Cli.Run zero = cli.run("tune", "bad-b", "workers=0");
    assertThat(zero.exit()).isEqualTo(2);
    assertThat(zero.err()).contains("workers=0: must be between 1 and 64");
    Cli.Run unknown = cli.run("tune", "bad-b", "speed=11");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown setting 'speed'", "batch-size, workers, pause, max-lag");
    Cli.Run pause = cli.run("tune", "bad-b", "pause=maybe");
    assertThat(pause.exit()).isEqualTo(2);
    assertThat(pause.err()).contains("pause=maybe: expected pause=true or pause=false");
    Cli.Run lag = cli.run("tune", "bad-b", "max-lag=soon");
    assertThat(lag.exit()).isEqualTo(2);
    assertThat(lag.err()).contains("max-lag=soon: invalid duration 'soon'");
    Cli.Run noEquals = cli.run("tune", "bad-b", "workers");
    assertThat(noEquals.exit()).isEqualTo(2);
    assertThat(noEquals.err()).contains("'workers': expected KEY=VALUE");
    Cli.Run twice = cli.run("tune", "bad-b", "workers=2", "workers=3");
    assertThat(twice.exit()).isEqualTo(2);
    assertThat(twice.err()).contains("'workers' is given twice");
    Cli.Run json = cli.run("--json", "tune", "bad-b", "batch-size=lots");
    assertThat(json.exit()).isEqualTo(2);
    assertThat(json.out().replace(" ", "")).contains("batch-size=lots:expectedanumberofrowsor'auto'", "\"exitCode\":2");

    Cli.Run notRunning = cli.run("tune", "bad-b", "workers=2");
    assertThat(notRunning.exit()).isEqualTo(1);
    assertThat(notRunning.err()).contains("no backfill of 'bad-b' is running");
    Cli.Run notRunningJson = cli.run("--json", "tune", "bad-b", "workers=2");
    assertThat(notRunningJson.exit()).isEqualTo(1);
    assertThat(notRunningJson.out().replace(" ", "")).contains("nobackfillof'bad-b'isrunning", "\"exitCode\":1");
    Cli.Run unknownId = cli.run("tune", "no-such-id", "workers=2");
    assertThat(unknownId.exit()).isEqualTo(1);
    assertThat(unknownId.err()).contains("no migration with id 'no-such-id'");
    Cli.Run badWorkers = cli.run("backfill", "bad-b", "--workers", "0");
    assertThat(badWorkers.exit()).isEqualTo(2);
    assertThat(badWorkers.err()).contains("workers must be between 1 and 64");
  }
}
