package dev.cutover.jdbc;

import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.rewriter.ReadTouch;
import dev.cutover.rewriter.Rewrite;
import dev.cutover.runtime.LazyMigrator;
import dev.cutover.runtime.StatementFilter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A statement of a {@link ProxyConnection}: SQL texts are rewritten before they reach pgjdbc,
 * result sets are wrapped so that {@code getStatement()} returns this object, and
 * {@code getConnection()} returns the Cutover connection.
 */
public class ProxyStatement extends DelegatingStatement {

  /** The Cutover connection that created this statement. */
  protected final ProxyConnection connection;
  /** Whether queries may carry the read touch's hidden columns (not for updatable result sets). */
  protected final boolean touchAllowed;
  private ProxyResultSet lastResultSet;
  private ReadTouch.Target lastTouch;
  private String lastSql;
  private boolean lastRewritten;
  private boolean lastMayTouch;
  private boolean batchChangesSearchPath;

  protected ProxyStatement(ProxyConnection connection, Statement delegate, boolean touchAllowed) {
    super(delegate);
    this.connection = connection;
    this.touchAllowed = touchAllowed;
  }

  /**
   * Wraps a pgjdbc result set of this statement; the same wrapper for the same result set; never
   * wraps null. With {@code touch}, the result set hides the touch's trailing columns and queues
   * the rows it returns for lazy migration.
   */
  protected final ResultSet wrap(ResultSet resultSet, ReadTouch.Target touch) {
    if (resultSet == null) {
      return null;
    }
    ProxyResultSet last = lastResultSet;
    if (last != null && last.delegate == resultSet) {
      return last;
    }
    LazyMigrator migrator = touch == null ? null : connection.runtime().lazyMigrator();
    String sql = resultSql();
    NameLabels labels = null;
    boolean updatable = false;
    if (resultMayTouch()) {
      labels = connection.nameLabels(connection.runtime().snapshot());
      updatable = !touchAllowed && isUpdatable();
    }
    if (migrator != null) {
      lastResultSet = new TouchResultSet(this, resultSet, touch, lazyWritesAllowed() ? migrator : null, labels);
    } else if (labels != null || updatable) {
      lastResultSet = new MigratingResultSet(this, resultSet, labels, updatable ? sql : null, resultRewritten());
    } else {
      lastResultSet = new ProxyResultSet(this, resultSet);
    }
    return lastResultSet;
  }

  /**
   * {@link #wrap} for a result set with no read touch, of a text that names no migrating table:
   * the plain wrapper, the only one {@code wrap} would make for it.
   */
  protected final ResultSet wrapPlain(ResultSet resultSet) {
    if (resultSet == null) {
      return null;
    }
    ProxyResultSet last = lastResultSet;
    if (last != null && last.delegate == resultSet) {
      return last;
    }
    last = new ProxyResultSet(this, resultSet);
    lastResultSet = last;
    return last;
  }

  private boolean lazyWritesAllowed() {
    try {
      return connection.lazyWritesAllowed();
    } catch (SQLException e) {
      return false; // (closed) no lazy migration, never an error of the application's read
    }
  }

  private boolean isUpdatable() {
    try {
      return delegate.getResultSetConcurrency() == ResultSet.CONCUR_UPDATABLE;
    } catch (SQLException e) {
      return true; // closed: pgjdbc fails the row operation anyway; refuse rather than guess
    }
  }

  /** The application's SQL of the statement last executed (whose results are being wrapped). */
  protected String resultSql() {
    return lastSql;
  }

  /** Whether that SQL may name a migrating table of the current snapshot. */
  protected boolean resultMayTouch() {
    return lastMayTouch;
  }

  /** Whether that SQL was sent in another form than the application's (not just recorded as a use of a name). */
  protected boolean resultRewritten() {
    return lastRewritten;
  }

  /** The read touch of the statement last executed, for {@link #getResultSet()}. */
  protected ReadTouch.Target currentTouch() {
    return lastTouch;
  }

