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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fills the new column of the rows the application has not touched yet, with parallel workers over
 * key ranges.
 *
 * <p>Implementation notes:
 * <ul>
 *   <li>The walk goes up to the largest key present when the backfill starts, so it terminates
 *       under any insert rate (rows inserted later are dual-written by the drivers).
 *   <li>A {@link ChunkPlanner} cuts the range into chunks in key order (primary key, unique key,
 *       or ctid pages); each worker, on its own connection, copies one chunk per transaction
 *       ({@link BatchCopier#copyRange}: only rows that differ, each row's new value computed from
 *       its current old value under its row lock) and commits it with the checkpoint:
 *       {@code rows_done} grows by exactly the rows the chunk updated, and
 *       {@code last_key} moves to the end of the committed prefix of chunks. So a crashed backfill
 *       resumes after its last committed prefix (chunks committed beyond it are walked again and
 *       find nothing to copy) and its row count stays exact.
 *   <li>Chunks are sized to take about {@link BackfillOptions#chunkTime()} ({@link ChunkSizer}),
 *       unless a batch size is fixed.
 *   <li>The coordinating thread (the command's own connection, which holds the migration's lock)
 *       polls {@code backfill_control} every {@link #POLL} ({@link BackfillControl}), reporting its
 *       state and applying what {@code cutover tune} changed: workers are started, or retire after
 *       their current chunk; pausing, lag and the other {@link BackfillThrottle} checks hold the
 *       workers before their next chunk.
 *   <li>A chunk is one plain range UPDATE, which writes per row what a bulk UPDATE writes, and
 *       waits for a row the application holds locked at most {@link #PLAIN_CHUNK_LOCK_TIMEOUT}.
 *       A chunk that waited longer is rolled back, and for {@link #SKIP_LOCKED_PERIOD} chunks
 *       lock their rows first with {@code FOR UPDATE SKIP LOCKED} (a WAL record more per row),
 *       skipping the rows the application holds; the key ranges of those chunks are remembered.
 *   <li>Rows skipped that way are picked up by a final pass over those ranges only, without
 *       {@code SKIP LOCKED} (under a short {@code lock_timeout}, retried). A resumed run cannot
 *       know which ranges its predecessor skipped rows in, and passes over its range too. A key
 *       walk whose chunks never skipped a row needs no final pass: each chunk updated every row of
 *       its range that differed, or saw it filled by the application meanwhile. A ctid walk always
 *       passes over the whole table: a row can move to a page already walked.
 * </ul>
 */
public final class Backfiller {

  /**
   * @param rowsUpdated rows this run updated
   * @param rowsDone rows updated by every run of this backfill so far
   * @param finished whether the backfill is complete (false when stopped by {@code maxBatches})
   */
  public record Result(long rowsUpdated, long rowsDone, boolean finished) {}

  /** Opens a connection for a backfill worker (to the same database, as the operator's role). */
  @FunctionalInterface
  public interface Connections {
    /** A new connection, autocommit on; the worker closes it. */
    Connection open() throws SQLException;
  }

  private static final Duration FINAL_PASS_LOCK_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration FINAL_PASS_BUDGET = Duration.ofSeconds(60);
  /** How often the coordinator polls {@code backfill_control}, rechecks the throttle and shows progress. */
  static final Duration POLL = Duration.ofMillis(200);
  /** Consecutive chunks on lock_timeout before the backfill gives up (resumably): minutes of back-off. */
  static final int MAX_LOCK_TIMEOUTS = 20;
  /** Rows per batch of the final pass (and of a refill) when chunks are sized by time. */
  static final int FINAL_PASS_BATCH = 1000;
  /**
   * The {@code lock_timeout} of a chunk copied by a plain range UPDATE, which waits for rows the
   * application holds locked: longer than an ordinary transaction holds a row, short enough that
   * neither the backfill nor an application waiting behind its chunk notices. A chunk that hits it
   * is rolled back and copied again with {@code SKIP LOCKED}.
   */
  static final Duration PLAIN_CHUNK_LOCK_TIMEOUT = Duration.ofMillis(50);
  /** After a chunk found a row locked for longer than that, how long chunks lock their rows first and skip locked ones. */
  static final Duration SKIP_LOCKED_PERIOD = Duration.ofSeconds(30);

  private final ControlSchema schema;
  private final PrintWriter out;
  private final boolean terminal;
  private final Connections connections;
  /** Chunks issued by this backfiller so far: --max-batches bounds a partitioned table's whole run. */
  private long batchesRun;
  /**
   * The settings the last walk ended with (what {@code cutover tune} changed): a partitioned
   * table's next partition starts with them instead of the command line's.
   */
  private BackfillControl.Settings lastSettings;

  /**
   * A backfiller for refills and resets only: {@link #backfill} needs worker connections.
   *
   * @param schema the control schema ({@code backfill_state})
   * @param out where progress lines go (a progress bar goes to stderr instead when it is a terminal)
   */
  public Backfiller(ControlSchema schema, PrintWriter out) {
    this(schema, out, null, BackfillProgress.terminal());
  }

  /**
   * @param schema the control schema ({@code backfill_state}, {@code backfill_control})
   * @param out where progress lines go (a progress bar goes to stderr instead when it is a terminal)
   * @param connections where workers get their connections
   */
  public Backfiller(ControlSchema schema, PrintWriter out, Connections connections) {
    this(schema, out, connections, BackfillProgress.terminal());
  }

  /**
   * @param schema the control schema
   * @param out where progress lines go
   * @param connections where workers get their connections (null: no {@link #backfill})
   * @param terminal whether to draw a progress bar on stderr instead of progress lines
   */
  Backfiller(ControlSchema schema, PrintWriter out, Connections connections, boolean terminal) {
    this.schema = schema;
    this.out = out;
    this.connections = connections;
    this.terminal = terminal;
  }

  /**
   * Backfills migration {@code m} (in {@code dual_write} or {@code read_new}): one table, walked
   * from its checkpoint to the largest key present at the start.
   *
   * @param c the command's connection: it coordinates (checkpoint, control row, throttle checks,
   *     final pass); the workers copy on connections of their own
   */
  public Result backfill(Connection c, ColumnMigration m, BackfillOptions options) throws SQLException {
    if (m.phase() != Phase.DUAL_WRITE && m.phase() != Phase.READ_NEW) {
      throw new OperatorException("migration '" + m.id() + "' is in phase " + m.phase().sqlName()
          + ": backfill runs in dual_write or read_new (run `cutover advance " + m.id() + "` first)");
    }
    if (connections == null) {
      throw new IllegalStateException("a backfill needs worker connections (Backfiller(schema, out, connections))");
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
      // One partition at a time, its workers over its own key ranges (a keyless partition's ctid
      // pages name rows of that partition only); what `tune` changed carries over to the next one.
      BackfillControl.Settings tuned = lastSettings;
      Result r = backfillTable(c, m, stateId, leaf, new BackfillOptions(
          tuned == null ? options.batchSize() : tuned.batchSize(), options.pause(),
          tuned == null ? options.maxLag() : tuned.maxLag(), options.maxBatches() == 0 ? 0 : left,
          options.lockTimeout(), options.lagQuery(), tuned == null ? options.workers() : tuned.workers(),
          tuned == null ? options.chunkTime() : tuned.chunkTime(), options.maxTransactionAge(),
          options.maxReplicaLagBytes()));
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

    BatchCopier.Pending pending = copier.pending(c, state.lastKey(), state.maxKey(), table.oid());
    long total = state.rowsDone() + pending.rows();
    BackfillControl control = BackfillControl.available(schema, c) ? new BackfillControl(schema, m.id()) : null;
    if (control == null) {
      out.printf("backfill %s: the control schema predates `cutover tune` (run `cutover init` to upgrade it);"
          + " this backfill runs with its command line's settings%n", m.id());
    }
    ChunkPlanner planner = new ChunkPlanner(copier.key(), table.quoted(), state.lastKey(), state.maxKey(),
        options.maxBatches(), ChunkPlanner.rowsPerPage(c, table.oid()));
    long updated;
    long done;
    try (BackfillProgress progress = BackfillProgress.create(m.id(), out, state.rowsDone(), total, terminal)) {
      Run run = new Run(c, m, stateId, copier, options, planner, control, progress);
      String stop = "failed";
      try {
        run.walk();
        stop = planner.complete() ? "finished" : "stopped after " + planner.issued() + " chunks";
      } finally {
        batchesRun += planner.issued();
        lastSettings = run.settings;
        run.stopped(stop);
      }
      updated = run.rows.get();
      done = state.rowsDone() + updated;
      if (!planner.complete()) {
        progress.finish(planner.watermark());
        out.printf("backfill %s: stopped after %d batches (%d/%s%d rows); run it again to resume%n",
            m.id(), planner.issued(), done, pending.exact() ? "" : "about ", total);
        out.flush();
        return new Result(updated, done, false);
      }

      // Rows skipped because the application held them locked: wait for them this time. Only the
      // ranges of this run's chunks that skipped locked rows, and what an earlier run walked (up to
      // its checkpoint: it may have skipped rows there; this run walked everything after it).
      int batchSize = options.batchSize() == BackfillOptions.AUTO ? FINAL_PASS_BATCH : options.batchSize();
      // A ctid walk passes over everything: a row can move to a page already walked (an update
      // outside the driver, a table rewrite between chunks), which a key cannot.
      List<String[]> ranges = new java.util.ArrayList<>();
      if (copier.key().columns().equals(List.of("ctid"))) {
        ranges.add(new String[] {null, state.maxKey()});
      } else {
        if (state.lastKey() != null) {
          ranges.add(new String[] {null, state.lastKey()});
        }
        ranges.addAll(run.skippedRanges());
      }
      long[] pendingIn = new long[ranges.size()];
      long remaining = 0;
      for (int i = 0; i < ranges.size(); i++) {
        pendingIn[i] = copier.countPending(c, ranges.get(i)[0], ranges.get(i)[1]);
        remaining += pendingIn[i];
      }
      long budgetRows = remaining + batchSize;
      long deadline = System.nanoTime() + FINAL_PASS_BUDGET.toNanos();
      for (int i = 0; i < ranges.size(); i++) {
        String[] r = ranges.get(i);
        while (pendingIn[i] > 0) {
          BatchCopier.Batch batch = finalPassBatch(c, copier, r[0], r[1], batchSize, deadline);
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
      }
      saveState(c, stateId, state.maxKey(), state.maxKey(), done, true);
      // The estimate counted rows that the application's own (dual) writes filled meanwhile: the
      // run is complete, so the bar ends at 100% and the summary says where the difference went.
      progress.complete(state.maxKey());
    }
    // Only a count says how many rows the application filled: a sample's estimate is not that exact.
    long filledByApplication = pending.exact() ? Math.max(0, total - done) : 0;
    out.printf("backfill %s: done: %d rows copied (%d this run)%s; rows inserted or updated through the driver"
        + " since it started are written to both columns and need no copy%n", m.id(), done, updated,
        filledByApplication == 0 ? "" : ", " + filledByApplication + " more of the " + total + " estimated at the"
            + " start were filled meanwhile by the application's writes");
    out.printf("next: `cutover verify %s` (it counts every row of the table), then `cutover advance %s`%n", m.id(),
        m.id());
    out.flush();
    return new Result(updated, done, true);
  }

  /** One run of the walk: the coordinator (the calling thread) and its workers. */
  private final class Run {
    final Connection c;
    final ColumnMigration m;
    /** The checkpoint's row: the migration's id, or {@code <id>/<partition>} for one partition. */
    final String stateId;
    final BatchCopier copier;
    final BackfillOptions options;
    final ChunkPlanner planner;
    final BackfillControl control;
    final BackfillProgress progress;
    final ChunkSizer sizer = new ChunkSizer();
    final BackfillThrottle throttle = new BackfillThrottle();
    /** Held while a chunk's checkpoint is computed, written and committed, so that last_key only moves forward. */
    final Object checkpoint = new Object();
    /** Rows this run's committed chunks updated. */
    final AtomicLong rows = new AtomicLong();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final Thread[] threads = new Thread[BackfillOptions.MAX_WORKERS];
    volatile BackfillControl.Settings settings;
    volatile boolean stopping;
    /** Until when (System.nanoTime) chunks lock their rows first, skipping locked ones; at first: now. */
    volatile long skipLockedUntil = System.nanoTime();
    /** Committed chunks that may have skipped locked rows, by seq (key order), for the final pass. */
    private final java.util.TreeMap<Long, ChunkPlanner.Chunk> skipped = new java.util.TreeMap<>();
    private double rate;
    private long rateRows;
    private long rateAt = System.nanoTime();

    Run(Connection c, ColumnMigration m, String stateId, BatchCopier copier, BackfillOptions options,
        ChunkPlanner planner, BackfillControl control, BackfillProgress progress) {
      this.c = c;
      this.m = m;
      this.stateId = stateId;
      this.copier = copier;
      this.options = options;
      this.planner = planner;
      this.control = control;
      this.progress = progress;
      throttle.addCheck(x -> settings.paused() ? "paused (`cutover tune " + m.id() + " pause=false` resumes)" : null);
      throttle.addCheck(x -> {
        Duration maxLag = settings.maxLag();
        if (maxLag == null) {
          return null;
        }
        double lag = replicationLag(x, options.lagQuery());
        return BackfillThrottle.lagTooHigh(lag, maxLag.toMillis())
            ? String.format(Locale.ROOT, "replication lag %.1fs > --max-lag %s", lag, Durations.format(maxLag))
            : null;
      });
      if (options.maxTransactionAge() != null) {
        throttle.addCheck(x -> longTransaction(x, options.maxTransactionAge()));
      }
      if (options.maxReplicaLagBytes() > 0) {
        throttle.addCheck(x -> {
          ReplicaLag.Standby behind = ReplicaLag.tooFarBehind(x, options.maxReplicaLagBytes());
          return behind == null ? null
              : behind.describe() + " > --max-replica-lag " + ReplicaLag.bytes(options.maxReplicaLagBytes());
        });
      }
    }

    /**
     * The key ranges ({@code lo}, {@code hi}] of committed chunks that may have skipped rows the
     * application held locked, in key order, adjacent chunks merged (chunks tile the walk in seq order).
     */
    synchronized List<String[]> skippedRanges() {
      List<String[]> ranges = new java.util.ArrayList<>();
      long previous = Long.MIN_VALUE;
      for (ChunkPlanner.Chunk chunk : skipped.values()) {
        if (!ranges.isEmpty() && chunk.seq() == previous + 1) {
          ranges.get(ranges.size() - 1)[1] = chunk.hi();
        } else {
          ranges.add(new String[] {chunk.lo(), chunk.hi()});
        }
        previous = chunk.seq();
      }
      return ranges;
    }

    private synchronized void skipped(ChunkPlanner.Chunk chunk) {
      skipped.put(chunk.seq(), chunk);
    }

    /** Copies every chunk; returns when all committed, the chunk limit was reached, or one failed (rethrown). */
    void walk() throws SQLException {
      settings = control == null ? fromOptions(options) : control.start(c, options);
      throttle.recheck(c);
      try {
        while (true) {
          if (!stopping && !planner.exhausted()) {
            for (int i = 0; i < settings.workers(); i++) {
              if (threads[i] == null || !threads[i].isAlive()) {
                int index = i;
                threads[i] = new Thread(() -> work(index), "cutover-backfill-" + m.id() + "-" + i);
                threads[i].setDaemon(true);
                threads[i].start();
              }
            }
          }
          DdlRunner.sleepMillis(POLL.toMillis());
          show();
          if (failure.get() != null) {
            break;
          }
          boolean alive = false;
          for (Thread t : threads) {
            alive |= t != null && t.isAlive();
          }
          if (!alive && planner.exhausted()) {
            break;
          }
          if (control != null) {
            settings = control.poll(c, report(), settings.version());
          }
          throttle.recheck(c);
        }
      } finally {
        stopping = true;
        for (Thread t : threads) {
          if (t != null) {
            try {
              t.join();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }
        show();
      }
      Throwable f = failure.get();
      if (f instanceof SQLException e) {
        throw e;
      } else if (f instanceof RuntimeException e) {
        throw e;
      } else if (f instanceof Error e) {
        throw e;
      } else if (f != null) {
        throw new IllegalStateException(f);
      }
    }

    /** Progress and throttle reasons, from the coordinator only. */
    private void show() {
      long now = rows.get();
      if (now > shown) {
        progress.step(now - shown, planner.watermark());
        shown = now;
      }
      List<String> reasons = throttle.reasons();
      if (!reasons.isEmpty()) {
        progress.throttled(String.join("; ", reasons));
      }
    }

    private long shown;

    private BackfillControl.Report report() {
      long t = System.nanoTime();
      long r = rows.get();
      if (t - rateAt >= 1_000_000_000L) {
        rate = (r - rateRows) / ((t - rateAt) / 1e9);
        rateRows = r;
        rateAt = t;
      }
      int active = 0;
      for (Thread th : threads) {
        active += th != null && th.isAlive() ? 1 : 0;
      }
      return new BackfillControl.Report(active, sizer.next(settings.batchSize()), rate, throttle.reasons());
    }

    void stopped(String reason) {
      if (control == null) {
        return;
      }
      Throwable f = failure.get();
      try {
        control.stop(c, f == null ? reason : "failed: " + f.getMessage());
      } catch (SQLException e) {
        if (f != null) {
          f.addSuppressed(e);
        }
      }
    }

    /** One worker: chunks until none is left, it retires ({@code workers} lowered), or the run stops. */
    void work(int index) {
      try (Connection w = connections.open()) {
        while (!stopping && index < settings.workers()) {
          if (!throttle.awaitClear(() -> stopping || index >= settings.workers())) {
            return;
          }
          ChunkPlanner.Chunk chunk = planner.next(w, sizer.next(settings.batchSize()));
          if (chunk == null) {
            return;
          }
          long t0 = System.nanoTime();
          long n;
          boolean skipLocked = t0 - skipLockedUntil < 0;
          w.setAutoCommit(false);
          try {
            startBatch(w, skipLocked || options.lockTimeout().compareTo(PLAIN_CHUNK_LOCK_TIMEOUT) < 0
                ? options.lockTimeout() : PLAIN_CHUNK_LOCK_TIMEOUT);
            n = copier.copyRange(w, chunk.lo(), chunk.hi(), skipLocked);
            synchronized (checkpoint) {
              saveProgress(w, stateId, planner.watermarkWith(chunk), n);
              w.commit();
              planner.committed(chunk);
              if (skipLocked) {
                skipped(chunk);
              }
            }
          } catch (SQLException | RuntimeException e) {
            w.rollback();
            if (!skipLocked && e instanceof SQLException sql && DdlRunner.LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
              // A row (or the table) held locked longer than an ordinary transaction: copy this
              // chunk, and the next ones for a while, skipping locked rows instead of waiting.
              skipLockedUntil = System.nanoTime() + SKIP_LOCKED_PERIOD.toNanos();
              planner.retry(chunk);
              String tableLock = tableLockHolder(w, copier.table());
              throttle.waitFor(tableLock == null
                  ? "rows locked by the application: chunks skip locked rows for "
                      + Durations.format(SKIP_LOCKED_PERIOD) + ", the final pass waits for them"
                  : "table lock: " + tableLock + " (as LOCK TABLE or ALTER TABLE take), not rows: chunks wait up to"
                      + " --lock-timeout " + Durations.format(options.lockTimeout()) + " for it, then back off", 0);
              continue;
            }
            if (e instanceof SQLException sql && DdlRunner.LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
              planner.retry(chunk);
              long wait = throttle.afterLockTimeout();
              if (throttle.lockTimeouts() > MAX_LOCK_TIMEOUTS) {
                throw new OperatorException("backfill " + m.id() + ": " + throttle.lockTimeouts()
                    + " batches in a row waited longer than --lock-timeout " + Durations.format(options.lockTimeout())
                    + " for a lock on " + copier.table() + "; find what holds it (pg_locks), then run it again to"
                    + " resume");
              }
              throttle.waitFor(String.format(Locale.ROOT, "lock wait: a batch hit lock_timeout %s, retrying in %s",
                  Durations.format(options.lockTimeout()), Durations.format(Duration.ofMillis(wait))), wait);
              continue;
            }
            throw e;
          } finally {
            w.setAutoCommit(true);
          }
          rows.addAndGet(n);
          long millis = (System.nanoTime() - t0) / 1_000_000;
          sizer.record(chunk.rows(), millis, settings.chunkTime().toMillis());
          long typical = throttle.typicalMillis();
          long slow = throttle.afterBatch(millis);
          if (slow > 0) {
            throttle.waitFor(String.format(Locale.ROOT, "slow batch: %d ms (typically %d ms), waiting %s",
                millis, typical, Durations.format(Duration.ofMillis(slow))), slow);
          }
          if (!options.pause().isZero()) {
            DdlRunner.sleepMillis(options.pause().toMillis());
          }
        }
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
        stopping = true;
      }
    }
  }

  /**
   * Which lock on {@code table} (quoted) a chunk that timed out waiting is most likely behind, in
   * words, when it is the table's own rather than a row's: another session holding, or queued for,
   * a table lock that conflicts with the chunk's {@code ROW EXCLUSIVE} (a queued one blocks later
   * requests too). {@code null} when there is none: the wait was for rows. PostgreSQL does not say
   * which lock a cancelled statement waited for, so this looks right after the timeout; a lock
   * released in between reads as rows.
   */
  static String tableLockHolder(Connection c, String table) {
    try (PreparedStatement ps = c.prepareStatement("SELECT l.mode, l.granted, l.pid FROM pg_catalog.pg_locks l"
        + " WHERE l.locktype = 'relation' AND l.relation = to_regclass(?)"
        + " AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())"
        + " AND l.pid <> pg_backend_pid() AND l.mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock',"
        + " 'AccessExclusiveLock') ORDER BY l.granted DESC, l.pid LIMIT 1")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return "session " + rs.getInt(3) + (rs.getBoolean(2) ? " holds " : " waits for ") + rs.getString(1)
            + " on " + table;
      }
    } catch (SQLException e) {
      return null; // only the wording of a throttle reason depends on it
    }
  }

  /** The settings of a backfill that no {@code tune} can reach (a control schema before version 4). */
  private static BackfillControl.Settings fromOptions(BackfillOptions options) {
    return new BackfillControl.Settings(options.batchSize(), options.chunkTime(), options.workers(), false,
        options.maxLag(), 0);
  }

  /**
   * The oldest open transaction of this database other than the backfill's own, when older than
   * {@code max}: while it lasts, vacuum cannot remove the row versions the backfill leaves behind.
   */
  static String longTransaction(Connection c, Duration max) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pid, extract(epoch FROM now() - xact_start)::float8"
        + " FROM pg_catalog.pg_stat_activity WHERE datname = current_database() AND xact_start IS NOT NULL"
        + " AND pid <> pg_backend_pid() AND coalesce(application_name, '') <> 'cutover-cli'"
        + " AND (backend_xid IS NOT NULL OR backend_xmin IS NOT NULL)"
        + " AND xact_start < now() - ?::interval ORDER BY xact_start LIMIT 1")) {
      ps.setString(1, max.toMillis() + " milliseconds");
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return String.format(Locale.ROOT, "long transaction: pid %d open for %s > --max-transaction-age %s",
            rs.getInt(1), BackfillProgress.eta(Math.round(rs.getDouble(2))), Durations.format(max));
      }
    }
  }

  /** A committed chunk's checkpoint: its rows, and the committed prefix's end ({@code lastKey}, when known). */
  private void saveProgress(Connection c, String id, String lastKey, long rows) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + schema.qualify("backfill_state")
        + " SET last_key = coalesce(?, last_key), rows_done = rows_done + ?, updated_at = now() WHERE migration_id = ?")) {
      ps.setString(1, lastKey);
      ps.setLong(2, rows);
      ps.setString(3, id);
      ps.executeUpdate();
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
        BatchCopier.Batch batch = finalPassBatch(c, copier, null, maxKey, batchSize, deadline);
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
  private static BatchCopier.Batch finalPassBatch(Connection c, BatchCopier copier, String afterKey, String maxKey,
      int batchSize, long deadline) throws SQLException {
    long backoff = 100;
    while (true) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("SET LOCAL lock_timeout = '" + FINAL_PASS_LOCK_TIMEOUT.toMillis() + "ms'");
        BatchCopier.Batch batch = copier.copy(c, afterKey, maxKey, batchSize, false);
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
