package dev.cutover.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.CutoverStatistics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The end-to-end workloads ({@link Mix}: the suite's users mix, a TPC-C-like mix, the users mix
 * with literal SQL, and 50,000 distinct texts) through HikariCP on plain pgjdbc and on Cutover
 * with no migration, in {@code dual_write} and in {@code read_new}.
 *
 * <p>Method: on a small machine the same workload against itself moves by up to 20% between two
 * runs of a few seconds, and the CPU time each operation takes moves with it (the same work costs
 * more CPU when the machine is slower), so runs that follow one another compare drivers on
 * different machines. Each comparison therefore keeps both pools open and alternates them in short
 * slices ({@code sliceMillis}, B C B C ...): the same workers run the baseline's operations for one
 * slice, Cutover's for the next, and so on, so both see the same machine within a fraction of a
 * second. A repetition is {@code measure} of such slices (half of it each); its ratio is Cutover's
 * operations per second of its own slices over the baseline's. The report gives the median of the
 * {@code repetitions} ratios with their minimum and maximum, and a target counts as met (or missed)
 * only when the whole range is above (or below) it. The users mix is also compared with itself
 * (pgjdbc against pgjdbc), which shows how far apart two identical drivers land by this method.
 */
final class EndToEnd {

  /**
   * One run's figures; {@code rolledBack} counts transactions that deadlocked and were not counted;
   * {@code rewriteMissesPerOperation} the rewrite-cache misses (parses and rewrites) of the measured
   * part per operation, a figure the machine's load does not move (0 on plain pgjdbc); {@code
   * clientCpuMicros} and {@code serverCpuMicros} the CPU time per operation of this JVM (all its
   * threads) and of the server processes connected to the database (NaN when the server's are not
   * readable): less moved by other load on the machine than the throughput, and they say on which
   * side a difference is.
   */
  record Run(String name, long operations, long rolledBack, double opsPerSecond, double p50Micros, double p99Micros,
      double rewriteMissesPerOperation, double clientCpuMicros, double serverCpuMicros) {}

