// GENERATED from org.postgresql.core.BaseConnection by a one-off reflection script: every method fails.
// Subclasses override only what the benchmarks call.
package dev.cutover.benchmarks.stub;

/** A {@link org.postgresql.core.BaseConnection} whose every method throws; the stub overrides what it needs. */
@SuppressWarnings({"deprecation", "removal"})
abstract class FailingConnection implements org.postgresql.core.BaseConnection {

  @Override
  public void abort(java.util.concurrent.Executor p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: abort");
  }

  @Override
  public void addDataType(java.lang.String p0, java.lang.Class<? extends org.postgresql.util.PGobject> p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: addDataType");
  }

  @Override
  public void addDataType(java.lang.String p0, java.lang.String p1) {
    throw new UnsupportedOperationException("stub: addDataType");
  }

  @Override
  public void addTimerTask(java.util.TimerTask p0, long p1) {
    throw new UnsupportedOperationException("stub: addTimerTask");
  }

  @Override
  public boolean binaryTransferSend(int p0) {
    throw new UnsupportedOperationException("stub: binaryTransferSend");
  }

  @Override
  public void cancelQuery() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: cancelQuery");
  }

  @Override
  public void clearWarnings() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: clearWarnings");
  }

  @Override
  public void close() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: close");
  }

  @Override
  public void commit() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: commit");
  }

  @Override
  public java.sql.Array createArrayOf(java.lang.String p0, java.lang.Object[] p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: createArrayOf");
  }

  @Override
  public java.sql.Array createArrayOf(java.lang.String p0, java.lang.Object p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: createArrayOf");
  }

  @Override
  public java.sql.Blob createBlob() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: createBlob");
  }

  @Override
  public java.sql.Clob createClob() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: createClob");
  }

  @Override
  public java.sql.NClob createNClob() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: createNClob");
  }

  @Override
  public org.postgresql.core.CachedQuery createQuery(java.lang.String p0, boolean p1, boolean p2, java.lang.String[] p3) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: createQuery");
  }

  @Override
  public java.sql.SQLXML createSQLXML() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: createSQLXML");
  }

  @Override
  public java.sql.Statement createStatement() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: createStatement");
  }

  @Override
  public java.sql.Statement createStatement(int p0, int p1, int p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: createStatement");
  }

  @Override
  public java.sql.Statement createStatement(int p0, int p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: createStatement");
  }

  @Override
  public java.sql.Struct createStruct(java.lang.String p0, java.lang.Object[] p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: createStruct");
  }

  @Override
  public byte[] encodeString(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: encodeString");
  }

  @Override
  public java.lang.String escapeIdentifier(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: escapeIdentifier");
  }

  @Override
  public java.lang.String escapeLiteral(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: escapeLiteral");
  }

  @Override
  public java.lang.String escapeString(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: escapeString");
  }

  @Override
  public java.sql.ResultSet execSQLQuery(java.lang.String p0, int p1, int p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: execSQLQuery");
  }

  @Override
  public java.sql.ResultSet execSQLQuery(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: execSQLQuery");
  }

  @Override
  public void execSQLUpdate(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: execSQLUpdate");
  }

  @Override
  public boolean getAdaptiveFetch() {
    throw new UnsupportedOperationException("stub: getAdaptiveFetch");
  }

  @Override
  public boolean getAutoCommit() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getAutoCommit");
  }

  @Override
  public org.postgresql.jdbc.AutoSave getAutosave() {
    throw new UnsupportedOperationException("stub: getAutosave");
  }

  @Override
  public int getBackendPID() {
    throw new UnsupportedOperationException("stub: getBackendPID");
  }

  @Override
  public java.lang.String getCatalog() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getCatalog");
  }

  @Override
  public java.util.Properties getClientInfo() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getClientInfo");
  }

  @Override
  public java.lang.String getClientInfo(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getClientInfo");
  }

  @Override
  public boolean getConvertBooleanToNumeric() {
    throw new UnsupportedOperationException("stub: getConvertBooleanToNumeric");
  }

  @Override
  public org.postgresql.copy.CopyManager getCopyAPI() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getCopyAPI");
  }

  @Override
  public int getDefaultFetchSize() {
    throw new UnsupportedOperationException("stub: getDefaultFetchSize");
  }

  @Override
  public org.postgresql.core.Encoding getEncoding() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getEncoding");
  }

  @Override
  public org.postgresql.fastpath.Fastpath getFastpathAPI() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getFastpathAPI");
  }

  @Override
  public org.postgresql.util.LruCache<org.postgresql.jdbc.FieldMetadata.Key, org.postgresql.jdbc.FieldMetadata> getFieldMetadataCache() {
    throw new UnsupportedOperationException("stub: getFieldMetadataCache");
  }

  @Override
  public int getHoldability() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getHoldability");
  }

  @Override
  public org.postgresql.largeobject.LargeObjectManager getLargeObjectAPI() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getLargeObjectAPI");
  }

  @Override
  public boolean getLogServerErrorDetail() {
    throw new UnsupportedOperationException("stub: getLogServerErrorDetail");
  }

  @Override
  public java.util.logging.Logger getLogger() {
    throw new UnsupportedOperationException("stub: getLogger");
  }

  @Override
  public java.sql.DatabaseMetaData getMetaData() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getMetaData");
  }

  @Override
  public int getNetworkTimeout() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getNetworkTimeout");
  }

  @Override
  public org.postgresql.PGNotification[] getNotifications() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getNotifications");
  }

  @Override
  public org.postgresql.PGNotification[] getNotifications(int p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getNotifications");
  }

  @Override
  public java.lang.Object getObject(java.lang.String p0, java.lang.String p1, byte[] p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getObject");
  }

  @Override
  public java.lang.String getParameterStatus(java.lang.String p0) {
    throw new UnsupportedOperationException("stub: getParameterStatus");
  }

  @Override
  public java.util.Map<java.lang.String, java.lang.String> getParameterStatuses() {
    throw new UnsupportedOperationException("stub: getParameterStatuses");
  }

  @Override
  public org.postgresql.jdbc.PreferQueryMode getPreferQueryMode() {
    throw new UnsupportedOperationException("stub: getPreferQueryMode");
  }

  @Override
  public int getPrepareThreshold() {
    throw new UnsupportedOperationException("stub: getPrepareThreshold");
  }

  @Override
  public org.postgresql.core.QueryExecutor getQueryExecutor() {
    throw new UnsupportedOperationException("stub: getQueryExecutor");
  }

  @Override
  public org.postgresql.replication.PGReplicationConnection getReplicationAPI() {
    throw new UnsupportedOperationException("stub: getReplicationAPI");
  }

  @Override
  public org.postgresql.core.ReplicationProtocol getReplicationProtocol() {
    throw new UnsupportedOperationException("stub: getReplicationProtocol");
  }

  @Override
  public java.lang.String getSchema() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getSchema");
  }

  @Override
  public boolean getStandardConformingStrings() {
    throw new UnsupportedOperationException("stub: getStandardConformingStrings");
  }

  @Override
  public boolean getStringVarcharFlag() {
    throw new UnsupportedOperationException("stub: getStringVarcharFlag");
  }

  @Override
  public org.postgresql.jdbc.TimestampUtils getTimestampUtils() {
    throw new UnsupportedOperationException("stub: getTimestampUtils");
  }

  @Override
  public int getTransactionIsolation() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getTransactionIsolation");
  }

  @Override
  public org.postgresql.core.TransactionState getTransactionState() {
    throw new UnsupportedOperationException("stub: getTransactionState");
  }

  @Override
  public org.postgresql.core.TypeInfo getTypeInfo() {
    throw new UnsupportedOperationException("stub: getTypeInfo");
  }

  @Override
  public java.util.Map<java.lang.String, java.lang.Class<?>> getTypeMap() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getTypeMap");
  }

  @Override
  public java.sql.SQLWarning getWarnings() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getWarnings");
  }

  @Override
  public org.postgresql.xml.PGXmlFactoryFactory getXmlFactoryFactory() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: getXmlFactoryFactory");
  }

  @Override
  public boolean haveMinimumServerVersion(int p0) {
    throw new UnsupportedOperationException("stub: haveMinimumServerVersion");
  }

  @Override
  public boolean haveMinimumServerVersion(org.postgresql.core.Version p0) {
    throw new UnsupportedOperationException("stub: haveMinimumServerVersion");
  }

  @Override
  public boolean hintReadOnly() {
    throw new UnsupportedOperationException("stub: hintReadOnly");
  }

  @Override
  public boolean isClosed() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: isClosed");
  }

  @Override
  public boolean isColumnSanitiserDisabled() {
    throw new UnsupportedOperationException("stub: isColumnSanitiserDisabled");
  }

  @Override
  public boolean isReadOnly() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: isReadOnly");
  }

  @Override
  public boolean isValid(int p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: isValid");
  }

  @Override
  public boolean isWrapperFor(java.lang.Class<?> p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: isWrapperFor");
  }

  @Override
  public java.lang.String nativeSQL(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: nativeSQL");
  }

  @Override
  public java.sql.CallableStatement prepareCall(java.lang.String p0, int p1, int p2, int p3) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: prepareCall");
  }

  @Override
  public java.sql.CallableStatement prepareCall(java.lang.String p0, int p1, int p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: prepareCall");
  }

  @Override
  public java.sql.CallableStatement prepareCall(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: prepareCall");
  }

  @Override
  public java.sql.PreparedStatement prepareStatement(java.lang.String p0, int[] p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: prepareStatement");
  }

  @Override
  public java.sql.PreparedStatement prepareStatement(java.lang.String p0, java.lang.String[] p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: prepareStatement");
  }

  @Override
  public java.sql.PreparedStatement prepareStatement(java.lang.String p0, int p1, int p2, int p3) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: prepareStatement");
  }

  @Override
  public java.sql.PreparedStatement prepareStatement(java.lang.String p0, int p1, int p2) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: prepareStatement");
  }

  @Override
  public java.sql.PreparedStatement prepareStatement(java.lang.String p0, int p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: prepareStatement");
  }

  @Override
  public java.sql.PreparedStatement prepareStatement(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: prepareStatement");
  }

  @Override
  public void purgeTimerTasks() {
    throw new UnsupportedOperationException("stub: purgeTimerTasks");
  }

  @Override
  public void releaseSavepoint(java.sql.Savepoint p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: releaseSavepoint");
  }

  @Override
  public void rollback() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: rollback");
  }

  @Override
  public void rollback(java.sql.Savepoint p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: rollback");
  }

  @Override
  public void setAdaptiveFetch(boolean p0) {
    throw new UnsupportedOperationException("stub: setAdaptiveFetch");
  }

  @Override
  public void setAutoCommit(boolean p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setAutoCommit");
  }

  @Override
  public void setAutosave(org.postgresql.jdbc.AutoSave p0) {
    throw new UnsupportedOperationException("stub: setAutosave");
  }

  @Override
  public void setCatalog(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setCatalog");
  }

  @Override
  public void setClientInfo(java.lang.String p0, java.lang.String p1) throws java.sql.SQLClientInfoException {
    throw new UnsupportedOperationException("stub: setClientInfo");
  }

  @Override
  public void setClientInfo(java.util.Properties p0) throws java.sql.SQLClientInfoException {
    throw new UnsupportedOperationException("stub: setClientInfo");
  }

  @Override
  public void setDefaultFetchSize(int p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setDefaultFetchSize");
  }

  @Override
  public void setFlushCacheOnDeallocate(boolean p0) {
    throw new UnsupportedOperationException("stub: setFlushCacheOnDeallocate");
  }

  @Override
  public void setHoldability(int p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setHoldability");
  }

  @Override
  public void setNetworkTimeout(java.util.concurrent.Executor p0, int p1) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setNetworkTimeout");
  }

  @Override
  public void setPrepareThreshold(int p0) {
    throw new UnsupportedOperationException("stub: setPrepareThreshold");
  }

  @Override
  public void setReadOnly(boolean p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setReadOnly");
  }

  @Override
  public java.sql.Savepoint setSavepoint() throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setSavepoint");
  }

  @Override
  public java.sql.Savepoint setSavepoint(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setSavepoint");
  }

  @Override
  public void setSchema(java.lang.String p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setSchema");
  }

  @Override
  public void setTransactionIsolation(int p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setTransactionIsolation");
  }

  @Override
  public void setTypeMap(java.util.Map<java.lang.String, java.lang.Class<?>> p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: setTypeMap");
  }

  @Override
  public <T> T unwrap(java.lang.Class<T> p0) throws java.sql.SQLException {
    throw new UnsupportedOperationException("stub: unwrap");
  }
}
