package dev.cutover.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;

/**
 * pgjdbc's metadata whose {@code getConnection()} is the Cutover connection. Its result sets come
 * straight from pgjdbc (metadata queries are never rewritten).
 */
public final class ProxyDatabaseMetaData extends DelegatingDatabaseMetaData {

  private final ProxyConnection connection;

  ProxyDatabaseMetaData(ProxyConnection connection, DatabaseMetaData delegate) {
    super(delegate);
    this.connection = connection;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return connection;
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }
}
