package dev.cutover.spring;

import dev.cutover.CutoverStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.autoconfigure.info.ConditionalOnEnabledInfoContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Actuator contributions: {@code /actuator/health} component {@code cutover} and the {@code cutover}
 * key of {@code /actuator/info}, both listing each runtime (database and control schema) with its
 * epoch, refresh age and migrations (id, table, columns, phase, epoch).
 *
 * <p>The health is {@code DOWN} when a runtime has not read the migrations for longer than
 * {@code cutover.health.max-refresh-age} (default 60 s): its lease has then run out and it refuses
 * statements on migrating tables. With no Cutover connection open yet it is {@code UP} with no runtime.
 */
@AutoConfiguration
@ConditionalOnClass({HealthIndicator.class, CutoverStatus.class})
public class CutoverActuatorAutoConfiguration {

  /** Health indicator {@code cutover}. */
  @Bean
  @ConditionalOnMissingBean(name = "cutoverHealthIndicator")
  @ConditionalOnEnabledHealthIndicator("cutover")
  HealthIndicator cutoverHealthIndicator(Environment env) {
    Duration max = env.getProperty("cutover.health.max-refresh-age", Duration.class, Duration.ofSeconds(60));
    return () -> {
      List<CutoverStatus.RuntimeStatus> runtimes = CutoverStatus.runtimes();
      boolean stale = runtimes.stream().anyMatch(r -> r.refreshAgeMillis() > max.toMillis());
      return (stale ? Health.down() : Health.up()).withDetail("runtimes", describe(runtimes)).build();
    };
  }

  /** Info contributor: key {@code cutover}. */
  @Bean
  @ConditionalOnMissingBean(name = "cutoverInfoContributor")
  @ConditionalOnEnabledInfoContributor("cutover")
  InfoContributor cutoverInfoContributor() {
    return builder -> builder.withDetail("cutover", Map.of("runtimes", describe(CutoverStatus.runtimes())));
  }

  /** The runtimes as plain maps and lists, for JSON. */
  static List<Map<String, Object>> describe(List<CutoverStatus.RuntimeStatus> runtimes) {
    return runtimes.stream().map(r -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("url", r.url());
      m.put("controlSchema", r.controlSchema());
      m.put("instance", r.instance());
      m.put("epoch", r.epoch());
      m.put("refreshAgeMillis", r.refreshAgeMillis());
      m.put("migrations", r.migrations().stream().map(g -> {
        Map<String, Object> mm = new LinkedHashMap<>();
        mm.put("id", g.id());
        mm.put("table", g.table());
        mm.put("oldColumn", g.oldColumn());
        mm.put("newColumn", g.newColumn());
        mm.put("phase", g.phase());
        mm.put("epoch", g.epoch());
        return mm;
      }).toList());
      return m;
    }).toList();
  }
}
