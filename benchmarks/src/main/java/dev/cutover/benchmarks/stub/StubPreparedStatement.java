package dev.cutover.benchmarks.stub;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Timestamp;

/**
 * A prepared statement that keeps its bindings in two arrays (no boxing) and returns one canned
 * row from {@link #executeQuery()} and 1 from {@link #executeUpdate()}: the least a driver can do,
 * so that what Cutover adds on top is what a benchmark sees.
 */
final class StubPreparedStatement extends FailingPreparedStatement {

  private static final int MAX_PARAMETERS = 16;

  private final StubConnection connection;
  private final String sql;
  private final long[] primitives = new long[MAX_PARAMETERS + 1];
  private final Object[] objects = new Object[MAX_PARAMETERS + 1];
  private boolean closed;

  StubPreparedStatement(StubConnection connection, String sql) {
    this.connection = connection;
    this.sql = sql;
  }

  /** The SQL this statement was prepared with (what Cutover sent). */
  String sql() {
    return sql;
  }

  @Override
  public void setInt(int i, int x) {
    primitives[i] = x;
  }

  @Override
  public void setLong(int i, long x) {
    primitives[i] = x;
  }

  @Override
  public void setBoolean(int i, boolean x) {
    primitives[i] = x ? 1 : 0;
  }

  @Override
  public void setString(int i, String x) {
    objects[i] = x;
  }

  @Override
  public void setBigDecimal(int i, BigDecimal x) {
    objects[i] = x;
  }

  @Override
  public void setTimestamp(int i, Timestamp x) {
    objects[i] = x;
  }

  @Override
  public void setObject(int i, Object x) {
    objects[i] = x;
  }

  @Override
  public void setNull(int i, int sqlType) {
    objects[i] = null;
  }

  @Override
  public ResultSet executeQuery() {
    return new StubResultSet(this, primitives[1], objects[1]);
  }

  @Override
  public int executeUpdate() {
    return 1;
  }

  @Override
  public ResultSet executeQuery(String query) {
    return connection.respond(query);
  }

  /** The responder sees the text (a benchmark of {@code Statement}s checks what Cutover sent); 1 row. */
  @Override
  public int executeUpdate(String update) {
    connection.respond(update);
    return 1;
  }

  @Override
  public Connection getConnection() {
    return connection;
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
