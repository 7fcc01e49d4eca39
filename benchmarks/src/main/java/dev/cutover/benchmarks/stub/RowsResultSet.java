package dev.cutover.benchmarks.stub;

import java.sql.Array;
import java.sql.Statement;
import java.util.List;

/**
 * Canned rows for the queries Cutover itself sends (control schema, {@code search_path},
 * catalog). Values are read by position; a {@code String[]} value reads as an SQL array (and, as text, in PostgreSQL's array text form).
 */
public final class RowsResultSet extends FailingResultSet {

  private final List<Object[]> rows;
  private int row = -1;
  private boolean lastNull;

  /** @param rows the rows, each an array of column values (1-based on read) */
  public RowsResultSet(List<Object[]> rows) {
    this.rows = rows;
  }

  /** One row. */
  public static RowsResultSet of(Object... values) {
    return new RowsResultSet(List.<Object[]>of(values));
  }

  private Object value(int column) {
    Object v = rows.get(row)[column - 1];
    lastNull = v == null;
    return v;
  }

  @Override
  public boolean next() {
    return ++row < rows.size();
  }

  @Override
  public String getString(int column) {
    Object v = value(column);
    return v == null ? null : v instanceof String[] array ? arrayText(array) : v.toString();
  }

  /** An array's text form as PostgreSQL sends it: {@code {"a","b"}}, {@code "} and {@code \} escaped. */
  private static String arrayText(String[] values) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < values.length; i++) {
      sb.append(i > 0 ? ",\"" : "\"").append(values[i].replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return sb.append('}').toString();
  }

  @Override
  public long getLong(int column) {
    Object v = value(column);
    return v == null ? 0 : ((Number) v).longValue();
  }

  @Override
  public int getInt(int column) {
    Object v = value(column);
    return v == null ? 0 : ((Number) v).intValue();
  }

  @Override
  public boolean getBoolean(int column) {
    Object v = value(column);
    return v != null && (Boolean) v;
  }

  @Override
  public Array getArray(int column) {
    return new StubArray((String[]) value(column));
  }

  @Override
  public boolean wasNull() {
    return lastNull;
  }

  @Override
  public Statement getStatement() {
    return null;
  }

  @Override
  public void close() {}
}
