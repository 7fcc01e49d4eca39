package dev.cutover.jdbc;

import dev.cutover.CutoverSQLException;
import dev.cutover.CutoverSqlState;
import dev.cutover.rewriter.ReadTouch;
import dev.cutover.runtime.LazyMigrator;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The result set of a SELECT rewritten with the read touch's hidden trailing columns (see {@link
 * ReadTouch}): they are invisible to the application (column count, metadata, indexes, labels),
 * and each row that {@link #next()} reaches with its new column still empty has its key handed to
 * the {@link LazyMigrator} (none on a connection that must not write: the columns are hidden all
 * the same).
 *
 * <p>Implementation notes: reading the hidden columns never fails the application: an error there
 * only skips the touch of that row. The visible column count is read once, from pgjdbc's metadata
 * (which pgjdbc caches per result set).
 */
final class TouchResultSet extends ColumnHidingResultSet {

  private final ReadTouch.Target target;
  private final LazyMigrator migrator; // null: rows are not queued
  private final int hidden;
  private final NameLabels labels;
  private long pending;
  private int visibleCount = -1;
  private ResultSetMetaData pgMetaData;
  private ColumnHidingMetaData metaData;

  /** @param labels the names whose lookup counts as their use (see {@link NameLabels}), or null */
  TouchResultSet(Statement statement, ResultSet delegate, ReadTouch.Target target, LazyMigrator migrator,
      NameLabels labels) {
    super(statement, delegate);
    this.target = target;
    this.migrator = migrator;
    this.hidden = target.hiddenColumns();
    this.labels = labels;
    this.pending = labels == null ? 0 : labels.all();
  }

  private int visibleCount() throws SQLException {
    if (visibleCount < 0) {
      visibleCount = Math.max(0, delegate.getMetaData().getColumnCount() - hidden);
    }
    return visibleCount;
  }

  @Override
  protected int visible(int columnIndex) throws SQLException {
    int count = visibleCount();
    if (columnIndex < 1 || columnIndex > count) {
      delegate.getMetaData(); // throws as pgjdbc does when closed
      throw new CutoverSQLException("The column index is out of range: " + columnIndex + ", number of columns: "
          + count + ".", CutoverSqlState.INVALID_PARAMETER_VALUE);
    }
    return columnIndex;
  }

  @Override
  protected String visible(String columnLabel) throws SQLException {
    findColumn(columnLabel);
    return columnLabel;
  }

  @Override
  public int findColumn(String columnLabel) throws SQLException {
    if (pending != 0) {
      pending = labels.looked(columnLabel, pending);
    }
    int index = delegate.findColumn(columnLabel);
    if (index > visibleCount()) {
      throw new CutoverSQLException("The column name " + columnLabel + " was not found in this ResultSet.",
          CutoverSqlState.UNDEFINED_COLUMN);
    }
    return index;
  }

  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    ResultSetMetaData pg = delegate.getMetaData();
    if (metaData == null || pgMetaData != pg) {
      pgMetaData = pg;
      metaData = new ColumnHidingMetaData(pg, visibleCount());
    }
    return metaData;
  }

  @Override
  public boolean next() throws SQLException {
    boolean row = delegate.next();
    if (row && migrator != null) {
      touch();
    }
    return row;
  }

  /** Queues the current row's key when its new column still needs filling. */
  private void touch() {
    try {
      int count = visibleCount();
      int keys = hidden - 1;
      if (!delegate.getBoolean(count + hidden) || !migrator.accepting(target)) {
        return; // filled already, or the key would be dropped: not worth reading
      }
      String[] key = new String[keys];
      for (int i = 0; i < keys; i++) {
        key[i] = delegate.getString(count + 1 + i);
        if (key[i] == null) {
          return; // the far side of an outer join
        }
      }
      migrator.offer(target, key);
    } catch (SQLException | RuntimeException e) {
      // The application's row is fine; only this row's lazy migration is skipped.
    }
  }
}
