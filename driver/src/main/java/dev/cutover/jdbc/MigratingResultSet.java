package dev.cutover.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The result set of a statement that may read a migrating table: a lookup by a migrating column's
 * label counts as a use of that name ({@link NameLabels}), and, when the result set is updatable,
 * the row operations with which pgjdbc writes SQL of its own ({@code updateRow}, {@code
 * insertRow}, {@code deleteRow}, {@code refreshRow}) go through {@link
 * ProxyConnection#checkRowWrite} first, which refuses them on a migrating table before anything
 * is written.
 */
final class MigratingResultSet extends ColumnHidingResultSet {

  private final ProxyConnection connection;
  private final NameLabels labels;
  private long pending;
  private final String sql;
  private final boolean rewritten;

  /**
   * @param labels the names to watch for, or null
   * @param sql the application's SQL when the result set is updatable, else null
   * @param rewritten whether that SQL was sent rewritten
   */
  MigratingResultSet(ProxyStatement statement, ResultSet delegate, NameLabels labels, String sql, boolean rewritten) {
    super(statement, delegate);
    this.connection = statement.connection;
    this.labels = labels;
    this.pending = labels == null ? 0 : labels.all();
    this.sql = sql;
    this.rewritten = rewritten;
  }

  @Override
  protected int visible(int columnIndex) {
    return columnIndex; // no hidden columns: pgjdbc checks the range
  }

  @Override
  protected String visible(String columnLabel) {
    if (pending != 0) {
      pending = labels.looked(columnLabel, pending);
    }
    return columnLabel;
  }

  @Override
  public int findColumn(String columnLabel) throws SQLException {
    return delegate.findColumn(visible(columnLabel));
  }

  private void checkRowWrite(String operation) throws SQLException {
    if (sql != null) {
      connection.checkRowWrite(operation, sql, rewritten);
    }
  }

  @Override
  public void updateRow() throws SQLException {
    checkRowWrite("updateRow");
    delegate.updateRow();
  }

  @Override
  public void insertRow() throws SQLException {
    checkRowWrite("insertRow");
    delegate.insertRow();
  }

  @Override
  public void deleteRow() throws SQLException {
    checkRowWrite("deleteRow");
    delegate.deleteRow();
  }

  @Override
  public void refreshRow() throws SQLException {
    checkRowWrite("refreshRow");
    delegate.refreshRow();
  }
}
