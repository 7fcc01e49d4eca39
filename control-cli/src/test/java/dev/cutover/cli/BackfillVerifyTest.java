package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class BackfillVerifyTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() {
    cli = new Cli(db);
    assertThat(cli.run("init").exit()).isEqualTo(0);
  }

  static void planAndDualWrite(String id, String table, String from, String to) throws Exception {
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(f, "id: " + id + "\ntable: " + table + "\nrename: {from: " + from + ", to: " + to + "}\n");
    assertThat(cli.run("plan", f.toString()).exit()).isEqualTo(0);
    Cli.Run run = cli.run("advance", id);
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
  }

  @Test
  void backfill_emptyTable_succeedsAtOnce() throws Exception {
    cli.sql("CREATE TABLE empty_t (id int PRIMARY KEY, a text)");
    planAndDualWrite("empty-b", "empty_t", "a", "b");
    Cli.Run run = cli.run("backfill", "empty-b");
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
    assertThat(run.out()).contains("is empty, nothing to do");
    assertThat(cli.one("SELECT finished_at IS NOT NULL FROM cutover.backfill_state WHERE migration_id = 'empty-b'"))
        .isEqualTo("t");
    assertThat(cli.run("verify", "empty-b").exit()).isEqualTo(0);
    assertThat(cli.run("advance", "empty-b").exit()).isEqualTo(0);
  }

  @Test
  void backfill_noPrimaryKey_walksByCtid() throws Exception {
    cli.sql("CREATE TABLE nokey (a text, b int)", "INSERT INTO nokey VALUES ('x', 1)");
    planAndDualWrite("nokey-c", "nokey", "a", "c");
    // verify walks by ctid too and reports the row by it.
    Cli.Run verify = cli.run("verify", "nokey-c");
    assertThat(verify.exit()).isEqualTo(3);
    assertThat(verify.err()).contains("1 of 1 rows differ", "(0,1)");
    // Before: refused ("has no primary key"), and the migration was stuck in dual_write.
    cli.ok("backfill", "nokey-c");
    assertThat(cli.one("SELECT count(*) FROM nokey WHERE c = a")).isEqualTo("1");
    cli.ok("verify", "nokey-c");
  }

  @Test
  void backfill_wrongPhase_refused() throws Exception {
    cli.sql("CREATE TABLE early (id int PRIMARY KEY, a text)");
    Path f = dir.resolve("early.yaml");
    Files.writeString(f, "id: early-b\ntable: early\nrename: {from: a, to: b}\n");
    assertThat(cli.run("plan", f.toString()).exit()).isEqualTo(0);
    Cli.Run run = cli.run("backfill", "early-b");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("phase planned", "cutover advance early-b");
    assertThat(cli.run("backfill", "no-such-id").err()).contains("no migration with id 'no-such-id'");
  }

  @Test
  void backfill_interrupted_resumesFromCheckpoint() throws Exception {
    cli.sql("CREATE TABLE big (id bigint PRIMARY KEY, a text)",
        "INSERT INTO big SELECT g, 'v' || g FROM generate_series(1, 1000) g");
    planAndDualWrite("big-b", "big", "a", "b");
    Cli.Run first = cli.run("backfill", "big-b", "--batch-size", "100", "--max-batches", "3");
    assertThat(first.exit()).as(first.all()).isEqualTo(0);
    assertThat(first.out()).contains("stopped after 3 batches", "300/1000");
    assertThat(cli.one("SELECT last_key || '/' || max_key || '/' || rows_done || '/' || (finished_at IS NULL)"
        + " FROM cutover.backfill_state WHERE migration_id = 'big-b'")).isEqualTo("300/1000/300/true");
    assertThat(cli.one("SELECT count(*) FROM big WHERE b IS NOT NULL")).isEqualTo("300");

    // Rows behind the checkpoint that someone breaks again are not revisited by the resumed walk,
    // but the final pass over the whole range picks them up.
    cli.sql("UPDATE big SET b = NULL WHERE id = 5");
    Cli.Run resumed = cli.run("backfill", "big-b", "--batch-size", "100");
    assertThat(resumed.exit()).as(resumed.all()).isEqualTo(0);
    assertThat(resumed.out()).contains("resuming after key 300 (300 rows done before)", "1001/1001", "done");
    assertThat(cli.one("SELECT count(*) FROM big WHERE b IS DISTINCT FROM a")).isEqualTo("0");
    Cli.Run verify = cli.run("verify", "big-b");
    assertThat(verify.exit()).isEqualTo(0);
    assertThat(verify.out()).contains("1000 rows in 1 key ranges match");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void backfill_terminatesWhileRowsAreInserted() throws Exception {
    cli.sql("CREATE TABLE busy (id bigserial PRIMARY KEY, a text)",
        "INSERT INTO busy (a) SELECT 'v' || g FROM generate_series(1, 20000) g");
    planAndDualWrite("busy-b", "busy", "a", "b");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong inserted = new AtomicLong();
    Thread writer = new Thread(() -> {
      try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
        while (!stop.get()) {
          // A dual-writing application: both columns.
          st.execute("INSERT INTO busy (a, b) SELECT 'w' || g, 'w' || g FROM generate_series(1, 200) g");
          inserted.addAndGet(200);
        }
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    writer.start();
    try {
      Cli.Run run = cli.run("backfill", "busy-b", "--batch-size", "500");
      assertThat(run.exit()).as(run.all()).isEqualTo(0);
      assertThat(run.out()).contains("done");
    } finally {
      stop.set(true);
      writer.join();
    }
    assertThat(inserted.get()).isPositive();
    // The walk stopped at the largest key present when it started; later rows were dual-written.
    long maxKey = Long.parseLong(cli.one("SELECT max_key FROM cutover.backfill_state WHERE migration_id = 'busy-b'"));
    assertThat(maxKey).isGreaterThanOrEqualTo(20000).isLessThan(Long.parseLong(cli.one("SELECT max(id) FROM busy")));
    assertThat(cli.one("SELECT count(*) FROM busy WHERE b IS DISTINCT FROM a")).isEqualTo("0");
  }

  @Test
  void backfill_skippedLockedRow_isPickedUpByFinalPass() throws Exception {
    cli.sql("CREATE TABLE locked_t (id int PRIMARY KEY, a text)",
        "INSERT INTO locked_t SELECT g, 'v' || g FROM generate_series(1, 20) g");
    planAndDualWrite("locked-b", "locked_t", "a", "b");
    Connection holder = db.plainConnection();
    try (Statement st = holder.createStatement()) {
      holder.setAutoCommit(false);
      st.execute("SELECT * FROM locked_t WHERE id = 7 FOR UPDATE");
      Thread release = new Thread(() -> {
        try {
          Thread.sleep(1500);
          holder.commit();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      release.start();
      Cli.Run run = cli.run("backfill", "locked-b", "--batch-size", "5");
      release.join();
      assertThat(run.exit()).as(run.all()).isEqualTo(0);
    } finally {
      holder.close();
    }
    assertThat(cli.one("SELECT b FROM locked_t WHERE id = 7")).isEqualTo("v7");
    assertThat(cli.one("SELECT count(*) FROM locked_t WHERE b IS DISTINCT FROM a")).isEqualTo("0");
  }

  @Test
  void verify_mismatch_exit3ListsKeysAndRanges_thenClean() throws Exception {
    cli.sql("CREATE TABLE ver (id int PRIMARY KEY, a text)",
        "INSERT INTO ver SELECT g, 'v' || g FROM generate_series(1, 250) g");
    planAndDualWrite("ver-b", "ver", "a", "b");
    assertThat(cli.run("backfill", "ver-b").exit()).isEqualTo(0);
    Cli.Run clean = cli.run("verify", "ver-b");
    assertThat(clean.exit()).isEqualTo(0);
    assertThat(clean.out()).contains("ok, 250 rows");

    cli.sql("UPDATE ver SET b = 'wrong' WHERE id IN (17, 230)", "UPDATE ver SET a = NULL WHERE id = 99");
    Cli.Run bad = cli.run("verify", "ver-b");
    assertThat(bad.exit()).isEqualTo(3);
    assertThat(bad.err()).contains("MISMATCH, 3 of 250 rows differ", "first keys: 17, 99, 230", "cutover backfill ver-b");

    var result = new dev.cutover.operator.Operator(
        dev.cutover.operator.ConnectionSettings.parse(db.plainUrl(), db.user(), db.password()),
        new java.io.PrintWriter(java.io.Writer.nullWriter())).verify("ver-b", 100);
    assertThat(result.ranges()).isEqualTo(3);
    // Range (100, 200] has no differing row and is not listed.
    assertThat(result.mismatches()).extracting(m -> m.toKey()).containsExactly("100", null);
    assertThat(result.mismatches()).extracting(m -> m.differing()).containsExactly(2L, 1L);
    assertThat(result.differing()).isEqualTo(3);
  }
}
