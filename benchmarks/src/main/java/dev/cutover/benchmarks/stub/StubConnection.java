package dev.cutover.benchmarks.stub;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Function;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * A connection that never reaches a server: prepared statements return one canned row or one
 * updated row, and the few queries Cutover itself sends (control schema, {@code search_path},
 * catalog) are answered by a {@code responder}. It implements pgjdbc's {@link BaseConnection}
 * because Cutover's wrapper unwraps to it. Like a pgjdbc connection, for one thread at a time.
 */
public final class StubConnection extends FailingConnection {

  private final Function<String, ResultSet> responder;
  private boolean autoCommit = true;
  private boolean closed;

  /** @param responder answers the plain queries Cutover sends (by their SQL), never the benchmarked statements */
  public StubConnection(Function<String, ResultSet> responder) {
    this.responder = responder;
  }

  ResultSet respond(String sql) {
    ResultSet rs = responder.apply(sql);
    if (rs == null) {
      throw new UnsupportedOperationException("stub: no canned answer for " + sql);
    }
    return rs;
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  /** No server parameters: a primary that reports neither hot standby nor read-only sessions. */
  @Override
  public String getParameterStatus(String name) {
    return null;
  }

  @Override
  public PreparedStatement prepareStatement(String sql) {
    return new StubPreparedStatement(this, sql);
  }

  @Override
  public Statement createStatement() {
    return new StubPreparedStatement(this, null);
  }

  @Override
  public ResultSet execSQLQuery(String sql) {
    return respond(sql);
  }

  @Override
  public TransactionState getTransactionState() {
    return autoCommit ? TransactionState.IDLE : TransactionState.OPEN;
  }

  @Override
  public boolean getStandardConformingStrings() {
    return true;
  }

  @Override
  public boolean getAutoCommit() {
    return autoCommit;
  }

  @Override
  public void setAutoCommit(boolean autoCommit) {
    this.autoCommit = autoCommit;
  }

  @Override
  public void commit() {}

  @Override
  public void rollback() {}

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper for " + iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
  }
}
