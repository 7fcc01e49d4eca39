package dev.cutover.cli;

import dev.cutover.operator.BackfillTuner;
import dev.cutover.operator.Operator;
import java.sql.SQLException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code cutover tune ID KEY=VALUE...}: changes a running backfill (from any terminal or machine),
 * through the control schema; the backfill applies it within a second.
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
    description = "Change a running backfill: batch-size=N|auto, workers=N, pause=true|false, max-lag=DURATION|off,"
        + " chunk-time=DURATION. It applies them within a second.")
final class TuneCommand extends OperatorCommand {

  @Parameters(index = "0", paramLabel = "ID", description = "the migration id")
  String id;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE",
      description = "batch-size=N|auto, workers=N (1-64), pause=true|false, max-lag=DURATION|off, chunk-time=DURATION")
  List<String> settings;

  @Override
  int run(Operator operator) throws SQLException {
    BackfillTuner.Changes changes;
    try {
      changes = BackfillTuner.Changes.parse(settings);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    BackfillTuner.Result r = new BackfillTuner(parent.settings()).tune(id, changes);
    progress().printf("backfill %s: batch size %s, chunk time %s, %d worker(s), %s, max lag %s (settings version %d)%n",
        r.id(), r.batchSize() == null ? "auto" : r.batchSize(), r.chunkTime(), r.workers(),
        r.paused() ? "paused" : "running", r.maxLag() == null ? "off" : r.maxLag(), r.settingsVersion());
    progress().printf(r.applied() ? "applied by the running backfill (backend %d)%n"
        : "not confirmed yet by the backfill (backend %d) within 5s: it applies the settings at its next poll"
            + " (`cutover status %s` shows what it runs with)%n", r.backendPid(), r.id());
    result(r);
    return 0;
  }
}
