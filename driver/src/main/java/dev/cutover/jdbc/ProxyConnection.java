package dev.cutover.jdbc;

import dev.cutover.CutoverConnection;
import dev.cutover.CutoverSQLException;
import dev.cutover.CutoverSqlState;
import dev.cutover.control.InstanceMarker;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.rewriter.Catalog;
import dev.cutover.rewriter.Rewrite;
import dev.cutover.runtime.CatalogCache;
import dev.cutover.runtime.CutoverRuntime;
import dev.cutover.runtime.RuntimeRegistry;
import dev.cutover.runtime.StatementFilter;
import dev.cutover.runtime.TransactionMark;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executor;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * The application's connection: every SQL text entering it goes through {@link #rewrite} first.
 *
 * <p>Implementation notes: the hot path (no migration, or none whose table the text mentions) hands
 * the application's own String to pgjdbc without allocating, parsing, logging or locking. Only a
 * text that may touch a migrating table reaches the runtime's {@link
 * dev.cutover.runtime.RewriteEngine}. Name resolution depends on the session's {@code search_path},
 * read once (without opening a transaction) and read again after a statement that may change it or
 * a snapshot change. Like a pgjdbc connection, not meant for concurrent use by several threads.
 *
 * <p>Transactions are tracked for the runtime's acknowledgement ({@link TransactionMark}): a
 * statement marks the transaction as begun under the current epoch before it reads the snapshot
 * (a no-op inside an open transaction); {@link #commit}, {@link #rollback}, {@code
 * setAutoCommit(true)} and {@link #close} end it, and in autocommit mode the end of each statement
 * does, unless the session is still inside a transaction the application opened with SQL {@code
 * BEGIN} (checked only while a migration exists). A {@code COMMIT} sent as SQL text with autocommit
 * off is not seen: the mark then lasts until the next JDBC commit or rollback, which only delays
 * acknowledgements.
 */
public final class ProxyConnection extends DelegatingConnection implements CutoverConnection {

  private final CutoverRuntime runtime;
  private final boolean releaseRuntime;
  private final BaseConnection pg;
  private final TransactionMark transaction;
  private boolean autoCommit;
  private ProxyDatabaseMetaData metaData;
  private String searchPath;
  private MigrationSnapshot searchPathSnapshot;
  private Catalog sessionCatalog; // the catalog for searchPath, made when searchPath is read
  private boolean released;

  /**
   * @param delegate the pgjdbc connection
   * @param runtime the runtime
   * @param releaseRuntime whether closing this connection releases {@code runtime} to {@link RuntimeRegistry}
   * @throws SQLException when {@code delegate} is not a usable pgjdbc connection
   */
  public ProxyConnection(Connection delegate, CutoverRuntime runtime, boolean releaseRuntime) throws SQLException {
    super(delegate);
    this.runtime = runtime;
    this.releaseRuntime = releaseRuntime;
    this.pg = delegate.unwrap(BaseConnection.class);
    this.autoCommit = delegate.getAutoCommit();
    this.transaction = runtime.register();
  }

  /**
   * Called before a statement reads the snapshot to be sent: checks the runtime's lease (see {@link
   * CutoverRuntime#holdsLease()}; past it, waits briefly for a confirmation, then refuses with
   * SQLState 08006), then marks a transaction as begun under the current epoch unless one is open.
   * Callers call {@link #endStatement()} in a {@code finally} either way.
   */
  void beginStatement() throws SQLException {
    if (!runtime.holdsLease() && !runtime.awaitLease()) {
      throw new CutoverSQLException("Cutover did not send the statement: a migration is in progress and "
          + runtime.leaseProblem() + ", so it may be behind the phase the operator set. Retry when the database"
          + " is reachable again", CutoverSqlState.LEASE_EXPIRED);
    }
    markStatement();
  }

  /** Marks a transaction as begun under the current epoch unless one is open (before the snapshot is read). */
  void markStatement() {
    if (!transaction.isOpen()) {
      transaction.begin(runtime.snapshot().epoch());
    }
  }

  /** Called when a statement has finished (or failed): in autocommit mode its transaction ended. */
  void endStatement() {
    if (autoCommit && transaction.isOpen()
        && (runtime.snapshot().isEmpty() || pg.getTransactionState() == TransactionState.IDLE)) {
      endTransaction();
    }
  }

  /**
   * Whether a statement rewritten for {@code used} that failed with {@code e} may run once more,
   * rewritten again: it failed because a column it named is gone ({@code 42703}), a newer snapshot
   * is in place (loaded now on this connection if the notification has not arrived yet), and the
   * failure changed nothing (autocommit, no transaction open). The window this closes: an in-place
   * type change renames its column into place at {@code completed}; statements rewritten for {@code
   * new_only} that reach the server before this instance applies {@code completed} name a column
   * that no longer exists.
   */
  boolean retryAfterSwap(SQLException e, MigrationSnapshot used) {
    if (!CutoverSqlState.UNDEFINED_COLUMN.state().equals(e.getSQLState()) || !autoCommit
        || pg.getTransactionState() != TransactionState.IDLE) {
      return false;
    }
    if (runtime.snapshot() == used) {
      try {
        runtime.reloadOn(delegate);
      } catch (SQLException reloadFailed) {
        e.addSuppressed(reloadFailed);
        return false;
      }
    }
    return runtime.snapshot() != used;
  }

  private void endTransaction() {
    transaction.end();
    runtime.transactionEnded();
  }

  @Override
  public void commit() throws SQLException {
    try {
      delegate.commit();
    } finally {
      endTransaction();
    }
  }

  @Override
  public void rollback() throws SQLException {
    try {
      delegate.rollback();
    } finally {
      endTransaction();
    }
  }

  @Override
  public void setAutoCommit(boolean autoCommit) throws SQLException {
    delegate.setAutoCommit(autoCommit);
    this.autoCommit = autoCommit;
    if (autoCommit) {
      endTransaction(); // pgjdbc commits an open transaction here
    }
  }

  /** pgjdbc's connection under this one. */
  BaseConnection pg() {
    return pg;
  }

  /** The runtime this connection follows. */
  CutoverRuntime runtime() {
    return runtime;
  }

  /**
   * The rewrite of {@code sql} for {@code snapshot}, or {@code null} when it is sent exactly as
   * written (the hot path).
   */
  Rewrite rewrite(String sql, MigrationSnapshot snapshot) throws SQLException {
    return rewrite(sql, snapshot, false);
  }

  /**
   * The rewrite of {@code sql} for {@code snapshot}, or {@code null} when it is sent exactly as
   * written (the hot path); with {@code touch}, a SELECT may carry the read touch's hidden columns
   * (see {@link dev.cutover.rewriter.ReadTouch}), which the caller must then hide.
   */
  Rewrite rewrite(String sql, MigrationSnapshot snapshot, boolean touch) throws SQLException {
    if (sql == null || snapshot.isEmpty()) {
      return null;
    }
    int bits = runtime.filter().classify(sql, snapshot);
    if ((bits & StatementFilter.MAY_CHANGE_SEARCH_PATH) != 0) {
      searchPath = null;
    }
    if ((bits & StatementFilter.MAY_TOUCH) == 0) {
      return null;
    }
    if (searchPath == null || searchPathSnapshot != snapshot) {
      searchPath = CatalogCache.searchPath(pg);
      searchPathSnapshot = snapshot;
      sessionCatalog = runtime.catalog().forSession(pg, searchPath);
    }
    Rewrite rewrite = runtime.engine().rewrite(sql, snapshot, searchPath, sessionCatalog);
    if (rewrite.readTouch() != null && (!touch || runtime.lazyMigrator() == null)) {
      rewrite = rewrite.withoutReadTouch();
    }
    return rewrite.isUnchanged() && rewrite.sql().equals(sql) ? null : rewrite;
  }

  /** The SQL to send for a statement without parameters. */
  String rewriteSql(String sql) throws SQLException {
    Rewrite rewrite = rewrite(sql, runtime.snapshot());
    return rewrite == null ? sql : rewrite.sql();
  }

  @Override
  public Statement createStatement() throws SQLException {
    return new ProxyStatement(this, delegate.createStatement(), true);
  }

  @Override
  public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
    return new ProxyStatement(this, delegate.createStatement(resultSetType, resultSetConcurrency),
        touchAllowed(resultSetConcurrency));
  }

  @Override
  public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
      throws SQLException {
    return new ProxyStatement(this, delegate.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability),
        touchAllowed(resultSetConcurrency));
  }

  /** Updatable result sets get no hidden columns: pgjdbc decides updatability from the SQL it runs. */
  private static boolean touchAllowed(int resultSetConcurrency) {
    return resultSetConcurrency != java.sql.ResultSet.CONCUR_UPDATABLE;
  }

  @Override
  public PreparedStatement prepareStatement(String sql) throws SQLException {
    return prepare(sql, Preparer.PLAIN, true);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
    return prepare(sql, (c, q) -> c.prepareStatement(q, autoGeneratedKeys), true);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
    return prepare(sql, (c, q) -> c.prepareStatement(q, columnIndexes), true);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
    return prepare(sql, (c, q) -> c.prepareStatement(q, columnNames), true);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
      throws SQLException {
    return prepare(sql, (c, q) -> c.prepareStatement(q, resultSetType, resultSetConcurrency),
        touchAllowed(resultSetConcurrency));
  }

  @Override
  public PreparedStatement prepareStatement(
      String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
    return prepare(sql, (c, q) -> c.prepareStatement(q, resultSetType, resultSetConcurrency, resultSetHoldability),
        touchAllowed(resultSetConcurrency));
  }

  @Override
  public CallableStatement prepareCall(String sql) throws SQLException {
    return prepareCall(sql, Preparer.CALL);
  }

  @Override
  public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
    return prepareCall(sql, (c, q) -> c.prepareCall(q, resultSetType, resultSetConcurrency));
  }

  @Override
  public CallableStatement prepareCall(
      String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
    return prepareCall(sql, (c, q) -> c.prepareCall(q, resultSetType, resultSetConcurrency, resultSetHoldability));
  }

  private PreparedStatement prepare(String sql, Preparer preparer, boolean touch) throws SQLException {
    MigrationSnapshot snapshot = runtime.snapshot();
    Rewrite rewrite = rewrite(sql, snapshot, touch);
    PreparedStatement ps = preparer.prepare(delegate, rewrite == null ? sql : rewrite.sql());
    return new ProxyPreparedStatement(this, ps, sql, rewrite, snapshot, preparer, touch);
  }

  private CallableStatement prepareCall(String sql, Preparer preparer) throws SQLException {
    MigrationSnapshot snapshot = runtime.snapshot();
    Rewrite rewrite = rewrite(sql, snapshot);
    ProxyCallableStatement.checkSupported(rewrite);
    CallableStatement cs = (CallableStatement) preparer.prepare(delegate, rewrite == null ? sql : rewrite.sql());
    return new ProxyCallableStatement(this, cs, sql, rewrite, snapshot, preparer);
  }

  @Override
  public String nativeSQL(String sql) throws SQLException {
    return delegate.nativeSQL(rewriteSql(sql));
  }

  /**
   * {@inheritDoc}
   *
   * <p>An {@code ApplicationName} keeps the instance's tag at its end, so that the CLI's fence still
   * finds this connection (an {@code application_name} set with SQL {@code SET} loses it).
   */
  @Override
  public void setClientInfo(String name, String value) throws java.sql.SQLClientInfoException {
    delegate.setClientInfo(name, tagged(name, value));
  }

  @Override
  public void setClientInfo(java.util.Properties properties) throws java.sql.SQLClientInfoException {
    java.util.Properties copy = new java.util.Properties();
    for (String name : properties.stringPropertyNames()) {
      copy.setProperty(name, tagged(name, properties.getProperty(name)));
    }
    delegate.setClientInfo(copy);
  }

  private String tagged(String name, String value) {
    return "ApplicationName".equals(name) && value != null
        ? InstanceMarker.applicationName(value, runtime.config().marker()) : value;
  }

  @Override
  public void setSchema(String schema) throws SQLException {
    searchPath = null;
    delegate.setSchema(schema);
  }

  @Override
  public DatabaseMetaData getMetaData() throws SQLException {
    DatabaseMetaData pgMetaData = delegate.getMetaData();
    if (metaData == null || metaData.delegate != pgMetaData) {
      metaData = new ProxyDatabaseMetaData(this, pgMetaData);
    }
    return metaData;
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    if (iface == PGConnection.class) {
      // COPY would otherwise write one column of a dual-written pair: see GuardedCopyManager.
      return iface.cast(GuardedPgConnection.of(this, delegate.unwrap(PGConnection.class)));
    }
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }

  @Override
  public void close() throws SQLException {
    try {
      delegate.close();
    } finally {
      release();
    }
  }

  @Override
  public void abort(Executor executor) throws SQLException {
    try {
      delegate.abort(executor);
    } finally {
      release();
    }
  }

  private void release() {
    if (!released) {
      released = true;
      runtime.unregister(transaction);
      if (releaseRuntime) {
        RuntimeRegistry.release(runtime);
      }
    }
  }

  @Override
  public long refreshMigrations() throws SQLException {
    return runtime.refreshNow();
  }

  @Override
  public long currentEpoch() {
    return runtime.snapshot().epoch();
  }

  @Override
  public MigrationSnapshot currentSnapshot() {
    return runtime.snapshot();
  }

  @Override
  public long passthroughCount() {
    return runtime.engine().passthroughCount();
  }

  @Override
  public String toString() {
    return "Cutover(" + delegate + ")";
  }
}
