package dev.cutover.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code cutover verify} against its physical limit, one full-table scan that hashes both columns
 * ({@code SELECT bit_xor(hashtextextended(old::text, 0)), bit_xor(...new...)}), on one backfilled
 * table, interleaved per round: the scan as the planner likes it (a parallel sequential scan on
 * this table), verify with {@code --workers N} (default 2, as the command), the scan with {@code
 * max_parallel_workers_per_gather = 0}, verify with {@code --workers 1}. Both verifies use the
 * default chunk size (or {@code --range-rows}). The ratios are taken per round (each verify against
 * the scans of its own round, which ran under the same load) and reported as median (min–max).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cutover.benchmarks.VerifyRate
 * [--rows N] [--rounds R] [--range-rows N] [--workers N] [--server JDBC_URL] [--user NAME]}.
 */
public final class VerifyRate {

  private VerifyRate() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    int rows = 1_000_000;
    int rounds = 5;
    String server = "jdbc:postgresql://127.0.0.1:5432/";
    String user = "postgres";
    String rangeRows = String.valueOf(100_000);
    String workers = "2";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--server" -> server = args[++i];
        case "--user" -> user = args[++i];
        case "--range-rows" -> rangeRows = args[++i];
        case "--workers" -> workers = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    try (BenchDatabase db = new BenchDatabase(server, user)) {
      System.out.println("PostgreSQL " + db.serverVersion() + ", " + rows + " rows, " + rounds + " rounds, verify"
          + " --workers " + workers + " and 1, --range-rows " + rangeRows + ", " + Runtime.getRuntime()
          .availableProcessors() + " CPUs");
      db.cutover("init");
      db.execute("CREATE TABLE vr (id bigint PRIMARY KEY, tenant_id int NOT NULL, old_col text, note text)",
          "INSERT INTO vr SELECT i, i % 8, 'value ' || i, 'note' FROM generate_series(1, " + rows + ") i");
      Path file = Files.createTempFile("vr", ".yaml");
      try {
        Files.writeString(file, "id: vr-new-col\ntable: public.vr\nrename:\n  from: old_col\n  to: new_col\n");
        db.cutover("plan", file.toString());
        db.cutover("advance", "vr-new-col");
      } finally {
        Files.deleteIfExists(file);
      }
      db.cutover("backfill", "vr-new-col");
      db.execute("VACUUM ANALYZE vr", "CHECKPOINT");

      String scan = "SELECT count(*), bit_xor(hashtextextended(old_col::text, 0)),"
          + " bit_xor(hashtextextended(new_col::text, 0)) FROM vr";
      List<double[]> samples = new ArrayList<>();
      // One unmeasured round warms the cache and the JIT.
      time(db, scan, false);
      verify(db, rangeRows, workers);
      for (int r = 0; r < rounds; r++) {
        double parallel = time(db, scan, false);
        double verify = verify(db, rangeRows, workers);
        double serial = time(db, scan, true);
        double one = verify(db, rangeRows, "1");
        samples.add(new double[] {parallel, serial, verify, one, serial / verify, parallel / verify, serial / one,
            parallel / one, one / verify});
        System.out.printf(Locale.ROOT, "round %d: scan %.3f s, serial scan %.3f s, verify --workers %s %.3f s,"
            + " verify --workers 1 %.3f s%n", r + 1, parallel, serial, workers, verify, one);
      }
      System.out.printf(Locale.ROOT, "median: scan %,.0f rows/s, serial scan %,.0f rows/s, verify --workers %s %,.0f"
          + " rows/s, verify --workers 1 %,.0f rows/s%n", rows / median(samples, 0), rows / median(samples, 1),
          workers, rows / median(samples, 2), rows / median(samples, 3));
      System.out.printf(Locale.ROOT, "per-round ratios, median (min-max): verify --workers %s / serial scan %s,"
          + " / parallel scan %s; verify --workers 1 / serial scan %s, / parallel scan %s; speed-up of --workers %s"
          + " over 1: %s%n", workers, ratio(samples, 4), ratio(samples, 5), ratio(samples, 6), ratio(samples, 7),
          workers, ratio(samples, 8));
    }
  }

  private static String ratio(List<double[]> samples, int column) {
    double[] v = samples.stream().mapToDouble(s -> s[column]).sorted().toArray();
    return String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", median(samples, column), v[0], v[v.length - 1]);
  }

  private static double verify(BenchDatabase db, String rangeRows, String workers) {
    long start = System.nanoTime();
    String out = db.cutover("verify", "vr-new-col", "--range-rows", rangeRows, "--workers", workers);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (!out.contains(" ok, ")) {
      throw new IllegalStateException("verify did not pass: " + out);
    }
    return seconds;
  }

  private static double time(BenchDatabase db, String sql, boolean serial) throws SQLException {
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      if (serial) {
        st.execute("SET max_parallel_workers_per_gather = 0");
      }
      long start = System.nanoTime();
      try (ResultSet rs = st.executeQuery(sql)) {
        rs.next();
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }

  private static double median(List<double[]> samples, int column) {
    double[] v = samples.stream().mapToDouble(s -> s[column]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
