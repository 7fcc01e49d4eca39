package dev.cutover;

import dev.cutover.CutoverStatistics.MigrationState;
import dev.cutover.CutoverStatistics.RefusalKind;
import dev.cutover.runtime.Telemetry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * Publishes {@link CutoverStatistics} through Micrometer. Micrometer is optional: the driver works
 * without it, and loads this class only when Micrometer is on the class path.
 *
 * <p>When the first Cutover connection is opened and Micrometer is present, the driver binds its
 * metrics to {@link Metrics#globalRegistry} by itself (Spring Boot adds its registry there by
 * default). An application that keeps its registry elsewhere hands it over once:
 * <pre>{@code CutoverMetrics.bindTo(registry);}</pre>
 * or, where a {@code MeterBinder} is expected, {@code CutoverMetrics::bindTo}. Binding twice to one
 * registry does nothing more.
 *
 * <p>The meters (Micrometer names; a Prometheus registry shows {@code cutover_statements_total} and
 * so on):
 * <ul>
 *   <li>{@code cutover.statements} (counter), tags {@code outcome} = {@code rewritten}, {@code
 *       unchanged}, {@code passed_through} or {@code refused}, and {@code reason} = {@code none} or a
 *       {@link RefusalKind#tag()}. What counts as a statement: see {@link CutoverStatistics}.
 *   <li>{@code cutover.rewrite.cache} (counter), tag {@code result} = {@code hit} or {@code miss}.
 *   <li>{@code cutover.lazy.rows} (counter), tag {@code result} = {@code queued}, {@code filled} or
 *       {@code dropped}; {@code cutover.lazy.queue.size} (gauge).
 *   <li>{@code cutover.migration.phase} (gauge), tags {@code schema} (the control schema), {@code
 *       migration} and {@code table}: 0 {@code planned}, 1 {@code dual_write}, 2 {@code read_new}, 3
 *       {@code new_only}, 4 {@code completed}; {@code NaN} once no running runtime has the migration.
 *   <li>{@code cutover.lease.age} (gauge, seconds): since the oldest confirmation of the phase
 *       among the running runtimes; statements are refused when it passes {@code cutover.leaseMillis}
 *       while a migration is unfinished.
 * </ul>
 *
 * <p>Implementation notes: every meter reads the driver's own counters when it is scraped ({@link
 * FunctionCounter}, {@link Gauge}); a statement never touches Micrometer. The phase gauges appear as
 * the runtimes load migrations they had not seen (on a runtime's thread, not a statement's).
 */
public final class CutoverMetrics {

  private static final List<MeterRegistry> REGISTRIES = new CopyOnWriteArrayList<>();
  /** The phase gauges registered so far. */
  private static final Set<Object> PHASE_GAUGES = ConcurrentHashMap.newKeySet();

  static {
    Telemetry.onMigrationsChanged(CutoverMetrics::registerPhaseGauges);
  }

  private CutoverMetrics() {}

  /** Binds the driver's metrics to Micrometer's {@link Metrics#globalRegistry}. */
  public static void bindToGlobalRegistry() {
    bindTo(Metrics.globalRegistry);
  }

  /**
   * Binds the driver's metrics to {@code registry}; a registry already bound is left as it is.
   *
   * @param registry the application's registry
   */
  public static synchronized void bindTo(MeterRegistry registry) {
    for (MeterRegistry bound : REGISTRIES) {
      if (bound == registry) {
        return;
      }
    }
    REGISTRIES.add(registry);
    statements(registry, "rewritten", "none", s -> CutoverStatistics.rewritten());
    statements(registry, "unchanged", "none", s -> CutoverStatistics.unchanged());
    statements(registry, "passed_through", RefusalKind.UNSUPPORTED_STATEMENT.tag(),
        s -> CutoverStatistics.passedThrough());
    for (RefusalKind kind : RefusalKind.values()) {
      statements(registry, "refused", kind.tag(), s -> CutoverStatistics.refused(kind));
    }
    counter(registry, "cutover.rewrite.cache", "Rewrite lookups by the rewritten-statement cache", "hit",
        s -> CutoverStatistics.cacheHits());
    counter(registry, "cutover.rewrite.cache", "Rewrite lookups by the rewritten-statement cache", "miss",
        s -> CutoverStatistics.cacheMisses());
    String lazy = "Keys of rows read, by what the lazy migration did with them";
    counter(registry, "cutover.lazy.rows", lazy, "queued", s -> CutoverStatistics.lazyRowsQueued());
    counter(registry, "cutover.lazy.rows", lazy, "filled", s -> CutoverStatistics.lazyRowsFilled());
    counter(registry, "cutover.lazy.rows", lazy, "dropped", s -> CutoverStatistics.lazyRowsDropped());
    Gauge.builder("cutover.lazy.queue.size", CutoverStatistics.class, s -> CutoverStatistics.lazyQueueSize())
        .description("Keys of rows read waiting for the lazy migration").register(registry);
    Gauge.builder("cutover.lease.age", CutoverStatistics.class, s -> CutoverStatistics.leaseAgeSeconds())
        .description("Seconds since the oldest confirmation of the migration phase by a running runtime")
        .baseUnit("seconds").register(registry);
    registerPhaseGauges();
  }

  private static void statements(MeterRegistry registry, String outcome, String reason,
      ToDoubleFunction<Class<CutoverStatistics>> value) {
    FunctionCounter.builder("cutover.statements", CutoverStatistics.class, value)
        .description("Statements that may name a migrating table, by what Cutover did with them")
        .tags(Tags.of("outcome", outcome, "reason", reason)).register(registry);
  }

  private static void counter(MeterRegistry registry, String name, String description, String result,
      ToDoubleFunction<Class<CutoverStatistics>> value) {
    FunctionCounter.builder(name, CutoverStatistics.class, value).description(description)
        .tags(Tags.of("result", result)).register(registry);
  }

  /** A registry (compared by identity: registries do not override equals) and one migration's tags. */
  private record PhaseKey(MeterRegistry registry, String schema, String id, String table) {}

  /** Registers a phase gauge for each migration a running runtime has and a bound registry lacks. */
  private static void registerPhaseGauges() {
    if (REGISTRIES.isEmpty()) {
      return;
    }
    for (MigrationState state : CutoverStatistics.migrations()) {
      for (MeterRegistry registry : REGISTRIES) {
        if (PHASE_GAUGES.add(new PhaseKey(registry, state.controlSchema(), state.id(), state.table()))) {
          String schema = state.controlSchema();
          String id = state.id();
          String table = state.table();
          Gauge.builder("cutover.migration.phase", CutoverStatistics.class, s -> phaseIndex(schema, id, table))
              .description("Phase of a migration: 0 planned, 1 dual_write, 2 read_new, 3 new_only, 4 completed")
              .tags(Tags.of("schema", schema, "migration", id, "table", table)).register(registry);
        }
      }
    }
  }

  private static double phaseIndex(String schema, String id, String table) {
    double phase = Double.NaN;
    for (MigrationState state : CutoverStatistics.migrations()) {
      if (state.controlSchema().equals(schema) && state.id().equals(id) && state.table().equals(table)) {
        phase = Double.isNaN(phase) ? state.phaseIndex() : Math.min(phase, state.phaseIndex());
      }
    }
    return phase;
  }
}
