package dev.cutover.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Every Cutover benchmark in one command, and the report: JMH (rewrite path, with {@code -prof
 * gc}), the end-to-end workload, the backfill rate and the cache memory, written as {@code
 * report.json} and {@code report.md} (plus JMH's own {@code jmh.json}).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar [--smoke] [--out DIR] [--server jdbc:postgresql://127.0.0.1:5432/] [--user postgres]
 * java -jar benchmarks/target/benchmarks.jar jmh [JMH options...]   # JMH's own command line
 * java -jar benchmarks/target/benchmarks.jar backfill [--rows N] [--pairs N] [-- BACKFILL OPTIONS]  # interleaved pairs
 * </pre>
 *
 * <p>{@code --smoke} runs everything for a few seconds in all (JMH in-process, tiny tables), to
 * prove the harness compiles and runs; its figures mean nothing.
 */
public final class Suite {

  /** What the full run writes to; the lead commits it. */
  public static final String DEFAULT_OUT = "benchmarks/results";

  private final boolean smoke;
  private final boolean quick;
  private final Path out;
  private final String server;
  private final String user;

  private Suite(boolean smoke, boolean quick, Path out, String server, String user) {
    this.smoke = smoke;
    this.quick = quick;
    this.out = out;
    this.server = server;
    this.user = user;
  }

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("jmh")) {
      org.openjdk.jmh.Main.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("backfill")) {
      BackfillRate.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    Path report = run(args);
    System.out.println("Report: " + report.toAbsolutePath() + " and report.md");
  }

  /** Runs the suite; returns the path of {@code report.json}. */
  public static Path run(String... args) throws Exception {
    boolean smoke = false;
    boolean quick = false;
    Path out = Path.of(DEFAULT_OUT);
    String server = "jdbc:postgresql://127.0.0.1:5432/";
    String user = "postgres";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--smoke" -> smoke = true;
        case "--quick" -> quick = true;
        case "--out" -> out = Path.of(args[++i]);
        case "--server" -> server = args[++i];
        case "--user" -> user = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (expected --smoke, --quick, --out DIR, --server JDBC_URL, --user NAME, or `jmh ...` first)");
      }
    }
    return new Suite(smoke, quick, out, server, user).run();
  }

  private Path run() throws Exception {
    Files.createDirectories(out);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("mode", smoke ? "smoke (figures meaningless)" : quick ? "quick (end to end only)" : "full");
    report.put("startedAt", Instant.now().toString());
    report.put("command", "./mvnw -q -B -DskipTests package && java -jar benchmarks/target/benchmarks.jar"
        + (smoke ? " --smoke" : quick ? " --quick" : ""));
    Map<String, Object> machine = machine();
    report.put("machine", machine);

    Map<String, Map<String, Double>> jmh = null;
    if (!quick) {
      log("JMH: rewrite path over the stub driver");
      jmh = jmh();
      report.put("rewritePath", jmh);
    }

    try (BenchDatabase db = new BenchDatabase(server, user)) {
      machine.put("postgresql", db.serverVersion());
      log("End to end on " + db.pgUrl());
      EndToEnd e2e = smoke
          ? new EndToEnd(db, 4, Duration.ofMillis(200), Duration.ofMillis(400), 1, true)
          : quick
              ? new EndToEnd(db, 4, Duration.ofSeconds(1), Duration.ofSeconds(3), 3, false)
              : new EndToEnd(db, 4, Duration.ofSeconds(2), Duration.ofSeconds(6), 3, true);
      UsersMix users = new UsersMix(smoke ? 2_000 : 100_000);
      TpccMix tpcc = smoke ? new TpccMix(30, 1_000) : new TpccMix(3_000, 100_000);
      LiteralMix literal = new LiteralMix(smoke ? 2_000 : 100_000);
      // 50,001 distinct texts in all (three kinds), the working set the rewrite cache must hold.
      DistinctTextsMix distinct = new DistinctTextsMix(smoke ? 2_000 : 100_000, smoke ? 100 : 16_667);
      List<EndToEnd.Comparison> comparisons = e2e.run(users, tpcc, literal, distinct);
      report.put("endToEndMixes", Map.of(users.name(), users.description(), tpcc.name(), tpcc.description(),
          literal.name(), literal.description(), distinct.name(), distinct.description()));
      report.put("endToEnd", endToEnd(comparisons));
      report.put("sliceMillis", EndToEnd.DEFAULT_SLICE_MILLIS);
      BackfillRate.Result backfill = null;
      if (!quick) {
        log("Backfill");
        backfill = BackfillRate.median(new BackfillRate(db, smoke ? 10_000 : 1_000_000).run(smoke ? 1 : 3));
        report.put("backfill", Map.of(
            "rows", backfill.rows(),
            "bulkUpdateRowsPerSecond", backfill.bulkRowsPerSecond(),
            "backfillRowsPerSecond", backfill.backfillRowsPerSecond(),
            "ratio", backfill.ratio()));
        log("Cache memory");
        CacheMemory.Result memory = new CacheMemory(smoke ? 500 : 10_000).run();
        report.put("memory", Map.of(
            "entries", memory.entries(),
            "heapBytesPerEntry", memory.heapBytesPerEntry(),
            "payloadBytesPerEntry", memory.payloadBytesPerEntry(),
            "heapBytesTotal", memory.heapBytesTotal(),
            "filterBytesPerEntry", memory.filterBytesPerEntry()));
      }
      List<Footprint.Result> footprint = null;
      if (!smoke) { // needs the shaded jar, which the benchmarks module's own build does not make
        log("Footprint");
        footprint = Footprint.locate(db).run();
        report.put("footprint", footprint);
      }
      report.put("targets", Report.targets(jmh, comparisons, backfill, footprint));
    }
    machine.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    report.put("finishedAt", Instant.now().toString());

    Path json = out.resolve("report.json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
    Files.writeString(out.resolve("report.md"), Report.markdown(report));
    return json;
  }

  private static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    return m;
  }

  /**
   * Runs the JMH benchmarks; returns, per {@code impl} (and {@code preCheck}), ns/op, its error and
   * B/op. The cache miss runs on its own with a longer warm-up: the generated parser is large, and
   * with the default 5 s JIT has not finished with it (the figure was three times the steady one).
   */
  private Map<String, Map<String, Double>> jmh() throws Exception {
    Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
    ChainedOptionsBuilder main = new OptionsBuilder()
        .include(RewritePathBenchmark.class.getName())
        .include(PreCheckBenchmark.class.getName())
        .param("impl", "baseline", "no_migration", "pass_through", "cache_hit")
        .result(out.resolve("jmh.json").toString());
    ChainedOptionsBuilder miss = new OptionsBuilder()
        .include(RewritePathBenchmark.class.getName())
        .param("impl", "cache_miss")
        .warmupIterations(10).warmupTime(TimeValue.seconds(3))
        .result(out.resolve("jmh-cache-miss.json").toString());
    for (ChainedOptionsBuilder options : List.of(main, miss)) {
      options.addProfiler(GCProfiler.class).resultFormat(ResultFormatType.JSON);
      if (smoke) {
        options.forks(0).warmupIterations(1).warmupTime(TimeValue.milliseconds(100))
            .measurementIterations(1).measurementTime(TimeValue.milliseconds(200));
      }
      for (RunResult r : new Runner(options.build()).run()) {
        String impl = r.getParams().getParam("impl");
        String key = impl != null ? impl : "preCheck";
        Result<?> primary = r.getPrimaryResult();
        Map<String, Double> row = new LinkedHashMap<>();
        row.put("nsPerStatement", primary.getScore());
        row.put("error", Double.isNaN(primary.getScoreError()) ? 0 : primary.getScoreError());
        Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
        row.put("bytesPerStatement", alloc == null ? Double.NaN : alloc.getScore());
        rows.put(key, row);
      }
    }
    return rows;
  }

  private static List<Map<String, Object>> endToEnd(List<EndToEnd.Comparison> comparisons) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (EndToEnd.Comparison c : comparisons) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("mix", c.mix());
      row.put("config", c.config());
      row.put("baseline", c.baseline());
      row.put("throughputRatio", c.median());
      row.put("throughputRatioMin", c.min());
      row.put("throughputRatioMax", c.max());
      row.put("throughputRatios", c.ratios());
      row.put("p50Ratio", c.latencyRatio(false));
      row.put("p99Ratio", c.latencyRatio(true));
      row.put("baselineSpread", c.baselineSpread());
      row.put("target", Double.isNaN(c.target()) ? null : c.target());
      row.put("verdict", c.verdict());
      row.put("note", c.note());
      row.put("opsPerSecond", c.cutover().stream().map(EndToEnd.Run::opsPerSecond).toList());
      row.put("p50Micros", c.cutover().stream().map(EndToEnd.Run::p50Micros).toList());
      row.put("p99Micros", c.cutover().stream().map(EndToEnd.Run::p99Micros).toList());
      row.put("rolledBack", c.cutover().stream().map(EndToEnd.Run::rolledBack).toList());
      row.put("rewriteMissesPerOperation", c.cutover().stream().map(EndToEnd.Run::rewriteMissesPerOperation).toList());
      row.put("baselineOpsPerSecond", c.baselines().stream().map(EndToEnd.Run::opsPerSecond).toList());
      row.put("baselineP50Micros", c.baselines().stream().map(EndToEnd.Run::p50Micros).toList());
      row.put("baselineP99Micros", c.baselines().stream().map(EndToEnd.Run::p99Micros).toList());
      row.put("clientCpuMicrosPerOperation", c.cutover().stream().map(EndToEnd.Run::clientCpuMicros).toList());
      row.put("serverCpuMicrosPerOperation", c.cutover().stream().map(EndToEnd.Run::serverCpuMicros).toList());
      row.put("baselineClientCpuMicrosPerOperation", c.baselines().stream().map(EndToEnd.Run::clientCpuMicros).toList());
      row.put("baselineServerCpuMicrosPerOperation", c.baselines().stream().map(EndToEnd.Run::serverCpuMicros).toList());
      rows.add(row);
    }
    return rows;
  }

  private static void log(String what) {
    System.out.printf(Locale.ROOT, "== %s (%s)%n", what, Instant.now());
  }
}
