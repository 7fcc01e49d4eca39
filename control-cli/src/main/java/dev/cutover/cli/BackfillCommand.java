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
      description = "wait while a replica's replay lag exceeds this")
  Duration maxLag;

  /** Stop after this many batches (resumable); for testing and careful starts. */
  @Option(names = "--max-batches", paramLabel = "N", defaultValue = "0",
      description = "stop after N batches; run again to resume (default: no limit)")
  long maxBatches;

  @Override
  int run(Operator operator) throws SQLException {
    if (batchSize < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--batch-size must be at least 1");
    }
    operator.backfill(id, new BackfillOptions(batchSize, pause, maxLag, maxBatches));
    return 0;
  }
}
