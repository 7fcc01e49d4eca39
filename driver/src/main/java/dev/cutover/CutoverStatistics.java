package dev.cutover;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.runtime.CutoverRuntime;
import dev.cutover.runtime.LazyMigrator;
import dev.cutover.runtime.Telemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the driver has done in this process (this class loader), for monitoring: plain numbers that
 * need no library. {@link CutoverMetrics} publishes them through Micrometer; anything else may poll
 * them. Thread-safe; every method is cheap but not free (a sum of striped counters, or a walk over
 * the running runtimes): call them from a monitoring thread, not per statement.
 *
 * <p>What counts as a statement: each time the driver looks up the rewrite of a statement text
 * that may name a migrating table ({@code Statement.execute*}, each text of a batch, and a {@code
 * PreparedStatement} when it is prepared and again after the migrations change, not per execution;
 * {@code Connection.nativeSQL} too). Texts
 * that name no migrating table, and every statement while no migration exists, go straight to
 * PostgreSQL and are not counted: counting them would cost the path that must cost nothing.
 * Counters never decrease while the class is loaded.
 */
public final class CutoverStatistics {

  private CutoverStatistics() {}

  /** Why the driver refused to send a statement: few values, meant as a metric tag. */
  public enum RefusalKind {
    /**
     * The statement touches a migrating column and cannot be rewritten safely (SQLState 0A000; under
     * {@code cutover.onUnsupported=passthrough} it is sent as written and counted as passed through
     * instead).
     */
    UNSUPPORTED_STATEMENT,
    /**
     * A text changes {@code search_path} and then uses a migrating table in the same string
     * (SQLState 0A000).
     */
    SEARCH_PATH_CHANGE,
    /** An updatable result set's row operation on a query that may read a migrating table (0A000). */
    UPDATABLE_RESULT_SET,
    /** A {@code CallableStatement} whose rewrite would move its parameters (0A000). */
    CALLABLE_PARAMETERS,
    /**
     * A migration is unfinished and this process could not confirm its phase within {@code
     * cutover.leaseMillis} (SQLState 08006).
     */
    LEASE_EXPIRED,
    /** The rewriter failed: a bug in Cutover (SQLState XX000); never sent, even under passthrough. */
    REWRITER_BUG;

    /** The lower-case name used as the {@code reason} tag, e.g. {@code unsupported_statement}. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One migration as a running runtime of this process sees it.
   *
   * @param controlSchema the control schema it was read from ({@code cutover.schema})
   * @param id the migration's id
   * @param table the migrating table, {@code schema.table}
   * @param phase its phase as the CLI writes it ({@code planned}, {@code dual_write}, {@code
   *     read_new}, {@code new_only}, {@code completed})
   * @param phaseIndex 0 for {@code planned} up to 4 for {@code completed}
   * @param epoch the epoch of the migrations this runtime applies
   */
  public record MigrationState(String controlSchema, String id, String table, String phase, int phaseIndex,
      long epoch) {}

  /** Statements sent in a rewritten form. */
  public static long rewritten() {
    return Telemetry.rewritten();
  }

  /**
   * Statements that may name a migrating table (so the rewriter looked at them) but were sent as
   * written: they needed no change in the current phase.
   */
  public static long unchanged() {
    return Telemetry.unchanged();
  }

  /** Statements the rewriter refused but sent as written because {@code cutover.onUnsupported=passthrough}. */
  public static long passedThrough() {
    return Telemetry.passedThrough();
  }

  /** Statements refused (not sent) for {@code kind}. */
  public static long refused(RefusalKind kind) {
    return Telemetry.refusedCount(kind);
  }

  /** Rewrite lookups answered from the rewritten-statement cache ({@code cutover.cacheSize}). */
  public static long cacheHits() {
    return Telemetry.cacheHits();
  }

  /** Rewrite lookups that ran the rewriter (first use of a text in a phase, or evicted). */
  public static long cacheMisses() {
    return Telemetry.cacheMisses();
  }

  /** Keys of rows read that were queued for lazy migration ({@code cutover.readTouch}). */
  public static long lazyRowsQueued() {
    return Telemetry.lazyQueued();
  }

  /** Rows whose new column the lazy migration filled. */
  public static long lazyRowsFilled() {
    return Telemetry.lazyFilled();
  }

  /** Keys of rows read that the lazy migration dropped (queue full, or stopped); the backfill fills those rows. */
  public static long lazyRowsDropped() {
    return Telemetry.lazyDropped();
  }

  /** Keys waiting in the lazy migration queues of the running runtimes now. */
  public static long lazyQueueSize() {
    long size = 0;
    for (CutoverRuntime runtime : Telemetry.liveRuntimes()) {
      LazyMigrator lazy = runtime.lazyMigrator();
      size += lazy == null ? 0 : lazy.queueSize();
    }
    return size;
  }

  /** The migrations the running runtimes apply now, one entry per control schema and migration. */
  public static List<MigrationState> migrations() {
    List<MigrationState> states = new ArrayList<>();
    for (CutoverRuntime runtime : Telemetry.liveRuntimes()) {
      var snapshot = runtime.snapshot();
      for (ColumnMigration m : snapshot.migrations()) {
        MigrationState state = new MigrationState(runtime.config().schema(), m.id(), m.schema() + "." + m.table(),
            m.phase().sqlName(), m.phase().ordinal(), snapshot.epoch());
        if (!states.contains(state)) {
          states.add(state);
        }
      }
    }
    return states;
  }

  /**
   * Seconds since the oldest phase confirmation among the running runtimes (a reload of the
   * migrations followed by a heartbeat; see {@code cutover.leaseMillis}): while a migration is
   * unfinished, statements are refused once this passes the lease. {@code NaN} when no runtime runs
   * or none has confirmed yet.
   */
  public static double leaseAgeSeconds() {
    long oldest = -1;
    for (CutoverRuntime runtime : Telemetry.liveRuntimes()) {
      oldest = Math.max(oldest, runtime.confirmationAgeNanos());
    }
    return oldest < 0 ? Double.NaN : oldest / 1e9;
  }
}
