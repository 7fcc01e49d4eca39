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
   * @param group every id of its group (the key first), planned together; empty when none
   */
  record Planned(String id, boolean dryRun, Map<String, List<String>> ddl, List<String> group) {}

  /** Convert the whole table with up before registering a type change. */
  @Option(names = "--check-all", description = "for a type change, run up over every row of the table (not only the"
      + " sample every plan checks) and refuse naming the first row it cannot convert")
  boolean checkAll;

  @Override
  int run(Operator operator) throws SQLException {
    Operator.PlanResult plan = operator.plan(file, dryRun, checkAll);
    Map<String, List<String>> ddl = new LinkedHashMap<>();
    plan.ddl().forEach((phase, statements) -> ddl.put(phase.sqlName(), statements));
    result(new Planned(plan.migration() == null ? null : plan.migration().id(), dryRun, ddl, plan.group()));
    return 0;
  }
}
