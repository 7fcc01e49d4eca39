package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cutover backfill} killed mid-way (the CLI in its own JVM, destroyed forcibly) resumes from
 * its checkpoint: at every moment the checkpoint counts exactly the rows filled, and the resumed run
 * ends with every row filled and each counted once.
 */
class BackfillKillTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  static final int ROWS = 20_000;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void killedMidway_resumesFromCheckpoint_noRowMissedOrCountedTwice() throws Exception {
    Cli cli = new Cli(db);
    assertThat(cli.run("init").exit()).isEqualTo(0);
    cli.sql("CREATE TABLE big (id bigint PRIMARY KEY, a text)",
        "INSERT INTO big SELECT g, 'v' || g FROM generate_series(1, " + ROWS + ") g",
        // Some rows need no fill at all: NULL in the old column (new NULL too) must not be counted.
        "UPDATE big SET a = NULL WHERE id % 100 = 0");
    Path f = dir.resolve("big.yaml");
    Files.writeString(f, "id: big-b\ntable: big\nrename: {from: a, to: b}\n");
    assertThat(cli.run("plan", f.toString()).exit()).isEqualTo(0);
    assertThat(cli.run("advance", "big-b").exit()).isEqualTo(0);
    long needFill = Long.parseLong(cli.one("SELECT count(*) FROM big WHERE a IS NOT NULL"));

    Path log = dir.resolve("backfill.log");
    Process p = java(log, "--url", db.plainUrl(), "--user", db.user(), "backfill", "big-b",
        "--batch-size", "100", "--pause", "20ms", "--workers", "2");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (rowsDone(cli) < 2_000 && p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(p.isAlive()).as("still running mid-way: %s", Files.readString(log)).isTrue();
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    // The server rolls the interrupted batch back (or had committed it with its checkpoint).
    for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        !cli.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            + " AND application_name NOT LIKE 'cutover-%' AND state <> 'idle'").isEmpty()
            && System.nanoTime() < deadline; Thread.sleep(50)) {
      // wait for the killed backend to go
    }
    long checkpoint = rowsDone(cli);
    long filled = Long.parseLong(cli.one("SELECT count(*) FROM big WHERE b IS NOT NULL"));
    assertThat(checkpoint).as("rows done when killed").isBetween(2_000L, needFill - 1);
    assertThat(filled).as("the checkpoint counts exactly the rows filled").isEqualTo(checkpoint);
    String lastKey = cli.one("SELECT last_key FROM cutover.backfill_state WHERE migration_id = 'big-b'");
    assertThat(cli.one("SELECT count(*) FROM big WHERE b IS DISTINCT FROM a AND id <= " + lastKey)).isEqualTo("0");
    // Two workers: the chunk after the committed prefix may have committed (it is walked again and
    // found filled), never more than one chunk of 100 keys per other worker.
    assertThat(Long.parseLong(cli.one("SELECT count(*) FROM big WHERE b IS NOT NULL AND id > " + lastKey)))
        .isLessThanOrEqualTo(100);

    Cli.Run resumed = cli.run("backfill", "big-b", "--batch-size", "500");
    assertThat(resumed.exit()).as(resumed.all()).isEqualTo(0);
    assertThat(resumed.out()).contains("resuming after key " + lastKey + " (" + checkpoint + " rows done before)",
        needFill + "/" + needFill, "done");
    assertThat(rowsDone(cli)).as("each row counted once").isEqualTo(needFill);
    assertThat(cli.one("SELECT count(*) FROM big WHERE b IS DISTINCT FROM a")).isEqualTo("0");
    assertThat(cli.run("verify", "big-b").exit()).isEqualTo(0);
  }

  private static long rowsDone(Cli cli) throws Exception {
    List<String> rows = cli.query("SELECT rows_done FROM cutover.backfill_state WHERE migration_id = 'big-b'");
    return rows.isEmpty() ? 0 : Long.parseLong(rows.get(0));
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
