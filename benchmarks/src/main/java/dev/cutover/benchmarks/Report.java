package dev.cutover.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The targets checked against the figures, and the Markdown rendering of the report. */
final class Report {

  private Report() {}

  /** One target row: what, the target, the measured value, whether it is met. */
  static List<Map<String, Object>> targets(
      Map<String, Map<String, Double>> jmh, List<EndToEnd.Comparison> e2e, BackfillRate.Result backfill) {
    List<Map<String, Object>> rows = new ArrayList<>();
    double base = jmh.get("baseline").get("nsPerStatement");
    double baseBytes = jmh.get("baseline").get("bytesPerStatement");
    for (String impl : List.of("no_migration", "pass_through")) {
      double ns = jmh.get(impl).get("nsPerStatement") - base;
      double bytes = jmh.get(impl).get("bytesPerStatement") - baseBytes;
      rows.add(row("pass-through (" + impl.replace('_', ' ') + "), over the bare driver",
          "<= 50 ns/statement, 0 B extra",
          String.format(Locale.ROOT, "%+.0f ns, %+.0f B", ns, bytes), ns <= 50 && bytes <= 0.5));
    }
    double hit = jmh.get("cache_hit").get("nsPerStatement") - base;
    rows.add(row("cache hit (dual_write), over the bare driver", "<= 150 ns/statement",
        String.format(Locale.ROOT, "%+.0f ns, %+.0f B", hit, jmh.get("cache_hit").get("bytesPerStatement") - baseBytes),
        hit <= 150));
    double miss = jmh.get("cache_miss").get("nsPerStatement") - base;
    rows.add(row("cache miss (parse and rewrite, ~" + Workload.averageLength() + " chars), over the bare driver",
        "<= 50 µs/statement",
        String.format(Locale.ROOT, "%+.1f µs, %+.0f KB", miss / 1e3,
            (jmh.get("cache_miss").get("bytesPerStatement") - baseBytes) / 1024), miss <= 50_000));
    double[] minimum = {0.97, 0.90, Double.NaN, Double.NaN, Double.NaN}; // the order of EndToEnd.run()
    for (int i = 0; i < e2e.size(); i++) {
      EndToEnd.Comparison c = e2e.get(i);
      double r = c.throughputRatio();
      rows.add(row("end to end throughput, " + c.cutover().name() + " / " + c.baseline(),
          Double.isNaN(minimum[i]) ? "(none)" : ">= " + minimum[i],
          String.format(Locale.ROOT, "%.3f (p50 x%.2f, p99 x%.2f)", r, c.p50Ratio(), c.p99Ratio()),
          Double.isNaN(minimum[i]) ? null : r >= minimum[i]));
    }
    rows.add(row("backfill / bulk UPDATE rows/s (median of 3 interleaved pairs)", ">= 0.90",
        String.format(Locale.ROOT, "%.2f (%,.0f vs %,.0f rows/s)", backfill.ratio(),
            backfill.backfillRowsPerSecond(), backfill.bulkRowsPerSecond()), backfill.ratio() >= 0.90));
    return rows;
  }

