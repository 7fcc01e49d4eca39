package dev.cutover.jdbc;

import dev.cutover.CutoverSQLException;
import dev.cutover.CutoverSqlState;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.rewriter.ReadTouch;
import dev.cutover.rewriter.Rewrite;
import dev.cutover.runtime.StatementFilter;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;

/**
 * A prepared statement that follows phase changes.
 *
 * <p>Implementation notes:
 * <ul>
 *   <li>The application binds against ITS parameter indexes. Every binding is recorded ({@link
 *       ParameterBindings}, reused from the connection's previous statement once that one closed)
 *       and applied to the pgjdbc statement through the rewrite's parameter map:
 *       each application index goes to every rewritten index that maps to it.
 *   <li>Before each execution (and {@code addBatch}) the runtime's snapshot is compared by identity
 *       with the one this statement was prepared for. When it changed, the SQL is rewritten again;
 *       when the text or the parameter map changed, the pgjdbc statement is prepared anew the way
 *       the application prepared it ({@link Preparer}), its settings copied, and the batch rows and
 *       current bindings replayed. The old phase's SQL never runs after its snapshot is replaced.
 *   <li>A re-rewrite that is refused throws from the execution and leaves the old statement unused;
 *       the next execution tries again.
 * </ul>
 */
public class ProxyPreparedStatement extends DelegatingPreparedStatement {

  private final String sql;
  private final Preparer preparer;
  private Rewrite rewrite;
  private MigrationSnapshot snapshot;
  private ParameterBindings bindings; // taken from the connection at the first binding, handed back at close
  private List<ParameterBindings> batchRows;
  // Bytes, not Boolean and int: with six references they keep the wrapper at 64 bytes, not 72,
  // and it is allocated for every statement.
  private byte escapeProcessing; // 0 never set, 1 off, 2 on
  private byte bits = -1; // see bits(); -1 until asked under the current snapshot

  protected ProxyPreparedStatement(
      ProxyConnection connection,
      PreparedStatement delegate,
      String sql,
      Rewrite rewrite,
      MigrationSnapshot snapshot,
      Preparer preparer,
      boolean touchAllowed) {
    super(connection, delegate, touchAllowed);
    this.sql = sql;
    this.rewrite = rewrite;
    this.snapshot = snapshot;
    this.preparer = preparer;
  }

  /** The SQL the application prepared. */
  final String applicationSql() {
    return sql;
  }

  /** The SQL the pgjdbc statement runs. */
  final String sentSql() {
    return rewrite == null ? sql : rewrite.sql();
  }

  @Override
  protected final String resultSql() {
    return sql;
  }

  @Override
  protected final boolean resultRewritten() {
    return rewrite != null && !rewrite.sql().equals(sql);
  }

  /** The generated keys the application asked for, or null (see {@link GeneratedKeys}). */
  private GeneratedKeys keys() {
    return preparer instanceof GeneratedKeys.Preparing p ? p.keys() : null;
  }

  private int[] parameterMap() {
    return rewrite == null ? null : rewrite.parameterMap();
  }

  @Override
  protected final ReadTouch.Target currentTouch() {
    return rewrite == null || rewrite.readTouch() == null ? null : rewrite.readTouch().target();
  }

  /** Re-rewrites and, when needed, re-prepares for the current snapshot. */
  protected final void ensureCurrent() throws SQLException {
    MigrationSnapshot now = connection.runtime().snapshot();
    if (now == snapshot) {
      return;
    }
    Rewrite next = connection.rewrite(sql, keys(), now, touchAllowed);
    String nextSql = next == null ? sql : next.sql();
    int[] nextMap = next == null ? null : next.parameterMap();
    if (!nextSql.equals(sentSql()) || !Arrays.equals(nextMap, parameterMap())) {
      reprepare(nextSql, next);
    } else {
      rewrite = next;
    }
    snapshot = now;
    bits = -1;
  }

