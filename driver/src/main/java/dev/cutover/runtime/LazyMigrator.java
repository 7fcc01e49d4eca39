package dev.cutover.runtime;

import dev.cutover.control.TextArrays;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.rewriter.ReadTouch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The lazy migration of rows that SELECTs return in {@code dual_write} (and in a lazily cut-over
 * {@code read_new}, see {@link dev.cutover.migration.ColumnMigration#fillsLazily()}): the driver's result sets
 * hand it the keys of rows whose new column is still empty ({@link #offer}), and background workers
 * fill them in batches, each worker on one connection of its own ({@link ConnectionHolder}).
 *
 * <p>Implementation notes:
 * <ul>
 *   <li>Never in the application's way: {@link #offer} is a non-blocking offer to a bounded queue;
 *       when the queue is full the key is dropped and counted (the backfill fills that row anyway).
 *       The workers start on the first offer, and open their connections on their first batch; a
 *       database that cannot be reached, a failing batch or a closed runtime only costs dropped
 *       keys, logged once per streak.
 *   <li>Never over a newer value: each batch is one transaction that locks the rows whose new
 *       column differs from the fill expression ({@link dev.cutover.migration.ColumnMigration#typedFillSql()}) with {@code FOR
 *       UPDATE SKIP LOCKED} (rows the application holds are skipped, never waited for), under a
 *       short {@code lock_timeout} for any other lock, and sets the new column from the row's
 *       current old column. A dual-written row has new = old already and is not touched.
 *   <li>Within a budget: a worker fills at most {@link #ROWS_PER_SECOND} rows a second and spends at
 *       most a fifth of its connection's time on it; what the queue cannot take is dropped at the
 *       offer, before the result set even reads the row's key ({@link
 *       #accepting(ReadTouch.Target)}). A key already queued or being filled is not queued twice. While a backfill of the table's migrations runs
 *       (its progress row in the control schema's {@code backfill_state} moved lately), the lazy
 *       migration pauses: the backfill writes those rows anyway, in larger and cheaper batches.
 *   <li>Only in {@code dual_write} (or a lazily cut-over {@code read_new}): a batch reads the
 *       runtime's snapshot after marking its transaction (a {@link TransactionMark} the runtime
 *       scans like a connection's), and fills only migrations that fill lazily in it. So once this instance acknowledges a
 *       later epoch, no batch of an earlier phase is still running, and the CLI's phase changes
 *       (and the drop of the new column on a rollback to {@code planned}) wait for it.
 * </ul>
 */
public final class LazyMigrator implements AutoCloseable {

  /** Keys the queue holds at most. */
  public static final int DEFAULT_CAPACITY = 1_000;
  /** Background workers, each with one connection. */
  static final int WORKERS = 1;
  /** Keys one batch fills at most. */
  static final int BATCH_ROWS = 100;
  /**
   * After a batch, the worker rests this many times as long as the batch took: at most a fifth of
   * one connection's time goes to lazy migration. Unthrottled, a read-heavy workload on unmigrated
   * rows made as many background writes as it read rows, and halved the application's throughput
   * on a 2-core machine (EndToEnd benchmark); what is not filled lazily the backfill fills.
   */
  static final int REST_FACTOR = 4;
  /**
   * Rows the worker fills per second at most. Without this cap the fills ran at whatever the rest
   * factor allowed (about 2,000 rows/s on a 2-core machine), each a row version, index entries and
   * WAL that the application's own statements then competed with: {@code dual_write} reached 0.75
   * of plain pgjdbc's throughput. The lazy migration's purpose is to fill the rows read often early
   * (a hot row is read again and again, so it is queued soon enough at any rate); the rest is the
   * backfill's work, done in larger and cheaper batches.
   */
  static final int ROWS_PER_SECOND = 200;
  /** How often a worker asks whether a backfill runs (one primary-key read of the control schema). */
  public static final long BACKFILL_CHECK_NANOS = 5_000_000_000L;
  /** A backfill whose progress row moved within this many seconds counts as running. */
  static final int BACKFILL_ACTIVE_SECONDS = 30;
  /** Lock wait allowed to a batch (besides the rows skipped because they are locked). */
  static final long LOCK_TIMEOUT_MILLIS = 100;
  /** Upper bound of a batch's statements. */
  static final long STATEMENT_TIMEOUT_MILLIS = 10_000;
  private static final long MAX_BACKOFF_MILLIS = 5_000;
  private static final long DROP_REPORT_NANOS = 60_000_000_000L;

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(LazyMigrator.class);

  /** Opens one raw pgjdbc connection for a worker. */
  @FunctionalInterface
  public interface ConnectionSource {
    /** A new connection. */
    Connection open() throws SQLException;
  }

  /**
   * What the lazy migration did so far.
   *
   * @param queued keys accepted into the queue
   * @param dropped keys dropped because the queue was full (or the migrator closed)
   * @param filled rows whose new column a batch filled
   * @param discarded keys taken from the queue but not filled: the batch failed, or the migration
   *     left {@code dual_write} (or the lazy cut-over) meanwhile
   * @param failedBatches batches that failed (no connection, lock or statement timeout, error)
   * @param unconvertible rows left to the backfill because {@code up} cannot convert their old value
   * @param coalesced keys not queued because the same row was queued or being filled already
   */
  public record Stats(long queued, long dropped, long filled, long discarded, long failedBatches, long unconvertible,
      long coalesced) {}

  /** A queued key; equal when the table and the key's values are (the pending set's element). */
  private record Item(ReadTouch.Target target, String[] key) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Item other && target.equals(other.target) && java.util.Arrays.equals(key, other.key);
    }

    @Override
    public int hashCode() {
      return 31 * target.hashCode() + java.util.Arrays.hashCode(key);
    }

    @Override
    public String toString() {
      return target.table() + java.util.Arrays.toString(key);
    }
  }

  private final String name;
  private final Supplier<MigrationSnapshot> snapshots;
  private final BooleanSupplier leaseHeld;
  private final ConnectionSource source;
  private final Supplier<TransactionMark> marks;
  private final Runnable transactionEnded;
  private final ArrayBlockingQueue<Item> queue;
  private final Map<ReadTouch.Target, List<String>> keyTypes = new ConcurrentHashMap<>();
  private final LongAdder queued = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder filled = new LongAdder();
  private final LongAdder discarded = new LongAdder();
  private final LongAdder failedBatches = new LongAdder();
  private final LongAdder unconvertibleRows = new LongAdder();
  private final LongAdder coalesced = new LongAdder();
  // Keys queued or in a batch not yet finished: a row read again meanwhile is not queued twice.
  private final Set<Item> pending = ConcurrentHashMap.newKeySet();
  // The control schema's backfill_state, qualified; null: never pause for a backfill.
  private final String backfillState;
  // Tables whose lazy migration pauses for a running backfill, until the given System.nanoTime().
  private final Map<ReadTouch.Target, Long> pausedUntil = new ConcurrentHashMap<>();
  private final Map<ReadTouch.Target, Long> nextBackfillCheck = new java.util.HashMap<>(); // the worker's
  private boolean backfillCheckWorks = true;
  private long backoff; // the worker's, after a failed batch (WORKERS is 1)
  // Rows whose old value up cannot convert, skipped when read again (bounded; a hot bad row would
  // otherwise split every batch it lands in).
  private final Set<String> unconvertible = ConcurrentHashMap.newKeySet();
  private final List<Thread> workers = new ArrayList<>();
  private final List<ConnectionHolder> connections = new ArrayList<>(); // guarded by this
  private final AtomicLong lastDropReport = new AtomicLong(System.nanoTime());
  private volatile long droppedReported;

  private volatile boolean started;
  private volatile boolean closed;
  private volatile boolean failing;

  /**
   * @param name names the threads
   * @param snapshots the runtime's current snapshot
   * @param source opens the workers' connections (pgjdbc, with the application's URL and properties)
   * @param marks registers one acknowledgement mark per worker with the runtime
   * @param transactionEnded tells the runtime that a worker's transaction ended
   * @param capacity keys the queue holds at most
   */
  public LazyMigrator(String name, Supplier<MigrationSnapshot> snapshots, ConnectionSource source,
      Supplier<TransactionMark> marks, Runnable transactionEnded, int capacity) {
    this(name, snapshots, source, marks, transactionEnded, capacity, () -> true, null);
  }

  /**
   * @param leaseHeld whether the runtime's lease holds (see {@link CutoverRuntime#holdsLease()}): a
   *     batch is dropped rather than written for a phase this instance has not confirmed lately
   * @param backfillState the control schema's {@code backfill_state} table, qualified, or null: the
   *     lazy migration pauses while a backfill of the target's migrations runs
   */
  LazyMigrator(String name, Supplier<MigrationSnapshot> snapshots, ConnectionSource source,
      Supplier<TransactionMark> marks, Runnable transactionEnded, int capacity, BooleanSupplier leaseHeld,
      String backfillState) {
    this.leaseHeld = leaseHeld;
    this.backfillState = backfillState;
    this.name = name;
    this.snapshots = snapshots;
    this.source = source;
    this.marks = marks;
    this.transactionEnded = transactionEnded;
    this.queue = new ArrayBlockingQueue<>(capacity);
  }

  /**
   * Whether an {@link #offer} for {@code target} now would be queued, as far as the migrator can
   * tell without the key: false when the queue is full, the migrator closed, or the target's lazy
   * migration pauses for a running backfill. A result set asks before reading a row's key columns,
   * so that a key that would be dropped costs nothing (the drop is counted all the same).
   */
  public boolean accepting(ReadTouch.Target target) {
    if (closed || queue.remainingCapacity() == 0 || paused(target)) {
      dropped.increment();
      Telemetry.LAZY_DROPPED.increment();
      return false;
    }
    return true;
  }

  /**
   * Queues the key of a row that a SELECT returned with its new column still empty. Never blocks:
   * when the queue is full (or the migrator pauses for a running backfill) the key is dropped and
   * counted; when the same row is queued or being filled already it is not queued again.
   *
   * @return whether the key was queued
   */
  public boolean offer(ReadTouch.Target target, String[] key) {
    if (closed || paused(target)) {
      dropped.increment();
      Telemetry.LAZY_DROPPED.increment();
      return false;
    }
    if (!started) {
      start();
    }
    Item item = new Item(target, key);
    if (!pending.add(item)) {
      coalesced.increment();
      return false;
    }
    if (queue.offer(item)) {
      queued.increment();
      Telemetry.LAZY_QUEUED.increment();
      return true;
    }
    pending.remove(item);
    dropped.increment();
    Telemetry.LAZY_DROPPED.increment();
    return false;
  }

  private boolean paused(ReadTouch.Target target) {
    if (pausedUntil.isEmpty()) {
      return false;
    }
    Long until = pausedUntil.get(target);
    return until != null && System.nanoTime() - until < 0;
  }

  /** The counts so far. */
  public Stats stats() {
    return new Stats(queued.sum(), dropped.sum(), filled.sum(), discarded.sum(), failedBatches.sum(),
        unconvertibleRows.sum(), coalesced.sum());
  }

  /** Keys waiting in the queue now. */
  public int queueSize() {
    return queue.size();
  }

  private synchronized void start() {
    if (started || closed) {
      return;
    }
    for (int i = 0; i < WORKERS; i++) {
      TransactionMark mark = marks.get();
      ConnectionHolder connection = new ConnectionHolder(source);
      connections.add(connection);
      Thread t = new Thread(() -> work(mark, connection), "cutover-touch-" + (i + 1) + "[" + name + "]");
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
    started = true;
  }

  /** Logs, at most once a minute and on a worker's thread, how many keys were dropped since the last time. */
  private void reportDrops() {
    long now = System.nanoTime();
    long last = lastDropReport.get();
    if (now - last < DROP_REPORT_NANOS || !lastDropReport.compareAndSet(last, now)) {
      return;
    }
    long total = dropped.sum();
    long fresh = total - droppedReported;
    droppedReported = total;
    if (fresh > 0) {
      LOG.info("Cutover: lazy migration dropped {} keys of rows read in the last minute (queue full or batches"
          + " failing; the backfill fills those rows): {}", fresh, stats());
    }
  }

  private void work(TransactionMark mark, ConnectionHolder connection) {
    List<Item> batch = new ArrayList<>(BATCH_ROWS);
    while (!closed) {
      reportDrops();
      try {
        Item first = queue.poll(500, TimeUnit.MILLISECONDS);
        if (first == null) {
          connection.closeIfIdle();
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH_ROWS - 1);
      } catch (InterruptedException e) {
        break;
      }
      Map<ReadTouch.Target, List<String[]>> groups = new LinkedHashMap<>();
      for (Item item : batch) {
        groups.computeIfAbsent(item.target(), t -> new ArrayList<>()).add(item.key());
      }
      List<Item> inFlight = List.copyOf(batch);
      batch.clear();
      try {
        if (!fillGroups(mark, connection, groups)) {
          return;
        }
      } finally {
        inFlight.forEach(pending::remove);
      }
    }
  }

  /** Fills each table's keys, resting after each batch as the budget says; false when interrupted. */
  private boolean fillGroups(TransactionMark mark, ConnectionHolder connection,
      Map<ReadTouch.Target, List<String[]>> groups) {
    for (Map.Entry<ReadTouch.Target, List<String[]>> group : groups.entrySet()) {
      try {
        long started = System.nanoTime();
        try {
          if (backfillRunning(connection, group.getKey())) {
            discarded.add(group.getValue().size());
            continue;
          }
          fillSplitting(mark, connection, group.getKey(), group.getValue());
        } finally {
          // Done with (or given up on): a row read from now on is queued again when it needs it.
          for (String[] key : group.getValue()) {
            pending.remove(new Item(group.getKey(), key));
          }
        }
        if (failing) {
          LOG.info("Cutover: lazy migration of rows read works again");
          failing = false;
        }
        backoff = 0;
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        if (!sleep(rest(tookMillis, group.getValue().size()))) {
          return false;
        }
      } catch (SQLException | RuntimeException e) {
        failedBatches.increment();
        discarded.add(group.getValue().size());
        if (!failing) {
          failing = true;
          LOG.warn("Cutover: lazy migration of rows read failed (keys are dropped until it works again; the"
              + " backfill fills those rows): {}", e.toString());
        } else {
          LOG.debug("Cutover: lazy migration batch failed", e);
        }
        backoff = Math.min(MAX_BACKOFF_MILLIS, Math.max(100, backoff * 2));
        if (!sleep(backoff)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean sleep(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }

  /**
   * How long a worker rests after a batch of {@code rows} keys that took {@code tookMillis}: long
   * enough that the batches take at most a fifth of its time, and that it fills at most {@link
   * #ROWS_PER_SECOND} rows a second.
   */
  static long rest(long tookMillis, int rows) {
    return Math.max(tookMillis * REST_FACTOR, rows * 1000L / ROWS_PER_SECOND - tookMillis);
  }

  /**
   * Whether a backfill of the target's migrations runs (asked of the database at most every {@link
   * #BACKFILL_CHECK_NANOS} per table); while one does, the table's keys are dropped at the offer
   * and discarded from the queue. A role that cannot read {@code backfill_state} never pauses.
   */
  private boolean backfillRunning(ConnectionHolder connection, ReadTouch.Target target) throws SQLException {
    if (paused(target)) {
      return true;
    }
    long now = System.nanoTime();
    Long next = nextBackfillCheck.get(target);
    if (backfillState == null || !backfillCheckWorks || (next != null && now - next < 0)) {
      return false;
    }
    nextBackfillCheck.put(target, now + BACKFILL_CHECK_NANOS);
    boolean running = false;
    Connection c = connection.acquire();
    // A partitioned table's backfill keeps one row per partition, "<id>/<partition>".
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + backfillState + " s"
        + " WHERE EXISTS (SELECT 1 FROM unnest(?::text[]) AS m(id)"
        + "   WHERE s.migration_id = m.id OR left(s.migration_id, length(m.id) + 1) = m.id || '/')"
        + " AND finished_at IS NULL AND updated_at > now() - make_interval(secs => ?)")) {
      ps.setObject(1, TextArrays.of(target.migrationIds()));
      ps.setInt(2, BACKFILL_ACTIVE_SECONDS);
      try (ResultSet rs = ps.executeQuery()) {
        running = rs.next() && rs.getLong(1) > 0;
      }
      c.commit();
    } catch (SQLException e) {
      try {
        c.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (!"42501".equals(e.getSQLState()) && !"42P01".equals(e.getSQLState())) {
        connection.failed();
        throw e;
      }
      backfillCheckWorks = false; // no privilege (a role granted before this check existed), or no table
      LOG.info("Cutover: the lazy migration cannot read {} ({}); it does not pause while a backfill runs",
          backfillState, e.getMessage());
    } finally {
      connection.release();
    }
    if (running) {
      pausedUntil.put(target, now + BACKFILL_CHECK_NANOS);
    } else {
      pausedUntil.remove(target);
    }
    return running;
  }

  /**
   * Fills {@code keys}; when a value cannot be converted (an error of class 22, data exception:
   * {@code up} fails on some row's old value) the batch is split in halves until the row is found, so
   * every other row is still filled. That row is left to the backfill, which stops on it naming the
   * key and the error; the application's statements never see it.
   */
  private void fillSplitting(TransactionMark mark, ConnectionHolder connection, ReadTouch.Target target,
      List<String[]> keys) throws SQLException {
    List<String[]> todo = keys;
    if (!unconvertible.isEmpty()) {
      todo = new ArrayList<>(keys.size());
      for (String[] key : keys) {
        if (!unconvertible.contains(badKey(target, key))) {
          todo.add(key);
        }
      }
      discarded.add(keys.size() - todo.size());
      if (todo.isEmpty()) {
        return;
      }
    }
    try {
      fill(mark, connection, target, todo);
    } catch (SQLException e) {
      String state = e.getSQLState();
      if (state == null || !state.startsWith("22")) {
        throw e;
      }
      if (todo.size() == 1) {
        unconvertibleRows.increment();
        discarded.increment();
        if (unconvertible.size() < DEFAULT_CAPACITY && unconvertible.add(badKey(target, todo.get(0)))) {
          LOG.warn("Cutover: lazy migration cannot convert the row of {}.{} with key {} ({}); left to the backfill",
              target.schema(), target.table(), java.util.Arrays.toString(todo.get(0)), e.getMessage());
        }
        return;
      }
      int half = todo.size() / 2;
      fillSplitting(mark, connection, target, todo.subList(0, half));
      fillSplitting(mark, connection, target, todo.subList(half, todo.size()));
    }
  }

  private static String badKey(ReadTouch.Target target, String[] key) {
    return target.schema() + '.' + target.table() + '\u0000' + String.join("\u0000", key);
  }

  /** One batch of one table: one transaction on the worker's connection. */
  private void fill(TransactionMark mark, ConnectionHolder connection, ReadTouch.Target target, List<String[]> keys)
      throws SQLException {
    Connection c = connection.acquire();
    try {
      mark.begin(snapshots.get().epoch()); // before reading the snapshot: see TransactionMark
      try {
        List<ColumnMigration> migrations = dualWrite(snapshots.get(), target);
        if (migrations.isEmpty() || !leaseHeld.getAsBoolean()) {
          discarded.add(keys.size());
          return;
        }
        try (Statement st = c.createStatement()) {
          // synchronous_commit off: a batch's commit must not wait for (and queue behind) the WAL
          // flushes of the application's commits; the end-to-end benchmark was bound on WALWrite.
          // A fill lost in a crash is redone by a later read or the backfill, and never overwrites.
          st.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT_MILLIS + "ms'; SET LOCAL statement_timeout = '"
              + STATEMENT_TIMEOUT_MILLIS + "ms'; SET LOCAL synchronous_commit = off");
        }
        List<String> types = keyTypes(c, target);
        int rows = 0;
        for (ColumnMigration m : migrations) {
          try (PreparedStatement ps = c.prepareStatement(updateSql(target, m, types))) {
            for (int k = 0; k < types.size(); k++) {
              String[] column = new String[keys.size()];
              for (int i = 0; i < column.length; i++) {
                column[i] = keys.get(i)[k];
              }
              ps.setObject(k + 1, TextArrays.of(column));
            }
            rows += ps.executeUpdate();
          }
        }
        c.commit();
        filled.add(rows);
        Telemetry.LAZY_FILLED.add(rows);
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      } finally {
        mark.end();
        transactionEnded.run();
      }
    } catch (SQLException | RuntimeException e) {
      connection.failed();
      throw e;
    } finally {
      connection.release();
    }
  }

  /**
   * The target's migrations that fill lazily in {@code snapshot}: in dual_write, or lazily cut over
   * to read_new (where writes reach both columns too, so filling {@code new = up(old)} is as safe).
   */
  static List<ColumnMigration> dualWrite(MigrationSnapshot snapshot, ReadTouch.Target target) {
    List<ColumnMigration> out = new ArrayList<>(1);
    for (ColumnMigration m : snapshot.migrations()) {
      if (m.fillsLazily() && target.migrationIds().contains(m.id())
          && snapshot.isTableOf(m, target.schema(), target.table())) {
        out.add(m);
      }
    }
    return out;
  }

  /**
   * {@code UPDATE t SET new = fill WHERE key IN (rows among the given keys whose new differs from
   * fill, locked, skipping locked ones)}; each key column is bound as a text array.
   */
  static String updateSql(ReadTouch.Target target, ColumnMigration m, List<String> types) {
    String table = quote(target.schema()) + "." + quote(target.table());
    String newColumn = quote(m.physicalNewColumn());
    String fill = m.typedFillSql();
    List<String> key = target.keyColumns();
    StringBuilder columns = new StringBuilder();
    StringBuilder locked = new StringBuilder();
    StringBuilder arrays = new StringBuilder();
    StringBuilder names = new StringBuilder();
    StringBuilder on = new StringBuilder();
    for (int i = 0; i < key.size(); i++) {
      String sep = i == 0 ? "" : ", ";
      String wanted = quote("cutover.k" + (i + 1));
      columns.append(sep).append(quote(key.get(i)));
      locked.append(sep).append("\"cutover.t\".").append(quote(key.get(i)));
      arrays.append(sep).append("CAST(? AS ").append(types.get(i)).append("[])");
      names.append(sep).append(wanted);
      on.append(i == 0 ? "" : " AND ").append("\"cutover.t\".").append(quote(key.get(i)))
          .append(" = \"cutover.w\".").append(wanted);
    }
    String tuple = key.size() == 1 ? columns.toString() : "(" + columns + ")";
    // up runs only on the rows asked for: the comparison names the key list, so it is a join
    // condition checked after the key matched. As a filter of the table alone, a sequential scan
    // may evaluate it on every row first, and one row up cannot convert would fail every batch.
    String differs = "CASE WHEN \"cutover.w\".\"cutover.k1\" IS NOT NULL THEN " + newColumn + " IS DISTINCT FROM "
        + fill + " END";
    // The rows locked passed the comparison and cannot change until this commits: the UPDATE itself
    // needs no second one.
    return "UPDATE " + table + " SET " + newColumn + " = " + fill + " WHERE " + tuple + " IN (SELECT " + locked
        + " FROM " + table + " AS \"cutover.t\" JOIN unnest(" + arrays + ") AS \"cutover.w\"(" + names + ") ON "
        + on + " AND " + differs + " FOR UPDATE OF \"cutover.t\" SKIP LOCKED)";
  }

  private List<String> keyTypes(Connection c, ReadTouch.Target target) throws SQLException {
    List<String> types = keyTypes.get(target);
    if (types != null) {
      return types;
    }
    types = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.format_type(a.atttypid, a.atttypmod)"
        + " FROM pg_catalog.pg_attribute a WHERE a.attrelid = CAST(? AS regclass) AND a.attname = ?"
        + " AND NOT a.attisdropped")) {
      for (String column : target.keyColumns()) {
        ps.setString(1, quote(target.schema()) + "." + quote(target.table()));
        ps.setString(2, column);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("key column " + column + " of " + target.table() + " not found");
          }
          types.add(rs.getString(1));
        }
      }
    }
    keyTypes.put(target, List.copyOf(types));
    return types;
  }

  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** Stops the workers, drops what is queued, closes the workers' connections. */
  @Override
  public void close() {
    List<Thread> threads;
    synchronized (this) {
      closed = true;
      threads = new ArrayList<>(workers);
    }
    for (Thread t : threads) {
      t.interrupt();
    }
    for (Thread t : threads) {
      try {
        t.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    int left = queue.size();
    dropped.add(left);
    Telemetry.LAZY_DROPPED.add(left);
    queue.clear();
    pending.clear();
    synchronized (this) {
      connections.forEach(ConnectionHolder::close);
    }
  }
}
