package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import dev.cutover.rewriter.ReadTouch;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The lazy migration's queue and SQL, without a database (the end-to-end tests are in LazyMigrationTest). */
class LazyMigratorTest {

  private static final ReadTouch.Target USERS =
      new ReadTouch.Target("public", "users", List.of("id"), List.of("m"));

  private static MigrationSnapshot snapshot(Phase phase) {
    return new MigrationSnapshot(1, List.of(
        ColumnMigration.rename("m", "public", "users", "full_name", "display_name", phase, 1)));
  }

  @Test
  void offer_fullQueue_dropsAndCountsWithoutBlocking() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    LazyMigrator migrator = new LazyMigrator("test", () -> snapshot(Phase.DUAL_WRITE), () -> {
      attempts.incrementAndGet();
      throw new SQLException("cannot connect", "08001");
    }, TransactionMark::new, () -> {}, 100);
    try {
      int offers = 200_000;
      long started = System.nanoTime();
      for (int i = 0; i < offers; i++) {
        migrator.offer(USERS, new String[] {Integer.toString(i)});
      }
      long millis = (System.nanoTime() - started) / 1_000_000;
      LazyMigrator.Stats stats = migrator.stats();
      assertThat(millis).as("offering never waits for the workers").isLessThan(3_000);
      assertThat(stats.queued() + stats.dropped()).isEqualTo(offers);
      // At most the queue plus what the workers took out (a batch each per attempt) got in.
      assertThat(stats.dropped()).as(stats.toString()).isGreaterThan(offers / 2);
      assertThat(migrator.queueSize()).isLessThanOrEqualTo(100);
      for (long deadline = System.nanoTime() + 10_000_000_000L;
          migrator.stats().failedBatches() == 0 && System.nanoTime() < deadline; Thread.sleep(50)) {
        // the workers try to connect
      }
      assertThat(migrator.stats().failedBatches()).isPositive();
      assertThat(attempts.get()).isPositive();
      assertThat(migrator.stats().filled()).isZero();
    } finally {
      long started = System.nanoTime();
      migrator.close();
      assertThat((System.nanoTime() - started) / 1_000_000).as("close does not hang").isLessThan(5_000);
    }
    assertThat(migrator.offer(USERS, new String[] {"1"})).isFalse();
  }

  @Test
  void dualWrite_onlyMigrationsOfTheTargetInDualWrite() {
    assertThat(LazyMigrator.dualWrite(snapshot(Phase.DUAL_WRITE), USERS)).hasSize(1);
    for (Phase phase : List.of(Phase.PLANNED, Phase.READ_NEW, Phase.NEW_ONLY, Phase.COMPLETED)) {
      assertThat(LazyMigrator.dualWrite(snapshot(phase), USERS)).as(phase.sqlName()).isEmpty();
    }
    assertThat(LazyMigrator.dualWrite(MigrationSnapshot.EMPTY, USERS)).isEmpty();
    // A lazily cut-over read_new (advance --lazy) keeps filling; the flag means nothing elsewhere.
    for (Phase phase : Phase.values()) {
      ColumnMigration lazy = snapshot(phase).migrations().get(0).withLazy(true);
      assertThat(LazyMigrator.dualWrite(new MigrationSnapshot(9, List.of(lazy)), USERS)).as("lazy " + phase.sqlName())
          .hasSize(phase == Phase.DUAL_WRITE || phase == Phase.READ_NEW ? 1 : 0);
    }
  }

  @Test
  void updateSql_locksSkippingLockedRowsAndGuardsWithTheFillExpression() {
    ColumnMigration m = snapshot(Phase.DUAL_WRITE).migrations().get(0);
    assertThat(LazyMigrator.updateSql(USERS, m, List.of("bigint"))).isEqualTo(
        "UPDATE \"public\".\"users\" SET \"display_name\" = full_name WHERE \"id\" IN (SELECT \"cutover.t\".\"id\""
            + " FROM \"public\".\"users\" AS \"cutover.t\" JOIN unnest(CAST(? AS bigint[])) AS \"cutover.w\"(\"cutover.k1\")"
            + " ON \"cutover.t\".\"id\" = \"cutover.w\".\"cutover.k1\" AND CASE WHEN \"cutover.w\".\"cutover.k1\" IS NOT NULL"
            + " THEN \"display_name\" IS DISTINCT FROM full_name END FOR UPDATE OF \"cutover.t\" SKIP LOCKED)");
    ReadTouch.Target pairs = new ReadTouch.Target("s", "pairs", List.of("a", "b"), List.of("m"));
    assertThat(LazyMigrator.updateSql(pairs, m, List.of("integer", "text")))
        .contains("WHERE (\"a\", \"b\") IN (SELECT \"cutover.t\".\"a\", \"cutover.t\".\"b\" FROM \"s\".\"pairs\" AS"
            + " \"cutover.t\" JOIN unnest(CAST(? AS integer[]), CAST(? AS text[])) AS \"cutover.w\"(\"cutover.k1\","
            + " \"cutover.k2\") ON \"cutover.t\".\"a\" = \"cutover.w\".\"cutover.k1\" AND \"cutover.t\".\"b\" ="
            + " \"cutover.w\".\"cutover.k2\" AND CASE");
  }

  /** A connection source whose {@code open} waits until {@code release} counts down: the worker holds one batch. */
  private static LazyMigrator.ConnectionSource blocked(CountDownLatch release) {
    return () -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new SQLException("not connected in this test", "08001");
    };
  }

  /** A row read again while its key waits (or is being filled) is not queued a second time. */
  @Test
  void offer_sameRowTwice_queuedOnce_otherRowsAndTablesStillQueued() {
    CountDownLatch release = new CountDownLatch(1);
    LazyMigrator migrator = new LazyMigrator("test", () -> snapshot(Phase.DUAL_WRITE), blocked(release),
        TransactionMark::new, () -> {}, 10_000);
    try {
      ReadTouch.Target pairs = new ReadTouch.Target("public", "pairs", List.of("a", "b"), List.of("m"));
      for (int i = 0; i < 5_000; i++) {
        assertThat(migrator.offer(USERS, new String[] {Integer.toString(i)})).isTrue();
      }
      // Waiting in the queue, or in the batch the worker holds: either way not queued again.
      for (int i = 0; i < 5_000; i++) {
        assertThat(migrator.offer(USERS, new String[] {Integer.toString(i)})).as("key " + i).isFalse();
      }
      assertThat(migrator.stats().coalesced()).isEqualTo(5_000);
      assertThat(migrator.stats().queued()).isEqualTo(5_000);
      assertThat(migrator.stats().dropped()).isZero();
      // The same key values on another table, and another key on the same table, are other rows.
      assertThat(migrator.offer(pairs, new String[] {"4999"})).isTrue();
      assertThat(migrator.offer(USERS, new String[] {"5000"})).isTrue();
      assertThat(migrator.stats().queued()).isEqualTo(5_002);
    } finally {
      release.countDown();
      migrator.close();
    }
  }

  /** A key whose batch ended (filled or not) can be queued again: the pending set forgets it. */
  @Test
  void offer_afterTheBatchEnded_queuedAgain() throws Exception {
    LazyMigrator migrator = new LazyMigrator("test", () -> snapshot(Phase.DUAL_WRITE), () -> {
      throw new SQLException("cannot connect", "08001");
    }, TransactionMark::new, () -> {}, 100);
    try {
      assertThat(migrator.offer(USERS, new String[] {"7"})).isTrue();
      for (long deadline = System.nanoTime() + 10_000_000_000L;
          migrator.stats().failedBatches() == 0 && System.nanoTime() < deadline; Thread.sleep(20)) {
        // the worker takes the key and fails to connect
      }
      assertThat(migrator.stats().failedBatches()).isEqualTo(1);
      assertThat(migrator.offer(USERS, new String[] {"7"})).isTrue();
      assertThat(migrator.stats().queued()).isEqualTo(2);
      assertThat(migrator.stats().coalesced()).isZero();
    } finally {
      migrator.close();
    }
  }

  /** A full queue is reported before the result set reads the key, and counted as a drop. */
  @Test
  void accepting_falseWhenTheQueueIsFull_countsTheDrop() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    LazyMigrator migrator = new LazyMigrator("test", () -> snapshot(Phase.DUAL_WRITE), blocked(release),
        TransactionMark::new, () -> {}, 1_000);
    try {
      assertThat(migrator.accepting(USERS)).isTrue();
      assertThat(migrator.stats().dropped()).isZero();
      // The worker takes the first key and then waits for its connection; the rest fill the queue.
      assertThat(migrator.offer(USERS, new String[] {"first"})).isTrue();
      for (long deadline = System.nanoTime() + 10_000_000_000L;
          migrator.queueSize() > 0 && System.nanoTime() < deadline; Thread.sleep(10)) {
        // the worker takes it
      }
      for (int i = 0; i < 1_100; i++) {
        migrator.offer(USERS, new String[] {Integer.toString(i)});
      }
      assertThat(migrator.queueSize()).isEqualTo(1_000);
      long dropped = migrator.stats().dropped();
      assertThat(dropped).isEqualTo(100);
      assertThat(migrator.accepting(USERS)).isFalse();
      assertThat(migrator.stats().dropped()).isEqualTo(dropped + 1);
    } finally {
      release.countDown();
      migrator.close();
    }
    assertThat(migrator.accepting(USERS)).as("closed").isFalse();
  }

  /** The budget: a fifth of the worker's time at most, and ROWS_PER_SECOND rows a second at most. */
  @Test
  void rest_keepsBothTheDutyCycleAndTheRowRate() {
    // A fast batch of 100 rows: the rate decides (100 rows at ROWS_PER_SECOND).
    long rateBound = 100 * 1000L / LazyMigrator.ROWS_PER_SECOND;
    assertThat(LazyMigrator.rest(5, 100)).isEqualTo(Math.max(20, rateBound - 5));
    assertThat(5 + LazyMigrator.rest(5, 100)).isGreaterThanOrEqualTo(rateBound);
    // A slow batch (a busy database): the duty cycle decides, four times the batch's time.
    assertThat(LazyMigrator.rest(2_000, 100)).isEqualTo(8_000);
    // One row: never less than the duty cycle's rest.
    assertThat(LazyMigrator.rest(40, 1)).isGreaterThanOrEqualTo(160);
  }
}
