package dev.cutover.cli;

import dev.cutover.operator.Operator;
import java.sql.SQLException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cutover cancel ID}: removes a migration that is still planned. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = "Remove a migration that is still planned (roll a later phase back first).")
final class CancelCommand extends OperatorCommand {

  @Parameters(index = "0", paramLabel = "ID", description = "the migration id")
  String id;

  @Override
  int run(Operator operator) throws SQLException {
    operator.cancel(id);
    result(Map.of("id", id, "cancelled", true));
    return 0;
  }
}
