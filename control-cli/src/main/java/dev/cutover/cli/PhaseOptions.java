package dev.cutover.cli;

import dev.cutover.migration.Phase;
import dev.cutover.operator.AdvanceOptions;
import java.time.Duration;
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
}
