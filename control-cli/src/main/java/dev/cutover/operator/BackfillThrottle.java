package dev.cutover.operator;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The backfill's adaptive slowing, as decisions without I/O: how long to wait after a batch that
 * was much slower than typical, after a batch that hit {@code lock_timeout}, and whether a
 * replication lag is too high.
 *
 * <p>Implementation notes: "typical" is an exponentially weighted moving average of the batch
 * durations (weight {@link #ALPHA}), known after {@link #WARM_UP} batches. A batch slower than
 * {@link #SLOW_FACTOR} times typical (and slower than {@link #SLOW_FLOOR_MILLIS}) means the
 * database is busy (lock waits below the timeout, I/O, vacuum...): the backfill then waits as long
 * as the batch took, so it takes at most half of the time while things are slow. Consecutive lock
 * timeouts back off exponentially with jitter, from {@link #LOCK_BACKOFF_START_MILLIS} up to
 * {@link #LOCK_BACKOFF_MAX_MILLIS}; a successful batch resets them.
 */
final class BackfillThrottle {

  static final double ALPHA = 0.2;
  static final int WARM_UP = 3;
  static final double SLOW_FACTOR = 4.0;
  static final long SLOW_FLOOR_MILLIS = 200;
  static final long SLOW_MAX_WAIT_MILLIS = 30_000;
  static final long LOCK_BACKOFF_START_MILLIS = 250;
  static final long LOCK_BACKOFF_MAX_MILLIS = 30_000;

  private double typicalMillis;
  private int batches;
  private int lockTimeouts;

  /**
   * Records a committed batch that took {@code millis}; returns how long to wait before the next
   * one because it was much slower than typical (0 when it was not).
   */
  long afterBatch(long millis) {
    lockTimeouts = 0;
    long wait = 0;
    if (batches >= WARM_UP && millis > SLOW_FLOOR_MILLIS && millis > SLOW_FACTOR * typicalMillis) {
      wait = Math.min(millis, SLOW_MAX_WAIT_MILLIS);
    }
    typicalMillis = batches == 0 ? millis : ALPHA * millis + (1 - ALPHA) * typicalMillis;
    batches++;
    return wait;
  }

  /** Records a batch rolled back on {@code lock_timeout}; returns how long to wait before retrying it. */
  long afterLockTimeout() {
    long base = Math.min(LOCK_BACKOFF_MAX_MILLIS, LOCK_BACKOFF_START_MILLIS << Math.min(lockTimeouts, 20));
    lockTimeouts++;
    double jitter = 0.75 + 0.5 * ThreadLocalRandom.current().nextDouble();
    return Math.min(LOCK_BACKOFF_MAX_MILLIS, Math.round(base * jitter));
  }

  /** Consecutive lock timeouts so far. */
  int lockTimeouts() {
    return lockTimeouts;
  }

  /** The typical batch duration so far, in milliseconds (0 before the first batch). */
  long typicalMillis() {
    return Math.round(typicalMillis);
  }

  /** Whether {@code lagSeconds} exceeds {@code maxLagMillis}. */
  static boolean lagTooHigh(double lagSeconds, long maxLagMillis) {
    return lagSeconds * 1000 > maxLagMillis;
  }
}
