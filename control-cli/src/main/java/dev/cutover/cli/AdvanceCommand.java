package dev.cutover.cli;

import dev.cutover.operator.Operator;
import dev.cutover.operator.OperatorException;
import java.io.Console;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cutover advance ID...}: moves migrations forward, running each phase's DDL; several move
 * together, behind one wait for the fleet per phase step.
 */
@Command(name = "advance", mixinStandardHelpOptions = true, description = "Move migrations forward one phase (or to --to), running their DDL.")
final class AdvanceCommand extends OperatorCommand {

  @Parameters(arity = "1..*", paramLabel = "ID", description = "the migration id(s); several move together, one"
      + " wait for the instances per phase step")
  List<String> ids;

  /** Print the plan and change nothing. */
  @Option(names = "--dry-run", description = "print every step this would run (preconditions, SQL, checks) and"
      + " change nothing")
  boolean dryRun;

  @Mixin PhaseOptions phase;

  /** Skip the old-name quiet-period guard of completed. */
  @Option(names = "--force", description = "enter completed even if the old name was used within --quiet-period")
  boolean force;

  /** How recently an instance may have used the old name before completed is refused. */
  @Option(names = "--quiet-period", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
      description = "refuse completed while a live instance used the old name within this (default: ${DEFAULT-VALUE})")
  Duration quietPeriod;

  /** Back up the old column before completed drops it. */
  @Option(names = "--backup", description = "at completed, copy (primary key, old column) into"
      + " <schema>.<table>_<column>_cutover_backup before dropping the old column")
  boolean backup;

  /** Rename the old column instead of dropping it. */
  @Option(names = "--keep-old", description = "at completed, rename the old column to <column>_deprecated"
      + " instead of dropping it")
  boolean keepOld;

  /** Enter read_new before the backfill is verified. */
  @Option(names = "--lazy", description = "enter read_new before the backfill is verified (the lazy cut-over):"
      + " rows not backfilled yet are read as up(old) until it is; new_only stays refused until the backfill is"
      + " verified. Only for the step into read_new")
  boolean lazy;

  /** Enter completed without asking. */
  @Option(names = {"-y", "--yes"}, description = "enter completed without asking (required when there is no"
      + " terminal to ask on: scripts, CI)")
  boolean yes;

  @Override
  int run(Operator operator) throws SQLException {
    Operator.PhaseRun run = operator.advance(ids, phase.toOptions(force, quietPeriod, 1000, backup, keepOld, lazy),
        this::confirm, dryRun);
    result(PhaseOptions.result(run));
    return 0;
  }

  private boolean confirm(String summary) {
    if (yes) {
      return true;
    }
    Console console = System.console();
    if (console == null || json()) {
      throw OperatorException.usage(summary + ". There is no terminal to ask on: run again with --yes to go on;"
          + " nothing was changed");
    }
    String expected = String.join(" ", ids);
    String answer = console.readLine("%s.%nType the migration id%s (%s) to go on: ", summary,
        ids.size() > 1 ? "s" : "", expected);
    return answer != null && answer.trim().replaceAll("\\s+", " ").equals(expected);
  }
}
