package dev.cutover.cli;

import dev.cutover.migration.Phase;
import dev.cutover.operator.AdvanceOptions;
import dev.cutover.operator.Operator;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options shared by {@code advance} and {@code rollback}. */
final class PhaseOptions {

  /** Phase to stop at (stepwise). */
  @Option(names = "--to", paramLabel = "PHASE", converter = PhaseConverter.class,
      description = "phase to move to, one step at a time (default: one step)")
  Phase to;

  /** How long to wait for live instances to acknowledge. */
  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
      description = "how long to wait for live instances to acknowledge a phase (default: ${DEFAULT-VALUE})")
  Duration wait;

  /** lock_timeout of each DDL attempt. */
  @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
      description = "lock_timeout of each DDL attempt (default: ${DEFAULT-VALUE})")
  Duration lockTimeout;

  /** How long to retry DDL lock timeouts. */
  @Option(names = "--lock-retry-budget", paramLabel = "DURATION", defaultValue = "60s",
      converter = DurationConverter.class,
      description = "how long DDL lock timeouts are retried with backoff, and how long an index copy may wait for"
          + " older transactions before it is cancelled (default: ${DEFAULT-VALUE})")
  Duration lockRetryBudget;

  /** Heartbeat age after which an instance no longer counts. */
  @Option(names = "--instance-ttl", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
      description = "an instance whose heartbeat is older than this is ignored, once its backends are ended (the"
          + " fence); keep it above the drivers' cutover.leaseMillis (default: ${DEFAULT-VALUE})")
  Duration instanceTtl;

  AdvanceOptions toOptions(boolean force, Duration quietPeriod, int refillBatchSize, boolean backup, boolean keepOld) {
    return toOptions(force, quietPeriod, refillBatchSize, backup, keepOld, false);
  }

  AdvanceOptions toOptions(boolean force, Duration quietPeriod, int refillBatchSize, boolean backup, boolean keepOld,
      boolean lazy) {
    return new AdvanceOptions(to, wait, force, lockTimeout, lockRetryBudget, quietPeriod, instanceTtl, refillBatchSize,
        backup, keepOld, lazy);
  }

  /**
   * What {@code --json} prints for an advance or a rollback: for one migration its id, phase,
   * epoch and lazy flag; for several, {@code migrations} (a list of those); on a dry run also
   * {@code dryRun} and {@code steps}, the plan.
   */
  static Map<String, Object> result(Operator.PhaseRun run) {
    List<Map<String, Object>> migrations = run.migrations().stream().map(m -> {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("id", m.id());
      one.put("phase", m.phase().sqlName());
      one.put("epoch", m.epoch());
      one.put("lazy", m.lazyRead());
      return one;
    }).toList();
    Map<String, Object> result = new LinkedHashMap<>(migrations.size() == 1 ? migrations.get(0) : Map.of());
    if (migrations.size() > 1) {
      result.put("migrations", migrations);
    }
    if (run.dryRun()) {
      result.put("dryRun", true);
      result.put("steps", run.steps());
    }
    return result;
  }
}