  private void reprepare(String nextSql, Rewrite next) throws SQLException {
    beforeReprepare(next);
    PreparedStatement old = preparedDelegate();
    // With generated keys, a rewritten text carries its own RETURNING (see GeneratedKeys).
    Preparer how = keys() != null && next != null ? GeneratedKeys.PREPARER : preparer;
    PreparedStatement fresh = how.prepare(old.getConnection(), nextSql);
    try {
      copySettings(old, fresh);
      int[] map = next == null ? null : next.parameterMap();
      if (batchRows != null) {
        for (ParameterBindings row : batchRows) {
          row.applyAll(fresh, map);
          fresh.addBatch();
        }
      }
      if (bindings != null) {
        bindings.applyAll(fresh, map);
      }
      replayExtra(fresh);
    } catch (SQLException | RuntimeException e) {
      fresh.close();
      throw e;
    }
    delegate = fresh;
    rewrite = next;
    old.close();
  }

  /** Hook for subclasses to refuse a rewrite before re-preparation. */
  void beforeReprepare(Rewrite next) throws SQLException {}

  /** Hook for subclasses to replay what they recorded (out parameters). */
  void replayExtra(PreparedStatement fresh) throws SQLException {}

  private void copySettings(PreparedStatement from, PreparedStatement to) throws SQLException {
    to.setFetchSize(from.getFetchSize());
    to.setFetchDirection(from.getFetchDirection());
    to.setMaxRows(from.getMaxRows());
    to.setMaxFieldSize(from.getMaxFieldSize());
    to.setQueryTimeout(from.getQueryTimeout());
    to.setPoolable(from.isPoolable());
    if (from.isCloseOnCompletion()) {
      to.closeOnCompletion();
    }
    if (escapeProcessing != 0) {
      to.setEscapeProcessing(escapeProcessing == 2);
    }
  }

  /**
   * This statement's bindings, taken from the connection at the first binding; {@code null} once
   * the statement is closed (they went back to the connection), and then the setter is left to
   * pgjdbc's closed statement, which throws as it would without Cutover.
   */
  private ParameterBindings bindings() throws SQLException {
    ParameterBindings b = bindings;
    if (b == null && !delegate.isClosed()) {
      b = connection.takeBindings();
      bindings = b;
    }
    return b;
  }

  /** Records a binding and applies it at every rewritten index that maps to {@code index}. */
  private void bind(int index, Setter kind, Object value, Object a, Object b) throws SQLException {
    if (record(index, kind, value, a, b)) {
      kind.apply(preparedDelegate(), index, value, a, b);
    }
  }

  /**
   * Records a binding; when the rewrite maps parameters, applies it at every rewritten index that
   * maps to {@code index} and answers false; true when the caller applies it itself, at {@code
   * index}. The common setters call pgjdbc's setter themselves on true: a direct call the JIT
   * inlines, where {@code kind.apply} from a shared method is a megamorphic call whenever that
   * method is compiled on its own.
   */
  private boolean record(int index, Setter kind, Object value, Object a, Object b) throws SQLException {
    ParameterBindings recorded = bindings();
    if (recorded != null) {
      recorded.set(index, kind, value, a, b);
    }
    int[] map = parameterMap();
    if (map == null) {
      return true;
    }
    boolean found = false;
    for (int j = 0; j < map.length; j++) {
      if (map[j] == index) {
        kind.apply(preparedDelegate(), j + 1, value, a, b);
        found = true;
      }
    }
    if (!found) {
      throw noSuchParameter(index);
    }
    return false;
  }

  /** {@link #record} for a primitive setter ({@link Setter#isPrimitive()}): recorded and applied unboxed. */
  private boolean recordPrimitive(int index, Setter kind, long value) throws SQLException {
    ParameterBindings recorded = bindings();
    if (recorded != null) {
      recorded.setPrimitive(index, kind, value);
    }
    int[] map = parameterMap();
    if (map == null) {
      return true;
    }
    boolean found = false;
    for (int j = 0; j < map.length; j++) {
      if (map[j] == index) {
        kind.applyPrimitive(preparedDelegate(), j + 1, value);
        found = true;
      }
    }
    if (!found) {
      throw noSuchParameter(index);
    }
    return false;
  }

