package dev.cutover.cli;

import dev.cutover.operator.BackfillOptions;
import dev.cutover.operator.Operator;
import java.sql.SQLException;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cutover backfill ID}: fills the new column of the remaining rows, resumably. */
@Command(name = "backfill", mixinStandardHelpOptions = true, description = "Fill the new column of every remaining row, in batches; resumable.")
final class BackfillCommand extends OperatorCommand {

  @Parameters(index = "0", paramLabel = "ID", description = "the migration id")
  String id;

  /** Rows per batch. */
  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1000",
      description = "rows per batch, each its own transaction (default: ${DEFAULT-VALUE})")
  int batchSize;

  /** Pause between batches. */
  @Option(names = "--pause", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
      description = "pause between batches (default: ${DEFAULT-VALUE})")
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
      options = new BackfillOptions(batchSize, pause, maxLag, maxBatches, lockTimeout, lagQuery, maxReplicaLag);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    result(operator.backfill(id, options));
    return 0;
  }
}
