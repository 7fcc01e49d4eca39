package dev.cutover.cli;

import dev.cutover.operator.Operator;
import java.sql.SQLException;
import picocli.CommandLine.Command;

/** {@code cutover init}: creates the control schema; safe to run again. */
@Command(name = "init", mixinStandardHelpOptions = true, description = "Create the control schema (idempotent).")
final class InitCommand extends OperatorCommand {
  @Override
  int run(Operator operator) throws SQLException {
    operator.init();
    return 0;
  }
}