  private static SQLException noSuchParameter(int index) {
    return new CutoverSQLException(
        "The column index is out of range: " + index + " (the statement has no parameter " + index + ")",
        CutoverSqlState.INVALID_PARAMETER_VALUE);
  }

  /**
   * Closes the pgjdbc statement, then hands the bindings back to the connection for its next
   * statement (not when the close failed: the statement may still be used, with its bindings).
   */
  @Override
  public void close() throws SQLException {
    delegate.close();
    ParameterBindings b = bindings;
    if (b != null) {
      bindings = null;
      connection.recycleBindings(b);
    }
  }

  /**
   * The pre-check's bits of this statement's text for its snapshot, when the connection has them
   * already (it asked the filter to rewrite the text); saves a second lookup per statement.
   */
  final void preChecked(int knownBits) {
    bits = (byte) knownBits;
  }

  /** The pre-check's bits of this statement's text ({@link StatementFilter}); answered once per snapshot. */
  private int bits() {
    if (bits < 0) {
      bits = (byte) (snapshot.isEmpty() ? 0 : connection.runtime().filter().classify(sql, snapshot));
    }
    return bits;
  }

  /** Whether this statement's text may change {@code search_path}. */
  private boolean changesSearchPath() {
    return (bits() & StatementFilter.MAY_CHANGE_SEARCH_PATH) != 0;
  }

  @Override
  protected final boolean resultMayTouch() {
    return (bits() & StatementFilter.MAY_TOUCH) != 0;
  }

  // ---- execution

  /** One execution of the pgjdbc statement. */
  @FunctionalInterface
  private interface Execution<T> {
    T run(PreparedStatement ps) throws SQLException;
  }

  /**
   * Runs {@code execution} on the statement prepared for the current snapshot; when a rewritten
   * statement fails because the snapshot it was made for is outdated (see {@link
   * ProxyConnection#retryAfterSwap}), re-prepares it for the new one and runs it once more.
   */
  private <T> T run(Execution<T> execution) throws SQLException {
    try {
      connection.beginStatement();
      ensureCurrent();
      if (changesSearchPath()) {
        connection.searchPathMayChange(); // prepared earlier, runs now: the next statement reads the path again
      }
      try {
        return execution.run(preparedDelegate());
      } catch (SQLException e) {
        if (rewrite == null || !connection.retryAfterSwap(e, snapshot)) {
          throw e;
        }
        ensureCurrent();
        return execution.run(preparedDelegate());
      }
    } finally {
      connection.endStatement();
    }
  }

  @Override
  public ResultSet executeQuery() throws SQLException {
    ResultSet resultSet = run(PreparedStatement::executeQuery);
    // The common case first, without ReadTouch in any signature: C2 inlines no method whose
    // signature names a class not loaded yet, and nothing loads ReadTouch while nothing migrates.
    return rewrite == null && !resultMayTouch() ? wrapPlain(resultSet) : wrap(resultSet, currentTouch());
  }

  @Override
  public int executeUpdate() throws SQLException {
    return run(PreparedStatement::executeUpdate);
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    return run(PreparedStatement::executeLargeUpdate);
  }

  @Override
  public boolean execute() throws SQLException {
    return run(PreparedStatement::execute);
  }

  @Override
  public void addBatch() throws SQLException {
    ensureCurrent();
    preparedDelegate().addBatch();
    if (batchRows == null) {
      batchRows = new ArrayList<>();
    }
    batchRows.add(bindings == null ? new ParameterBindings() : bindings.copy());
  }

  /** Checks the lease before a batch is sent; a refused batch is cleared, as pgjdbc clears a failed one. */
  private void beginBatch() throws SQLException {
    try {
      connection.beginStatement();
    } catch (SQLException e) {
      clearBatch();
      throw e;
    }
  }