  /** Rewrites a statement that may return rows; remembers its read touch. */
  private String rewriteQuery(String sql, MigrationSnapshot snapshot) throws SQLException {
    lastTouch = null;
    lastSql = sql;
    Rewrite rewrite = connection.rewrite(sql, snapshot, touchAllowed);
    lastMayTouch = connection.lastMayTouch();
    lastRewritten = rewrite != null && !rewrite.sql().equals(sql);
    if (rewrite == null) {
      return sql;
    }
    lastTouch = rewrite.readTouch() == null ? null : rewrite.readTouch().target();
    return rewrite.sql();
  }

  /** One execution of a text on the pgjdbc statement. */
  @FunctionalInterface
  private interface Execution<T> {
    T run(Statement statement, String sql) throws SQLException;
  }

  /**
   * Rewrites {@code sql} (remembering its read touch when it is a {@code query}) and runs {@code
   * execution} with it; when a rewritten text fails because the snapshot it was made for is
   * outdated (see {@link ProxyConnection#retryAfterSwap}), rewrites it again and runs it once more.
   */
  private <T> T run(String sql, boolean query, Execution<T> execution) throws SQLException {
    try {
      connection.beginStatement();
      MigrationSnapshot snapshot = connection.runtime().snapshot();
      String sent = query ? rewriteQuery(sql, snapshot) : rewriteUntouched(sql, snapshot);
      try {
        return execution.run(delegate, sent);
      } catch (SQLException e) {
        // Identity: an unchanged text is the application's own String, so it names no column Cutover chose.
        if (sent == sql || !connection.retryAfterSwap(e, snapshot)) {
          throw e;
        }
        snapshot = connection.runtime().snapshot();
        return execution.run(delegate, query ? rewriteQuery(sql, snapshot) : rewriteUntouched(sql, snapshot));
      }
    } finally {
      connection.endStatement();
    }
  }

  /**
   * Runs {@code sql} with generated {@code keys} ({@code null}: none asked, {@code plain} runs it as
   * any other text): rewritten with the {@code RETURNING} pgjdbc would append (see {@link
   * GeneratedKeys}) and run by {@code withKeys}, or, when it touches no migrating table, the
   * application's own text run by {@code plain}; retried once like {@link #run}.
   */
  private <T> T runWithKeys(String sql, GeneratedKeys keys, Execution<T> plain, Execution<T> withKeys)
      throws SQLException {
    if (keys == null) {
      return run(sql, false, plain);
    }
    connection.beginStatement();
    try {
      lastTouch = null;
      lastSql = sql;
      MigrationSnapshot snapshot = connection.runtime().snapshot();
      Rewrite rewrite = connection.rewrite(sql, keys, snapshot, false);
      lastMayTouch = connection.lastMayTouch();
      lastRewritten = rewrite != null;
      if (rewrite == null) {
        return plain.run(delegate, sql);
      }
      try {
        return withKeys.run(delegate, rewrite.sql());
      } catch (SQLException e) {
        if (!connection.retryAfterSwap(e, snapshot)) {
          throw e;
        }
        rewrite = connection.rewrite(sql, keys, connection.runtime().snapshot(), false);
        return rewrite == null ? plain.run(delegate, sql) : withKeys.run(delegate, rewrite.sql());
      }
    } finally {
      connection.endStatement();
    }
  }

  /** Rewrites a statement sent without hidden columns (its results, if any, are not touched). */
  private String rewriteUntouched(String sql, MigrationSnapshot snapshot) throws SQLException {
    lastTouch = null;
    lastSql = sql;
    Rewrite rewrite = connection.rewrite(sql, snapshot);
    lastMayTouch = connection.lastMayTouch();
    lastRewritten = rewrite != null && !rewrite.sql().equals(sql);
    return rewrite == null ? sql : rewrite.sql();
  }

  @Override
  public ResultSet executeQuery(String sql) throws SQLException {
    ResultSet resultSet = run(sql, true, Statement::executeQuery);
    return wrap(resultSet, lastTouch);
  }

  @Override
  public int executeUpdate(String sql) throws SQLException {
    return run(sql, false, Statement::executeUpdate);
  }

