package dev.cutover.operator;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The backfill's slowing down: the reasons it holds its chunks now, and the adaptive waits after a
 * slow chunk or a lock timeout.
 *
 * <p>Implementation notes: a backfill has one throttle, shared by its workers (every method is
 * thread-safe). Two kinds of reasons hold the workers:
 * <ul>
 *   <li>{@link Check}s, asked by the coordinating thread at least once a second ({@link
 *       #recheck}): replication lag, long transactions, a pause by {@code cutover tune}. Another
 *       condition (another kind of lag, say) is one more {@link Check} passed to the constructor
 *       or {@link #addCheck}. While any check gives a reason, workers wait before their next chunk
 *       ({@link #awaitClear}); a chunk already running finishes.
 *   <li>Waits a worker takes on itself: after a chunk much slower than typical (the database is
 *       busy: lock waits below the timeout, I/O, vacuum), and after a chunk rolled back on
 *       {@code lock_timeout} (exponential back-off with jitter); these show as reasons while they last.
 * </ul>
 * {@link #reasons()} is what {@code cutover status} shows (through {@code backfill_control}).
 *
 * <p>"Typical" is an exponentially weighted moving average of the chunk durations (weight {@link
 * #ALPHA}), known after {@link #WARM_UP} chunks. A chunk slower than {@link #SLOW_FACTOR} times
 * typical (and slower than {@link #SLOW_FLOOR_MILLIS}) makes its worker wait as long as it took, so
 * it takes at most half of the time while things are slow. Consecutive lock timeouts back off from
 * {@link #LOCK_BACKOFF_START_MILLIS} up to {@link #LOCK_BACKOFF_MAX_MILLIS}; a committed chunk resets
 * them.
 */
final class BackfillThrottle {

  /**
   * One condition that holds the backfill, checked by the coordinator at least once a second on its
   * own connection.
   */
  @FunctionalInterface
  interface Check {
    /** Why the backfill should wait now (a short phrase such as "replication lag 5.0s > max-lag 1s"), or null. */
    String reason(Connection c) throws SQLException;
  }

  static final double ALPHA = 0.2;
  static final int WARM_UP = 3;
  static final double SLOW_FACTOR = 4.0;
  static final long SLOW_FLOOR_MILLIS = 200;
  static final long SLOW_MAX_WAIT_MILLIS = 30_000;
  static final long LOCK_BACKOFF_START_MILLIS = 250;
  static final long LOCK_BACKOFF_MAX_MILLIS = 30_000;
  /** How often a waiting worker looks again (the checks themselves run on the coordinator). */
  static final long WAIT_STEP_MILLIS = 50;

  private final List<Check> checks = new CopyOnWriteArrayList<>();
  private volatile List<String> checked = List.of();
  /** Transient waits of workers: reason and until when (nanoTime); each is shown at least once. */
  private final List<Wait> waits = new ArrayList<>();

  private double typicalMillis;
  private int batches;
  private int lockTimeouts;

  private static final class Wait {
    final String reason;
    final long untilNanos;
    boolean seen;

    Wait(String reason, long untilNanos) {
      this.reason = reason;
      this.untilNanos = untilNanos;
    }
  }

  BackfillThrottle(List<Check> checks) {
    this.checks.addAll(checks);
  }

  BackfillThrottle() {
    this(List.of());
  }

  /** Adds a condition that holds the backfill. */
  void addCheck(Check check) {
    checks.add(check);
  }

  /** Asks every check again (the coordinator, at least once a second); returns the reasons to wait now. */
  List<String> recheck(Connection c) throws SQLException {
    List<String> reasons = new ArrayList<>();
    for (Check check : checks) {
      String r = check.reason(c);
      if (r != null) {
        reasons.add(r);
      }
    }
    checked = List.copyOf(reasons);
    return checked;
  }

  /** Whether a check held the backfill at its last {@link #recheck}. */
  boolean held() {
    return !checked.isEmpty();
  }

  /** Waits until no check holds the backfill, or {@code stop} says to give up; returns false then. */
  boolean awaitClear(java.util.function.BooleanSupplier stop) {
    while (held()) {
      if (stop.getAsBoolean()) {
        return false;
      }
      DdlRunner.sleepMillis(WAIT_STEP_MILLIS);
    }
    return !stop.getAsBoolean();
  }

  /** Every reason the backfill (or one of its workers) waits now: checks first, then workers' own waits. */
  synchronized List<String> reasons() {
    long now = System.nanoTime();
    waits.removeIf(w -> w.seen && w.untilNanos - now <= 0);
    List<String> all = new ArrayList<>(checked);
    for (Wait w : waits) {
      w.seen = true;
      if (!all.contains(w.reason)) {
        all.add(w.reason);
      }
    }
    return all;
  }

  /** A worker waits {@code millis} for {@code reason}: shown among {@link #reasons()} meanwhile. */
  void waitFor(String reason, long millis) {
    synchronized (this) {
      waits.add(new Wait(reason, System.nanoTime() + millis * 1_000_000));
    }
    DdlRunner.sleepMillis(millis);
  }

  /**
   * Records a committed chunk that took {@code millis}; returns how long to wait before the next
   * one because it was much slower than typical (0 when it was not).
   */
  synchronized long afterBatch(long millis) {
    lockTimeouts = 0;
    long wait = 0;
    if (batches >= WARM_UP && millis > SLOW_FLOOR_MILLIS && millis > SLOW_FACTOR * typicalMillis) {
      wait = Math.min(millis, SLOW_MAX_WAIT_MILLIS);
    }
    typicalMillis = batches == 0 ? millis : ALPHA * millis + (1 - ALPHA) * typicalMillis;
    batches++;
    return wait;
  }

  /** Records a chunk rolled back on {@code lock_timeout}; returns how long to wait before retrying it. */
  synchronized long afterLockTimeout() {
    long base = Math.min(LOCK_BACKOFF_MAX_MILLIS, LOCK_BACKOFF_START_MILLIS << Math.min(lockTimeouts, 20));
    lockTimeouts++;
    double jitter = 0.75 + 0.5 * ThreadLocalRandom.current().nextDouble();
    return Math.min(LOCK_BACKOFF_MAX_MILLIS, Math.round(base * jitter));
  }

  /** Consecutive lock timeouts so far. */
  synchronized int lockTimeouts() {
    return lockTimeouts;
  }

  /** The typical chunk duration so far, in milliseconds (0 before the first chunk). */
  synchronized long typicalMillis() {
    return Math.round(typicalMillis);
  }

  /** Whether {@code lagSeconds} exceeds {@code maxLagMillis}. */
  static boolean lagTooHigh(double lagSeconds, long maxLagMillis) {
    return lagSeconds * 1000 > maxLagMillis;
  }
}
