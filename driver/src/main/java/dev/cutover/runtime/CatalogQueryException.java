package dev.cutover.runtime;

import java.sql.SQLException;

/** Carries a catalog query's {@link SQLException} through the rewriter, which knows no JDBC. */
final class CatalogQueryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CatalogQueryException(SQLException cause) {
    super(cause);
  }

  @Override
  public synchronized SQLException getCause() {
    return (SQLException) super.getCause();
  }
}
