package dev.cutover.spring;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.annotation.Bean;

/**
 * Names the driver class ({@code dev.cutover.CutoverDriver}) when {@code spring.datasource.url} is a
 * Cutover URL and the application named none.
 *
 * <p>Why: Spring Boot derives the driver class from the URL's prefix and does not know
 * {@code jdbc:cutover:}; without this the URL swap alone fails at startup with "Failed to determine
 * a suitable driver class".
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class)
@ConditionalOnClass(DataSourceProperties.class)
public class CutoverDataSourceAutoConfiguration {

  /** The driver's class name. */
  public static final String DRIVER = "dev.cutover.CutoverDriver";

  /** Registered statically: it must see the properties before the data source is built. */
  @Bean
  static BeanPostProcessor cutoverDriverClassName() {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof DataSourceProperties p && p.getDriverClassName() == null
            && CutoverHikariAutoConfiguration.isCutoverUrl(p.getUrl())) {
          p.setDriverClassName(DRIVER);
        }
        return bean;
      }
    };
  }
}
