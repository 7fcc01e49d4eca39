package dev.cutover.runtime;

import java.util.Properties;

/**
 * Everything a runtime needs, parsed and validated from one connect call.
 *
 * @param url the pgjdbc URL ({@code jdbc:postgresql:...}, Cutover's parts removed)
 * @param pgProperties the properties for pgjdbc (Cutover's removed); copied, never mutated
 * @param user the effective user, part of the runtime key
 * @param schema {@code cutover.schema}
 * @param refreshMillis {@code cutover.refreshMillis}
 * @param passthrough {@code cutover.onUnsupported=passthrough}
 * @param cacheSize {@code cutover.cacheSize}
 * @param readTouch {@code cutover.readTouch}
 * @param instance {@code cutover.instance}
 */
public record RuntimeConfig(
    String url,
    Properties pgProperties,
    String user,
    String schema,
    long refreshMillis,
    boolean passthrough,
    int cacheSize,
    boolean readTouch,
    String instance) {

  public RuntimeConfig {
    Properties copy = new Properties();
    for (String name : pgProperties.stringPropertyNames()) {
      copy.setProperty(name, pgProperties.getProperty(name));
    }
    pgProperties = copy;
  }

  /**
   * What one shared runtime is keyed by: the same database, role and control schema, and the same
   * Cutover settings (connections that ask for another poll interval, policy or instance name get
   * a runtime of their own rather than silently sharing the first one's).
   */
  public record Key(String url, String user, String schema, long refreshMillis, boolean passthrough,
      int cacheSize, boolean readTouch, String instance) {}

  /** This configuration's runtime key. */
  public Key key() {
    return new Key(url, user, schema, refreshMillis, passthrough, cacheSize, readTouch, instance);
  }

  /** A copy of the pgjdbc properties, safe to hand to pgjdbc. */
  public Properties pgPropertiesCopy() {
    Properties copy = new Properties();
    copy.putAll(pgProperties);
    return copy;
  }
}