  /**
   * A Cutover configuration against a baseline: {@code cutover.get(i)} and {@code baselines.get(i)}
   * are the two halves of repetition {@code i}, run in alternating slices.
   *
   * @param baseline what the baseline runs send: {@code pgjdbc} (the application's SQL), or {@code
   *     pgjdbc, hand-written dual writes} (what a hand-written dual write would send)
   * @param target the throughput ratio to reach, or NaN
   * @param note what else was observed (rows filled lazily), or empty
   */
  record Comparison(String mix, String config, String baseline, List<Run> cutover, List<Run> baselines, double target,
      String note) {

    /** One ratio per repetition: Cutover's throughput over the baseline's in the same slices' time. */
    List<Double> ratios() {
      List<Double> out = new ArrayList<>();
      for (int i = 0; i < cutover.size(); i++) {
        out.add(cutover.get(i).opsPerSecond() / baselines.get(i).opsPerSecond());
      }
      return out;
    }

    double median() {
      return median(ratios());
    }

    double min() {
      return ratios().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    double max() {
      return ratios().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** Median of the p50 (or p99) latency ratios, one per repetition. */
    double latencyRatio(boolean p99) {
      List<Double> out = new ArrayList<>();
      for (int i = 0; i < cutover.size(); i++) {
        double base = p99 ? baselines.get(i).p99Micros() : baselines.get(i).p50Micros();
        out.add((p99 ? cutover.get(i).p99Micros() : cutover.get(i).p50Micros()) / base);
      }
      return median(out);
    }

    /**
     * How far the baseline's repetitions differ, (max - min) / median: how much the machine moved
     * during the comparison (which the alternation cancels from the ratios).
     */
    double baselineSpread() {
      double[] ops = baselines.stream().mapToDouble(Run::opsPerSecond).sorted().toArray();
      return (ops[ops.length - 1] - ops[0]) / median(baselines.stream().map(Run::opsPerSecond).toList());
    }

    /** {@code met}, {@code missed} (the whole range on one side of the target), {@code undecided}, or null. */
    String verdict() {
      if (Double.isNaN(target)) {
        return null;
      }
      return min() >= target ? "met" : max() < target ? "missed" : "undecided";
    }

    private static double median(List<Double> values) {
      double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
  }

  private static final com.sun.management.OperatingSystemMXBean PROCESS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  static final String PGJDBC = "pgjdbc";
  static final String HAND = "pgjdbc, hand-written dual writes";
  /** The configuration of the comparison of pgjdbc with itself: the method's own resolution. */
  static final String AGAIN = "pgjdbc again (the same driver: the method's noise)";

  private final BenchDatabase db;
  private final int threads;
  private final Duration warmup;
  private final Duration measure;
  private final int repetitions;
  private final boolean full;
  private final long sliceMillis;

  /**
   * @param full also the comparisons that explain rather than test a target (no migration on the
   *     TPC-C-like mix, dual_write without the lazy migration against hand-written dual writes)
   */
  EndToEnd(BenchDatabase db, int threads, Duration warmup, Duration measure, int repetitions, boolean full) {
    this(db, threads, warmup, measure, repetitions, full, DEFAULT_SLICE_MILLIS);
  }

  /** The length of a slice: short against how fast the machine's speed moves, long against a transaction. */
  static final long DEFAULT_SLICE_MILLIS = 100;

  /** @param sliceMillis how long each driver runs before the other takes over */
  EndToEnd(BenchDatabase db, int threads, Duration warmup, Duration measure, int repetitions, boolean full,
      long sliceMillis) {
    this.sliceMillis = sliceMillis;
    this.db = db;
    this.threads = threads;
    this.warmup = warmup;
    this.measure = measure;
    this.repetitions = repetitions;
    this.full = full;
  }

  /**
   * Runs every mix through every configuration; leaves the migrations of the first three in {@code
   * read_new} and the distinct-texts mix's in {@code dual_write}.
   */
  List<Comparison> run(UsersMix users, TpccMix tpcc, LiteralMix literal, DistinctTextsMix distinct) throws Exception {
    db.cutover("init");
    List<Comparison> out = new ArrayList<>();
    // The lazy migration of rows read is off by default (cutover.readTouch): measured on its own.
    String touch = db.cutoverUrl() + "?cutover.readTouch=true";

    load(users);
    out.add(compare(users, AGAIN, db.pgUrl(), PGJDBC, Double.NaN));
    out.add(compare(users, "cutover, no migration", db.cutoverUrl(), PGJDBC, 0.97));
    advance(users);
    out.add(compare(users, "cutover, dual_write", db.cutoverUrl(), PGJDBC, 0.90));
    out.add(compare(users, "cutover, dual_write, readTouch=true", touch, PGJDBC, Double.NaN));
    if (full) {
      out.add(compare(users, "cutover, dual_write", db.cutoverUrl(), HAND, Double.NaN));
    }
    backfill(users);
    out.add(compare(users, "cutover, read_new", db.cutoverUrl(), PGJDBC, Double.NaN));

    out.addAll(runTpcc(tpcc));
    out.addAll(runLiteral(literal));
    out.addAll(runDistinct(distinct));
    return out;
  }

  /**
   * The TPC-C-like mix: pgjdbc against Cutover in {@code dual_write} (with and without the read
   * touch) and in {@code read_new}; with no migration too in full runs. Needs the control schema.
   */
  List<Comparison> runTpcc(TpccMix tpcc) throws Exception {
    List<Comparison> out = new ArrayList<>();
    load(tpcc);
    if (full) {
      out.add(compare(tpcc, "cutover, no migration", db.cutoverUrl(), PGJDBC, Double.NaN));
    }
    advance(tpcc);
    out.add(compare(tpcc, "cutover, dual_write", db.cutoverUrl(), PGJDBC, 0.90));
    out.add(compare(tpcc, "cutover, dual_write, readTouch=true", db.cutoverUrl() + "?cutover.readTouch=true",
        PGJDBC, Double.NaN));
    backfill(tpcc);
    out.add(compare(tpcc, "cutover, read_new", db.cutoverUrl(), PGJDBC, Double.NaN));
    return out;
  }

  /**
   * The literal-SQL mix: pgjdbc against Cutover with no migration and in {@code dual_write}, and
   * (full runs) {@code dual_write} against the hand-written dual writes, which tells Cutover's own
   * cost from the server's for writing the second column. Needs the control schema installed.
   */
  List<Comparison> runLiteral(LiteralMix literal) throws Exception {
    List<Comparison> out = new ArrayList<>();
    load(literal);
    out.add(compare(literal, "cutover, no migration", db.cutoverUrl(), PGJDBC, Double.NaN));
    advance(literal);
    out.add(compare(literal, "cutover, dual_write", db.cutoverUrl(), PGJDBC, 0.90));
    if (full) {
      out.add(compare(literal, "cutover, dual_write", db.cutoverUrl(), HAND, Double.NaN));
    }
    return out;
  }

  private void load(Mix mix) throws Exception {
    mix.load(db);
    // Not reported: the first run on a fresh table was up to 15% faster than the next ones (no dead
    // tuples yet), which made the first ratio look like Cutover's cost.
    settle(mix, db.pgUrl());
  }

  /** Plans the mix's migrations and advances them to {@code dual_write}. */
  private void advance(Mix mix) throws Exception {
    for (Mix.Migration m : mix.migrations()) {
      Path file = Files.createTempFile(m.id(), ".yaml");
      try {
        Files.writeString(file, m.yaml());
        db.cutover("plan", file.toString());
        db.cutover("advance", m.id());
      } finally {
        Files.deleteIfExists(file);
      }
    }
    settleAfterSwitch(mix);
  }

  /**
   * One Cutover run after a phase change, not reported, as the baseline's settling run after a load
   * is not: a new phase puts new paths on every statement (the dual_write rewrites, the lazy fill),
   * and the JIT compiled them over the 20-30 s after the switch, about 4,000 compilations (450 at C2)
   * in the distinct-texts mix. With the 2 s warm-up alone the first run after the switch carried them
   * (client CPU 55-65 µs per operation against 33-44 in the runs after it): a cost paid once per JVM
   * and phase, not the steady state the ratios compare.
   */
  private void settleAfterSwitch(Mix mix) throws Exception {
    settle(mix, db.cutoverUrl());
  }

  /** Backfills the mix's migrations and advances them to {@code read_new}. */
  private void backfill(Mix mix) throws Exception {
    for (Mix.Migration m : mix.migrations()) {
      db.cutover("backfill", m.id());
      db.cutover("advance", m.id());
    }
    db.execute("VACUUM ANALYZE");
    settleAfterSwitch(mix);
  }

  private Comparison compare(Mix mix, String config, String url, String baseline, double target) throws Exception {
    boolean hand = baseline.equals(HAND);
    long filledBefore = filled(mix);
    List<Run> cutover = new ArrayList<>();
    List<Run> baselines = new ArrayList<>();
    try (HikariDataSource base = pool(db.pgUrl()); HikariDataSource cut = pool(url)) {
      Side[] sides = {new Side(baseline, base, hand), new Side(config, cut, false)};
      alternate(mix, sides, warmup, 0); // JIT, pools, statement caches
      mix.prime(base);
      mix.prime(cut);
      for (int i = 0; i < repetitions; i++) {
        Run[] runs = alternate(mix, sides, measure, i % 2); // each side starts every other repetition
        baselines.add(runs[0]);
        cutover.add(runs[1]);
      }
    }
    long filledAfter = filled(mix);
    String note = filledBefore < 0 || filledAfter == filledBefore ? ""
        : String.format(Locale.ROOT, "rows with the new column filled: %,d before, %,d after", filledBefore, filledAfter);
    Comparison c = new Comparison(mix.name(), config, baseline, cutover, baselines, target, note);
    System.out.printf(Locale.ROOT, "   %s: %s / %s = %.3f (%.3f-%.3f), baseline spread %.1f%%, rewrite misses per"
            + " operation %s%s%n", mix.name(), config, baseline, c.median(), c.min(), c.max(), 100 * c.baselineSpread(),
        cutover.stream().map(r -> String.format(Locale.ROOT, "%.3f", r.rewriteMissesPerOperation())).toList(),
        note.isEmpty() ? "" : "; " + note);
    System.out.printf(Locale.ROOT, "     CPU per operation, client + server (us): cutover %s, baseline %s%n",
        cpu(cutover), cpu(baselines));
    return c;
  }

  /** One of the two drivers of a comparison: its pool, and whether it sends hand-written dual writes. */
  private record Side(String name, HikariDataSource pool, boolean handDualWrite) {}

  private HikariDataSource pool(String url) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(db.user());
    config.setMaximumPoolSize(threads);
    config.setMinimumIdle(threads);
    config.setPoolName("bench");
    return new HikariDataSource(config);
  }

  /**
   * Runs the workload for {@code duration} on {@code threads} workers, alternating the two sides
   * every {@link #sliceMillis}, {@code first} first; returns each side's figures over its own
   * slices. An operation counts for the side it started on; the client's and the server's CPU time
   * and the rewrite-cache misses of a slice count for the side that ran it.
   */
  private Run[] alternate(Mix mix, Side[] sides, Duration duration, int first) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    java.util.concurrent.atomic.AtomicInteger current = new java.util.concurrent.atomic.AtomicInteger(first);
    long[][][] latencies = new long[2][threads][];
    long[][] rolledBack = new long[2][threads];
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int index = t;
      workers[t] = new Thread(() -> {
        long[][] lat = {new long[1 << 13], new long[1 << 13]};
        int[] count = new int[2];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
          while (!stop.get()) {
            int side = current.get();
            long start = System.nanoTime();
            boolean done = mix.operation(sides[side].pool(), random, sides[side].handDualWrite());
            long took = System.nanoTime() - start;
            if (!done) {
              rolledBack[side][index]++;
              continue;
            }
            if (count[side] == lat[side].length) {
              lat[side] = Arrays.copyOf(lat[side], lat[side].length * 2);
            }
            lat[side][count[side]++] = took;
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
        latencies[0][index] = Arrays.copyOf(lat[0], count[0]);
        latencies[1][index] = Arrays.copyOf(lat[1], count[1]);
      }, "bench-" + t);
    }
    List<Integer> pids = db.serverPids();
    long[] nanos = new long[2];
    long[] client = new long[2];
    long[] server = new long[2];
    long[] misses = new long[2];
    for (Thread w : workers) {
      w.start();
    }
    long end = System.nanoTime() + duration.toNanos();
    int side = first;
    long sliceStart = System.nanoTime();
    long clientAt = PROCESS.getProcessCpuTime();
    long serverAt = sum(BenchDatabase.serverCpuNanos(pids));
    long missesAt = CutoverStatistics.cacheMisses();
    while (failure.get() == null) {
      long now = System.nanoTime();
      long left = end - now;
      if (left <= 0) {
        break;
      }
      Thread.sleep(Math.max(1, Math.min(sliceMillis, left / 1_000_000)));
      int next = 1 - side;
      current.set(next);
      long at = System.nanoTime();
      long clientNow = PROCESS.getProcessCpuTime();
      long serverNow = sum(BenchDatabase.serverCpuNanos(pids));
      long missesNow = CutoverStatistics.cacheMisses();
      nanos[side] += at - sliceStart;
      client[side] += clientNow - clientAt;
      server[side] += serverNow - serverAt;
      misses[side] += missesNow - missesAt;
      sliceStart = at;
      clientAt = clientNow;
      serverAt = serverNow;
      missesAt = missesNow;
      side = next;
    }
    stop.set(true);
    for (Thread w : workers) {
      w.join();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("the " + mix.name() + " workload failed", failure.get());
    }
    boolean serverKnown = !BenchDatabase.serverCpuNanos(pids).isEmpty();
    Run[] runs = new Run[2];
    for (int s = 0; s < 2; s++) {
      long[] all = Arrays.stream(latencies[s]).flatMapToLong(Arrays::stream).sorted().toArray();
      int n = Math.max(1, all.length);
      runs[s] = new Run(sides[s].name(), all.length, Arrays.stream(rolledBack[s]).sum(),
          nanos[s] == 0 ? 0 : all.length * 1e9 / nanos[s], percentile(all, 0.50) / 1e3, percentile(all, 0.99) / 1e3,
          (double) misses[s] / n, client[s] / 1e3 / n, serverKnown ? server[s] / 1e3 / n : Double.NaN);
    }
    return runs;
  }

  private static long sum(java.util.Map<Integer, Long> cpu) {
    return cpu.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * The distinct-texts mix: pgjdbc against Cutover with no migration (full runs only), then in
   * {@code dual_write} with the default {@code cutover.cacheSize} and with each of {@code cacheSizes}.
   * Needs the control schema installed.
   */
  List<Comparison> runDistinct(DistinctTextsMix mix, int... cacheSizes) throws Exception {
    List<Comparison> out = new ArrayList<>();
    load(mix);
    if (full) {
      out.add(compare(mix, "cutover, no migration", db.cutoverUrl(), PGJDBC, Double.NaN));
    }
    advance(mix);
    out.add(compare(mix, "cutover, dual_write", db.cutoverUrl(), PGJDBC, 0.90));
    for (int size : cacheSizes) {
      out.add(compare(mix, "cutover, dual_write, cacheSize=" + size, db.cutoverUrl() + "?cutover.cacheSize=" + size,
          PGJDBC, Double.NaN));
    }
    return out;
  }

  /**
   * {@code java -cp benchmarks/target/benchmarks.jar dev.cutover.benchmarks.EndToEnd [--texts N]
   * [--rows N] [--warmup S] [--measure S] [--repetitions N] [--cache-size N]... [--server URL] [--user NAME]
   * [--mix literal|tpcc|again] [--full] [--slice-ms N]}: the distinct-texts comparison alone ({@link #runDistinct}),
   * or with {@code --mix literal} the literal-SQL comparisons alone ({@link #runLiteral}; {@code --full} adds the
   * hand-written dual writes), with {@code --mix tpcc} the TPC-C-like ones ({@link #runTpcc}; {@code --full} adds no
   * migration), or with {@code --mix again} pgjdbc against itself, three times on the users mix and three on the
   * literal-SQL mix: the method's resolution, for a slice length of {@code --slice-ms} (default 100).
   */
  public static void main(String[] args) throws Exception {
    int texts = 50_000 / 3 + 1;
    int rows = 100_000;
    int warmupSeconds = 2;
    int measureSeconds = 6;
    int repetitions = 3;
    long sliceMillis = DEFAULT_SLICE_MILLIS;
    List<Integer> sizes = new ArrayList<>();
    String server = "jdbc:postgresql://127.0.0.1:5432/";
    String user = "postgres";
    String only = "distinct";
    boolean full = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mix" -> {
          only = args[++i];
          if (!List.of("literal", "distinct", "tpcc", "again").contains(only)) {
            throw new IllegalArgumentException("unknown mix " + only + " (literal, distinct, tpcc or again)");
          }
        }
        case "--full" -> full = true;
        case "--texts" -> texts = Integer.parseInt(args[++i]) / 3 + 1;
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--warmup" -> warmupSeconds = Integer.parseInt(args[++i]);
        case "--measure" -> measureSeconds = Integer.parseInt(args[++i]);
        case "--repetitions" -> repetitions = Integer.parseInt(args[++i]);
        case "--slice-ms" -> sliceMillis = Long.parseLong(args[++i]);
        case "--cache-size" -> sizes.add(Integer.parseInt(args[++i]));
        case "--server" -> server = args[++i];
        case "--user" -> user = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    try (BenchDatabase db = new BenchDatabase(server, user)) {
      db.cutover("init");
      EndToEnd e2e =
          new EndToEnd(db, 4, Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(measureSeconds), repetitions, full,
              sliceMillis);
      if (only.equals("again")) {
        for (Mix mix : List.<Mix>of(new UsersMix(rows), new LiteralMix(rows))) {
          e2e.load(mix);
          for (int i = 0; i < 3; i++) {
            e2e.compare(mix, AGAIN, db.pgUrl(), PGJDBC, Double.NaN);
          }
        }
      } else if (only.equals("literal")) {
        LiteralMix mix = new LiteralMix(rows);
        System.out.println(mix.description());
        e2e.runLiteral(mix);
      } else if (only.equals("tpcc")) {
        TpccMix mix = new TpccMix(3_000, 100_000);
        System.out.println(mix.description());
        e2e.runTpcc(mix);
      } else {
        DistinctTextsMix mix = new DistinctTextsMix(rows, texts);
        System.out.println(mix.description());
        e2e.runDistinct(mix, sizes.stream().mapToInt(Integer::intValue).toArray());
      }
    }
  }

  private static List<String> cpu(List<Run> runs) {
    return runs.stream().map(r -> String.format(Locale.ROOT, "%.0f+%.0f", r.clientCpuMicros(), r.serverCpuMicros()))
        .toList();
  }

  /** Rows whose new column is filled, over the mix's migrations; -1 before dual_write. */
  private long filled(Mix mix) {
    if (mix instanceof UsersMix) {
      return db.count("users", "display_name");
    } else if (mix instanceof TpccMix) {
      long c = db.count("customer", "c_data_v2");
      long s = db.count("stock", "s_data_v2");
      return c < 0 || s < 0 ? -1 : c + s;
    } else if (mix instanceof DistinctTextsMix) {
      return db.count("profiles", "biography");
    }
    return db.count("accounts", "holder_name");
  }

  /**
   * An unreported run on one driver: the warm-up, the mix's priming and a measurement's length of
   * the workload, figures dropped (see {@link #load} and {@link #settleAfterSwitch}).
   */
  private void settle(Mix mix, String url) throws Exception {
    try (HikariDataSource ds = pool(url)) {
      drive(mix, ds, warmup); // JIT, pool, statement caches
      mix.prime(ds);
      drive(mix, ds, measure);
    }
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  /** Runs the workload on {@code threads} threads for {@code duration}, counting nothing. */
  private void drive(Mix mix, HikariDataSource ds, Duration duration) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      workers[t] = new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
          while (!stop.get()) {
            mix.operation(ds, random, false);
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "bench-" + t);
    }
    for (Thread w : workers) {
      w.start();
    }
    Thread.sleep(duration.toMillis());
    stop.set(true);
    for (Thread w : workers) {
      w.join();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("the " + mix.name() + " workload failed", failure.get());
    }
  }
}
