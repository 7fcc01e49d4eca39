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
      Map<String, Map<String, Double>> jmh, List<EndToEnd.Comparison> e2e, BackfillRate.Result backfill,
      List<Footprint.Result> footprint) {
    List<Map<String, Object>> rows = new ArrayList<>();
    if (jmh != null) {
      double base = jmh.get("baseline").get("nsPerStatement");
      double baseBytes = jmh.get("baseline").get("bytesPerStatement");
      for (String impl : List.of("no_migration", "pass_through")) {
        double ns = jmh.get(impl).get("nsPerStatement") - base;
        double bytes = jmh.get(impl).get("bytesPerStatement") - baseBytes;
        double error = Math.hypot(error(jmh.get(impl)), error(jmh.get("baseline")));
        String verdict = passThroughVerdict(ns, error, bytes);
        rows.add(row("pass-through (" + impl.replace('_', ' ') + "), over the bare driver",
            "<= " + PASS_THROUGH_NS + " ns and <= " + PASS_THROUGH_BYTES + " B/statement",
            String.format(Locale.ROOT, "%+.0f ns (± %.0f), %+.0f B", ns, error, bytes),
            verdict.equals("undecided") ? null : verdict.equals("met"), verdict));
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
    }
    for (EndToEnd.Comparison c : e2e) {
      boolean hasTarget = !Double.isNaN(c.target());
      String verdict = c.verdict();
      rows.add(row("end to end throughput, " + c.mix() + ": " + c.config() + " / " + c.baseline(),
          hasTarget ? ">= " + c.target() : "(none)",
          String.format(Locale.ROOT, "%.3f (%.3f-%.3f over %d; p50 x%.2f, p99 x%.2f; baseline spread %.0f%%)",
              c.median(), c.min(), c.max(), c.ratios().size(), c.latencyRatio(false), c.latencyRatio(true),
              100 * c.baselineSpread()),
          verdict == null ? null : verdict.equals("met") ? Boolean.TRUE : verdict.equals("missed") ? Boolean.FALSE : null,
          verdict));
    }
    if (footprint != null) {
      Footprint.Result pg = footprint.get(0);
      for (Footprint.Result r : footprint.subList(1, footprint.size())) {
        // What the driver adds: resident memory once malloc's free arena memory is trimmed (the heap
        // is fixed and pre-touched, so this is native: classes, code, threads) plus the live heap
        // after a full GC; NMT's own bookkeeping excluded. The untrimmed RSS is shown beside it.
        long nmtOwn = r.committedByCategoryKb().getOrDefault("Native Memory Tracking", 0L)
            - pg.committedByCategoryKb().getOrDefault("Native Memory Tracking", 0L);
        long heap = r.heapUsedKb() - pg.heapUsedKb();
        double addedMb = (r.rssTrimmedKb() - pg.rssTrimmedKb() - nmtOwn + heap) / 1024.0;
        rows.add(row("footprint over plain pgjdbc, " + r.name(), "<= 15 MB",
            String.format(Locale.ROOT, "%+.1f MB (RSS %+.1f MB after trimming malloc's free memory, %+.1f MB before;"
                    + " live heap %+.1f MB), %+d classes", addedMb,
                (r.rssTrimmedKb() - pg.rssTrimmedKb() - nmtOwn) / 1024.0, (r.rssKb() - pg.rssKb() - nmtOwn) / 1024.0,
                heap / 1024.0,
                r.classes() - pg.classes()), addedMb <= 15));
      }
    }
    if (backfill != null) {
      rows.add(row("backfill / bulk UPDATE rows/s (median of interleaved pairs)", ">= 0.90",
          String.format(Locale.ROOT, "%.2f (%,.0f vs %,.0f rows/s)", backfill.ratio(),
              backfill.backfillRowsPerSecond(), backfill.bulkRowsPerSecond()), backfill.ratio() >= 0.90));
    }
    return rows;
  }

  /** The pass-through target over the bare driver: time and bytes allocated per statement. */
  static final int PASS_THROUGH_NS = 50;
  static final int PASS_THROUGH_BYTES = 100;

  /**
   * {@code met}, {@code missed} or {@code undecided} for a pass-through row: the bytes (exact under
   * {@code -prof gc}) decide alone when over the target; the time is judged like the end-to-end
   * rows, undecided when its error interval (JMH's, of both runs) straddles the target.
   */
  static String passThroughVerdict(double ns, double error, double bytes) {
    if (bytes > PASS_THROUGH_BYTES || ns - error > PASS_THROUGH_NS) {
      return "missed";
    }
    return ns + error <= PASS_THROUGH_NS ? "met" : "undecided";
  }

  private static double error(Map<String, Double> jmhRow) {
    Double e = jmhRow.get("error");
    return e == null || e.isNaN() ? 0 : e;
  }

  private static Map<String, Object> row(String what, String target, String measured, Boolean met) {
    return row(what, target, measured, met, met == null ? null : met ? "met" : "missed");
  }

  /**
   * @param verdict {@code met}, {@code missed} or (an end-to-end range that straddles the target)
   *     {@code undecided}; null without a target
   */
  private static Map<String, Object> row(String what, String target, String measured, Boolean met, String verdict) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("what", what);
    m.put("target", target);
    m.put("measured", measured);
    m.put("met", met);
    m.put("verdict", verdict);
    return m;
  }

  private static double mb(Footprint.Result r, String category) {
    return r.committedByCategoryKb().getOrDefault(category, 0L) / 1024.0;
  }

  private static String ops(List<Double> values) {
    StringBuilder sb = new StringBuilder();
    for (Double v : values) {
      sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,.0f", v));
    }
    return sb.toString();
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
      Object verdict = t.get("verdict");
      sb.append("| ").append(t.get("what")).append(" | ").append(t.get("target")).append(" | ")
          .append(t.get("measured")).append(" | ").append(verdict == null ? "-" : verdict.equals("met") ? "yes"
              : verdict.equals("missed") ? "**no**" : "undecided (the range straddles the target)")
          .append(" |\n");
    }

    Map<String, Map<String, Double>> jmh = (Map<String, Map<String, Double>>) report.get("rewritePath");
    if (jmh != null) {
      sb.append("\n## Rewrite path (JMH, stub driver, one operation = one statement of ")
          .append(Workload.STATEMENTS.size()).append(", prepare + set + execute + read + close)\n\n")
          .append("| impl | ns/statement | ± | B/statement (-prof gc) |\n|---|---:|---:|---:|\n");
      jmh.forEach((impl, r) -> sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %,.0f |%n",
          impl, r.get("nsPerStatement"), r.get("error"), r.get("bytesPerStatement"))));
    }

    sb.append("\n## End to end (HikariCP, 4 threads, local PostgreSQL; the two drivers alternate in slices of ")
        .append(report.getOrDefault("sliceMillis", EndToEnd.DEFAULT_SLICE_MILLIS)).append(" ms)\n\n");
    ((Map<String, String>) report.get("endToEndMixes")).forEach((mix, what) ->
        sb.append("- ").append(mix).append(": ").append(what).append("\n"));
    sb.append("\nEach comparison keeps both pools open and the same workers alternate between them, slice by slice,"
        + " so that both drivers run on the same machine within a fraction of a second; a repetition is a window of"
        + " such slices, and its ratio is Cutover's operations per second over the baseline's in that window; median"
        + " (min-max) of the repetitions. `pgjdbc again` compares pgjdbc with itself: its range is the method's own"
        + " noise."
        + " A freshly loaded table gets one unreported pgjdbc run, and each phase change one unreported Cutover run"
        + " (the JIT compiling the new phase's paths).\n\n")
        .append("| mix | configuration / baseline | throughput ratio | min-max | p50 ratio | p99 ratio | ops/s (Cutover, each repetition)"
            + " | baseline ops/s (each repetition) | baseline spread | note |\n")
        .append("|---|---|---:|---|---:|---:|---|---|---:|---|\n");
    for (Map<String, Object> r : (List<Map<String, Object>>) report.get("endToEnd")) {
      sb.append(String.format(Locale.ROOT, "| %s | %s / %s | %.3f | %.3f-%.3f | %.2f | %.2f | %s | %s | %.1f%% | %s |%n",
          r.get("mix"), r.get("config"), r.get("baseline"), r.get("throughputRatio"), r.get("throughputRatioMin"),
          r.get("throughputRatioMax"), r.get("p50Ratio"), r.get("p99Ratio"), ops((List<Double>) r.get("opsPerSecond")),
          ops((List<Double>) r.get("baselineOpsPerSecond")), 100 * (Double) r.get("baselineSpread"), r.get("note")));
    }

    List<Footprint.Result> footprint = (List<Footprint.Result>) report.get("footprint");
    if (footprint != null) {
      sb.append("\n## Footprint (a small application's JVM: -Xms64m -Xmx64m, pre-touched, serial GC, NMT summary)\n\n")
          .append("| driver | RSS MB | RSS trimmed MB | NMT committed MB | live heap MB | Metaspace MB | Class MB | Code MB | Symbol MB"
              + " | classes | classes by origin |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
      for (Footprint.Result r : footprint) {
        StringBuilder origins = new StringBuilder();
        r.classesByOrigin().forEach((o, n) -> {
          if (n > 0) {
            origins.append(origins.length() == 0 ? "" : ", ").append(o).append(' ').append(n);
          }
        });
        sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %s |%n",
            r.name(), r.rssKb() / 1024.0, r.rssTrimmedKb() / 1024.0, r.committedKb() / 1024.0, r.heapUsedKb() / 1024.0,
            mb(r, "Metaspace"), mb(r, "Class"), mb(r, "Code"), mb(r, "Symbol"), r.classes(), origins));
      }
    }

    if (report.get("backfill") == null) {
      return sb.toString();
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
