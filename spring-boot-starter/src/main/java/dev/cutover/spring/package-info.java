/**
 * Spring Boot auto-configuration for the Cutover driver: with {@code spring.datasource.url} set to a
 * {@code jdbc:cutover:postgresql://} URL, HikariCP keeps connections whose statement Cutover refused
 * ({@link dev.cutover.spring.CutoverHikariAutoConfiguration}); Actuator shows each migration's phase,
 * epoch and refresh age ({@link dev.cutover.spring.CutoverActuatorAutoConfiguration}); Micrometer gets
 * gauges for them ({@link dev.cutover.spring.CutoverMetricsAutoConfiguration}). Each part runs only
 * when the application has the library it configures.
 */
package dev.cutover.spring;
