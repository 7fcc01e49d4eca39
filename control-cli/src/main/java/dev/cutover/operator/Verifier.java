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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Proves that every row's new value equals {@code up(old)} (for a rename the old value itself; for
 * a type change {@code CAST(up(old) AS new type)}), chunk by chunk of the row key, and with
 * {@code --repair} rewrites the rows that differ.
 *
 * <p>How it walks: each chunk is one statement that reads the next {@code rangeRows} rows after
 * the previous chunk's last key (keyset pagination on the {@link RowKey}: primary key, unique key,
 * composite or not), or for a table without a key the next run of pages by {@code ctid} range.
 * The server computes per chunk the row count, the number of rows whose new value differs from
 * {@code up(old)} and a checksum of each side; nothing else crosses the network, and no chunk is
 * found by {@code OFFSET} (which re-reads every row it skips). Only a chunk that differs is
 * examined row by row, for its keys.
 *
 * <p>"Differs" compares the text of the two values ({@code up(old)::text} and {@code new::text}),
 * not the type's equality: the application sees the text (numeric {@code 1.0} and {@code 1.00}
 * are equal but print differently; case-insensitive types compare equal when the letters
 * differ), and text comparison works for every type, also those without {@code =} ({@code json},
 * {@code point}).
 *
 * <p>A row whose old value {@code up} cannot convert fails its chunk's statement; such a chunk is
 * bisected by key until each failing row is alone, and those rows are reported with their key,
 * value and error instead of ending the walk.
 *
 * <p>Repair ({@code dual_write} only, where the old column is the source of truth): each differing
 * chunk gets one {@code UPDATE ... SET new = up(old) WHERE <chunk> AND <differs>} in its own short
 * transaction. The update locks the rows it rewrites, and PostgreSQL re-evaluates the condition on
 * the newest version of a row that an application transaction changed meanwhile, so a row that a
 * dual write made consistent is skipped, and the old column, which holds the application's
 * writes, is never written. The chunk is then verified again. In {@code read_new} the application
 * reads the new column: a difference is either a new value it wrote and saw, or a corrupted new
 * value beside a good old one, and no tool can tell which, so repair is refused there with both
 * ways out (a rollback refills the old column from the new one; or the rows are fixed by hand).
 *
 * <p>A run can be resumed, or limited to part of the table, with {@link Options#fromKey}: it
 * starts after that key. Progress lines name the last key checked. No state is kept in the control
 * schema: a plain verify writes nothing, and a repair's rewrite is idempotent (it touches only rows
 * that still differ), so running a chunk twice is harmless.
 *
 * <p>With {@link Options#workers} above 1 (and {@link ConnectionSettings} to open connections) the
 * key range is cut into slices at split keys estimated from statistics ({@link VerifySlices}), and
 * each slice is walked as above by its own connection, the first on the caller's (which holds the
 * repair's lock). Results are merged in key order. The resume point of a run that stops, and of its
 * progress lines, is the key below which every slice finished; a resumed run checks the later
 * slices' finished parts again (harmless, as above). Verify is not throttled: it reads, and
 * writes only rows that differ.
 */
public final class Verifier {

  /** Rows per key range. */
  public static final int DEFAULT_RANGE_ROWS = 100_000;
  /** How many differing keys a report lists. */
  public static final int MAX_KEYS = 10;
  /** How many unconvertible rows a report lists. */
  public static final int MAX_ERRORS = 10;
  /** How often (at most) a progress line is printed. */
  private static final long PROGRESS_NANOS = 10_000_000_000L;
  /** Rewrites of one chunk before verify gives up on it (something rewrites it behind Cutover's back). */
  private static final int REPAIR_ATTEMPTS = 5;
  /** lock_timeout of a repair's transaction: waiting behind an application transaction is retried. */
  private static final int REPAIR_LOCK_TIMEOUT_MS = 2_000;
  /** Rows a page holds when the statistics do not say (a ctid chunk's size estimate). */
  private static final int DEFAULT_ROWS_PER_PAGE = 100;

  /**
   * What one run does.
   *
   * @param rangeRows rows per chunk (at least 1)
   * @param repair rewrite the differing rows ({@code dual_write} only)
   * @param fromKey start after this key (as verify prints keys: a one-column key's text, a composite
   *     key's {@code {a,b}} literal, or a {@code ctid} {@code (page,0)}), or {@code null} for the whole table
   * @param out where progress lines go, or {@code null}
   * @param workers slices of the key range walked at once, each on its own connection (1: one walk
   *     on the caller's connection; more need {@link ConnectionSettings} to open the others)
   */
  public record Options(int rangeRows, boolean repair, String fromKey, PrintWriter out, int workers) {
    /** Compact constructor: validates {@code rangeRows} and {@code workers}. */
    public Options {
      if (rangeRows < 1) {
        throw new IllegalArgumentException("--range-rows must be at least 1, was " + rangeRows);
      }
      if (workers < 1 || workers > BackfillOptions.MAX_WORKERS) {
        throw new IllegalArgumentException("--workers must be between 1 and " + BackfillOptions.MAX_WORKERS + ", was "
            + workers);
      }
    }

    /** One walker (no slices). */
    public Options(int rangeRows, boolean repair, String fromKey, PrintWriter out) {
      this(rangeRows, repair, fromKey, out, 1);
    }

    /** Verify the whole table, {@code rangeRows} per chunk, without repair or progress lines, one walker. */
    public static Options of(int rangeRows) {
      return new Options(rangeRows, false, null, null);
    }

    /** The same options starting after {@code key}. */
    Options from(String key) {
      return new Options(rangeRows, repair, key, out, workers);
    }
  }

  /**
   * One key range that differs (as found, before any repair).
   *
   * @param fromKey exclusive lower key ({@code null}: from the start)
   * @param toKey inclusive upper key ({@code null}: to the end)
   * @param rows rows in the range
   * @param differing rows whose values differ
   * @param oldChecksum checksum of {@code up(old)} over the range ({@code n/a} when a row cannot be converted)
   * @param newChecksum checksum of the new column over the range
   */
  public record RangeMismatch(String fromKey, String toKey, long rows, long differing, String oldChecksum,
      String newChecksum) {}

  /**
   * A row whose old value {@code up} cannot convert.
   *
   * @param key the row's key
   * @param oldValue the old column's text ({@code null} for SQL NULL)
   * @param error PostgreSQL's message
   */
  public record ConversionError(String key, String oldValue, String error) {}

  /**
   * @param rows rows checked
   * @param ranges key ranges checked
   * @param differing rows whose new value differed when checked (before any repair)
   * @param firstKeys the first differing keys (primary key, or ctid without one), at most {@link #MAX_KEYS}
   * @param mismatches the ranges that differ
   * @param unconvertible rows whose old value {@code up} cannot convert (not counted in {@code differing})
   * @param conversionErrors the first of them, at most {@link #MAX_ERRORS}
   * @param repaired rows rewritten by {@code --repair}
   * @param remaining rows that still differ after the repair (with {@code --repair}; else {@code differing})
   * @param lastKey the last key checked ({@code null}: the table is empty or has no key range left)
   * @param splitKeys where the key range was cut into slices walked at once (each slice runs from
   *     the previous split key, exclusive, to its own, inclusive; the last one to the end); empty
   *     with one walker
   */
  public record Result(long rows, long ranges, long differing, List<String> firstKeys, List<RangeMismatch> mismatches,
      long unconvertible, List<ConversionError> conversionErrors, long repaired, long remaining, String lastKey,
      List<String> splitKeys) {

    /** Compact constructor: copies the lists. */
    public Result {
      firstKeys = List.copyOf(firstKeys);
      mismatches = List.copyOf(mismatches);
      conversionErrors = List.copyOf(conversionErrors);
      splitKeys = List.copyOf(splitKeys);
    }

    /** A comparison without chunks (the guards' quick count). */
    public Result(long rows, long ranges, long differing, List<String> firstKeys, List<RangeMismatch> mismatches) {
      this(rows, ranges, differing, firstKeys, mismatches, 0, List.of(), 0, differing, null, List.of());
    }

    /** Whether every row matched (after the repair, with {@code --repair}) and every row converts. */
    public boolean clean() {
      return remaining == 0 && unconvertible == 0;
    }
  }

  private final int rangeRows;
  /** Opens the connections of the slices after the first, or {@code null}: one walker only. */
  private final ConnectionSettings settings;

  /** @param rangeRows rows per key range */
  public Verifier(int rangeRows) {
    this(rangeRows, null);
  }

  /**
   * @param rangeRows rows per key range
   * @param settings where the slices after the first connect ({@code null}: one walker, whatever
   *     {@link Options#workers} says)
   */
  public Verifier(int rangeRows, ConnectionSettings settings) {
    this.rangeRows = rangeRows;
    this.settings = settings;
  }

  /**
   * Verifies migration {@code id} through its own connection: the command's entry point. With
   * {@code --repair} it holds the migration's advisory lock, so that no advance moves the phase
   * (and with it the source of truth) while rows are rewritten.
   */
  public static Result verify(ConnectionSettings settings, String id, Options options) throws SQLException {
    MigrationRepository repo = new MigrationRepository(new ControlSchema(settings.controlSchema()));
    try (Connection c = settings.open()) {
      if (!options.repair()) {
        ColumnMigration m = repo.require(c, id);
        PartitionedTable.checkUnchanged(c, repo.schema(), m, "verify");
        return new Verifier(options.rangeRows(), settings).verifyTable(c, m, options);
      }
      try (MigrationRepository.Lock lock = repo.lock(c, id, "verify " + id + " --repair")) {
        ColumnMigration m = repo.require(c, id);
        PartitionedTable.checkUnchanged(c, repo.schema(), m, "verify");
        return new Verifier(options.rangeRows(), settings).verifyTable(c, m, options);
      }
    }
  }

  /** Verifies migration {@code m}, which must be in {@code dual_write} or {@code read_new}, without repair. */
  public Result verify(Connection c, ColumnMigration m) throws SQLException {
    return verifyTable(c, m, Options.of(rangeRows));
  }

  /**
   * Verifies (and with {@link Options#repair} repairs) migration {@code m}'s table: the per-table
   * entry point. The caller holds the migration's lock when repairing.
   */
  public Result verifyTable(Connection c, ColumnMigration m, Options options) throws SQLException {
    TableCatalog.Table root = TableCatalog.requireTable(c, m.schema(), m.table());
    if (!PartitionedTable.isPartitioned(root)) {
      return verifyTable(c, m, root, options, "");
    }
    checkPhase(m, options);
    return verifyPartitions(c, m, root, options);
  }

  /**
   * A partitioned table, leaf partition by leaf partition, each by its own key (a ctid names a row
   * of one partition only). Keys, ranges and the resume point are named {@code "partition: key"};
   * {@code --from-key} in that form skips the partitions before the named one.
   */
  private Result verifyPartitions(Connection c, ColumnMigration m, TableCatalog.Table root, Options options)
      throws SQLException {
    List<TableCatalog.Table> leaves = PartitionedTable.leaves(c, root);
    String fromPartition = null;
    String fromKey = null;
    if (options.fromKey() != null) {
      for (TableCatalog.Table leaf : leaves) {
        if (options.fromKey().startsWith(leaf.quoted() + ": ")) {
          fromPartition = leaf.quoted();
          fromKey = options.fromKey().substring(leaf.quoted().length() + 2);
        }
      }
      if (fromPartition == null) {
        throw OperatorException.usage("--from-key '" + options.fromKey() + "': " + root.quoted() + " is partitioned,"
            + " so verify names a key with its partition, as in '" + leaves.get(0).quoted() + ": <key>'");
      }
    }
    List<Result> results = new ArrayList<>();
    boolean started = fromPartition == null;
    for (TableCatalog.Table leaf : leaves) {
      String prefix = leaf.quoted() + ": ";
      Options leafOptions = options;
      if (!started) {
        if (!leaf.quoted().equals(fromPartition)) {
          continue;
        }
        started = true;
        leafOptions = options.from(fromKey);
      } else if (options.fromKey() != null) {
        leafOptions = options.from(null);
      }
      results.add(verifyTable(c, m, leaf, leafOptions, prefix));
    }
    return merge(results, null);
  }

  /**
   * The results of consecutive parts of a walk (partitions, or slices of one key range) in key
   * order, as one: counts summed, lists concatenated in that order (each part's keys are its first in
   * key order, so the first {@link #MAX_KEYS} of the concatenation are the walk's first), the last
   * part's last key. {@code splitKeys}: the slices' split keys, or {@code null} for the parts' own.
   */
  private static Result merge(List<Result> parts, List<String> splitKeys) {
    long rows = 0;
    long ranges = 0;
    long differing = 0;
    long unconvertible = 0;
    long repaired = 0;
    long remaining = 0;
    String last = null;
    List<String> keys = new ArrayList<>();
    List<RangeMismatch> mismatches = new ArrayList<>();
    List<ConversionError> errors = new ArrayList<>();
    List<String> splits = new ArrayList<>();
    for (Result r : parts) {
      rows += r.rows();
      ranges += r.ranges();
      differing += r.differing();
      unconvertible += r.unconvertible();
      repaired += r.repaired();
      remaining += r.remaining();
      last = r.lastKey() != null ? r.lastKey() : last;
      r.firstKeys().stream().limit(Math.max(0, MAX_KEYS - keys.size())).forEach(keys::add);
      r.conversionErrors().stream().limit(Math.max(0, MAX_ERRORS - errors.size())).forEach(errors::add);
      mismatches.addAll(r.mismatches());
      splits.addAll(r.splitKeys());
    }
    return new Result(rows, ranges, differing, keys, mismatches, unconvertible, errors, repaired, remaining, last,
        splitKeys != null ? splitKeys : splits);
  }

  /** Refuses a phase without two current columns, and a repair outside dual_write. */
  private static void checkPhase(ColumnMigration m, Options options) {
    if (m.phase() != Phase.DUAL_WRITE && m.phase() != Phase.READ_NEW) {
      throw new OperatorException("migration '" + m.id() + "' is in phase " + m.phase().sqlName()
          + ": verify compares the old and new columns, which both are kept current only in dual_write and read_new");
    }
    if (options.repair() && m.phase() != Phase.DUAL_WRITE) {
      throw OperatorException.guard("verify --repair of migration '" + m.id() + "' refused in phase "
          + m.phase().sqlName() + ": the application reads the new column now, so a difference is either a new"
          + " value the application wrote and saw, or a corrupted one next to a good old value; a tool cannot tell"
          + " which, and rewriting either side could discard the good one. `cutover verify " + m.id()
          + "` lists the keys. If the new values are right: `cutover rollback " + m.id() + "` refills the old"
          + " column from the new one (down(new)) for every differing row. If the old values are right: set the"
          + " new column to up(old) for those keys by hand");
    }
  }

  /**
   * {@link #verifyTable(Connection, ColumnMigration, Options)} over {@code table}, which holds
   * {@code m}'s columns (the migration's table, or one partition of it).
   */
  public Result verifyTable(Connection c, ColumnMigration m, TableCatalog.Table table, Options options)
      throws SQLException {
    return verifyTable(c, m, table, options, "");
  }

  /**
   * With {@code prefix} before every key it reports (a partition's name, or empty). With more than
   * one worker the key range is cut into slices (see {@link VerifySlices}), each walked by its own
   * connection (the first on {@code c}) exactly like a whole table, and their results merged in
   * key order. A run that stops names the key below which every slice finished: the resume point
   * (slices after it that had finished are walked again, which is harmless).
   */
  private Result verifyTable(Connection c, ColumnMigration m, TableCatalog.Table table, Options options, String prefix)
      throws SQLException {
    checkPhase(m, options);
    RowKey key = walkKey(c, table, m);
    c.setAutoCommit(true);
    if (options.fromKey() != null && !isCtid(key)) {
      // A key that is not of the key's types would fail every chunk like an unconvertible row.
      try (PreparedStatement ps = c.prepareStatement("SELECT " + key.param())) {
        key.bind(ps, 1, options.fromKey());
        ps.executeQuery().close();
      } catch (SQLException e) {
        throw OperatorException.usage("--from-key '" + options.fromKey() + "' is not a key of " + table.quoted()
            + ", whose " + key.description() + " verify walks (" + TypeChangeCheck.firstLine(e) + ")");
      }
    }
    List<String> splits = settings == null || options.workers() < 2 ? List.of()
        : VerifySlices.splitKeys(c, table, key, options.fromKey(), options.workers(), options.rangeRows());
    Slices slices = new Slices(m, options, prefix);
    String lo = options.fromKey();
    for (String split : splits) {
      slices.walks.add(new Walk(m, table, key, options, prefix, lo, split, slices));
      lo = split;
    }
    slices.walks.add(new Walk(m, table, key, options, prefix, lo, null, slices));
    List<Throwable> failures = new ArrayList<>();
    if (slices.walks.size() == 1) {
      try {
        return slices.walks.get(0).run(c);
      } catch (SQLException | RuntimeException e) {
        failures.add(e);
      }
    } else {
      ExecutorService pool = Executors.newFixedThreadPool(slices.walks.size() - 1, r -> {
        Thread t = new Thread(r, "cutover-verify-slice");
        t.setDaemon(true);
        return t;
      });
      List<Future<Result>> others = new ArrayList<>();
      try {
        for (Walk walk : slices.walks.subList(1, slices.walks.size())) {
          others.add(pool.submit(() -> {
            try (Connection own = settings.open()) {
              return walk.run(own);
            } catch (SQLException | RuntimeException e) {
              slices.stop = true;
              throw e;
            }
          }));
        }
        List<Result> results = new ArrayList<>();
        try {
          results.add(slices.walks.get(0).run(c));
        } catch (SQLException | RuntimeException e) {
          slices.stop = true;
          failures.add(e);
        }
        for (Future<Result> f : others) {
          try {
            results.add(f.get());
          } catch (ExecutionException e) {
            failures.add(e.getCause());
          } catch (InterruptedException e) {
            slices.stop = true;
            Thread.currentThread().interrupt();
            failures.add(e);
          }
        }
        if (failures.isEmpty()) {
          return merge(results, splits.stream().map(k -> prefix + k).toList());
        }
      } finally {
        pool.shutdown();
      }
    }
    // The first failure in key order is the one to report.
    Throwable first = failures.get(0);
    String resume = slices.resumeKey();
    if (first instanceof OperatorException || java.util.Objects.equals(resume, options.fromKey())) {
      throw rethrow(first);
    }
    String what = slices.walks.size() == 1 ? "stopped after key " + prefix + resume + " (" + slices.rows()
        + " rows checked)" : "stopped; every slice finished up to key " + prefix + resume + " (" + slices.rows()
        + " rows checked by " + slices.walks.size() + " workers)";
    throw new OperatorException("verify of migration '" + m.id() + "' " + what + ": " + first.getMessage()
        + "; resume with `cutover verify " + m.id() + (options.repair() ? " --repair" : "") + " --from-key '" + prefix
        + resume + "'`", first);
  }

  private static SQLException rethrow(Throwable t) {
    if (t instanceof SQLException e) {
      return e;
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException(t);
  }

  static boolean isCtid(RowKey key) {
    return key.columns().equals(List.of("ctid"));
  }

  /** The slices of one table's walk: their shared stop flag and progress line. */
  private static final class Slices {
    private final ColumnMigration m;
    private final Options options;
    private final String prefix;
    /** In key order. */
    private final List<Walk> walks = new ArrayList<>();
    /** Set when a slice fails: the others stop after their current chunk. */
    private volatile boolean stop;
    private long lastProgress = System.nanoTime();

    Slices(ColumnMigration m, Options options, String prefix) {
      this.m = m;
      this.options = options;
      this.prefix = prefix;
    }

    /**
     * The key below which every row was checked: the end of the leading finished slices, then the
     * first unfinished slice's last checked key (or its start). {@code null} when nothing is left.
     */
    synchronized String resumeKey() {
      for (Walk w : walks) {
        if (!w.done) {
          return w.last != null ? w.last : w.lo;
        }
      }
      return null;
    }

    synchronized long rows() {
      return walks.stream().mapToLong(w -> w.rows).sum();
    }

    /** A progress line, at most every {@link #PROGRESS_NANOS}; the caller holds this lock. */
    void progress() {
      PrintWriter out = options.out();
      if (out == null || System.nanoTime() - lastProgress < PROGRESS_NANOS) {
        return;
      }
      String upTo = resumeKey();
      if (upTo == null || upTo.equals(options.fromKey())) {
        return;
      }
      lastProgress = System.nanoTime();
      long differing = walks.stream().mapToLong(w -> w.differing).sum();
      long repaired = walks.stream().mapToLong(w -> w.repaired).sum();
      long unconvertible = walks.stream().mapToLong(w -> w.unconvertible).sum();
      out.printf("verify %s: %d rows checked %s %s%s, %d differ%s%s%n", m.id(), rows(),
          walks.size() > 1 ? "(" + walks.size() + " slices at once), every slice finished up to key" : "up to key",
          prefix, upTo,
          differing, options.repair() ? ", " + repaired + " repaired" : "", unconvertible > 0 ? ", " + unconvertible
              + " cannot be converted" : "");
      out.flush();
    }
  }

  /** One run over one table, or over one slice of its key range: {@code (lo, hi]}. */
  private final class Walk {
    private Connection c;
    private final ColumnMigration m;
    private final TableCatalog.Table table;
    private final RowKey key;
    private final Options options;
    private final boolean byCtid;
    /** {@code CAST(up(old) AS new type)}: what the new column must hold. */
    private final String expected;
    private final String newCol;
    /** The per-row comparison: text, byte for byte. */
    private final String differs;

    private final List<RangeMismatch> mismatches = new ArrayList<>();
    private final List<String> firstKeys = new ArrayList<>();
    private final List<ConversionError> errors = new ArrayList<>();
    private long rows;
    private long ranges;
    private long differing;
    private long unconvertible;
    private long repaired;
    private long remaining;
    private String last;
    /** Whether the walk reached the slice's end (else it failed or was stopped). */
    private boolean done;

    /** Before every key reported: a partition's name ({@code "p: "}), or empty for a plain table. */
    private final String prefix;
    /** The slice: after {@code lo} ({@code null}: from the start), up to {@code hi} ({@code null}: to the end). */
    private final String lo;
    private final String hi;
    private final Slices slices;

    Walk(ColumnMigration m, TableCatalog.Table table, RowKey key, Options options, String prefix, String lo, String hi,
        Slices slices) {
      this.prefix = prefix;
      this.lo = lo;
      this.hi = hi;
      this.slices = slices;
      this.m = m;
      this.table = table;
      this.key = key;
      this.options = options;
      this.byCtid = isCtid(key);
      this.expected = m.typedFillSql();
      this.newCol = Identifiers.quote(m.physicalNewColumn());
      this.differs = "(" + expected + ")::text COLLATE \"C\" IS DISTINCT FROM " + newCol + "::text COLLATE \"C\"";
    }

    Result run(Connection connection) throws SQLException {
      this.c = connection;
      if (byCtid) {
        walkPages();
      } else {
        walkKeys();
      }
      if (prefix.isEmpty()) {
        return new Result(rows, ranges, differing, firstKeys, mismatches, unconvertible, errors, repaired, remaining,
            last, List.of());
      }
      // (a partition's keys and ranges are named with the partition, a range's open ends too)
      return new Result(rows, ranges, differing, firstKeys.stream().map(k -> prefix + k).toList(),
          mismatches.stream().map(r -> new RangeMismatch(labelled(r.fromKey(), "start"), labelled(r.toKey(), "end"),
              r.rows(), r.differing(), r.oldChecksum(), r.newChecksum())).toList(),
          unconvertible, errors.stream().map(e -> new ConversionError(prefix + e.key(), e.oldValue(), e.error()))
              .toList(), repaired, remaining, last == null ? null : prefix + last, List.of());
    }

    private String labelled(String key, String openEnd) {
      return prefix + (key == null ? openEnd : key);
    }

    /** Keyset pagination: each chunk is the next {@code rangeRows} rows after the last key. */
    private void walkKeys() throws SQLException {
      List<String> aliases = new ArrayList<>();
      List<String> selected = new ArrayList<>();
      for (int i = 0; i < key.columns().size(); i++) {
        aliases.add("cutover_k" + (i + 1));
        selected.add(key.columns().get(i) + " AS cutover_k" + (i + 1));
      }
      // The chunk's rows are the subquery's; the comparison runs over its plain columns in the
      // aggregate above it (expressions in the subquery itself would make PostgreSQL project, and
      // copy, every row: measured about twice as slow).
      String rowsOf = "SELECT " + String.join(", ", selected) + ", " + Identifiers.quote(m.oldColumn()) + ", " + newCol
          + " FROM " + table.quoted() + " WHERE %s ORDER BY " + key.order(false) + " LIMIT " + options.rangeRows();
      // The chunk's last key: max() of a one-column key where the type has max() (its order is the
      // key's B-tree order), in the same statement. Otherwise (a composite key, uuid...) a second
      // statement in the same REPEATABLE READ snapshot, which therefore sees the same rows.
      boolean oneStatement = key.single() && hasMax(key.types().get(0));
      String aggregate = "SELECT count(*), count(*) FILTER (WHERE " + differs + ")"
          + (oneStatement ? ", max(cutover_k1)::text" : "") + " FROM (" + rowsOf + ") cutover_chunk";
      String lastKey = "SELECT " + key.text(aliases) + " AS cutover_key FROM (SELECT " + String.join(", ", selected)
          + " FROM " + table.quoted() + " WHERE %s ORDER BY " + key.order(false) + " LIMIT " + options.rangeRows()
          + ") cutover_chunk ORDER BY " + String.join(", ", aliases.stream().map(a -> a + " DESC").toList()) + " LIMIT 1";
      String from = lo;
      while (!slices.stop) {
        String where = where(from, hi);
        Chunk chunk;
        if (!oneStatement) {
          c.setAutoCommit(false);
        }
        try {
          if (!oneStatement) {
            try (Statement st = c.createStatement()) {
              st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
          }
          long n;
          long diff;
          String to = null;
          try (PreparedStatement ps = c.prepareStatement(String.format(aggregate, where))) {
            bind(ps, from, hi);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              n = rs.getLong(1);
              diff = rs.getLong(2);
              if (oneStatement) {
                to = rs.getString(3);
              }
            }
          }
          if (n < options.rangeRows()) {
            to = hi; // the slice's last chunk: to its end (null: open to the table's end)
          } else if (!oneStatement) {
            try (PreparedStatement ps = c.prepareStatement(String.format(lastKey, where))) {
              bind(ps, from, hi);
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                to = rs.getString(1);
              }
            }
          }
          if (!oneStatement) {
            c.commit();
          }
          chunk = new Chunk(from, to, n, diff, null, null);
        } catch (SQLException e) {
          if (!oneStatement) {
            c.rollback();
          }
          if (!ConversionErrors.isDataError(e)) {
            throw e;
          }
          chunk = null;
        } finally {
          c.setAutoCommit(true);
        }
        if (chunk != null) {
          ranges++;
          // A full chunk that ends on the slice's end is its last (no empty chunk after it).
          boolean end = chunk.to == null || chunk.to.equals(hi);
          finish(withChecksums(chunk), List.of(new Segment(chunk.from, chunk.to, chunk.differing)), end);
          if (end) {
            return;
          }
          from = chunk.to;
        } else {
          // A row of this chunk cannot be converted: list the chunk's keys and bisect it.
          List<String> keys = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement("SELECT " + key.text() + " AS cutover_key FROM "
              + table.quoted() + " WHERE " + where(from, hi) + " ORDER BY " + key.order(false) + " LIMIT "
              + options.rangeRows())) {
            bind(ps, from, hi);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                keys.add(rs.getString(1));
              }
            }
          }
          if (keys.isEmpty()) {
            throw new OperatorException("verify of migration '" + m.id() + "': the chunk after key " + from
                + " failed with a data error and now has no rows; run verify again");
          }
          ranges++;
          String to = keys.get(keys.size() - 1);
          // In a bounded slice a short chunk is its last: it ends where the slice ends.
          boolean end = hi != null && (keys.size() < options.rangeRows() || to.equals(hi));
          examine(new Chunk(from, end ? hi : to, keys.size(), 0, "n/a", "n/a"), keys, end);
          if (end) {
            return;
          }
          // The walk goes on after the chunk's last key (rows inserted after it are the next chunk).
          from = to;
        }
      }
    }

    /** A table without a key: chunks of pages by ctid range, up to the pages present at the start and past them. */
    private void walkPages() throws SQLException {
      long pages;
      long perPage = DEFAULT_ROWS_PER_PAGE;
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_relation_size(?::oid) / current_setting('block_size')::int,"
          + " CASE WHEN relpages > 0 AND reltuples > 0 THEN ceil(reltuples / relpages) END FROM pg_class WHERE oid = ?")) {
        ps.setLong(1, table.oid());
        ps.setLong(2, table.oid());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          pages = rs.getLong(1);
          if (rs.getObject(2) != null) {
            perPage = Math.max(1, rs.getLong(2));
          }
        }
      }
      long step = Math.max(1, options.rangeRows() / perPage);
      long page = lo == null ? 0 : pageOf(lo);
      // The slice's end page (exclusive); the last slice also takes the pages added while it runs.
      long limit = hi == null ? pages : pageOf(hi);
      String aggregate = "SELECT count(*), count(*) FILTER (WHERE " + differs + ") FROM " + table.quoted() + " WHERE %s";
      while (!slices.stop) {
        // (page,0) is never a row (line pointers start at 1): "> (p,0)" starts at page p, "<= (q,0)" ends before q.
        String from = page == 0 ? null : "(" + page + ",0)";
        String to = page + step >= limit ? hi : "(" + (page + step) + ",0)";
        boolean end = to == null || to.equals(hi);
        Chunk chunk;
        try (PreparedStatement ps = c.prepareStatement(String.format(aggregate, where(from, to)))) {
          bind(ps, from, to);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            chunk = new Chunk(from, to, rs.getLong(1), rs.getLong(2), null, null);
          }
        } catch (SQLException e) {
          if (!ConversionErrors.isDataError(e)) {
            throw e;
          }
          chunk = null;
        }
        ranges++;
        if (chunk != null) {
          finish(withChecksums(chunk), List.of(new Segment(from, to, chunk.differing)), end);
        } else {
          List<String> keys = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement("SELECT ctid::text FROM " + table.quoted() + " WHERE "
              + where(from, to) + " ORDER BY ctid")) {
            bind(ps, from, to);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                keys.add(rs.getString(1));
              }
            }
          }
          // The bisection's last segment ends where the chunk ends (open at the table's end).
          examine(new Chunk(from, to, keys.size(), 0, "n/a", "n/a"), keys, end);
        }
        if (end) {
          return;
        }
        page += step;
      }
    }

    /**
     * The chunk with its checksums when it differs (a fingerprint of each side printed with the
     * range: bit_xor of 64-bit hashes). Only differing chunks pay for them: the verdict is the exact
     * per-row comparison, which a checksum cannot improve on (an xor of hashes also cancels out
     * two equal wrong values).
     */
    private Chunk withChecksums(Chunk chunk) throws SQLException {
      if (chunk.differing == 0) {
        return chunk;
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(bit_xor(hashtextextended((" + expected
          + ")::text, 0)), 0)::text, coalesce(bit_xor(hashtextextended(" + newCol + "::text, 0)), 0)::text FROM "
          + table.quoted() + " WHERE " + where(chunk.from, chunk.to))) {
        bind(ps, chunk.from, chunk.to);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new Chunk(chunk.from, chunk.to, chunk.rows, chunk.differing, rs.getString(1), rs.getString(2));
        }
      } catch (SQLException e) {
        if (!ConversionErrors.isDataError(e)) {
          throw e;
        }
        return new Chunk(chunk.from, chunk.to, chunk.rows, chunk.differing, "n/a", "n/a");
      }
    }

    /** Whether PostgreSQL has {@code max()} of exactly {@code type} (ordered by its default B-tree order). */
    private boolean hasMax(String type) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_aggregate a"
          + " JOIN pg_proc p ON p.oid = a.aggfnoid WHERE p.proname = 'max' AND p.pronamespace = 'pg_catalog'::regnamespace"
          + " AND p.pronargs = 1 AND p.proargtypes[0] = CAST(? AS regtype))")) {
        ps.setString(1, type);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getBoolean(1);
        }
      }
    }

    /**
     * Bisects a chunk with a row that cannot be converted, down to the failing rows; the rest becomes
     * segments handled like any chunk.
     */
    private void examine(Chunk chunk, List<String> keys, boolean end) throws SQLException {
      List<Segment> segments = new ArrayList<>();
      bisect(chunk.from, keys, chunk.to, segments);
      long diff = segments.stream().mapToLong(Segment::differing).sum();
      finish(new Chunk(chunk.from, chunk.to, chunk.rows, diff, chunk.oldSum, chunk.newSum), segments, end);
    }

    /**
     * Examines keys {@code (from, keys...]}; {@code to} overrides the last key as the upper bound (a
     * ctid chunk's end, or {@code null}: open) when given for the whole chunk.
     */
    private void bisect(String from, List<String> keys, String to, List<Segment> out) throws SQLException {
      String upper = to;
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FILTER (WHERE " + differs + ") FROM "
          + table.quoted() + " WHERE " + where(from, upper))) {
        bind(ps, from, upper);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          out.add(new Segment(from, upper, rs.getLong(1)));
          return;
        } catch (SQLException e) {
          if (!ConversionErrors.isDataError(e)) {
            throw e;
          }
        }
      }
      if (keys.size() <= 1) {
        String k = keys.isEmpty() ? upper : keys.get(0);
        synchronized (slices) {
          unconvertible++;
        }
        if (errors.size() < MAX_ERRORS) {
          errors.add(conversionError(k));
        }
        return;
      }
      int mid = keys.size() / 2;
      String midKey = keys.get(mid - 1);
      bisect(from, keys.subList(0, mid), midKey, out);
      bisect(midKey, keys.subList(mid, keys.size()), upper, out);
    }

    private ConversionError conversionError(String k) throws SQLException {
      String value = null;
      try (PreparedStatement ps = c.prepareStatement("SELECT " + Identifiers.quote(m.oldColumn()) + "::text FROM "
          + table.quoted() + " WHERE " + key.row() + " = " + key.param())) {
        key.bind(ps, 1, k);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            value = rs.getString(1);
          }
        }
      }
      String error = "?";
      try (PreparedStatement ps = c.prepareStatement("SELECT (" + expected + ")::text FROM " + table.quoted()
          + " WHERE " + key.row() + " = " + key.param())) {
        key.bind(ps, 1, k);
        ps.executeQuery().close();
        error = "converts now (the row changed while it was checked)";
      } catch (SQLException e) {
        error = TypeChangeCheck.firstLine(e);
      }
      return new ConversionError(k, value, error);
    }

    /** Books a checked chunk: its keys, its repair, its progress line. */
    private void finish(Chunk chunk, List<Segment> segments, boolean end) throws SQLException {
      long left = chunk.differing;
      List<String> keys = new ArrayList<>();
      if (chunk.differing > 0) {
        for (Segment s : segments) {
          if (s.differing > 0 && firstKeys.size() + keys.size() < MAX_KEYS) {
            keys.addAll(differingKeys(s, MAX_KEYS - firstKeys.size() - keys.size()));
          }
        }
        if (options.repair()) {
          left = 0;
          for (Segment s : segments) {
            if (s.differing > 0) {
              left += repair(s);
            }
          }
        }
      }
      // (under the slices' lock: another slice's progress line reads these counters)
      synchronized (slices) {
        rows += chunk.rows;
        differing += chunk.differing;
        if (chunk.differing > 0) {
          mismatches.add(new RangeMismatch(chunk.from, chunk.to, chunk.rows, chunk.differing, chunk.oldSum,
              chunk.newSum));
        }
        firstKeys.addAll(keys);
        remaining += left;
        last = chunk.to != null ? chunk.to : last;
        done = end;
        slices.progress();
      }
    }

    private List<String> differingKeys(Segment s, int limit) throws SQLException {
      List<String> keys = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT " + key.text() + " AS cutover_key FROM " + table.quoted()
          + " WHERE " + where(s.from, s.to) + " AND " + differs + " ORDER BY " + key.order(false) + " LIMIT " + limit)) {
        bind(ps, s.from, s.to);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            keys.add(rs.getString(1));
          }
        }
      }
      return keys;
    }

    /** Rewrites the segment's differing rows, then counts them again; returns the rows that still differ. */
    private long repair(Segment s) throws SQLException {
      String update = "UPDATE " + table.quoted() + " SET " + newCol + " = " + expected + " WHERE " + where(s.from, s.to)
          + " AND " + differs;
      String count = "SELECT count(*) FILTER (WHERE " + differs + ") FROM " + table.quoted() + " WHERE "
          + where(s.from, s.to);
      long left = s.differing;
      for (int attempt = 0; attempt < REPAIR_ATTEMPTS && left > 0; attempt++) {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement(); PreparedStatement ps = c.prepareStatement(update)) {
          st.execute("SET LOCAL lock_timeout = '" + REPAIR_LOCK_TIMEOUT_MS + "ms'");
          bind(ps, s.from, s.to);
          int n = ps.executeUpdate();
          synchronized (slices) {
            repaired += n;
          }
          c.commit();
        } catch (SQLException e) {
          c.rollback();
          if (!DdlRunner.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
            throw e;
          }
          DdlRunner.sleepMillis(100L << attempt);
        } finally {
          c.setAutoCommit(true);
        }
        try (PreparedStatement ps = c.prepareStatement(count)) {
          bind(ps, s.from, s.to);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            left = rs.getLong(1);
          }
        }
      }
      return left;
    }

    /** {@code key > from AND key <= to}, either side left out when {@code null}. */
    private String where(String from, String to) {
      String lower = from == null ? "TRUE" : key.row() + " > " + key.param();
      return to == null ? lower : lower + " AND " + key.row() + " <= " + key.param();
    }

    private void bind(PreparedStatement ps, String from, String to) throws SQLException {
      int i = 1;
      if (from != null) {
        i = key.bind(ps, i, from);
      }
      if (to != null) {
        key.bind(ps, i, to);
      }
    }
  }

  /** A chunk as checked: {@code (from, to]}, {@code to == null} for the table's end. */
  private record Chunk(String from, String to, long rows, long differing, String oldSum, String newSum) {}

  /** A part of a chunk where every row converts: {@code (from, to]}. */
  private record Segment(String from, String to, long differing) {}

  /** The page of a ctid given as {@code (page,line)}. */
  static long pageOf(String ctid) {
    String t = ctid.trim();
    if (!t.matches("\\(\\d+,\\d+\\)")) {
      throw OperatorException.usage("--from-key '" + ctid + "' is not a ctid such as (120,0): the table has no key,"
          + " so verify walks it by page");
    }
    return Long.parseLong(t.substring(1, t.indexOf(',')));
  }

  /**
   * When {@code e} is a data error of {@code up} (a type change's row that cannot be converted), the
   * exception to throw instead: an {@link OperatorException} naming the migration and, with a
   * one-column key, the first such row, its value and the error. Otherwise {@code e} itself.
   */
  static SQLException unconvertible(Connection c, ColumnMigration m, SQLException e, String what) throws SQLException {
    if (m.isRename() || !ConversionErrors.isDataError(e)) {
      return e;
    }
    if (!c.getAutoCommit()) {
      c.rollback();
    }
    TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
    for (TableCatalog.Table leaf : PartitionedTable.leaves(c, table)) {
      RowKey key = walkKey(c, leaf, m);
      String maxKey = key.max(c, leaf.quoted());
      if (maxKey != null) {
        ConversionErrors.locate(c, m, leaf, key, m.oldColumn(), m.typedFillSql(), null, maxKey, what);
      }
    }
    throw new OperatorException(what + " of migration '" + m.id() + "': up cannot convert a row of " + table.quoted()
        + " (" + TypeChangeCheck.firstLine(e) + "); find it with a query on " + Identifiers.quote(m.oldColumn())
        + ", fix it, or roll back to planned and plan the migration again with an expression that converts it", e);
  }

  /** Rows of migration {@code m}'s table whose new value differs, and the first of their keys. */
  static Result quickDiff(Connection c, ColumnMigration m) throws SQLException {
    return quickDiff(c, m, false);
  }

  /**
   * {@link #quickDiff(Connection, ColumnMigration)}; with {@code filledOnly}, only rows whose new
   * column is filled count (a lazily cut-over migration: an empty one is "not reached yet").
   */
  static Result quickDiff(Connection c, ColumnMigration m, boolean filledOnly) throws SQLException {
    try {
      return quickDiffRows(c, m, filledOnly);
    } catch (SQLException e) {
      throw unconvertible(c, m, e, "the comparison of old and new values");
    }
  }

  private static Result quickDiffRows(Connection c, ColumnMigration m, boolean filledOnly) throws SQLException {
    TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
    String differs = (filledOnly ? Identifiers.quote(m.physicalNewColumn()) + " IS NOT NULL AND " : "")
        + Identifiers.quote(m.physicalNewColumn()) + " IS DISTINCT FROM " + m.typedFillSql();
    long count;
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table.quoted() + " WHERE " + differs);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      count = rs.getLong(1);
    }
    List<String> keys = new ArrayList<>();
    // (a partitioned table's keys come partition by partition: a ctid names a row of one partition only)
    for (TableCatalog.Table leaf : count > 0 ? PartitionedTable.leaves(c, table) : List.<TableCatalog.Table>of()) {
      if (keys.size() >= MAX_KEYS) {
        break;
      }
      RowKey key = walkKey(c, leaf, m);
      String prefix = leaf == table ? "" : leaf.quoted() + ": ";
      try (PreparedStatement ps = c.prepareStatement("SELECT " + key.text() + " AS cutover_key FROM " + leaf.quoted()
          + " WHERE " + differs + " ORDER BY " + key.order(false) + " LIMIT " + (MAX_KEYS - keys.size()));
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(prefix + rs.getString(1));
        }
      }
    }
    return new Result(-1, 1, count, keys, List.of());
  }

  /** The key verify walks (and names differing rows by): the backfill's. */
  static RowKey walkKey(Connection c, TableCatalog.Table table, ColumnMigration m) throws SQLException {
    return RowKey.of(c, table, java.util.Set.of(m.oldColumn(), m.physicalNewColumn()));
  }
}
