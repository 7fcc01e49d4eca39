package dev.cutover.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The starter's configuration, without a database: pools are built but never connect. */
class CutoverAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
          CutoverDataSourceAutoConfiguration.class, CutoverHikariAutoConfiguration.class,
          CutoverActuatorAutoConfiguration.class, CutoverMetricsAutoConfiguration.class));

  @Test
  void cutoverUrl_getsTheDriverClassAndTheRefusalOverride() {
    runner.withPropertyValues("spring.datasource.url=jdbc:cutover:postgresql://localhost:5432/app")
        .run(ctx -> {
          HikariDataSource pool = ctx.getBean(HikariDataSource.class);
          assertThat(pool.getDriverClassName()).isEqualTo("dev.cutover.CutoverDriver");
          assertThat(pool.getExceptionOverrideClassName()).isEqualTo("dev.cutover.HikariRefusalOverride");
        });
  }

  @Test
  void plainUrl_isLeftAlone() {
    runner.withPropertyValues("spring.datasource.url=jdbc:postgresql://localhost:5432/app")
        .run(ctx -> {
          HikariDataSource pool = ctx.getBean(HikariDataSource.class);
          assertThat(pool.getDriverClassName()).isEqualTo("org.postgresql.Driver");
          assertThat(pool.getExceptionOverrideClassName()).isNull();
        });
  }

  @Test
  void theApplicationsOwnOverrideAndDriverClass_win() {
    runner.withPropertyValues("spring.datasource.url=jdbc:cutover:postgresql://localhost:5432/app",
            "spring.datasource.driver-class-name=org.postgresql.Driver",
            "spring.datasource.hikari.exception-override-class-name=" + MyOverride.class.getName())
        .run(ctx -> {
          HikariDataSource pool = ctx.getBean(HikariDataSource.class);
          assertThat(pool.getDriverClassName()).isEqualTo("org.postgresql.Driver");
          assertThat(pool.getExceptionOverrideClassName()).isEqualTo(MyOverride.class.getName());
        });
  }

  @Test
  void healthWithNoRuntime_isUp_andGaugesNeedARegistry() {
    runner.withPropertyValues("spring.datasource.url=jdbc:cutover:postgresql://localhost:5432/app")
        .run(ctx -> {
          HealthIndicator health = ctx.getBean("cutoverHealthIndicator", HealthIndicator.class);
          assertThat(health.health().getStatus()).isEqualTo(Status.UP);
          assertThat(ctx).doesNotHaveBean(CutoverMetricsAutoConfiguration.CutoverMeterBinder.class);
        });
    runner.withPropertyValues("spring.datasource.url=jdbc:cutover:postgresql://localhost:5432/app")
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(ctx -> assertThat(ctx).hasSingleBean(CutoverMetricsAutoConfiguration.CutoverMeterBinder.class));
  }

  /** An application's own override. */
  public static final class MyOverride implements com.zaxxer.hikari.SQLExceptionOverride {}
}
