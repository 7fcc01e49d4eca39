package dev.cutover;

import dev.cutover.runtime.NotificationMode;
import dev.cutover.runtime.RuntimeConfig;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;

/**
 * A Cutover URL and {@code Properties} split into what pgjdbc gets (the URL without the leading
 * {@code cutover:} and without {@code cutover.*} parameters; the properties without {@code
 * cutover.*}) and Cutover's own validated settings.
 *
 * @param pgUrl the URL for pgjdbc, otherwise byte for byte the application's
 * @param pgProperties the properties for pgjdbc
 * @param cutover Cutover's settings as given (URL over properties), not yet validated
 */
record ConnectionSettings(String pgUrl, Properties pgProperties, Map<CutoverProperty, String> cutover) {

  static final String PREFIX = "jdbc:cutover:postgresql:";
  /** pgjdbc's property for {@code application_name}. */
  static final String APPLICATION_NAME = "ApplicationName";
  private static final String STRIP = "cutover:";
  private static final int STRIP_AT = "jdbc:".length();

  /** Whether {@code url} is a Cutover URL. */
  static boolean accepts(String url) {
    return url != null && url.startsWith(PREFIX);
  }

  /**
   * Splits a Cutover URL.
   *
   * @throws CutoverSQLException (08001) for an unknown {@code cutover.*} parameter
   */
  static ConnectionSettings parse(String url, Properties info) throws CutoverSQLException {
    // Only the leading "cutover:": a database or parameter may contain the word.
    String rest = url.substring(0, STRIP_AT) + url.substring(STRIP_AT + STRIP.length());
    Map<CutoverProperty, String> cutover = new EnumMap<>(CutoverProperty.class);
    Properties pg = new Properties();
    if (info != null) {
      for (String name : info.stringPropertyNames()) {
        String value = info.getProperty(name);
        if (name.startsWith(CutoverProperty.PREFIX)) {
          cutover.put(known(name), value);
        } else {
          pg.setProperty(name, value);
        }
      }
    }
    int q = rest.indexOf('?');
    String pgUrl = rest;
    if (q >= 0) {
      StringBuilder kept = new StringBuilder();
      for (String param : rest.substring(q + 1).split("&", -1)) {
        int eq = param.indexOf('=');
        String name = decode(eq < 0 ? param : param.substring(0, eq));
        if (name.startsWith(CutoverProperty.PREFIX)) {
          cutover.put(known(name), eq < 0 ? "" : decode(param.substring(eq + 1)));
        } else {
          if (kept.length() > 0) {
            kept.append('&');
          }
          kept.append(param);
        }
      }
      pgUrl = rest.substring(0, q) + (kept.length() > 0 ? "?" + kept : "");
    }
    return new ConnectionSettings(pgUrl, pg, cutover);
  }

  /**
   * These settings with the URL's {@code ApplicationName} moved into the properties (the URL's value
   * wins, as in pgjdbc), where the driver can append its instance's tag to it (see {@link
   * dev.cutover.control.InstanceMarker}): pgjdbc would otherwise prefer the URL's untagged one.
   */
  ConnectionSettings withApplicationNameInProperties() {
    int q = pgUrl.indexOf('?');
    if (q < 0) {
      return this;
    }
    Properties pg = new Properties();
    pg.putAll(pgProperties);
    StringBuilder kept = new StringBuilder();
    boolean moved = false;
    for (String param : pgUrl.substring(q + 1).split("&", -1)) {
      int eq = param.indexOf('=');
      if (decode(eq < 0 ? param : param.substring(0, eq)).equals(APPLICATION_NAME)) {
        pg.setProperty(APPLICATION_NAME, eq < 0 ? "" : decode(param.substring(eq + 1)));
        moved = true;
      } else {
        kept.append(kept.length() > 0 ? "&" : "").append(param);
      }
    }
    return moved ? new ConnectionSettings(pgUrl.substring(0, q) + (kept.length() > 0 ? "?" + kept : ""), pg, cutover)
        : this;
  }

