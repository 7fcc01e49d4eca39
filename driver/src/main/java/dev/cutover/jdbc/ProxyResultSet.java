package dev.cutover.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** A result set whose {@code getStatement()} is the Cutover statement that produced it. */
public class ProxyResultSet extends DelegatingResultSet {

  private final Statement statement;

  protected ProxyResultSet(Statement statement, ResultSet delegate) {
    super(delegate);
    this.statement = statement;
  }

  @Override
  public Statement getStatement() throws SQLException {
    delegate.getStatement(); // throws as pgjdbc does when closed
    return statement;
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
