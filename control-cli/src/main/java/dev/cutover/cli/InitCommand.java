package dev.cutover.cli;

import dev.cutover.operator.Identifiers;
import dev.cutover.operator.Operator;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cutover init [--grant ROLE]...}: creates the control schema; safe to run again. */
@Command(name = "init", mixinStandardHelpOptions = true, description = "Create the control schema (idempotent).")
final class InitCommand extends OperatorCommand {

  /** Application roles to grant the driver's minimum privileges. */
  @Option(names = "--grant", paramLabel = "ROLE",
      description = "grant the application's role what the driver needs (read migrations, write its own heartbeat;"
          + " never a phase change); repeatable")
  List<String> grant = new ArrayList<>();

  @Override
  int run(Operator operator) throws SQLException {
    List<String> roles = new ArrayList<>();
    for (String g : grant) {
      try {
        roles.add(Identifiers.parse(g));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--grant: " + e.getMessage());
      }
    }
    operator.init(roles);
    return 0;
  }
}