  /** Validates Cutover's settings into a runtime configuration. */
  RuntimeConfig toRuntimeConfig() throws CutoverSQLException {
    Properties parsed = org.postgresql.Driver.parseURL(pgUrl, pgProperties);
    if (parsed == null) {
      throw new CutoverSQLException("pgjdbc cannot parse the URL " + pgUrl + " (after removing Cutover's parts)",
          CutoverSqlState.CONNECTION_UNABLE_TO_CONNECT);
    }
    String instance = CutoverProperty.INSTANCE.validate(cutover.get(CutoverProperty.INSTANCE));
    long refreshMillis = Long.parseLong(CutoverProperty.REFRESH_MILLIS.validate(cutover.get(CutoverProperty.REFRESH_MILLIS)));
    String lease = CutoverProperty.LEASE_MILLIS.validate(cutover.get(CutoverProperty.LEASE_MILLIS));
    long leaseMillis = lease == null ? RuntimeConfig.defaultLeaseMillis(refreshMillis) : Long.parseLong(lease);
    if (leaseMillis < RuntimeConfig.minimumLeaseMillis(refreshMillis)) {
      throw new CutoverSQLException("Invalid value '" + leaseMillis + "' for Cutover property "
          + CutoverProperty.LEASE_MILLIS.propertyName() + ": expected at least two heartbeat intervals ("
          + RuntimeConfig.minimumLeaseMillis(refreshMillis) + " ms with " + CutoverProperty.REFRESH_MILLIS.propertyName()
          + "=" + refreshMillis + ")", CutoverSqlState.CONNECTION_UNABLE_TO_CONNECT);
    }
    String user = parsed.getProperty("user", "");
    String schema = CutoverProperty.SCHEMA.validate(cutover.get(CutoverProperty.SCHEMA));
    boolean passthrough =
        "passthrough".equals(CutoverProperty.ON_UNSUPPORTED.validate(cutover.get(CutoverProperty.ON_UNSUPPORTED)));
    int cacheSize = Integer.parseInt(CutoverProperty.CACHE_SIZE.validate(cutover.get(CutoverProperty.CACHE_SIZE)));
    boolean readTouch = Boolean.parseBoolean(CutoverProperty.READ_TOUCH.validate(cutover.get(CutoverProperty.READ_TOUCH)));
    if (instance == null) {
      // Each distinct configuration is a runtime of its own, heartbeating its own row: two runtimes
      // of one process under one name would lock each other out of that row (and the fence would
      // end the one the row does not speak for). host:pid, then a short hash of the configuration.
      instance = DefaultInstance.NAME + "/" + String.format(java.util.Locale.ROOT, "%06x", 0xffffff & java.util.Objects.hash(
          pgUrl, user, schema, refreshMillis, passthrough, cacheSize, readTouch, leaseMillis));
    }
    return new RuntimeConfig(pgUrl, pgProperties, user, schema, refreshMillis, passthrough, cacheSize, readTouch,
        instance, leaseMillis,
        NotificationMode.of(CutoverProperty.NOTIFICATIONS.validate(cutover.get(CutoverProperty.NOTIFICATIONS))));
  }

  private static CutoverProperty known(String name) throws CutoverSQLException {
    CutoverProperty p = CutoverProperty.forName(name);
    if (p == null) {
      StringBuilder names = new StringBuilder();
      for (CutoverProperty known : CutoverProperty.values()) {
        names.append(names.length() > 0 ? ", " : "").append(known.propertyName());
      }
      throw new CutoverSQLException("Unknown Cutover property " + name + ": expected one of " + names,
          CutoverSqlState.CONNECTION_UNABLE_TO_CONNECT);
    }
    return p;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** {@code host:pid}, computed once (a host name lookup may be slow). */
  private static final class DefaultInstance {
    static final String NAME = compute();

    private static String compute() {
      String host = System.getenv("HOSTNAME");
      if (host == null || host.isBlank()) {
        try {
          host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
          host = "unknown-host";
        }
      }
      long pid;
      try {
        pid = ProcessHandle.current().pid();
      } catch (UnsupportedOperationException e) {
        String jvm = ManagementFactory.getRuntimeMXBean().getName();
        return jvm;
      }
      return host + ":" + pid;
    }
  }
}
