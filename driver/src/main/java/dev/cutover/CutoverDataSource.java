package dev.cutover;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} over {@link CutoverDriver}, for frameworks that want one (or as HikariCP's
 * {@code dataSource}). Set the URL ({@code jdbc:cutover:postgresql://...}), the user, the password
 * and any further pgjdbc or {@code cutover.*} properties. Not a pool.
 */
public class CutoverDataSource implements DataSource {

  private final CutoverDriver driver = new CutoverDriver();
  private volatile String url;
  private volatile String user;
  private volatile String password;
  private final Properties properties = new Properties();
  private volatile int loginTimeout;
  private volatile PrintWriter logWriter;

  /** The {@code jdbc:cutover:postgresql://} URL. */
  public String getUrl() {
    return url;
  }

  /** Sets the {@code jdbc:cutover:postgresql://} URL. */
  public void setUrl(String url) {
    this.url = url;
  }

  /** The user. */
  public String getUser() {
    return user;
  }

  /** Sets the user. */
  public void setUser(String user) {
    this.user = user;
  }

  /** Sets the password. */
  public void setPassword(String password) {
    this.password = password;
  }

  /** Sets one connection property: a pgjdbc property or a {@link CutoverProperty}. */
  public void setProperty(String name, String value) {
    synchronized (properties) {
      properties.setProperty(name, value);
    }
  }

  /** Adds every given connection property (pgjdbc's or {@link CutoverProperty}). */
  public void setProperties(Properties more) {
    synchronized (properties) {
      for (String name : more.stringPropertyNames()) {
        properties.setProperty(name, more.getProperty(name));
      }
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    return getConnection(user, password);
  }

  @Override
  public Connection getConnection(String username, String pass) throws SQLException {
    String u = url;
    if (u == null || !driver.acceptsURL(u)) {
      throw new CutoverSQLException("CutoverDataSource needs a jdbc:cutover:postgresql:// URL, got " + u,
          CutoverSqlState.CONNECTION_UNABLE_TO_CONNECT);
    }
    Properties p = new Properties();
    synchronized (properties) {
      p.putAll(properties);
    }
    if (username != null) {
      p.setProperty("user", username);
    }
    if (pass != null) {
      p.setProperty("password", pass);
    }
    if (loginTimeout > 0 && !p.containsKey("loginTimeout")) {
      p.setProperty("loginTimeout", Integer.toString(loginTimeout));
    }
    return driver.connect(u, p);
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    this.logWriter = out;
  }

  @Override
  public void setLoginTimeout(int seconds) {
    this.loginTimeout = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeout;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return driver.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new CutoverSQLException("CutoverDataSource does not wrap " + iface.getName(),
        CutoverSqlState.INVALID_PARAMETER_VALUE);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