  private static Map<String, Object> row(String what, String target, String measured, Boolean met) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("what", what);
    m.put("target", target);
    m.put("measured", measured);
    m.put("met", met);
    return m;
  }

  @SuppressWarnings("unchecked")
  static String markdown(Map<String, Object> report) {
    StringBuilder sb = new StringBuilder();
    Map<String, Object> machine = (Map<String, Object>) report.get("machine");
    sb.append("# Cutover benchmarks\n\n");
    sb.append("Mode: ").append(report.get("mode")).append(". Command: `").append(report.get("command")).append("`.\n\n");
    sb.append("Machine: ").append(machine.get("os")).append(", ").append(machine.get("cpus")).append(" CPUs, ")
        .append(machine.get("jvm")).append(", PostgreSQL ").append(machine.get("postgresql"))
        .append(String.format(Locale.ROOT, "; load average %.2f at start, %.2f at end",
            machine.get("loadAverageAtStart"), machine.get("loadAverageAtEnd")))
        .append(". Started ").append(report.get("startedAt")).append(".\n\n");

    sb.append("## Targets\n\n| what | target | measured | met |\n|---|---|---|---|\n");
    for (Map<String, Object> t : (List<Map<String, Object>>) report.get("targets")) {
      Object met = t.get("met");
      sb.append("| ").append(t.get("what")).append(" | ").append(t.get("target")).append(" | ")
          .append(t.get("measured")).append(" | ").append(met == null ? "-" : (Boolean) met ? "yes" : "**no**")
          .append(" |\n");
    }

    sb.append("\n## Rewrite path (JMH, stub driver, one operation = one statement of ")
        .append(Workload.STATEMENTS.size()).append(", prepare + set + execute + read + close)\n\n")
        .append("| impl | ns/statement | ± | B/statement (-prof gc) |\n|---|---:|---:|---:|\n");
    Map<String, Map<String, Double>> jmh = (Map<String, Map<String, Double>>) report.get("rewritePath");
    jmh.forEach((impl, r) -> sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %,.0f |%n",
        impl, r.get("nsPerStatement"), r.get("error"), r.get("bytesPerStatement"))));

    sb.append("\n## End to end (HikariCP, 4 threads, 60% point select / 30% update / 10% insert, local PostgreSQL)\n\n")
        .append("| configuration / baseline | ops/s | p50 µs | p99 µs | baseline ops/s (before, after) | baseline spread"
            + " | throughput ratio | p50 ratio | p99 ratio |\n")
        .append("|---|---:|---:|---:|---|---:|---:|---:|---:|\n");
    for (Map<String, Object> r : (List<Map<String, Object>>) report.get("endToEnd")) {
      List<Double> pg = (List<Double>) r.get("pgjdbcOpsPerSecond");
      // How far the two baseline runs around a configuration differ: the run's own noise, against
      // which a ratio's distance from 1 is to be read.
      double spread = Math.abs(pg.get(0) - pg.get(1)) / ((pg.get(0) + pg.get(1)) / 2);
      sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %.0f | %.0f | %,.0f, %,.0f | %.1f%% | %.3f | %.2f | %.2f |%n",
          r.get("config") + " / " + r.get("baseline"), r.get("opsPerSecond"), r.get("p50Micros"), r.get("p99Micros"), pg.get(0), pg.get(1),
          100 * spread, r.get("throughputRatio"), r.get("p50Ratio"), r.get("p99Ratio")));
    }

    Map<String, Object> b = (Map<String, Object>) report.get("backfill");
    sb.append(String.format(Locale.ROOT,
        "%n## Backfill (%,d rows, `cutover backfill` defaults vs one bulk UPDATE)%n%n"
            + "| bulk UPDATE rows/s | backfill rows/s | ratio |%n|---:|---:|---:|%n| %,.0f | %,.0f | %.2f |%n",
        ((Number) b.get("rows")).longValue(), b.get("bulkUpdateRowsPerSecond"), b.get("backfillRowsPerSecond"),
        b.get("ratio")));

    Map<String, Object> m = (Map<String, Object>) report.get("memory");
    sb.append(String.format(Locale.ROOT,
        "%n## Rewrite cache memory (%,d distinct rewritten statements, dual_write)%n%n"
            + "| heap per entry (all) | payload per entry (JOL: key + rewrite) | heap for all entries"
            + " | pre-check memo per entry (text not counted) |%n|---:|---:|---:|---:|%n"
            + "| %,.0f B | %,.0f B | %.1f MB | %,.0f B |%n",
        ((Number) m.get("entries")).intValue(), m.get("heapBytesPerEntry"), m.get("payloadBytesPerEntry"),
        ((Number) m.get("heapBytesTotal")).longValue() / 1048576.0, m.get("filterBytesPerEntry")));
    return sb.toString();
  }
}
