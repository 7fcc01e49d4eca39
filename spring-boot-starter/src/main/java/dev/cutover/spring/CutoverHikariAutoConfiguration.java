package dev.cutover.spring;

import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Names {@link dev.cutover.HikariRefusalOverride} as the {@code exceptionOverrideClassName} of every
 * HikariCP pool whose URL is a Cutover URL, unless the application named another override.
 *
 * <p>Why: HikariCP evicts a connection on SQLState {@code 0A000}, which is what a Cutover refusal
 * carries; the refusal happens before anything reaches the server, so the connection (and the
 * transaction open on it) is intact and should stay in the pool.
 */
@AutoConfiguration
@ConditionalOnClass(HikariDataSource.class)
public class CutoverHikariAutoConfiguration {

  /** The override's class name, as HikariCP loads it. */
  public static final String OVERRIDE = "dev.cutover.HikariRefusalOverride";

  /** Registered statically so that it sees the pool before its first connection. */
  @Bean
  static BeanPostProcessor cutoverHikariRefusalOverride() {
    return new Configurer();
  }

  /** Sets the override on each Cutover pool before it starts. */
  static final class Configurer implements BeanPostProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(CutoverHikariAutoConfiguration.class);

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
      if (bean instanceof HikariDataSource pool && isCutoverUrl(pool.getJdbcUrl())) {
        String current = pool.getExceptionOverrideClassName();
        if (current == null || current.isBlank()) {
          pool.setExceptionOverrideClassName(OVERRIDE);
        } else if (!current.equals(OVERRIDE)) {
          LOG.warn("Cutover: pool {} has its own exceptionOverrideClassName {}; a Cutover refusal (SQLState 0A000)"
              + " will evict the connection unless it delegates to {}", beanName, current, OVERRIDE);
        }
      }
      return bean;
    }
  }

  /** Whether {@code url} is handled by the Cutover driver. */
  static boolean isCutoverUrl(String url) {
    return url != null && url.startsWith("jdbc:cutover:");
  }
}
