package dev.cutover.runtime;

import dev.cutover.control.InstanceMarker;
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
 * @param leaseMillis {@code cutover.leaseMillis}; 0 turns the lease off (tests and benchmarks without a
 *     database only: the URL property cannot)
 * @param notifications {@code cutover.notifications}
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
    String instance,
    long leaseMillis,
    NotificationMode notifications) {

  /** A configuration with the default lease ({@link #defaultLeaseMillis}). */
  public RuntimeConfig(String url, Properties pgProperties, String user, String schema, long refreshMillis,
      boolean passthrough, int cacheSize, boolean readTouch, String instance) {
    this(url, pgProperties, user, schema, refreshMillis, passthrough, cacheSize, readTouch, instance,
        defaultLeaseMillis(refreshMillis));
  }

  /** A configuration that listens for notifications after checking that they arrive ({@link NotificationMode#AUTO}). */
  public RuntimeConfig(String url, Properties pgProperties, String user, String schema, long refreshMillis,
      boolean passthrough, int cacheSize, boolean readTouch, String instance, long leaseMillis) {
    this(url, pgProperties, user, schema, refreshMillis, passthrough, cacheSize, readTouch, instance, leaseMillis,
        NotificationMode.AUTO);
  }

  /** The default lease for {@code refreshMillis}: 5 s or three heartbeat intervals, whichever is longer. */
  public static long defaultLeaseMillis(long refreshMillis) {
    return Math.max(5_000, 3 * CutoverRuntime.heartbeatMillis(refreshMillis));
  }

  /** The shortest lease allowed for {@code refreshMillis}: two heartbeat intervals. */
  public static long minimumLeaseMillis(long refreshMillis) {
    return 2 * CutoverRuntime.heartbeatMillis(refreshMillis);
  }

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
      int cacheSize, boolean readTouch, String instance, long leaseMillis, NotificationMode notifications) {}

  /** This configuration's runtime key. */
  public Key key() {
    return new Key(url, user, schema, refreshMillis, passthrough, cacheSize, readTouch, instance, leaseMillis,
        notifications);
  }

  /** The tag this instance's connections carry in their {@code application_name} (see {@link InstanceMarker}). */
  public String marker() {
    return InstanceMarker.of(schema, instance);
  }

  /** A copy of the pgjdbc properties, safe to hand to pgjdbc. */
  public Properties pgPropertiesCopy() {
    Properties copy = new Properties();
    copy.putAll(pgProperties);
    return copy;
  }
}
