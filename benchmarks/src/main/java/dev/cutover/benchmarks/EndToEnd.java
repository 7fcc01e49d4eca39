package dev.cutover.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The same multi-threaded OLTP workload (60% point select, 30% update of the renamed column, 10%
 * insert; one pooled connection per statement, autocommit) through HikariCP on plain pgjdbc and on
 * Cutover with no migration, in {@code dual_write} and in {@code read_new}. Plain pgjdbc runs
 * before and after each Cutover configuration and each ratio is against the mean of its two
 * neighbours, so that drift during the run (table growth, autovacuum, other load) cancels out.
 */
final class EndToEnd {

  /** One configuration's figures. */
  record Run(String name, long operations, double opsPerSecond, double p50Micros, double p99Micros) {}

  /**
   * A Cutover configuration compared with the plain pgjdbc runs around it.
   *
   * @param baseline what the pgjdbc runs send: {@code pgjdbc} (the application's SQL), or
   *     {@code pgjdbc, hand-written dual writes} (the SQL a hand-written dual-write would send, the
   *     physical cost of writing both columns without Cutover)
   */
  record Comparison(Run cutover, Run before, Run after, String baseline) {
    double throughputRatio() {
      return cutover.opsPerSecond() / ((before.opsPerSecond() + after.opsPerSecond()) / 2);
    }

    double p50Ratio() {
      return cutover.p50Micros() / ((before.p50Micros() + after.p50Micros()) / 2);
    }

    double p99Ratio() {
      return cutover.p99Micros() / ((before.p99Micros() + after.p99Micros()) / 2);
    }
  }

  static final String MIGRATION = "users-display-name";

  static final String PGJDBC = "pgjdbc";
  static final String HAND = "pgjdbc, hand-written dual writes";

  private final BenchDatabase db;
  private final int threads;
  private final int rows;
  private final Duration warmup;
  private final Duration measure;

  EndToEnd(BenchDatabase db, int threads, int rows, Duration warmup, Duration measure) {
    this.db = db;
    this.threads = threads;
    this.rows = rows;
    this.warmup = warmup;
    this.measure = measure;
  }

