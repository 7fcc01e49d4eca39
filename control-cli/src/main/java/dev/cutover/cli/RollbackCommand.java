package dev.cutover.cli;

import dev.cutover.operator.Operator;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cutover rollback ID...}: moves migrations back one phase (or to --to), together. */
@Command(name = "rollback", mixinStandardHelpOptions = true, description = "Move migrations back one phase (or to --to).")
final class RollbackCommand extends OperatorCommand {

  @Parameters(arity = "1..*", paramLabel = "ID", description = "the migration id(s); several move together, one"
      + " wait for the instances per phase step")
  List<String> ids;

  /** Print the plan and change nothing. */
  @Option(names = "--dry-run", description = "print every step this would run and change nothing")
  boolean dryRun;

  @Mixin PhaseOptions phase;

  /** Rows per batch when refilling the old column (rollback from new_only). */
  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1000",
      description = "rows per batch when the old column is refilled (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Override
  int run(Operator operator) throws SQLException {
    Operator.PhaseRun run = operator.rollback(ids, phase.toOptions(false, Duration.ZERO, batchSize, false, false),
        dryRun);
    result(PhaseOptions.result(run));
    return 0;
  }
}
