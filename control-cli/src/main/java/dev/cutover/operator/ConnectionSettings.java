package dev.cutover.operator;

import dev.cutover.ControlUrl;
import dev.cutover.CutoverProperty;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Where the operator connects: a plain pgjdbc URL plus the control schema name.
 *
 * <p>Accepts both {@code jdbc:postgresql://...} and {@code jdbc:cutover:postgresql://...}; only the
 * leading {@code cutover:} and the {@code cutover.*} query parameters are removed (the control
 * schema comes from {@code cutover.schema}, default {@code cutover}); the rest reaches pgjdbc
 * untouched.
 *
 * @param url the {@code jdbc:postgresql://} URL handed to pgjdbc
 * @param user the user, or {@code null} to let the URL decide
 * @param password the password, or {@code null}
 * @param controlSchema the control schema name, as PostgreSQL stores it
 */
public record ConnectionSettings(String url, String user, String password, String controlSchema) {

  /** The control schema when {@code cutover.schema} is not given. */
  public static final String DEFAULT_SCHEMA = CutoverProperty.SCHEMA.defaultValue();

  /**
   * Parses a user-given URL, the way the driver parses its own ({@link ControlUrl}).
   *
   * @throws IllegalArgumentException when the URL is neither form or a {@code cutover.*} parameter
   *     is unknown or invalid; the message names it
   */
  public static ConnectionSettings parse(String rawUrl, String user, String password) {
    try {
      ControlUrl url = ControlUrl.parse(rawUrl);
      return new ConnectionSettings(url.pgUrl(), user, password, url.controlSchema());
    } catch (SQLException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Opens a plain pgjdbc connection (autocommit on). */
  public Connection open() throws SQLException {
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
    props.setProperty("ApplicationName", "cutover-cli");
    props.setProperty("tcpKeepAlive", "true");
    Connection c = new org.postgresql.Driver().connect(url, props);
    if (c == null) {
      throw new SQLException("pgjdbc did not accept the URL " + url);
    }
    refuseThroughPooler(c);
    if (c.getMetaData().getDatabaseMajorVersion() >= 14) {
      // The server checks every second, even in the middle of a statement, that this process is
      // still there: a CLI killed during a long wait (CREATE INDEX CONCURRENTLY behind an old
      // transaction) does not leave its session running and holding the migration's lock.
      try (java.sql.Statement st = c.createStatement()) {
        st.execute("SET client_connection_check_interval = '1s'");
      }
    }
    return c;
  }

  /**
   * Refuses a connection through a pooler (PgBouncer, pgcat, Odyssey, a cloud proxy): the CLI needs a
   * server session of its own for the whole command (a session advisory lock per migration, its
   * {@code client_connection_check_interval}, the fence that must not end its own backend). A pooler
   * answers the startup with a cancel key of its own, so the process id pgjdbc was told differs
   * from the server's {@code pg_backend_pid()}; on a direct connection they are the same.
   */
  static void refuseThroughPooler(Connection c) throws SQLException {
    int announced = c.unwrap(org.postgresql.PGConnection.class).getBackendPID();
    int actual;
    try (java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      actual = rs.getInt(1);
    }
    if (announced != actual) {
      c.close();
      throw OperatorException.usage("the URL leads to a connection pooler (the server process " + actual
          + " is not the one announced at login, " + announced + "): connect the cutover CLI directly to PostgreSQL"
          + " (the pooler's server host and port); it needs a server session of its own for the whole command."
          + " Applications may keep connecting through the pooler");
    }
  }
}