  /** Runs every configuration; leaves the migration in {@code read_new}. */
  List<Comparison> run() throws Exception {
    db.execute(
        "CREATE TABLE users (id bigserial PRIMARY KEY, tenant_id int NOT NULL, email text NOT NULL,"
            + " full_name text, created_at timestamptz NOT NULL DEFAULT now(), version int NOT NULL DEFAULT 0)",
        "INSERT INTO users (tenant_id, email, full_name) SELECT i % 8, 'user' || i || '@example.com', 'Name ' || i"
            + " FROM generate_series(1, " + rows + ") i",
        "VACUUM ANALYZE users");
    db.cutover("init");
    Path file = Files.createTempFile("users-display-name", ".yaml");
    try {
      Files.writeString(file, "id: " + MIGRATION + "\ntable: public.users\nrename:\n  from: full_name\n  to: display_name\n");
      List<Comparison> out = new ArrayList<>();
      // Not reported: the first run on the fresh table was up to 15% faster than the next ones
      // (no dead tuples yet), which made the first ratio look like Cutover's cost.
      measure("pgjdbc, settling", db.pgUrl(), false);
      Run pg1 = measure("pgjdbc", db.pgUrl(), false);
      Run none = measure("cutover, no migration", db.cutoverUrl(), false);
      Run pg2 = measure("pgjdbc", db.pgUrl(), false);
      out.add(new Comparison(none, pg1, pg2, PGJDBC));
      db.cutover("plan", file.toString());
      db.cutover("advance", MIGRATION); // -> dual_write
      Run hand1 = measure(HAND, db.pgUrl(), true);
      Run dual = measure("cutover, dual_write", db.cutoverUrl(), false);
      Run hand2 = measure(HAND, db.pgUrl(), true);
      // The same without the lazy migration of rows read: what the rewrite alone costs, since the
      // lazy migration's background writes are work a hand-written dual write does not do.
      Run quiet = measure("cutover, dual_write, readTouch=false", db.cutoverUrl() + "?cutover.readTouch=false", false);
      Run hand3 = measure(HAND, db.pgUrl(), true);
      Run pg3 = measure("pgjdbc", db.pgUrl(), false);
      out.add(new Comparison(dual, pg2, pg3, PGJDBC));
      out.add(new Comparison(dual, hand1, hand2, HAND));
      out.add(new Comparison(quiet, hand2, hand3, HAND));
      db.cutover("backfill", MIGRATION);
      db.cutover("advance", MIGRATION); // -> read_new
      Run readNew = measure("cutover, read_new", db.cutoverUrl(), false);
      Run pg4 = measure("pgjdbc", db.pgUrl(), false);
      out.add(new Comparison(readNew, pg3, pg4, PGJDBC));
      return out;
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** @param dualWrite send the SQL of a hand-written dual write (both columns) instead of the application's */
  private Run measure(String name, String url, boolean dualWrite) throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(db.user());
    config.setMaximumPoolSize(threads);
    config.setMinimumIdle(threads);
    config.setPoolName("bench");
    try (HikariDataSource ds = new HikariDataSource(config)) {
      drive(ds, warmup, new long[threads][], dualWrite); // JIT, pool, prepared-statement caches
      long[][] latencies = new long[threads][];
      long nanos = drive(ds, measure, latencies, dualWrite);
      long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
      return new Run(name, all.length, all.length * 1e9 / nanos,
          percentile(all, 0.50) / 1e3, percentile(all, 0.99) / 1e3);
    }
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  /** Runs the workload on {@code threads} threads for {@code duration}; returns the elapsed nanoseconds. */
  private long drive(HikariDataSource ds, Duration duration, long[][] latencies, boolean dualWrite) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int index = t;
      workers[t] = new Thread(() -> {
        long[] lat = new long[1 << 14];
        int count = 0;
        try {
          while (!stop.get()) {
            long start = System.nanoTime();
            operation(ds, dualWrite);
            long took = System.nanoTime() - start;
            if (count == lat.length) {
              lat = Arrays.copyOf(lat, lat.length * 2);
            }
            lat[count++] = took;
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
        latencies[index] = Arrays.copyOf(lat, count);
      }, "bench-" + t);
    }
    long start = System.nanoTime();
    for (Thread w : workers) {
      w.start();
    }
    Thread.sleep(duration.toMillis());
    stop.set(true);
    for (Thread w : workers) {
      w.join();
    }
    long elapsed = System.nanoTime() - start;
    if (failure.get() != null) {
      throw new IllegalStateException("the workload failed", failure.get());
    }
    return elapsed;
  }

  private void operation(HikariDataSource ds, boolean dualWrite) throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long id = 1 + random.nextInt(rows);
    int kind = random.nextInt(10);
    try (Connection c = ds.getConnection()) {
      if (kind < 6) {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, email, full_name, version FROM users WHERE id = ?")) {
          ps.setLong(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || rs.getString(3) == null) {
              throw new IllegalStateException("row " + id + " missing or without full_name");
            }
          }
        }
      } else if (kind < 9) {
        String name = "Name " + id + " v" + random.nextInt(1000);
        try (PreparedStatement ps = c.prepareStatement(dualWrite
            ? "UPDATE users SET full_name = ?, display_name = ?, version = version + 1 WHERE id = ?"
            : "UPDATE users SET full_name = ?, version = version + 1 WHERE id = ?")) {
          int i = 1;
          ps.setString(i++, name);
          if (dualWrite) {
            ps.setString(i++, name);
          }
          ps.setLong(i, id);
          ps.executeUpdate();
        }
      } else {
        try (PreparedStatement ps = c.prepareStatement(dualWrite
            ? "INSERT INTO users (tenant_id, email, full_name, display_name) VALUES (?, ?, ?, ?)"
            : "INSERT INTO users (tenant_id, email, full_name) VALUES (?, ?, ?)")) {
          ps.setInt(1, (int) (id & 7));
          ps.setString(2, "new" + id + "@example.com");
          ps.setString(3, "New " + id);
          if (dualWrite) {
            ps.setString(4, "New " + id);
          }
          ps.executeUpdate();
        }
      }
    }
  }
}
