// GENERATED from java.sql.PreparedStatement by a one-off reflection script: every method fails.
// Subclasses override only what the benchmarks call.
package dev.cutover.benchmarks.stub;

/** A {@link java.sql.PreparedStatement} whose every method throws; the stub overrides what it needs. */
@SuppressWarnings({"deprecation", "removal"})
abstract class FailingPreparedStatement implements java.sql.PreparedStatement {

  @Override
  public void addBatch() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: addBatch");
  }

  @Override
  public void addBatch(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: addBatch");
  }

  @Override
  public void cancel() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: cancel");
  }

  @Override
  public void clearBatch() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: clearBatch");
  }

  @Override
  public void clearParameters() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: clearParameters");
  }

  @Override
  public void clearWarnings() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: clearWarnings");
  }

  @Override
  public void closeOnCompletion() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: closeOnCompletion");
  }

  @Override
  public void close() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: close");
  }

  @Override
  public int[] executeBatch() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: executeBatch");
  }

  @Override
  public java.sql.ResultSet executeQuery() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: executeQuery");
  }

  @Override
  public java.sql.ResultSet executeQuery(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: executeQuery");
  }

  @Override
  public int executeUpdate() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: executeUpdate");
  }

  @Override
  public int executeUpdate(java.lang.String p0, int[] p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: executeUpdate");
  }

  @Override
  public int executeUpdate(java.lang.String p0, java.lang.String[] p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: executeUpdate");
  }

  @Override
  public int executeUpdate(java.lang.String p0, int p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: executeUpdate");
  }

  @Override
  public int executeUpdate(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: executeUpdate");
  }

  @Override
  public boolean execute() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: execute");
  }

  @Override
  public boolean execute(java.lang.String p0, int[] p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: execute");
  }

  @Override
  public boolean execute(java.lang.String p0, java.lang.String[] p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: execute");
  }

  @Override
  public boolean execute(java.lang.String p0, int p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: execute");
  }

  @Override
  public boolean execute(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: execute");
  }

  @Override
  public java.sql.Connection getConnection() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getConnection");
  }

  @Override
  public int getFetchDirection() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getFetchDirection");
  }

  @Override
  public int getFetchSize() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getFetchSize");
  }

  @Override
  public java.sql.ResultSet getGeneratedKeys() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getGeneratedKeys");
  }

  @Override
  public int getMaxFieldSize() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getMaxFieldSize");
  }

  @Override
  public int getMaxRows() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getMaxRows");
  }

  @Override
  public java.sql.ResultSetMetaData getMetaData() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getMetaData");
  }

  @Override
  public boolean getMoreResults() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getMoreResults");
  }

  @Override
  public boolean getMoreResults(int p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getMoreResults");
  }

  @Override
  public java.sql.ParameterMetaData getParameterMetaData() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getParameterMetaData");
  }

  @Override
  public int getQueryTimeout() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getQueryTimeout");
  }

  @Override
  public int getResultSetConcurrency() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getResultSetConcurrency");
  }

  @Override
  public int getResultSetHoldability() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getResultSetHoldability");
  }

  @Override
  public int getResultSetType() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getResultSetType");
  }

  @Override
  public java.sql.ResultSet getResultSet() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getResultSet");
  }

  @Override
  public int getUpdateCount() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getUpdateCount");
  }

  @Override
  public java.sql.SQLWarning getWarnings() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getWarnings");
  }

  @Override
  public boolean isCloseOnCompletion() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: isCloseOnCompletion");
  }

  @Override
  public boolean isClosed() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: isClosed");
  }

  @Override
  public boolean isPoolable() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: isPoolable");
  }

  @Override
  public boolean isWrapperFor(java.lang.Class<?> p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: isWrapperFor");
  }

  @Override
  public void setArray(int p0, java.sql.Array p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setArray");
  }

  @Override
  public void setAsciiStream(int p0, java.io.InputStream p1, int p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setAsciiStream");
  }

  @Override
  public void setAsciiStream(int p0, java.io.InputStream p1, long p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setAsciiStream");
  }

  @Override
  public void setAsciiStream(int p0, java.io.InputStream p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setAsciiStream");
  }

  @Override
  public void setBigDecimal(int p0, java.math.BigDecimal p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setBigDecimal");
  }

  @Override
  public void setBinaryStream(int p0, java.io.InputStream p1, int p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setBinaryStream");
  }

  @Override
  public void setBinaryStream(int p0, java.io.InputStream p1, long p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setBinaryStream");
  }

  @Override
  public void setBinaryStream(int p0, java.io.InputStream p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setBinaryStream");
  }

  @Override
  public void setBlob(int p0, java.io.InputStream p1, long p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setBlob");
  }

  @Override
  public void setBlob(int p0, java.io.InputStream p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setBlob");
  }

  @Override
  public void setBlob(int p0, java.sql.Blob p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setBlob");
  }

  @Override
  public void setBoolean(int p0, boolean p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setBoolean");
  }

  @Override
  public void setByte(int p0, byte p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setByte");
  }

  @Override
  public void setBytes(int p0, byte[] p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setBytes");
  }

  @Override
  public void setCharacterStream(int p0, java.io.Reader p1, int p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setCharacterStream");
  }

  @Override
  public void setCharacterStream(int p0, java.io.Reader p1, long p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setCharacterStream");
  }

  @Override
  public void setCharacterStream(int p0, java.io.Reader p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setCharacterStream");
  }

  @Override
  public void setClob(int p0, java.io.Reader p1, long p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setClob");
  }

  @Override
  public void setClob(int p0, java.io.Reader p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setClob");
  }

  @Override
  public void setClob(int p0, java.sql.Clob p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setClob");
  }

  @Override
  public void setCursorName(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setCursorName");
  }

  @Override
  public void setDate(int p0, java.sql.Date p1, java.util.Calendar p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setDate");
  }

  @Override
  public void setDate(int p0, java.sql.Date p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setDate");
  }

  @Override
  public void setDouble(int p0, double p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setDouble");
  }

  @Override
  public void setEscapeProcessing(boolean p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setEscapeProcessing");
  }

  @Override
  public void setFetchDirection(int p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setFetchDirection");
  }

  @Override
  public void setFetchSize(int p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setFetchSize");
  }

  @Override
  public void setFloat(int p0, float p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setFloat");
  }

  @Override
  public void setInt(int p0, int p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setInt");
  }

  @Override
  public void setLong(int p0, long p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setLong");
  }

  @Override
  public void setMaxFieldSize(int p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setMaxFieldSize");
  }

  @Override
  public void setMaxRows(int p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setMaxRows");
  }

  @Override
  public void setNCharacterStream(int p0, java.io.Reader p1, long p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setNCharacterStream");
  }

  @Override
  public void setNCharacterStream(int p0, java.io.Reader p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setNCharacterStream");
  }

  @Override
  public void setNClob(int p0, java.io.Reader p1, long p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setNClob");
  }

  @Override
  public void setNClob(int p0, java.io.Reader p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setNClob");
  }

  @Override
  public void setNClob(int p0, java.sql.NClob p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setNClob");
  }

  @Override
  public void setNString(int p0, java.lang.String p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setNString");
  }

  @Override
  public void setNull(int p0, int p1, java.lang.String p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setNull");
  }

  @Override
  public void setNull(int p0, int p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setNull");
  }

  @Override
  public void setObject(int p0, java.lang.Object p1, int p2, int p3) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setObject");
  }

  @Override
  public void setObject(int p0, java.lang.Object p1, int p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setObject");
  }

  @Override
  public void setObject(int p0, java.lang.Object p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setObject");
  }

  @Override
  public void setPoolable(boolean p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setPoolable");
  }

  @Override
  public void setQueryTimeout(int p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setQueryTimeout");
  }

  @Override
  public void setRef(int p0, java.sql.Ref p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setRef");
  }

  @Override
  public void setRowId(int p0, java.sql.RowId p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setRowId");
  }

  @Override
  public void setSQLXML(int p0, java.sql.SQLXML p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setSQLXML");
  }

  @Override
  public void setShort(int p0, short p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setShort");
  }

  @Override
  public void setString(int p0, java.lang.String p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setString");
  }

  @Override
  public void setTime(int p0, java.sql.Time p1, java.util.Calendar p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setTime");
  }

  @Override
  public void setTime(int p0, java.sql.Time p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setTime");
  }

  @Override
  public void setTimestamp(int p0, java.sql.Timestamp p1, java.util.Calendar p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setTimestamp");
  }

  @Override
  public void setTimestamp(int p0, java.sql.Timestamp p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setTimestamp");
  }

  @Override
  public void setURL(int p0, java.net.URL p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setURL");
  }

  @Override
  public void setUnicodeStream(int p0, java.io.InputStream p1, int p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setUnicodeStream");
  }

  @Override
  public <T> T unwrap(java.lang.Class<T> p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: unwrap");
  }
}
