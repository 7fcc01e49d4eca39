package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GuardsAndConcurrencyTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() {
    cli = new Cli(db);
    assertThat(cli.run("init").exit()).isEqualTo(0);
  }

  @AfterEach
  void forgetInstances() throws Exception {
    cli.sql("DELETE FROM cutover.instances", "DELETE FROM cutover.name_usage");
  }

  static void plan(String id, String table) throws Exception {
    cli.sql("CREATE TABLE " + table + " (id int PRIMARY KEY, a text)", "INSERT INTO " + table + " VALUES (1, 'x')");
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(f, "id: " + id + "\ntable: " + table + "\nrename: {from: a, to: b}\n");
    assertThat(cli.run("plan", f.toString()).exit()).isEqualTo(0);
  }

  static String phase(String id) throws Exception {
    return cli.one("SELECT phase FROM cutover.migrations WHERE id = '" + id + "'");
  }

  /** Holds an ACCESS EXCLUSIVE lock on {@code table} until the returned connection commits. */
  static Connection lockTable(String table) throws Exception {
    Connection c = db.plainConnection();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("LOCK TABLE " + table + " IN ACCESS SHARE MODE");
    }
    return c;
  }

  @Test
  void advance_lockHeldBriefly_retriesThenSucceeds() throws Exception {
    plan("lock-ok", "lock_ok");
    Connection holder = lockTable("lock_ok");
    CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(1500);
        holder.commit();
        holder.close();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    Cli.Run run = cli.run("advance", "lock-ok", "--lock-timeout", "100ms", "--lock-retry-budget", "30s");
    release.join();
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
    assertThat(run.out()).contains("lock not available (attempt 1)");
    assertThat(phase("lock-ok")).isEqualTo("dual_write");
    assertThat(cli.columns("lock_ok")).contains("b");
  }

  @Test
  void advance_lockHeldTooLong_failsClearly_changesNothing() throws Exception {
    plan("lock-long", "lock_long");
    try (Connection holder = lockTable("lock_long")) {
      Cli.Run run = cli.run("advance", "lock-long", "--lock-timeout", "100ms", "--lock-retry-budget", "1s");
      assertThat(run.exit()).isEqualTo(1);
      assertThat(run.err()).contains("could not get the lock", "within 1s", "lock_timeout 100ms", "--lock-retry-budget");
      holder.rollback();
    }
    assertThat(phase("lock-long")).isEqualTo("planned");
    assertThat(cli.columns("lock_long")).containsExactly("id", "a");
  }

  @Test
  void advance_concurrent_oneWinsOtherGetsClearError() throws Exception {
    plan("race", "race_t");
    Connection holder = lockTable("race_t");
    // The first advance waits on the table lock (retrying), holding the migration.
    CompletableFuture<Cli.Run> first = CompletableFuture.supplyAsync(
        () -> new Cli(db).run("advance", "race", "--lock-timeout", "100ms", "--lock-retry-budget", "30s"));
    waitUntil(() -> cli.one("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").equals("1"));
    Cli.Run second = cli.run("advance", "race");
    holder.commit();
    holder.close();
    Cli.Run winner = first.get(60, TimeUnit.SECONDS);
    assertThat(winner.exit()).as(winner.all()).isEqualTo(0);
    assertThat(second.exit()).isEqualTo(1);
    assertThat(second.err()).contains("another cutover command is already working on migration 'race'");
    assertThat(phase("race")).isEqualTo("dual_write");
    assertThat(cli.one("SELECT count(*) FROM cutover.audit_log WHERE migration_id = 'race' AND to_phase = 'dual_write'"))
        .isEqualTo("1");
  }

  @Test
  void advance_migrationRowLockedElsewhere_failsWithNowaitMessage() throws Exception {
    plan("rowlock", "rowlock_t");
    try (Connection holder = db.plainConnection(); Statement st = holder.createStatement()) {
      holder.setAutoCommit(false);
      st.execute("SELECT * FROM cutover.migrations WHERE id = 'rowlock' FOR UPDATE");
      Cli.Run run = cli.run("advance", "rowlock");
      assertThat(run.exit()).isEqualTo(1);
      assertThat(run.err()).contains("migration 'rowlock' is locked by another session");
      holder.rollback();
    }
    assertThat(phase("rowlock")).isEqualTo("planned");
  }

  @Test
  void advance_liveInstanceBehind_exit3NamesIt_expiredHeartbeatIgnored() throws Exception {
    plan("acks", "acks_t");
    cli.sql("INSERT INTO cutover.instances (instance, applied_epoch, heartbeat_at) VALUES"
        + " ('gone-1', 0, now() - interval '10 minutes'), ('app-1', 0, now())");
    Cli.Run run = cli.run("advance", "acks", "--wait", "300ms");
    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.err()).contains("app-1 (applied epoch 0", "within 300ms").doesNotContain("gone-1");
    assertThat(phase("acks")).isEqualTo("planned");
    assertThat(cli.columns("acks_t")).containsExactly("id", "a");

    // Once app-1 catches up with the planned epoch, the step runs; then it lags the new epoch.
    cli.sql("UPDATE cutover.instances SET applied_epoch = (SELECT epoch FROM cutover.migrations WHERE id = 'acks')"
        + " WHERE instance = 'app-1'");
    Cli.Run moved = cli.run("advance", "acks", "--wait", "300ms");
    assertThat(moved.exit()).isEqualTo(3);
    assertThat(moved.err()).contains("phase change to dual_write is recorded", "app-1");
    assertThat(phase("acks")).isEqualTo("dual_write");

    // An instance that acknowledges in time lets the command finish with 0.
    CompletableFuture<Void> ack = CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(500);
        cli.sql("UPDATE cutover.instances SET applied_epoch = 1000000, heartbeat_at = now() WHERE instance = 'app-1'");
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    cli.sql("UPDATE acks_t SET b = a");
    Cli.Run waited = cli.run("advance", "acks", "--wait", "20s");
    ack.join();
    assertThat(waited.exit()).as(waited.all()).isEqualTo(0);
    assertThat(phase("acks")).isEqualTo("read_new");
  }

  @Test
  void advanceToCompleted_oldNameUsedRecently_refusedUnlessForce() throws Exception {
    plan("quiet", "quiet_t");
    cli.sql("UPDATE quiet_t SET a = 'x'");
    assertThat(cli.run("advance", "quiet").exit()).isEqualTo(0);
    cli.sql("UPDATE quiet_t SET b = a");
    assertThat(cli.run("advance", "quiet", "--to", "new_only").exit()).isEqualTo(0);
    cli.sql("INSERT INTO cutover.instances (instance, applied_epoch) VALUES ('app-2', 1000000)",
        "INSERT INTO cutover.name_usage (instance, migration_id, old_used_at) VALUES ('app-2', 'quiet', now() - interval '1 minute')");
    Cli.Run refused = cli.run("advance", "quiet");
    assertThat(refused.exit()).isEqualTo(3);
    assertThat(refused.err()).contains("old name \"a\"", "app-2", "--force");
    assertThat(cli.columns("quiet_t")).containsExactly("id", "a", "b");

    Cli.Run shortQuiet = cli.run("advance", "quiet", "--quiet-period", "30s");
    assertThat(shortQuiet.exit()).as(shortQuiet.all()).isEqualTo(0);
    assertThat(cli.columns("quiet_t")).containsExactly("id", "b");
  }

  @Test
  void advanceToCompleted_instanceNotOnNewOnly_neverDropsColumn() throws Exception {
    plan("nodrop", "nodrop_t");
    assertThat(cli.run("advance", "nodrop").exit()).isEqualTo(0);
    cli.sql("UPDATE nodrop_t SET b = a");
    assertThat(cli.run("advance", "nodrop", "--to", "new_only").exit()).isEqualTo(0);
    cli.sql("INSERT INTO cutover.instances (instance, applied_epoch) VALUES ('old-app', 1)");
    Cli.Run run = cli.run("advance", "nodrop", "--force", "--wait", "200ms");
    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.err()).contains("old-app");
    assertThat(cli.columns("nodrop_t")).containsExactly("id", "a", "b");
    assertThat(phase("nodrop")).isEqualTo("new_only");
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void waitUntil(Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached in 20s");
      }
      Thread.sleep(50);
    }
  }
}