  @Override
  public int[] executeBatch() throws SQLException {
    try {
      beginBatch();
      ensureCurrent();
      return delegate.executeBatch();
    } finally {
      if (batchRows != null) {
        batchRows.clear();
      }
      connection.endStatement();
    }
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    try {
      beginBatch();
      ensureCurrent();
      return delegate.executeLargeBatch();
    } finally {
      if (batchRows != null) {
        batchRows.clear();
      }
      connection.endStatement();
    }
  }

  @Override
  public void clearBatch() throws SQLException {
    delegate.clearBatch();
    if (batchRows != null) {
      batchRows.clear();
    }
  }

  @Override
  public void clearParameters() throws SQLException {
    preparedDelegate().clearParameters();
    if (bindings != null) {
      bindings.clear();
    }
  }

  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    ensureCurrent();
    ResultSetMetaData metaData = preparedDelegate().getMetaData();
    int hidden = rewrite == null ? 0 : rewrite.hiddenColumns();
    if (metaData == null || hidden == 0) {
      return metaData;
    }
    return new ColumnHidingMetaData(metaData, Math.max(0, metaData.getColumnCount() - hidden));
  }

  @Override
  public ParameterMetaData getParameterMetaData() throws SQLException {
    ensureCurrent();
    return preparedDelegate().getParameterMetaData();
  }

  @Override
  public void setEscapeProcessing(boolean enable) throws SQLException {
    delegate.setEscapeProcessing(enable);
    escapeProcessing = (byte) (enable ? 2 : 1);
  }

  // ---- setters: recorded, then applied through the parameter map (the common ones call pgjdbc directly: see record)

  @Override
  public void setNull(int i, int sqlType) throws SQLException {
    if (recordPrimitive(i, Setter.NULL, sqlType)) {
      preparedDelegate().setNull(i, sqlType);
    }
  }

  @Override
  public void setNull(int i, int sqlType, String typeName) throws SQLException {
    bind(i, Setter.NULL_TYPE_NAME, sqlType, typeName, null);
  }

  @Override
  public void setBoolean(int i, boolean x) throws SQLException {
    if (recordPrimitive(i, Setter.BOOLEAN, x ? 1 : 0)) {
      preparedDelegate().setBoolean(i, x);
    }
  }

  @Override
  public void setByte(int i, byte x) throws SQLException {
    if (recordPrimitive(i, Setter.BYTE, x)) {
      preparedDelegate().setByte(i, x);
    }
  }

  @Override
  public void setShort(int i, short x) throws SQLException {
    if (recordPrimitive(i, Setter.SHORT, x)) {
      preparedDelegate().setShort(i, x);
    }
  }

  @Override
  public void setInt(int i, int x) throws SQLException {
    if (recordPrimitive(i, Setter.INT, x)) {
      preparedDelegate().setInt(i, x);
    }
  }

  @Override
  public void setLong(int i, long x) throws SQLException {
    if (recordPrimitive(i, Setter.LONG, x)) {
      preparedDelegate().setLong(i, x);
    }
  }

  @Override
  public void setFloat(int i, float x) throws SQLException {
    if (recordPrimitive(i, Setter.FLOAT, Float.floatToRawIntBits(x))) {
      preparedDelegate().setFloat(i, x);
    }
  }

  @Override
  public void setDouble(int i, double x) throws SQLException {
    if (recordPrimitive(i, Setter.DOUBLE, Double.doubleToRawLongBits(x))) {
      preparedDelegate().setDouble(i, x);
    }
  }

  @Override
  public void setBigDecimal(int i, BigDecimal x) throws SQLException {
    if (record(i, Setter.BIG_DECIMAL, x, null, null)) {
      preparedDelegate().setBigDecimal(i, x);
    }
  }

  @Override
  public void setString(int i, String x) throws SQLException {
    if (record(i, Setter.STRING, x, null, null)) {
      preparedDelegate().setString(i, x);
    }
  }

  @Override
  public void setNString(int i, String x) throws SQLException {
    bind(i, Setter.NSTRING, x, null, null);
  }

  @Override
  public void setBytes(int i, byte[] x) throws SQLException {
    if (record(i, Setter.BYTES, x, null, null)) {
      preparedDelegate().setBytes(i, x);
    }
  }

  @Override
  public void setDate(int i, Date x) throws SQLException {
    if (record(i, Setter.DATE, x, null, null)) {
      preparedDelegate().setDate(i, x);
    }
  }

  @Override
  public void setDate(int i, Date x, Calendar cal) throws SQLException {
    bind(i, Setter.DATE_CALENDAR, x, cal, null);
  }

  @Override
  public void setTime(int i, Time x) throws SQLException {
    if (record(i, Setter.TIME, x, null, null)) {
      preparedDelegate().setTime(i, x);
    }
  }

  @Override
  public void setTime(int i, Time x, Calendar cal) throws SQLException {
    bind(i, Setter.TIME_CALENDAR, x, cal, null);
  }

  @Override
  public void setTimestamp(int i, Timestamp x) throws SQLException {
    if (record(i, Setter.TIMESTAMP, x, null, null)) {
      preparedDelegate().setTimestamp(i, x);
    }
  }

  @Override
  public void setTimestamp(int i, Timestamp x, Calendar cal) throws SQLException {
    bind(i, Setter.TIMESTAMP_CALENDAR, x, cal, null);
  }

  @Override
  public void setObject(int i, Object x) throws SQLException {
    if (record(i, Setter.OBJECT, x, null, null)) {
      preparedDelegate().setObject(i, x);
    }
  }

  @Override
  public void setObject(int i, Object x, int targetSqlType) throws SQLException {
    bind(i, Setter.OBJECT_TYPE, x, targetSqlType, null);
  }

  @Override
  public void setObject(int i, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
    bind(i, Setter.OBJECT_TYPE_SCALE, x, targetSqlType, scaleOrLength);
  }

  @Override
  public void setObject(int i, Object x, SQLType targetSqlType) throws SQLException {
    bind(i, Setter.OBJECT_SQLTYPE, x, targetSqlType, null);
  }

  @Override
  public void setObject(int i, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
    bind(i, Setter.OBJECT_SQLTYPE_SCALE, x, targetSqlType, scaleOrLength);
  }

  @Override
  public void setRef(int i, Ref x) throws SQLException {
    bind(i, Setter.REF, x, null, null);
  }

  @Override
  public void setBlob(int i, Blob x) throws SQLException {
    bind(i, Setter.BLOB, x, null, null);
  }

  @Override
  public void setClob(int i, Clob x) throws SQLException {
    bind(i, Setter.CLOB, x, null, null);
  }

  @Override
  public void setNClob(int i, NClob x) throws SQLException {
    bind(i, Setter.NCLOB, x, null, null);
  }

  @Override
  public void setArray(int i, Array x) throws SQLException {
    bind(i, Setter.ARRAY, x, null, null);
  }

  @Override
  public void setURL(int i, URL x) throws SQLException {
    bind(i, Setter.URL, x, null, null);
  }

  @Override
  public void setRowId(int i, RowId x) throws SQLException {
    bind(i, Setter.ROW_ID, x, null, null);
  }

  @Override
  public void setSQLXML(int i, SQLXML x) throws SQLException {
    bind(i, Setter.SQLXML, x, null, null);
  }

  @Override
  public void setAsciiStream(int i, InputStream x, int length) throws SQLException {
    bind(i, Setter.ASCII_STREAM, read(x, length), length, null);
  }

  @Override
  public void setAsciiStream(int i, InputStream x, long length) throws SQLException {
    bind(i, Setter.ASCII_STREAM, read(x, length), length, null);
  }

  @Override
  public void setAsciiStream(int i, InputStream x) throws SQLException {
    bind(i, Setter.ASCII_STREAM, read(x, -1), null, null);
  }

  @Override
  @Deprecated
  public void setUnicodeStream(int i, InputStream x, int length) throws SQLException {
    bind(i, Setter.UNICODE_STREAM, read(x, length), length, null);
  }

  @Override
  public void setBinaryStream(int i, InputStream x, int length) throws SQLException {
    bind(i, Setter.BINARY_STREAM, read(x, length), length, null);
  }

  @Override
  public void setBinaryStream(int i, InputStream x, long length) throws SQLException {
    bind(i, Setter.BINARY_STREAM, read(x, length), length, null);
  }

  @Override
  public void setBinaryStream(int i, InputStream x) throws SQLException {
    bind(i, Setter.BINARY_STREAM, read(x, -1), null, null);
  }

  @Override
  public void setBlob(int i, InputStream x, long length) throws SQLException {
    bind(i, Setter.BLOB_STREAM, read(x, length), length, null);
  }

  @Override
  public void setBlob(int i, InputStream x) throws SQLException {
    bind(i, Setter.BLOB_STREAM, read(x, -1), null, null);
  }

  @Override
  public void setCharacterStream(int i, Reader x, int length) throws SQLException {
    bind(i, Setter.CHARACTER_STREAM, read(x, length), length, null);
  }

  @Override
  public void setCharacterStream(int i, Reader x, long length) throws SQLException {
    bind(i, Setter.CHARACTER_STREAM, read(x, length), length, null);
  }

  @Override
  public void setCharacterStream(int i, Reader x) throws SQLException {
    bind(i, Setter.CHARACTER_STREAM, read(x, -1), null, null);
  }

  @Override
  public void setNCharacterStream(int i, Reader x, long length) throws SQLException {
    bind(i, Setter.NCHARACTER_STREAM, read(x, length), length, null);
  }

  @Override
  public void setNCharacterStream(int i, Reader x) throws SQLException {
    bind(i, Setter.NCHARACTER_STREAM, read(x, -1), null, null);
  }

  @Override
  public void setClob(int i, Reader x, long length) throws SQLException {
    bind(i, Setter.CLOB_READER, read(x, length), length, null);
  }

  @Override
  public void setClob(int i, Reader x) throws SQLException {
    bind(i, Setter.CLOB_READER, read(x, -1), null, null);
  }

  @Override
  public void setNClob(int i, Reader x, long length) throws SQLException {
    bind(i, Setter.NCLOB_READER, read(x, length), length, null);
  }

  @Override
  public void setNClob(int i, Reader x) throws SQLException {
    bind(i, Setter.NCLOB_READER, read(x, -1), null, null);
  }

  /** Reads a stream once (at most {@code length} bytes; all when negative) so it can be applied again. */
  private static byte[] read(InputStream in, long length) throws SQLException {
    if (in == null) {
      return null;
    }
    try {
      return length < 0 ? in.readAllBytes() : in.readNBytes((int) Math.min(length, Integer.MAX_VALUE));
    } catch (IOException e) {
      throw new CutoverSQLException("Cannot read the stream parameter: " + e, CutoverSqlState.INVALID_PARAMETER_VALUE, e);
    }
  }

  /** Reads a reader once (at most {@code length} chars; all when negative). */
  private static String read(Reader in, long length) throws SQLException {
    if (in == null) {
      return null;
    }
    try {
      StringBuilder sb = new StringBuilder();
      char[] buffer = new char[8192];
      long remaining = length < 0 ? Long.MAX_VALUE : length;
      int n;
      while (remaining > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining))) >= 0) {
        sb.append(buffer, 0, n);
        remaining -= n;
      }
      return sb.toString();
    } catch (IOException e) {
      throw new CutoverSQLException("Cannot read the character stream parameter: " + e, CutoverSqlState.INVALID_PARAMETER_VALUE, e);
    }
  }
}
