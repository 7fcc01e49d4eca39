package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import dev.cutover.rewriter.ReadTouch;
import java.sql.SQLException;
import java.util.List;
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
}
