package dev.cutover.jdbc;

import dev.cutover.CutoverConnection;
import dev.cutover.CutoverSQLException;
import dev.cutover.CutoverSqlState;
import dev.cutover.CutoverStatistics.RefusalKind;
import dev.cutover.control.InstanceMarker;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import dev.cutover.rewriter.Catalog;
import dev.cutover.rewriter.Rewrite;
import dev.cutover.runtime.CatalogCache;
import dev.cutover.runtime.CutoverRuntime;
import dev.cutover.runtime.ReadOnlyServer;
import dev.cutover.runtime.RuntimeRegistry;
import dev.cutover.runtime.StatementFilter;
import dev.cutover.runtime.Telemetry;
import dev.cutover.runtime.TransactionMark;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
  private DatabaseMetaData metaData; // ProxyDatabaseMetaData over pgMetaData
  private DatabaseMetaData pgMetaData;
  private MigrationSnapshot seenSnapshot; // the snapshot of this connection's last statement
  private String searchPath;
  private boolean searchPathUnsettled; // see searchPathMayChange
  private int lastBits; // see lastBits()
  private NameLabels labels;
  private MigrationSnapshot labelsSnapshot;
  private MigrationSnapshot searchPathSnapshot;
  private Catalog sessionCatalog; // the catalog for searchPath, made when searchPath is read
  private boolean released;
  private ParameterBindings spareBindings; // made by the first statement that takes it; see takeBindings
  @SuppressWarnings("unused") // through SPARE_TAKEN
  private volatile int spareTaken; // 1 while a statement holds spareBindings

  private static final VarHandle SPARE_TAKEN;

  static {
    try {
      SPARE_TAKEN = MethodHandles.lookup().findVarHandle(ProxyConnection.class, "spareTaken", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

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
      Telemetry.refused(RefusalKind.LEASE_EXPIRED);
      throw new CutoverSQLException("Cutover did not send the statement: a migration is in progress and "
          + runtime.leaseProblem() + ", so it may be behind the phase the operator set. Retry when the database"
          + " is reachable again", CutoverSqlState.LEASE_EXPIRED);
    }
    MigrationSnapshot now = runtime.snapshot();
    if (now != seenSnapshot) {
      snapshotChanged(seenSnapshot, now);
    }
    if (!transaction.isOpen()) {
      transaction.begin(now.epoch());
    }
  }

  /** Marks a transaction as begun under the current epoch unless one is open (before the snapshot is read). */
  void markStatement() {
    if (!transaction.isOpen()) {
      transaction.begin(runtime.snapshot().epoch());
    }
  }

  /**
   * The first statement of this connection under {@code now}: when an in-place type change has
   * renamed its new column into place since {@code before}, pgjdbc's server-prepared statements
   * are deallocated. A text sent before {@code dual_write} (the old column under its name) is sent
   * again from {@code completed} on, and the plan PostgreSQL cached for it would fail with {@code
   * 0A000 cached plan must not change result type}; pgjdbc forgets its statements on {@code
   * DEALLOCATE ALL}. Once per connection and such change.
   */
  private void snapshotChanged(MigrationSnapshot before, MigrationSnapshot now) throws SQLException {
    seenSnapshot = now;
    if (before == null || pg.getTransactionState() == TransactionState.FAILED) {
      return; // a new connection has nothing cached; a failed transaction runs nothing
    }
    for (ColumnMigration m : now.migrations()) {
      if (m.isInPlace() && m.phase() == Phase.COMPLETED && !completedIn(before, m.id())) {
        pg.execSQLUpdate("DEALLOCATE ALL");
        return;
      }
    }
  }

  private static boolean completedIn(MigrationSnapshot snapshot, String id) {
    for (ColumnMigration m : snapshot.migrations()) {
      if (m.id().equals(id)) {
        return m.phase() == Phase.COMPLETED;
      }
    }
    return false;
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
   * is in place (loaded now on this connection, whatever the notifications brought meanwhile), and the
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
    // Always read the control schema again, even when a newer snapshot than the one used is already
    // in place: that one may be a step short of the swap that failed the statement (a group's key
    // completed, its referencing column not yet), and the statement runs only once more.
    try {
      runtime.reloadOn(delegate);
    } catch (SQLException reloadFailed) {
      e.addSuppressed(reloadFailed);
      return false;
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

  /**
   * Bindings for a prepared statement's first {@code setX}: the connection's own when no other open
   * statement holds them, or new ones. Every statement that binds needs them (a phase change between
   * binding and executing replays them), and reusing the connection's is what keeps a pass-through
   * statement from allocating beyond its wrapper. Taking them is a compare-and-set of a flag, so
   * statements prepared on several threads at once never share bindings; a statement gives them
   * back only when it is closed. A flag rather than handing the object itself back and forth: a
   * reference stored into this long-lived connection costs G1 a fenced card check on every
   * statement, an int store costs nothing.
   */
  ParameterBindings takeBindings() {
    if (SPARE_TAKEN.compareAndSet(this, 0, 1)) {
      ParameterBindings spare = spareBindings;
      if (spare == null) {
        spare = new ParameterBindings();
        spareBindings = spare;
      }
      return spare;
    }
    return new ParameterBindings();
  }

  /**
   * Takes back the bindings of a closed statement when they are the connection's own (cleared
   * first, so no application value is kept; dropped when they grew too large to keep).
   */
  void recycleBindings(ParameterBindings bindings) {
    // Only the holder of the flag writes spareBindings, so this read races with no write that matters.
    if (bindings == spareBindings) {
      if (bindings.recyclable()) {
        bindings.clear();
      } else {
        spareBindings = null;
      }
      SPARE_TAKEN.setRelease(this, 0);
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
    lastBits = 0;
    if (sql == null || snapshot.isEmpty()) {
      return null;
    }
    int bits = runtime.filter().classify(sql, snapshot);
    lastBits = bits;
    boolean changesPath = (bits & StatementFilter.MAY_CHANGE_SEARCH_PATH) != 0;
    if (changesPath) {
      searchPath = null;
    }
    if ((bits & StatementFilter.MAY_TOUCH) == 0) {
      if (changesPath) {
        searchPathMayChange();
      }
      return null;
    }
    if (changesPath) {
      SearchPathChanges.check(sql, snapshot);
    }
    if (searchPath == null || searchPathSnapshot != snapshot || searchPathUnsettled) {
      // Settled once read outside a transaction: a SET LOCAL (or set_config(..., true)) ends with its transaction.
      searchPathUnsettled &= pg.getTransactionState() != TransactionState.IDLE;
      searchPath = CatalogCache.searchPath(pg);
      searchPathSnapshot = snapshot;
      sessionCatalog = runtime.catalog().forSession(pg, searchPath);
    }
    if (changesPath) {
      searchPathMayChange(); // the text runs after this read: read again for the next one
    }
    Rewrite rewrite = runtime.engine().rewrite(sql, snapshot, searchPath, sessionCatalog,
        touch && runtime.lazyMigrator() != null && lazyWritesAllowed());
    return rewrite.isUnchanged() && rewrite.sql().equals(sql) ? null : rewrite;
  }

  /**
   * Whether rows this connection reads may be queued for lazy migration: not when it is read-only,
   * on a hot standby, or in a read-only session (see {@link ReadOnlyServer#refusesWrites}). Reads
   * there are still correct (no read needs the fill); the backfill fills those rows. Checked when a
   * statement is rewritten and again when its rows are read, since a statement prepared earlier
   * may run after {@link #setReadOnly}.
   */
  boolean lazyWritesAllowed() throws SQLException {
    return !ReadOnlyServer.refusesWrites(pg);
  }

  /**
   * The rewrite of {@code sql} run with generated {@code keys} ({@code null}: none asked): the text
   * with the {@code RETURNING} pgjdbc would append, rewritten (see {@link GeneratedKeys}); {@code
   * null} when it touches no migrating table, and pgjdbc then appends its {@code RETURNING} to the
   * application's text itself, as without Cutover.
   */
  Rewrite rewrite(String sql, GeneratedKeys keys, MigrationSnapshot snapshot, boolean touch) throws SQLException {
    if (keys == null) {
      return rewrite(sql, snapshot, touch);
    }
    if (sql == null || snapshot.isEmpty()
        || (runtime.filter().classify(sql, snapshot) & StatementFilter.MAY_TOUCH) == 0) {
      return rewrite(sql, snapshot, false); // null, after minding a search_path change
    }
    return rewrite(keys.appendTo(sql, pg.getQueryExecutor().getQuoteReturningIdentifiers()), snapshot, false);
  }

  /**
   * A statement that may change {@code search_path} runs (or is about to): read the path again
   * before the next rewrite, and keep reading it for each one until a read finds no transaction
   * open, since a {@code SET LOCAL} is undone by a {@code COMMIT} or {@code ROLLBACK} that this
   * connection does not see when it is sent as SQL.
   */
  void searchPathMayChange() {
    searchPath = null;
    searchPathUnsettled = true;
  }

  /** Whether the text last given to {@link #rewrite} may name a migrating table (the pre-check's answer). */
  boolean lastMayTouch() {
    return (lastBits & StatementFilter.MAY_TOUCH) != 0;
  }

  /**
   * The pre-check's bits ({@link StatementFilter}) of the text last given to {@link #rewrite}, for
   * the snapshot it was given (0 for an empty one), so that a statement prepared now need not ask
   * the filter again.
   */
  int lastBits() {
    return lastBits;
  }

  /** Whether {@code sql} may name a migrating table of {@code snapshot} (the pre-check, remembered). */
  boolean mayTouch(String sql, MigrationSnapshot snapshot) {
    return sql != null && !snapshot.isEmpty()
        && (runtime.filter().classify(sql, snapshot) & StatementFilter.MAY_TOUCH) != 0;
  }

  /** The labels to watch in the result sets of statements under {@code snapshot}, or null. */
  NameLabels nameLabels(MigrationSnapshot snapshot) {
    if (labelsSnapshot != snapshot) {
      labels = NameLabels.of(snapshot, runtime.engine());
      labelsSnapshot = snapshot;
    }
    return labels;
  }

  /**
   * Refuses a row operation of an updatable result set ({@code updateRow}, {@code insertRow},
   * {@code deleteRow}, {@code refreshRow}) of the query {@code sql} when it may touch a migrating
   * table: pgjdbc builds that SQL itself from the result's column names and sends it past the
   * rewrite, so it would write (or read) one physical column of a dual-written pair, or a column
   * that is not there. Allowed only while the query was sent as written ({@code rewritten} false)
   * and every migration is still {@code planned} (the old column is then the only one). Nothing is
   * written when refused.
   */
  void checkRowWrite(String operation, String sql, boolean rewritten) throws SQLException {
    MigrationSnapshot now = runtime.snapshot();
    if (!mayTouch(sql, now)) {
      return;
    }
    StringBuilder ids = new StringBuilder();
    for (ColumnMigration m : now.migrations()) {
      if (rewritten || m.phase() != Phase.PLANNED) {
        ids.append(ids.length() == 0 ? "" : ", ").append(m.id()).append(" (").append(m.phase().sqlName()).append(')');
      }
    }
    if (ids.length() > 0) {
      Telemetry.refused(RefusalKind.UPDATABLE_RESULT_SET);
      throw new CutoverSQLException("Cutover refuses ResultSet." + operation + "() on a result set that"
          + " may read a migrating table (migration " + ids + "): pgjdbc would write its own SQL from the result's"
          + " column names, past Cutover, and reach only one of the columns. Write the change with an UPDATE,"
          + " INSERT or DELETE statement (CONCUR_READ_ONLY). Query: " + sql, CutoverSqlState.FEATURE_NOT_SUPPORTED);
    }
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
    return prepare(sql, GeneratedKeys.of(autoGeneratedKeys), (c, q) -> c.prepareStatement(q, autoGeneratedKeys));
  }

  /** pgjdbc refuses keys by column index (0A000) whatever the text: the application gets its refusal. */
  @Override
  public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
    return prepare(sql, (c, q) -> c.prepareStatement(q, columnIndexes), true);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
    return prepare(sql, GeneratedKeys.of(columnNames), (c, q) -> c.prepareStatement(q, columnNames));
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
    int bits = lastBits;
    PreparedStatement ps = preparer.prepare(delegate, rewrite == null ? sql : rewrite.sql());
    ProxyPreparedStatement statement = new ProxyPreparedStatement(this, ps, sql, rewrite, snapshot, preparer, touch);
    statement.preChecked(bits);
    return statement;
  }

  /** Prepares a statement with generated {@code keys} (see {@link GeneratedKeys}); a plain one when null. */
  private PreparedStatement prepare(String sql, GeneratedKeys keys, Preparer preparer) throws SQLException {
    if (keys == null) {
      return prepare(sql, preparer, true);
    }
    MigrationSnapshot snapshot = runtime.snapshot();
    Rewrite rewrite = rewrite(sql, keys, snapshot, false);
    PreparedStatement ps = rewrite == null ? preparer.prepare(delegate, sql)
        : GeneratedKeys.PREPARER.prepare(delegate, rewrite.sql());
    return new ProxyPreparedStatement(this, ps, sql, rewrite, snapshot, new GeneratedKeys.Preparing(keys, preparer),
        false);
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
    DatabaseMetaData current = delegate.getMetaData();
    if (metaData == null || pgMetaData != current) {
      metaData = ProxyDatabaseMetaData.of(this, current);
      pgMetaData = current;
    }
    return metaData;
  }

  @Override
  protected <T> T unwrapDelegate(Class<T> iface) throws SQLException {
    if (iface == PGConnection.class) {
      // COPY would otherwise write one column of a dual-written pair: see GuardedCopyManager.
      return iface.cast(GuardedPgConnection.of(this, delegate.unwrap(PGConnection.class)));
    }
    return delegate.unwrap(iface);
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
