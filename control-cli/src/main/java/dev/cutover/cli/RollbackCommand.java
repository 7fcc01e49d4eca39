package dev.cutover.cli;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.operator.Operator;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cutover rollback ID}: moves a migration back one phase (or to --to). */
@Command(name = "rollback", mixinStandardHelpOptions = true, description = "Move a migration back one phase (or to --to).")
final class RollbackCommand extends OperatorCommand {

  @Parameters(index = "0", paramLabel = "ID", description = "the migration id")
  String id;

  @Mixin PhaseOptions phase;

  /** Rows per batch when refilling the old column (rollback from new_only). */
  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1000",
      description = "rows per batch when the old column is refilled (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Override
  int run(Operator operator) throws SQLException {
    ColumnMigration m = operator.rollback(id, phase.toOptions(false, Duration.ZERO, batchSize, false, false));
    result(Map.of("id", m.id(), "phase", m.phase().sqlName(), "epoch", m.epoch(), "lazy", m.lazyRead()));
    return 0;
  }
}