  @Override
  public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
    return runWithKeys(sql, GeneratedKeys.of(autoGeneratedKeys), (s, text) -> s.executeUpdate(text, autoGeneratedKeys),
        (s, text) -> s.executeUpdate(text, RETURN_GENERATED_KEYS));
  }

  @Override
  public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
    return run(sql, false, (s, text) -> s.executeUpdate(text, columnIndexes));
  }

  @Override
  public int executeUpdate(String sql, String[] columnNames) throws SQLException {
    return runWithKeys(sql, GeneratedKeys.of(columnNames), (s, text) -> s.executeUpdate(text, columnNames),
        (s, text) -> s.executeUpdate(text, RETURN_GENERATED_KEYS));
  }

  @Override
  public long executeLargeUpdate(String sql) throws SQLException {
    return run(sql, false, Statement::executeLargeUpdate);
  }

  @Override
  public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
    return runWithKeys(sql, GeneratedKeys.of(autoGeneratedKeys),
        (s, text) -> s.executeLargeUpdate(text, autoGeneratedKeys),
        (s, text) -> s.executeLargeUpdate(text, RETURN_GENERATED_KEYS));
  }

  @Override
  public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
    return run(sql, false, (s, text) -> s.executeLargeUpdate(text, columnIndexes));
  }

  @Override
  public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
    return runWithKeys(sql, GeneratedKeys.of(columnNames), (s, text) -> s.executeLargeUpdate(text, columnNames),
        (s, text) -> s.executeLargeUpdate(text, RETURN_GENERATED_KEYS));
  }

  @Override
  public boolean execute(String sql) throws SQLException {
    return run(sql, true, Statement::execute);
  }

  @Override
  public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
    return runWithKeys(sql, GeneratedKeys.of(autoGeneratedKeys), (s, text) -> s.execute(text, autoGeneratedKeys),
        (s, text) -> s.execute(text, RETURN_GENERATED_KEYS));
  }

  @Override
  public boolean execute(String sql, int[] columnIndexes) throws SQLException {
    return run(sql, false, (s, text) -> s.execute(text, columnIndexes));
  }

  @Override
  public boolean execute(String sql, String[] columnNames) throws SQLException {
    return runWithKeys(sql, GeneratedKeys.of(columnNames), (s, text) -> s.execute(text, columnNames),
        (s, text) -> s.execute(text, RETURN_GENERATED_KEYS));
  }

  /**
   * {@inheritDoc}
   *
   * <p>The text is rewritten now, so its transaction counts as begun now (see {@link
   * ProxyConnection#beginStatement}).
   */
  @Override
  public void addBatch(String sql) throws SQLException {
    connection.markStatement(); // the lease is checked when the batch is sent
    MigrationSnapshot snapshot = connection.runtime().snapshot();
    if (batchChangesSearchPath && connection.mayTouch(sql, snapshot)) {
      // Rewritten now, run after the entry that changes search_path: as in one text (see SearchPathChanges).
      SearchPathChanges.check("SET search_path;" + sql, snapshot);
    }
    delegate.addBatch(rewriteUntouched(sql, snapshot));
    batchChangesSearchPath |= !snapshot.isEmpty() && StatementFilter.mayChangeSearchPath(sql);
  }

  @Override
  public void clearBatch() throws SQLException {
    delegate.clearBatch();
    batchChangesSearchPath = false;
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
      return delegate.executeBatch();
    } finally {
      batchDone();
    }
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    try {
      beginBatch();
      return delegate.executeLargeBatch();
    } finally {
      batchDone();
    }
  }

  private void batchDone() {
    if (batchChangesSearchPath) {
      connection.searchPathMayChange();
      batchChangesSearchPath = false;
    }
    connection.endStatement();
  }

  @Override
  public ResultSet getResultSet() throws SQLException {
    return wrap(delegate.getResultSet(), currentTouch());
  }

  @Override
  public ResultSet getGeneratedKeys() throws SQLException {
    return wrap(delegate.getGeneratedKeys(), null);
  }

  @Override
  public Connection getConnection() throws SQLException {
    delegate.getConnection(); // throws as pgjdbc does when closed
    return connection;
  }

  /** The pgjdbc statement's text: the SQL sent (after rewriting), with bound values for a prepared one. */
  @Override
  public String toString() {
    return delegate.toString();
  }
}
