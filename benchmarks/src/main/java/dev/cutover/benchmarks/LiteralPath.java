package dev.cutover.benchmarks;

import dev.cutover.benchmarks.stub.RowsResultSet;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What Cutover adds per statement of {@link LiteralMix} (texts with constants, run as {@code
 * Statement}s), on a {@link StubFixture} so that no server time hides it: nanoseconds and bytes
 * allocated per statement for the stub alone, Cutover with no migration, and Cutover with the
 * mix's table in {@code dual_write}, in interleaved rounds (the median and the range over rounds).
 * Nanoseconds are the thread's CPU time (less moved by other processes than the elapsed time, still
 * moved by what they do to caches and clocks); bytes do not depend on the machine's load.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.cutover.benchmarks.LiteralPath [--rounds N] [--statements N] [--cache-size N] [--print]
 * </pre>
 */
public final class LiteralPath {

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private LiteralPath() {}

  /** The texts of {@code n} operations of the literal mix on a {@code rows}-row table, as it builds them. */
  static String[] texts(int n, int rows, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      long id = 1 + random.nextInt(rows);
      int kind = random.nextInt(10);
      if (kind < 6) {
        out[i] = "SELECT id, email, holder, balance FROM accounts WHERE id = " + id;
      } else if (kind < 9) {
        out[i] = "UPDATE accounts SET holder = 'Holder " + id + " v" + random.nextInt(1000)
            + "', version = version + 1 WHERE id = " + id;
      } else {
        out[i] = "INSERT INTO accounts (tenant_id, email, holder, balance) VALUES (" + (id & 7) + ", 'new" + id
            + "@example.com', 'New " + id + "', " + random.nextInt(10_000) + ".50)";
      }
    }
    return out;
  }

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    int rounds = 7;
    int statements = 200_000;
    boolean print = false;
    int cacheSize = Integer.parseInt(dev.cutover.CutoverProperty.CACHE_SIZE.defaultValue());
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--statements" -> statements = Integer.parseInt(args[++i]);
        case "--print" -> print = true;
        case "--cache-size" -> cacheSize = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String[] texts = texts(statements, 100_000, 42);
    List<ColumnMigration> renamed = List.of(ColumnMigration.rename(LiteralMix.MIGRATION, "public", "accounts", "holder",
        "holder_name", Phase.DUAL_WRITE, 2).withOldColumnAfter("email"));
    String[] sent = new String[1];
    java.util.function.Function<String, ResultSet> rows = sql -> {
      if (!sql.startsWith("SELECT id, email, holder") && !sql.startsWith("UPDATE accounts")
          && !sql.startsWith("INSERT INTO accounts")) {
        return null; // Cutover's own queries
      }
      sent[0] = sql;
      return RowsResultSet.of(1L, "a@example.com", "Holder", BigDecimal.ONE);
    };
    Map<String, StubFixture> fixtures = new LinkedHashMap<>();
    fixtures.put("stub alone", StubFixture.create(List.of(), false, cacheSize, rows));
    fixtures.put("no migration", StubFixture.create(List.of(), true, cacheSize, rows));
    fixtures.put("dual_write", StubFixture.create(renamed, true, cacheSize, rows));
    if (print) {
      Connection c = fixtures.get("dual_write").connection();
      for (int i = 0; i < 12; i++) {
        run(c, texts[i]);
        System.out.println(texts[i] + "\n  -> " + sent[0]);
      }
    }
    Map<String, List<double[]>> results = new LinkedHashMap<>();
    for (int r = 0; r < rounds; r++) {
      for (Map.Entry<String, StubFixture> e : fixtures.entrySet()) {
        double[] m = measure(e.getValue().connection(), texts);
        if (r > 0) { // the first round warms up
          results.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(m);
        }
      }
    }
    for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
      double[] ns = e.getValue().stream().mapToDouble(m -> m[0]).sorted().toArray();
      double[] bytes = e.getValue().stream().mapToDouble(m -> m[1]).sorted().toArray();
      System.out.printf(Locale.ROOT, "%-14s %8.0f ns CPU (%.0f-%.0f)  %8.0f B (%.0f-%.0f) per statement%n", e.getKey(),
          ns[ns.length / 2], ns[0], ns[ns.length - 1], bytes[bytes.length / 2], bytes[0], bytes[bytes.length - 1]);
    }
    for (StubFixture f : fixtures.values()) {
      f.close();
    }
  }

  /** Runs every text once; returns ns and bytes per statement. */
  private static double[] measure(Connection c, String[] texts) throws SQLException {
    long tid = Thread.currentThread().getId();
    long bytes = THREADS.getThreadAllocatedBytes(tid);
    long start = THREADS.getCurrentThreadCpuTime();
    long sum = 0;
    for (String t : texts) {
      sum += run(c, t);
    }
    long ns = THREADS.getCurrentThreadCpuTime() - start;
    bytes = THREADS.getThreadAllocatedBytes(tid) - bytes;
    if (sum == 42) {
      System.out.print("");
    }
    return new double[] {(double) ns / texts.length, (double) bytes / texts.length};
  }

  private static long run(Connection c, String text) throws SQLException {
    try (Statement st = c.createStatement()) {
      if (text.charAt(0) == 'S') {
        try (ResultSet rs = st.executeQuery(text)) {
          return rs.next() ? rs.getString(3).length() : 0;
        }
      }
      return st.executeUpdate(text);
    }
  }
}
