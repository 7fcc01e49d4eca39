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
 * {@code cutover verify} (defaults) against its physical limit, one full-table scan that hashes
 * both columns ({@code SELECT bit_xor(hashtextextended(old::text, 0)), bit_xor(...new...)}), on one
 * backfilled table, interleaved: scan, verify, scan, verify... The scan runs as the planner likes
 * (a parallel sequential scan on this table) and with {@code max_parallel_workers_per_gather = 0};
 * verify runs with the default chunk size (or {@code --range-rows}) and with chunks of 10,000 rows.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cutover.benchmarks.VerifyRate
 * [--rows N] [--rounds R] [--range-rows N] [--server JDBC_URL] [--user NAME]}.
 */
public final class VerifyRate {

  private VerifyRate() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    int rows = 1_000_000;
    int rounds = 5;
    String server = "jdbc:postgresql://127.0.0.1:5432/";
    String user = "postgres";
    String rangeRows = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--server" -> server = args[++i];
        case "--user" -> user = args[++i];
        case "--range-rows" -> rangeRows = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    try (BenchDatabase db = new BenchDatabase(server, user)) {
      System.out.println("PostgreSQL " + db.serverVersion() + ", " + rows + " rows, " + rounds + " rounds");
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
      verify(db, rangeRows);
      for (int r = 0; r < rounds; r++) {
        double parallel = time(db, scan, false);
        double verify = verify(db, rangeRows);
        double serial = time(db, scan, true);
        double small = verify(db, "10000");
        samples.add(new double[] {parallel, serial, verify, small});
        System.out.printf(Locale.ROOT, "round %d: scan %.3f s, serial scan %.3f s, verify %.3f s,"
            + " verify --range-rows 10000 %.3f s%n", r + 1, parallel, serial, verify, small);
      }
      double parallel = median(samples, 0);
      double serial = median(samples, 1);
      double verify = median(samples, 2);
      double small = median(samples, 3);
      System.out.printf(Locale.ROOT, "median: scan %,.0f rows/s, serial scan %,.0f rows/s, verify %,.0f rows/s,"
          + " verify --range-rows 10000 %,.0f rows/s; verify / serial scan = %.2f (%.2f), verify / parallel scan"
          + " = %.2f (%.2f)%n", rows / parallel, rows / serial, rows / verify, rows / small, serial / verify,
          serial / small, parallel / verify, parallel / small);
    }
  }

  private static double verify(BenchDatabase db, String rangeRows) {
    long start = System.nanoTime();
    String out = rangeRows == null ? db.cutover("verify", "vr-new-col")
        : db.cutover("verify", "vr-new-col", "--range-rows", rangeRows);
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
