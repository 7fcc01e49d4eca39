package dev.cutover.runtime;

import dev.cutover.CutoverStatistics.RefusalKind;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The process-wide counters behind {@link dev.cutover.CutoverStatistics}, and the live runtimes its
 * gauges read. Internal: the driver's classes count here; applications read the public API.
 *
 * <p>Implementation notes: counters are per class loader, not per runtime, so that they never go
 * down when a runtime stops (a monitoring system reads them as monotonic). Only the slow path
 * counts (a statement text that may name a migrating table, or a refusal): a statement that names
 * none, or any statement while nothing migrates, touches nothing here. {@link LongAdder} keeps
 * concurrent increments from contending.
 */
public final class Telemetry {

  private Telemetry() {}

  static final LongAdder REWRITTEN = new LongAdder();
  static final LongAdder UNCHANGED = new LongAdder();
  static final LongAdder PASSED_THROUGH = new LongAdder();
  static final LongAdder CACHE_HITS = new LongAdder();
  static final LongAdder CACHE_MISSES = new LongAdder();
  static final LongAdder LAZY_QUEUED = new LongAdder();
  static final LongAdder LAZY_FILLED = new LongAdder();
  static final LongAdder LAZY_DROPPED = new LongAdder();
  private static final LongAdder[] REFUSED = new LongAdder[RefusalKind.values().length];

  static {
    for (int i = 0; i < REFUSED.length; i++) {
      REFUSED[i] = new LongAdder();
    }
  }

  private static final Set<CutoverRuntime> LIVE = ConcurrentHashMap.newKeySet();
  private static final CopyOnWriteArrayList<Runnable> MIGRATION_LISTENERS = new CopyOnWriteArrayList<>();

  /** Counts a statement Cutover refused to send, by kind. */
  public static void refused(RefusalKind kind) {
    REFUSED[kind.ordinal()].increment();
  }

  /** Statements refused so far, of {@code kind}. */
  public static long refusedCount(RefusalKind kind) {
    return REFUSED[kind.ordinal()].sum();
  }

  /** Counter values, for {@link dev.cutover.CutoverStatistics}. */
  public static long rewritten() {
    return REWRITTEN.sum();
  }

  /** See {@link dev.cutover.CutoverStatistics#unchanged()}. */
  public static long unchanged() {
    return UNCHANGED.sum();
  }

  /** See {@link dev.cutover.CutoverStatistics#passedThrough()}. */
  public static long passedThrough() {
    return PASSED_THROUGH.sum();
  }

  /** See {@link dev.cutover.CutoverStatistics#cacheHits()}. */
  public static long cacheHits() {
    return CACHE_HITS.sum();
  }

  /** See {@link dev.cutover.CutoverStatistics#cacheMisses()}. */
  public static long cacheMisses() {
    return CACHE_MISSES.sum();
  }

  /** See {@link dev.cutover.CutoverStatistics#lazyRowsQueued()}. */
  public static long lazyQueued() {
    return LAZY_QUEUED.sum();
  }

  /** See {@link dev.cutover.CutoverStatistics#lazyRowsFilled()}. */
  public static long lazyFilled() {
    return LAZY_FILLED.sum();
  }

  /** See {@link dev.cutover.CutoverStatistics#lazyRowsDropped()}. */
  public static long lazyDropped() {
    return LAZY_DROPPED.sum();
  }

  /** The runtimes started and not yet closed in this class loader. */
  public static Set<CutoverRuntime> liveRuntimes() {
    return java.util.Collections.unmodifiableSet(LIVE);
  }

  /**
   * Runs {@code listener} (on a runtime's thread, briefly) whenever a runtime starts, stops or loads
   * other migrations: the metrics binder registers the gauges of migrations it has not seen.
   */
  public static void onMigrationsChanged(Runnable listener) {
    MIGRATION_LISTENERS.add(listener);
  }

  static void started(CutoverRuntime runtime) {
    LIVE.add(runtime);
    migrationsChanged();
  }

  static void stopped(CutoverRuntime runtime) {
    if (LIVE.remove(runtime)) {
      migrationsChanged();
    }
  }

  static void migrationsChanged() {
    for (Runnable listener : MIGRATION_LISTENERS) {
      try {
        listener.run();
      } catch (RuntimeException | LinkageError e) {
        // A monitoring problem must never reach the runtime's polling.
        org.slf4j.LoggerFactory.getLogger(Telemetry.class).warn("Cutover: a metrics listener failed", e);
      }
    }
  }
}
