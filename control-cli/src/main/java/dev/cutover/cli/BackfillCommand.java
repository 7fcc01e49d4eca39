package dev.cutover.cli;

import dev.cutover.operator.BackfillOptions;
import dev.cutover.operator.Operator;
import java.sql.SQLException;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cutover backfill ID}: fills the new column of the remaining rows, resumably. */
@Command(name = "backfill", mixinStandardHelpOptions = true, description = "Fill the new column of every remaining row, in chunks, by parallel workers; resumable.")
final class BackfillCommand extends OperatorCommand {

  @Parameters(index = "0", paramLabel = "ID", description = "the migration id")
  String id;

  /** Rows per chunk; without it, chunks are sized to take about --chunk-time. */
  @Option(names = "--batch-size", paramLabel = "N",
      description = "rows per chunk, each its own transaction (default: sized to take about --chunk-time)")
  Integer batchSize;

  /** Chunks copied at once, each on its own connection. */
  @Option(names = "--workers", paramLabel = "N", defaultValue = "" + BackfillOptions.DEFAULT_WORKERS,
      description = "chunks copied at once, each on its own connection (default: ${DEFAULT-VALUE}; `cutover tune`"
          + " changes it while the backfill runs)")
  int workers;

  /** How long a chunk should take when --batch-size is not given. */
  @Option(names = "--chunk-time", paramLabel = "DURATION", defaultValue = "500ms", converter = DurationConverter.class,
      description = "how long a chunk should take; chunk sizes follow the measured rate (default: ${DEFAULT-VALUE})")
  Duration chunkTime;

  /** Pause while a transaction has been open longer than this. */
  @Option(names = "--max-transaction-age", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "pause while a transaction of the database has been open longer than this (vacuum cannot"
          + " remove the backfill's old row versions meanwhile)")
  Duration maxTransactionAge;

  /** Pause between chunks. */
  @Option(names = "--pause", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
      description = "pause between chunks, per worker (default: ${DEFAULT-VALUE})")
  Duration pause;

  /** Replication lag above which the backfill waits. */
  @Option(names = "--max-lag", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "pause while a standby's write or replay lag (pg_stat_replication) exceeds this")
  Duration maxLag;

  /** WAL a standby may have left to replay before the backfill waits for it. */
  @Option(names = "--max-replica-lag", paramLabel = "SIZE", defaultValue = "64MB", converter = SizeConverter.class,
      description = "pause while a connected standby has more WAL than this left to replay (pg_current_wal_lsn()"
          + " - replay_lsn in pg_stat_replication); 0 ignores standbys (default: ${DEFAULT-VALUE})")
  long maxReplicaLag;

  /** The lock_timeout of each batch. */
  @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
      description = "lock_timeout of each batch; a batch that waits longer is rolled back and retried after a"
          + " back-off (default: ${DEFAULT-VALUE})")
  Duration lockTimeout;

  /** Stop after this many batches (resumable); for testing and careful starts. */
  @Option(names = "--max-batches", paramLabel = "N", defaultValue = "0",
      description = "stop after N batches; run again to resume (default: no limit)")
  long maxBatches;

  /** Replaces the replication-lag query (one number of seconds); for tests, which have no standby. */
  @Option(names = "--lag-query", paramLabel = "SQL", hidden = true)
  String lagQuery;

  @Override
  int run(Operator operator) throws SQLException {
    BackfillOptions options;
    try {
      if (batchSize != null && batchSize < 1) {
        throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
      }
      options = new BackfillOptions(batchSize == null ? BackfillOptions.AUTO : batchSize, pause, maxLag, maxBatches,
          lockTimeout, lagQuery, workers, chunkTime, maxTransactionAge, maxReplicaLag);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    result(operator.backfill(id, options));
    return 0;
  }
}
