package dev.cutover;

import dev.cutover.control.InstanceMarker;
import dev.cutover.jdbc.ProxyConnection;
import dev.cutover.runtime.CutoverRuntime;
import dev.cutover.runtime.RuntimeConfig;
import dev.cutover.runtime.RuntimeRegistry;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The {@code jdbc:cutover:postgresql://host[:port]/database[?params]} driver. It strips the leading
 * {@code cutover:} and its own {@code cutover.*} parameters (see {@link CutoverProperty}) and opens
 * the connection with pgjdbc's {@code org.postgresql.Driver}, instantiated directly; every pgjdbc
 * parameter works. Registered with {@link DriverManager} when the class loads and through {@code
 * META-INF/services/java.sql.Driver}.
 */
public final class CutoverDriver implements Driver {

  /** This driver's major version. */
  public static final int MAJOR_VERSION = 0;
  /** This driver's minor version. */
  public static final int MINOR_VERSION = 1;

  private static CutoverDriver registered;

  static {
    try {
      register();
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final org.postgresql.Driver pgjdbc = new org.postgresql.Driver();

  /** Registers a driver instance with {@link DriverManager} unless one is registered already. */
  public static synchronized void register() throws SQLException {
    if (registered == null) {
      CutoverDriver driver = new CutoverDriver();
      DriverManager.registerDriver(driver);
      registered = driver;
    }
  }

  /** Removes the registered instance from {@link DriverManager} (e.g. when a web application is undeployed). */
  public static synchronized void deregister() throws SQLException {
    if (registered != null) {
      DriverManager.deregisterDriver(registered);
      registered = null;
    }
  }

  /** Whether an instance is currently registered with {@link DriverManager}. */
  public static synchronized boolean isRegistered() {
    return registered != null;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Returns {@code null} for a URL that does not start with {@code jdbc:cutover:postgresql:}.
   * An invalid {@code cutover.*} value fails with SQLState 08001 and a message naming the property
   * and the allowed values.
   */
  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null;
    }
    ConnectionSettings settings = ConnectionSettings.parse(url, info).withApplicationNameInProperties();
    RuntimeConfig config = settings.toRuntimeConfig();
    Connection pg = pgjdbc.connect(settings.pgUrl(), markedProperties(settings.pgProperties(), config));
    if (pg == null) {
      throw new CutoverSQLException("pgjdbc did not accept the URL " + settings.pgUrl(),
          CutoverSqlState.CONNECTION_UNABLE_TO_CONNECT);
    }
    CutoverRuntime runtime;
    try {
      runtime = RuntimeRegistry.acquire(config, pg);
    } catch (SQLException | RuntimeException e) {
      pg.close();
      throw new CutoverSQLException(
          "Cutover cannot read the migrations in schema " + config.schema() + ": " + e.getMessage()
              + " (the application's role needs SELECT on the control schema; see cutover.schema)",
          CutoverSqlState.CONNECTION_UNABLE_TO_CONNECT, e);
    }
    try {
      return new ProxyConnection(pg, runtime, true);
    } catch (SQLException | RuntimeException e) {
      RuntimeRegistry.release(runtime);
      pg.close();
      throw e;
    }
  }

  /**
   * The properties for pgjdbc with the instance's tag appended to the application's name (or to
   * pgjdbc's default), so that the CLI's fence can find this connection's backend.
   */
  static Properties markedProperties(Properties pgProperties, RuntimeConfig config) {
    Properties props = new Properties();
    props.putAll(pgProperties);
    String base = props.getProperty(ConnectionSettings.APPLICATION_NAME, PGJDBC_APPLICATION_NAME);
    props.setProperty(ConnectionSettings.APPLICATION_NAME, InstanceMarker.applicationName(base, config.marker()));
    return props;
  }

  /** pgjdbc's {@code ApplicationName} when none is given. */
  static final String PGJDBC_APPLICATION_NAME = "PostgreSQL JDBC Driver";

  /** {@inheritDoc} True only for {@code jdbc:cutover:postgresql:} URLs. */
  @Override
  public boolean acceptsURL(String url) {
    return ConnectionSettings.accepts(url);
  }

  /** {@inheritDoc} pgjdbc's properties (for the URL without Cutover's parts), then Cutover's. */
  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return new DriverPropertyInfo[0];
    }
    ConnectionSettings settings = ConnectionSettings.parse(url, info);
    List<DriverPropertyInfo> all = new ArrayList<>(List.of(pgjdbc.getPropertyInfo(settings.pgUrl(), settings.pgProperties())));
    for (CutoverProperty p : CutoverProperty.values()) {
      all.add(p.info(settings.cutover().get(p)));
    }
    return all.toArray(new DriverPropertyInfo[0]);
  }

  @Override
  public int getMajorVersion() {
    return MAJOR_VERSION;
  }

  @Override
  public int getMinorVersion() {
    return MINOR_VERSION;
  }

  /** {@inheritDoc} False, like pgjdbc's. */
  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getLogger("dev.cutover");
  }
}
