package dev.cutover.operator;

import dev.cutover.control.ControlSchema;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Fills the new column of the rows the application has not touched yet.
 *
 * <p>Implementation notes: the walk goes up to the largest key present when the backfill starts,
 * so it terminates under any insert rate (rows inserted later are dual-written by the drivers).
 * Each batch is one transaction that also checkpoints {@code backfill_state}, so a crashed
 * backfill resumes after its last committed batch. Batches skip rows the application holds
 * locked; a final pass without {@code SKIP LOCKED} (under a short {@code lock_timeout}, retried)
 * picks those up.
 */
public final class Backfiller {

  /**
   * @param rowsUpdated rows this run updated
   * @param rowsDone rows updated by every run of this backfill so far
   * @param finished whether the backfill is complete (false when stopped by {@code maxBatches})
   */
  public record Result(long rowsUpdated, long rowsDone, boolean finished) {}

  private static final Duration FINAL_PASS_LOCK_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration FINAL_PASS_BUDGET = Duration.ofSeconds(60);
  /** How often a lag above --max-lag is measured again. */
  static final Duration LAG_RECHECK = Duration.ofSeconds(1);
  /** Consecutive batches on lock_timeout before the backfill gives up (resumably): minutes of back-off. */
  static final int MAX_LOCK_TIMEOUTS = 20;

  private final ControlSchema schema;
  private final PrintWriter out;
  private final boolean terminal;
  /** Batches run by this backfiller so far: --max-batches bounds a partitioned table's whole run. */
  private long batchesRun;

  /**
   * @param schema the control schema ({@code backfill_state})
   * @param out where progress lines go (a progress bar goes to stderr instead when it is a terminal)
   */
  public Backfiller(ControlSchema schema, PrintWriter out) {
    this(schema, out, BackfillProgress.terminal());
  }

  /**
   * @param schema the control schema ({@code backfill_state})
   * @param out where progress lines go
   * @param terminal whether to draw a progress bar on stderr instead of progress lines
   */
  Backfiller(ControlSchema schema, PrintWriter out, boolean terminal) {
    this.schema = schema;
    this.out = out;
    this.terminal = terminal;
  }

  /** Backfills migration {@code m} (in {@code dual_write} or {@code read_new}). */
  public Result backfill(Connection c, ColumnMigration m, BackfillOptions options) throws SQLException {
    if (m.phase() != Phase.DUAL_WRITE && m.phase() != Phase.READ_NEW) {
      throw new OperatorException("migration '" + m.id() + "' is in phase " + m.phase().sqlName()
          + ": backfill runs in dual_write or read_new (run `cutover advance " + m.id() + "` first)");
    }
    TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
    if (PartitionedTable.isPartitioned(table)) {
      return backfillPartitions(c, m, table, options);
    }
    return backfillTable(c, m, m.id(), table, options);
  }

  /**
   * A partitioned table, leaf partition by leaf partition, each walked by its own key with a
   * checkpoint of its own ({@code <id>/<partition>}); the migration's own row says which partition
   * finished last and how many rows all of them copied. A run that stopped resumes in the partition
   * it stopped in; a run after a finished one starts over (copying only rows that differ).
   */
  private Result backfillPartitions(Connection c, ColumnMigration m, TableCatalog.Table table, BackfillOptions options)
      throws SQLException {
    State root = loadState(c, m.id());
    boolean resuming = root != null && !root.finished();
    List<TableCatalog.Table> leaves = PartitionedTable.leaves(c, table);
    // The migration's own row, for status: "last key <the last partition finished> of <n> partitions".
    String all = leaves.size() + " partitions";
    if (!resuming) {
      reset(c, m.id());
      saveState(c, m.id(), null, all, 0, false);
    }
    long updated = 0;
    long done = 0;
    String last = null;
    for (TableCatalog.Table leaf : leaves) {
      String stateId = partitionStateId(m.id(), leaf);
      State leafState = loadState(c, stateId);
      if (resuming && leafState != null && leafState.finished()) {
        done += leafState.rowsDone();
        last = leaf.quoted();
        continue;
      }
      long left = options.maxBatches() - batchesRun;
      if (options.maxBatches() > 0 && left <= 0) {
        return new Result(updated, done, false);
      }
      out.printf("backfill %s: partition %s%n", m.id(), leaf.quoted());
      Result r = backfillTable(c, m, stateId, leaf, options.maxBatches() == 0 ? options : new BackfillOptions(
          options.batchSize(), options.pause(), options.maxLag(), left, options.lockTimeout(), options.lagQuery()));
      updated += r.rowsUpdated();
      done += r.rowsDone();
      if (!r.finished()) {
        return new Result(updated, done, false);
      }
      last = leaf.quoted();
      saveState(c, m.id(), last, all, done, false);
    }
    saveState(c, m.id(), last, all, done, true);
    out.printf("backfill %s: every partition of %s is done: %d rows copied (%d this run)%n", m.id(), table.quoted(),
        done, updated);
    out.flush();
    return new Result(updated, done, true);
  }

