package dev.cutover.cli;

import dev.cutover.operator.Operator;
import java.nio.file.Path;
import java.sql.SQLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cutover plan FILE [--dry-run]}: validates a migration file and registers it in {@code planned}. */
@Command(name = "plan", mixinStandardHelpOptions = true, description = "Validate a migration file and register it in phase planned.")
final class PlanCommand extends OperatorCommand {

  @Parameters(index = "0", paramLabel = "FILE", description = "the migration file (YAML or JSON)")
  Path file;

  /** Validate and print the DDL of every phase without changing anything. */
  @Option(names = "--dry-run", description = "validate and print the DDL each phase will run; change nothing")
  boolean dryRun;

  @Override
  int run(Operator operator) throws SQLException {
    operator.plan(file, dryRun);
    return 0;
  }
}
