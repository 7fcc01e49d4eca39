package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.operator.BackfillOptions;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backfill slows down on replication lag and on lock waits. There is no standby here, so the
 * lag comes from a function of a test schema through the hidden {@code --lag-query}; the real
 * {@code pg_stat_replication} query is run against this server (no standby: lag 0).
 */
class BackfillThrottlingTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() throws Exception {
    cli = new Cli(db);
    assertThat(cli.run("init").exit()).isEqualTo(0);
    cli.sql("CREATE SCHEMA lagtest", "CREATE TABLE lagtest.fake (seconds float8)",
        "INSERT INTO lagtest.fake VALUES (0)",
        "CREATE FUNCTION lagtest.lag() RETURNS float8 LANGUAGE sql AS 'SELECT seconds FROM lagtest.fake'");
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

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void maxLag_pausesWhileLagExceedsIt_thenFinishes() throws Exception {
    table("lag-b", "lagged", 500);
    cli.sql("UPDATE lagtest.fake SET seconds = 5");
    CompletableFuture<Cli.Run> run = CompletableFuture.supplyAsync(() -> cli.run("backfill", "lag-b",
        "--batch-size", "100", "--max-lag", "1s", "--lag-query", "SELECT lagtest.lag()"));
    Thread.sleep(2_500);
    assertThat(run).isNotDone();
    assertThat(cli.one("SELECT count(*) FROM lagged WHERE b IS NOT NULL")).as("no batch while lagging").isEqualTo("0");
    cli.sql("UPDATE lagtest.fake SET seconds = 0.2");
    Cli.Run done = run.get(30, TimeUnit.SECONDS);
    assertThat(done.exit()).as(done.all()).isEqualTo(0);
    assertThat(done.out()).contains("throttled: replication lag 5.0s > --max-lag 1s", "500/500", "done");
    assertThat(cli.one("SELECT count(*) FROM lagged WHERE b IS DISTINCT FROM a")).isEqualTo("0");
  }

  @Test
  void maxLag_realReplicationQuery_runsOnAServerWithoutStandbys() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(BackfillOptions.REPLICATION_LAG_QUERY)) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getDouble(1)).isZero();
    }
    table("nolag-b", "unlagged", 300);
    Cli.Run run = cli.run("backfill", "nolag-b", "--batch-size", "100", "--max-lag", "500ms");
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
    assertThat(run.out()).doesNotContain("throttled").contains("300/300", "done");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void lockWait_batchHitsLockTimeout_backsOffAndRetries() throws Exception {
    table("lock-b", "locked_table", 300);
    Connection holder = db.plainConnection();
    try (Statement st = holder.createStatement()) {
      holder.setAutoCommit(false);
      st.execute("LOCK TABLE locked_table IN SHARE MODE"); // conflicts with the UPDATE's ROW EXCLUSIVE
      CompletableFuture<Cli.Run> run = CompletableFuture.supplyAsync(() -> cli.run("backfill", "lock-b",
          "--batch-size", "100", "--lock-timeout", "200ms"));
      Thread.sleep(2_000);
      assertThat(run).isNotDone();
      assertThat(cli.one("SELECT count(*) FROM locked_table WHERE b IS NOT NULL")).isEqualTo("0");
      // The backfill never queues behind the lock for long: it waits at most lock_timeout at a time.
      assertThat(cli.one("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
          + " WHERE c.relname = 'locked_table' AND NOT l.granted")).isIn("0", "1");
      holder.commit();
      Cli.Run done = run.get(40, TimeUnit.SECONDS);
      assertThat(done.exit()).as(done.all()).isEqualTo(0);
      assertThat(done.out()).contains("300/300", "done");
      // Backed off rather than queued: a batch hit lock_timeout, or a chunk's short wait sent it to
      // SKIP LOCKED first (which of the two meets the table lock first is timing). The short wait
      // was for the table, and says so: never "rows locked by the application" (it did before).
      assertThat(done.out()).containsAnyOf("throttled: lock wait: a batch hit lock_timeout 200ms",
          "throttled: table lock: session ");
      assertThat(done.out()).doesNotContain("rows locked by the application");
      if (done.out().contains("throttled: table lock: ")) {
        assertThat(done.out()).contains(" holds ShareLock on ", "locked_table", "not rows");
      }
    } finally {
      holder.close();
    }
    assertThat(cli.one("SELECT count(*) FROM locked_table WHERE b IS DISTINCT FROM a")).isEqualTo("0");
  }

  @Test
  void badOptions_areUsageErrors() throws Exception {
    assertThat(cli.run("backfill", "x", "--lock-timeout", "0s").exit()).isEqualTo(2);
    assertThat(cli.run("backfill", "x", "--batch-size", "0").exit()).isEqualTo(2);
    assertThat(cli.run("backfill", "x", "--max-lag", "0s").exit()).isEqualTo(2);
  }
}
