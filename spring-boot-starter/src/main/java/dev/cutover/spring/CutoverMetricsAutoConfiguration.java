package dev.cutover.spring;

import dev.cutover.CutoverStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer gauges, when the application has a {@link MeterRegistry}:
 * <ul>
 *   <li>{@code cutover.migration.phase} (tags {@code migration}, {@code table}): 0 planned, 1
 *       dual_write, 2 read_new, 3 new_only, 4 completed;
 *   <li>{@code cutover.migration.epoch} (same tags): the epoch of the migration's last phase change;
 *   <li>{@code cutover.refresh.age} (tag {@code schema}, seconds): how long ago the driver last read the migrations.
 * </ul>
 * Migrations come and go while the application runs, so the rows are re-read every few seconds.
 */
@AutoConfiguration(afterName = "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({MeterRegistry.class, CutoverStatus.class})
@ConditionalOnBean(MeterRegistry.class)
public class CutoverMetricsAutoConfiguration {

  /** The gauges' binder. */
  @Bean
  @ConditionalOnMissingBean
  CutoverMeterBinder cutoverMeterBinder() {
    return new CutoverMeterBinder();
  }

  /** Binds the gauges and re-reads {@link CutoverStatus} every {@link #PERIOD_SECONDS} seconds. */
  public static final class CutoverMeterBinder implements MeterBinder, DisposableBean {
    static final long PERIOD_SECONDS = 5;
    static final List<String> PHASES = List.of("planned", "dual_write", "read_new", "new_only", "completed");

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cutover-metrics");
      t.setDaemon(true);
      return t;
    });

    @Override
    public void bindTo(MeterRegistry registry) {
      MultiGauge phase = MultiGauge.builder("cutover.migration.phase")
          .description("Phase of each migration: 0 planned, 1 dual_write, 2 read_new, 3 new_only, 4 completed")
          .register(registry);
      MultiGauge epoch = MultiGauge.builder("cutover.migration.epoch")
          .description("Epoch of each migration's last phase change").register(registry);
      MultiGauge age = MultiGauge.builder("cutover.refresh.age").baseUnit("seconds")
          .description("How long ago the driver last read the migrations").register(registry);
      Runnable refresh = () -> refresh(phase, epoch, age);
      refresh.run();
      scheduler.scheduleWithFixedDelay(refresh, PERIOD_SECONDS, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    static void refresh(MultiGauge phase, MultiGauge epoch, MultiGauge age) {
      List<CutoverStatus.RuntimeStatus> runtimes = CutoverStatus.runtimes();
      List<CutoverStatus.Migration> migrations = runtimes.stream().flatMap(r -> r.migrations().stream()).toList();
      phase.register(migrations.stream()
          .map(m -> MultiGauge.Row.of(tags(m), PHASES.indexOf(m.phase()))).toList(), true);
      epoch.register(migrations.stream().map(m -> MultiGauge.Row.of(tags(m), m.epoch())).toList(), true);
      age.register(runtimes.stream()
          .map(r -> MultiGauge.Row.of(Tags.of("schema", r.controlSchema()), r.refreshAgeMillis() / 1000.0))
          .toList(), true);
    }

    private static Tags tags(CutoverStatus.Migration m) {
      return Tags.of("migration", m.id(), "table", m.table());
    }

    @Override
    public void destroy() {
      scheduler.shutdownNow();
    }
  }
}