  /** The checkpoint of one partition's walk. */
  private static String partitionStateId(String id, TableCatalog.Table leaf) {
    return id + "/" + leaf.quoted();
  }

  /** One table's walk (a plain table, or one leaf partition), checkpointed under {@code stateId}. */
  private Result backfillTable(Connection c, ColumnMigration m, String stateId, TableCatalog.Table table,
      BackfillOptions options) throws SQLException {
    BatchCopier copier = copier(c, table, m, m.physicalNewColumn(), m.typedFillSql());
    try {
      return backfill(c, m, stateId, table, copier, options);
    } catch (SQLException e) {
      if (!m.isRename() && ConversionErrors.isDataError(e)) {
        State at = loadState(c, stateId);
        ConversionErrors.locate(c, m, table, copier.key(), m.oldColumn(),
            m.typedFillSql(), at == null ? null : at.lastKey(), at == null ? copier.maxKey(c) : at.maxKey(), "backfill");
      }
      throw e;
    }
  }

  private Result backfill(Connection c, ColumnMigration m, String stateId, TableCatalog.Table table, BatchCopier copier,
      BackfillOptions options) throws SQLException {

    State state = loadState(c, stateId);
    if (state == null || state.finished()) {
      String maxKey = copier.maxKey(c);
      saveState(c, stateId, null, maxKey, 0, maxKey == null);
      if (maxKey == null) {
        out.printf("backfill %s: %s is empty, nothing to do%n", m.id(), table.quoted());
        out.flush();
        return new Result(0, 0, true);
      }
      state = new State(null, maxKey, 0, false);
    } else {
      out.printf("backfill %s: resuming after key %s (%d rows done before)%n", m.id(), state.lastKey(), state.rowsDone());
    }

    long pending = copier.countPending(c, state.lastKey(), state.maxKey());
    long total = state.rowsDone() + pending;
    long updated = 0;
    long batches = 0;
    String last = state.lastKey();
    long done = state.rowsDone();
    BackfillThrottle throttle = new BackfillThrottle();
    try (BackfillProgress progress = BackfillProgress.create(m.id(), out, done, total, terminal)) {
      while (true) {
        if (options.maxBatches() > 0 && batches >= options.maxBatches()) {
          progress.finish(last);
          out.printf("backfill %s: stopped after %d batches (%d/%d rows); run it again to resume%n",
              m.id(), batches, done, total);
          out.flush();
          return new Result(updated, done, false);
        }
        waitForLag(c, options, progress);
        long t0 = System.nanoTime();
        BatchCopier.Batch batch;
        c.setAutoCommit(false);
        try {
          startBatch(c, options.lockTimeout());
          batch = copier.copy(c, last, state.maxKey(), options.batchSize(), true);
          if (batch.lastKey() != null) {
            saveState(c, stateId, batch.lastKey(), state.maxKey(), done + batch.rows(), false);
          }
          c.commit();
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          if (e instanceof SQLException sql && DdlRunner.LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
            long wait = throttle.afterLockTimeout();
            if (throttle.lockTimeouts() > MAX_LOCK_TIMEOUTS) {
              throw new OperatorException("backfill " + m.id() + ": " + throttle.lockTimeouts()
                  + " batches in a row waited longer than --lock-timeout " + Durations.format(options.lockTimeout())
                  + " for a lock on " + table.quoted() + "; find what holds it (pg_locks), then run it again to resume");
            }
            progress.throttled(String.format(Locale.ROOT, "lock wait: a batch hit lock_timeout %s, retrying in %s",
                Durations.format(options.lockTimeout()), Durations.format(Duration.ofMillis(wait))));
            DdlRunner.sleepMillis(wait);
            continue;
          }
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        batches++;
        batchesRun++;
        if (batch.lastKey() == null) {
          break;
        }
        last = batch.lastKey();
        done += batch.rows();
        updated += batch.rows();
        progress.step(batch.rows(), last);
        long typical = throttle.typicalMillis();
        long slow = throttle.afterBatch(millis);
        if (slow > 0) {
          progress.throttled(String.format(Locale.ROOT, "slow batch: %d ms (typically %d ms), waiting %s",
              millis, typical, Durations.format(Duration.ofMillis(slow))));
          DdlRunner.sleepMillis(slow);
        }
        if (!options.pause().isZero()) {
          DdlRunner.sleepMillis(options.pause().toMillis());
        }
      }

      // Rows skipped because the application held them locked: wait for them this time.
      long remaining = copier.countPending(c, null, state.maxKey());
      long budgetRows = remaining + options.batchSize();
      long deadline = System.nanoTime() + FINAL_PASS_BUDGET.toNanos();
      while (remaining > 0) {
        BatchCopier.Batch batch = finalPassBatch(c, copier, state.maxKey(), options.batchSize(), deadline);
        if (batch.rows() == 0) {
          break;
        }
        done += batch.rows();
        updated += batch.rows();
        progress.step(batch.rows(), state.maxKey());
        budgetRows -= batch.rows();
        if (budgetRows < 0) {
          throw new OperatorException("backfill " + m.id() + ": rows keep diverging from " + m.oldColumn()
              + " while being copied; is something writing " + table.quoted()
              + " without the Cutover driver? Run `cutover verify " + m.id() + "` to list them");
        }
      }
      saveState(c, stateId, state.maxKey(), state.maxKey(), done, true);
      // The estimate counted rows that the application's own (dual) writes filled meanwhile: the
      // run is complete, so the bar ends at 100% and the summary says where the difference went.
      progress.complete(state.maxKey());
    }
    long filledByApplication = Math.max(0, total - done);
    out.printf("backfill %s: done: %d rows copied (%d this run)%s; rows inserted or updated through the driver"
        + " since it started are written to both columns and need no copy%n", m.id(), done, updated,
        filledByApplication == 0 ? "" : ", " + filledByApplication + " more of the " + total + " estimated at the"
            + " start were filled meanwhile by the application's writes");
    out.printf("next: `cutover verify %s` (it counts every row of the table), then `cutover advance %s`%n", m.id(),
        m.id());
    out.flush();
    return new Result(updated, done, true);
  }

  /** Waits while the replication lag exceeds {@code --max-lag}, measured before each batch. */
  private static void waitForLag(Connection c, BackfillOptions options, BackfillProgress progress) throws SQLException {
    if (options.maxLag() == null) {
      return;
    }
    while (true) {
      double lag = replicationLag(c, options.lagQuery());
      if (!BackfillThrottle.lagTooHigh(lag, options.maxLag().toMillis())) {
        return;
      }
      progress.throttled(String.format(Locale.ROOT, "replication lag %.1fs > --max-lag %s", lag,
          Durations.format(options.maxLag())));
      DdlRunner.sleepMillis(LAG_RECHECK.toMillis());
    }
  }

  /** The replication lag in seconds, by {@code query} (one number; NULL counts as 0). */
  static double replicationLag(Connection c, String query) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
      return rs.next() ? rs.getDouble(1) : 0;
    }
  }

  /**
   * Settings of one batch's transaction: its {@code lock_timeout}, and {@code synchronous_commit =
   * off}. Why the latter is safe: the batch and its checkpoint commit together, so a crash can only
   * lose the last few batches and their checkpoint at once, and the resumed backfill copies those
   * rows again; an application commit after it flushes the WAL up to its own record, the batch's
   * included. It saves a WAL flush per batch.
   */
  private static void startBatch(Connection c, Duration timeout) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET LOCAL lock_timeout = '" + timeout.toMillis() + "ms'; SET LOCAL synchronous_commit = off");
    }
  }

  /**
   * Copies the new column back into the old one for every row where they differ (rollback from
   * {@code new_only}); rows inserted meanwhile are caught by calling it again once the instances
   * dual-write.
   *
   * @param untilClean also make a final pass over the whole range, waiting for locked rows, until
   *     no row differs: only when every instance dual-writes, or it may never end (instances in
   *     {@code new_only} keep writing the new column alone)
   * @return rows updated
   */
  public long refillOld(Connection c, ColumnMigration m, int batchSize, boolean untilClean) throws SQLException {
    long updated = 0;
    // A partitioned table partition by partition: a ctid walk is only meaningful within one.
    for (TableCatalog.Table table : PartitionedTable.leaves(c, TableCatalog.requireTable(c, m.schema(), m.table()))) {
      updated += refillOld(c, m, table, batchSize, untilClean);
    }
    return updated;
  }

  private long refillOld(Connection c, ColumnMigration m, TableCatalog.Table table, int batchSize, boolean untilClean)
      throws SQLException {
    String source = m.refillSql();
    if (!m.isRename()) {
      TableCatalog.Column old = TableCatalog.findColumn(c, table.oid(), m.oldColumn()).orElseThrow(() ->
          new OperatorException("column " + Identifiers.quote(m.oldColumn()) + " of " + table.quoted() + " is gone"));
      source = "CAST(" + source + " AS " + old.type() + ")";
    }
    BatchCopier copier = copier(c, table, m, m.oldColumn(), source);
    String maxKey = copier.maxKey(c);
    if (maxKey == null) {
      return 0;
    }
    long updated = 0;
    String last = null;
    c.setAutoCommit(true);
    try {
      while (true) {
        BatchCopier.Batch batch = copier.copy(c, last, maxKey, batchSize, true);
        if (batch.lastKey() == null) {
          break;
        }
        last = batch.lastKey();
        updated += batch.rows();
      }
      long deadline = System.nanoTime() + FINAL_PASS_BUDGET.toNanos();
      while (untilClean) {
        BatchCopier.Batch batch = finalPassBatch(c, copier, maxKey, batchSize, deadline);
        if (batch.rows() == 0) {
          break;
        }
        updated += batch.rows();
      }
    } catch (SQLException e) {
      if (!m.isRename() && ConversionErrors.isDataError(e)) {
        ConversionErrors.locate(c, m, table, copier.key(), m.newPhysicalColumn(), source, null, maxKey,
            "refill of the old column");
      }
      throw e;
    }
    out.printf("refilled %s.%s from %s: %d rows%n", table.quoted(), Identifiers.quote(m.oldColumn()),
        Identifiers.quote(m.physicalNewColumn()), updated);
    out.flush();
    return updated;
  }

  /** One batch that waits for locked rows, under a short lock_timeout retried until {@code deadline}. */
  private static BatchCopier.Batch finalPassBatch(
      Connection c, BatchCopier copier, String maxKey, int batchSize, long deadline) throws SQLException {
    long backoff = 100;
    while (true) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("SET LOCAL lock_timeout = '" + FINAL_PASS_LOCK_TIMEOUT.toMillis() + "ms'");
        BatchCopier.Batch batch = copier.copy(c, null, maxKey, batchSize, false);
        c.commit();
        return batch;
      } catch (SQLException e) {
        c.rollback();
        if (!DdlRunner.LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || System.nanoTime() > deadline) {
          throw e;
        }
        DdlRunner.sleepMillis(backoff);
        backoff = Math.min(5_000, backoff * 2);
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  /**
   * The copier of migration {@code m}'s table, walking it by {@link RowKey#of its key} (never by a
   * key that contains the migrating column, which the copy may be rewriting).
   *
   * @param target the column written
   * @param source the SQL expression of its value (from {@link ColumnMigration#typedFillSql()} or {@link ColumnMigration#refillSql()})
   */
  static BatchCopier copier(Connection c, TableCatalog.Table table, ColumnMigration m, String target, String source)
      throws SQLException {
    return new BatchCopier(table, RowKey.of(c, table, java.util.Set.of(m.oldColumn(), m.physicalNewColumn())), target,
        source);
  }

  private record State(String lastKey, String maxKey, long rowsDone, boolean finished) {}

  private State loadState(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT last_key, max_key, rows_done, finished_at IS NOT NULL FROM "
        + schema.qualify("backfill_state") + " WHERE migration_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new State(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getBoolean(4)) : null;
      }
    }
  }

  private void saveState(Connection c, String id, String lastKey, String maxKey, long done, boolean finished)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.qualify("backfill_state")
        + " AS s (migration_id, last_key, max_key, rows_done, finished_at) VALUES (?, ?, ?, ?, CASE WHEN ? THEN now() END)"
        + " ON CONFLICT (migration_id) DO UPDATE SET last_key = excluded.last_key, max_key = excluded.max_key,"
        + " rows_done = excluded.rows_done, finished_at = excluded.finished_at, updated_at = now(),"
        + " started_at = CASE WHEN s.finished_at IS NOT NULL THEN now() ELSE s.started_at END")) {
      ps.setString(1, id);
      ps.setString(2, lastKey);
      ps.setString(3, maxKey);
      ps.setLong(4, done);
      ps.setBoolean(5, finished);
      ps.executeUpdate();
    }
  }

  /** Forgets a migration's backfill progress (after the new column was dropped by a rollback). */
  public void reset(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + schema.qualify("backfill_state")
        + " WHERE migration_id = ? OR left(migration_id, length(?) + 1) = ? || '/'")) {
      ps.setString(1, id);
      ps.setString(2, id);
      ps.setString(3, id);
      ps.executeUpdate();
    }
  }
}
