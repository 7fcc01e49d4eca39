package dev.cutover.operator;

import dev.cutover.migration.Phase;
import java.time.Duration;

/**
 * How {@code advance} and {@code rollback} move a migration.
 *
 * @param to the phase to stop at, or {@code null} for one step
 * @param ackWait how long to wait for live instances to acknowledge a phase (default 30 s)
 * @param force skip the old-name quiet-period guard of {@code completed} (never the acknowledgements)
 * @param lockTimeout {@code lock_timeout} of each DDL attempt (default 1 s)
 * @param lockRetryBudget how long DDL lock timeouts are retried (default 60 s)
 * @param quietPeriod how recently a live instance may have used the old name before {@code completed} is refused (default 10 min)
 * @param instanceTtl how long an instance counts as live after its last heartbeat (default 30 s)
 * @param refillBatchSize rows per batch when a rollback refills the old column (default 1000)
 * @param backup at {@code completed}, copy {@code (primary key, old column)} into
 *     {@code <schema>.<table>_<column>_cutover_backup} before dropping the old column
 * @param keepOld at {@code completed}, rename the old column to {@code <column>_deprecated} instead of
 *     dropping it (refused if that name exists)
 * @param lazy enter {@code read_new} before the backfill is verified (the lazy cut-over): reads then
 *     compute rows the backfill has not reached from the old column ({@code COALESCE(new, up(old))});
 *     {@code new_only} stays refused until the backfill is verified
 */
public record AdvanceOptions(
    Phase to, Duration ackWait, boolean force, Duration lockTimeout, Duration lockRetryBudget,
    Duration quietPeriod, Duration instanceTtl, int refillBatchSize, boolean backup, boolean keepOld, boolean lazy) {

  /** Options without the lazy cut-over. */
  public AdvanceOptions(Phase to, Duration ackWait, boolean force, Duration lockTimeout, Duration lockRetryBudget,
      Duration quietPeriod, Duration instanceTtl, int refillBatchSize, boolean backup, boolean keepOld) {
    this(to, ackWait, force, lockTimeout, lockRetryBudget, quietPeriod, instanceTtl, refillBatchSize, backup, keepOld,
        false);
  }

  /** The defaults: one step, 30 s wait, 1 s lock timeout retried for 60 s, 10 min quiet period. */
  public static AdvanceOptions defaults() {
    return new AdvanceOptions(null, Duration.ofSeconds(30), false, Duration.ofSeconds(1), Duration.ofSeconds(60),
        Duration.ofMinutes(10), AckWaiter.DEFAULT_TTL, 1000, false, false);
  }

  /** These options, stopping at {@code phase}. */
  public AdvanceOptions withTo(Phase phase) {
    return new AdvanceOptions(phase, ackWait, force, lockTimeout, lockRetryBudget, quietPeriod, instanceTtl, refillBatchSize, backup, keepOld, lazy);
  }

  /** These options with another acknowledgement wait. */
  public AdvanceOptions withAckWait(Duration newWait) {
    return new AdvanceOptions(to, newWait, force, lockTimeout, lockRetryBudget, quietPeriod, instanceTtl, refillBatchSize, backup, keepOld, lazy);
  }

  /** These options with the lazy cut-over on or off (see {@link #lazy()}). */
  public AdvanceOptions withLazy(boolean isLazy) {
    return new AdvanceOptions(to, ackWait, force, lockTimeout, lockRetryBudget, quietPeriod, instanceTtl, refillBatchSize, backup, keepOld, isLazy);
  }
}
