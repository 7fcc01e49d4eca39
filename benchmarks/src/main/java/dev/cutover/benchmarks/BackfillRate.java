package dev.cutover.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code cutover backfill} against the physical limit, one bulk {@code UPDATE t SET new = old} (the
 * up of a rename), on two identical freshly loaded tables; run as interleaved pairs (bulk,
 * backfill, bulk, backfill...) so that the machine's drift (other load, checkpoints) falls on both
 * sides, and summarised by the median pair and the range.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar backfill [--rows N] [--pairs N] [-- BACKFILL OPTIONS...]
 * </pre>
 */
final class BackfillRate {

  /**
   * One pair.
   *
   * @param rows rows in each table
   * @param bulkSeconds the bulk UPDATE's duration
   * @param backfillSeconds the backfill command's duration (the {@code dual_write} DDL before it excluded)
   * @param bulkWalBytes WAL the bulk UPDATE wrote
   * @param backfillWalBytes WAL the backfill wrote
   */
  record Result(long rows, double bulkSeconds, double backfillSeconds, long bulkWalBytes, long backfillWalBytes) {
    double bulkRowsPerSecond() {
      return rows / bulkSeconds;
    }

    double backfillRowsPerSecond() {
      return rows / backfillSeconds;
    }

    double ratio() {
      return backfillRowsPerSecond() / bulkRowsPerSecond();
    }
  }

  private final BenchDatabase db;
  private final int rows;
  private final List<String> backfillOptions;
  private int run;

  BackfillRate(BenchDatabase db, int rows) {
    this(db, rows, List.of());
  }

  /** @param backfillOptions options added to {@code cutover backfill ID} (none: its defaults) */
  BackfillRate(BenchDatabase db, int rows, List<String> backfillOptions) {
    this.db = db;
    this.rows = rows;
    this.backfillOptions = List.copyOf(backfillOptions);
  }

  /** One pair. Needs the control schema installed (the end-to-end run does it). */
  Result run() throws Exception {
    int n = ++run;
    String bulkTable = "bf_bulk_" + n;
    String table = "bf_cutover_" + n;
    for (String t : new String[] {bulkTable, table}) {
      db.execute("CREATE TABLE " + t + " (id bigint PRIMARY KEY, tenant_id int NOT NULL, old_col text, note text)",
          "INSERT INTO " + t + " SELECT i, i % 8, 'value ' || i, 'note' FROM generate_series(1, " + rows + ") i",
          "VACUUM ANALYZE " + t);
    }
    db.execute("ALTER TABLE " + bulkTable + " ADD COLUMN new_col text", "CHECKPOINT");
    long wal0 = walLsn();
    long start = System.nanoTime();
    db.execute("UPDATE " + bulkTable + " SET new_col = old_col");
    double bulk = (System.nanoTime() - start) / 1e9;
    long bulkWal = walLsn() - wal0;

    String id = "bf-new-col-" + n;
    Path file = Files.createTempFile("bf", ".yaml");
    try {
      Files.writeString(file, "id: " + id + "\ntable: public." + table + "\nrename:\n  from: old_col\n  to: new_col\n");
      db.cutover("plan", file.toString());
      db.cutover("advance", id);
    } finally {
      Files.deleteIfExists(file);
    }
    db.execute("CHECKPOINT");
    List<String> args = new ArrayList<>(List.of("backfill", id));
    args.addAll(backfillOptions);
    wal0 = walLsn();
    start = System.nanoTime();
    db.cutover(args.toArray(new String[0]));
    double backfill = (System.nanoTime() - start) / 1e9;
    long backfillWal = walLsn() - wal0;
    checkFilled(table);
    db.execute("DROP TABLE " + bulkTable);
    return new Result(rows, bulk, backfill, bulkWal, backfillWal);
  }

  /** {@code pairs} interleaved pairs. */
  List<Result> run(int pairs) throws Exception {
    List<Result> all = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      Result r = run();
      System.err.printf(Locale.ROOT, "pair %d: bulk %.2fs (%,.0f rows/s, %,d WAL B/row), backfill %.2fs (%,.0f rows/s,"
              + " %,d WAL B/row), ratio %.3f%n", i + 1, r.bulkSeconds(), r.bulkRowsPerSecond(), r.bulkWalBytes() / rows,
          r.backfillSeconds(), r.backfillRowsPerSecond(), r.backfillWalBytes() / rows, r.ratio());
      all.add(r);
    }
    return all;
  }

  /** The pair of median ratio. */
  static Result median(List<Result> results) {
    List<Result> sorted = new ArrayList<>(results);
    sorted.sort(Comparator.comparingDouble(Result::ratio));
    return sorted.get(sorted.size() / 2);
  }

  /** {@code java -jar benchmarks.jar backfill [--rows N] [--pairs N] [--server URL] [--user U] [-- OPTIONS]}. */
  static void main(String... args) throws Exception {
    int rows = 1_000_000;
    int pairs = 3;
    String server = "jdbc:postgresql://127.0.0.1:5432/";
    String user = "postgres";
    List<String> options = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--pairs" -> pairs = Integer.parseInt(args[++i]);
        case "--server" -> server = args[++i];
        case "--user" -> user = args[++i];
        case "--" -> {
          options.addAll(List.of(args).subList(i + 1, args.length));
          i = args.length;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (expected --rows N, --pairs N, --server JDBC_URL, --user NAME, -- BACKFILL OPTIONS)");
      }
    }
    try (BenchDatabase db = new BenchDatabase(server, user)) {
      db.cutover("init");
      List<Result> results = new BackfillRate(db, rows, options).run(pairs);
      List<Double> ratios = results.stream().map(Result::ratio).sorted().toList();
      List<Double> bulk = results.stream().map(Result::bulkRowsPerSecond).sorted().toList();
      List<Double> backfill = results.stream().map(Result::backfillRowsPerSecond).sorted().toList();
      System.out.printf(Locale.ROOT, "%,d rows, %d pairs, backfill options %s%n", rows, pairs,
          options.isEmpty() ? "(defaults)" : String.join(" ", options));
      System.out.printf(Locale.ROOT, "bulk UPDATE rows/s: median %,.0f (%,.0f-%,.0f)%n", bulk.get(bulk.size() / 2),
          bulk.get(0), bulk.get(bulk.size() - 1));
      System.out.printf(Locale.ROOT, "backfill rows/s:    median %,.0f (%,.0f-%,.0f)%n", backfill.get(backfill.size() / 2),
          backfill.get(0), backfill.get(backfill.size() - 1));
      System.out.printf(Locale.ROOT, "ratio (per pair):   median %.3f (%.3f-%.3f)%n", ratios.get(ratios.size() / 2),
          ratios.get(0), ratios.get(ratios.size() - 1));
    }
  }

  private long walLsn() throws SQLException {
    try (Connection c = db.connect(); var st = c.createStatement();
        var rs = st.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void checkFilled(String table) throws SQLException {
    try (var c = db.connect(); var st = c.createStatement();
        var rs = st.executeQuery("SELECT count(*) FROM " + table + " WHERE new_col IS DISTINCT FROM old_col")) {
      rs.next();
      if (rs.getLong(1) != 0) {
        throw new IllegalStateException("the backfill left " + rs.getLong(1) + " rows unfilled");
      }
    }
  }
}
