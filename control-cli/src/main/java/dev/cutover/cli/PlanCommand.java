package dev.cutover.cli;

import dev.cutover.operator.Operator;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * What {@code --json} prints.
   *
   * @param id the registered migration, {@code null} on a dry run
   * @param dryRun whether nothing was registered
   * @param ddl the DDL each phase will run
   */
  record Planned(String id, boolean dryRun, Map<String, List<String>> ddl) {}

  @Override
  int run(Operator operator) throws SQLException {
    Operator.PlanResult plan = operator.plan(file, dryRun);
    Map<String, List<String>> ddl = new LinkedHashMap<>();
    plan.ddl().forEach((phase, statements) -> ddl.put(phase.sqlName(), statements));
    result(new Planned(plan.migration() == null ? null : plan.migration().id(), dryRun, ddl));
    return 0;
  }
}
