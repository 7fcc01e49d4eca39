package dev.cutover.benchmarks.stub;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Map;

/** A {@code text[]} value of a canned row. */
final class StubArray implements Array {

  private final String[] values;

  StubArray(String[] values) {
    this.values = values;
  }

  @Override
  public String getBaseTypeName() {
    return "text";
  }

  @Override
  public int getBaseType() {
    return java.sql.Types.VARCHAR;
  }

  @Override
  public Object getArray() {
    return values.clone();
  }

  @Override
  public Object getArray(Map<String, Class<?>> map) {
    return getArray();
  }

  @Override
  public Object getArray(long index, int count) {
    return java.util.Arrays.copyOfRange(values, (int) index - 1, (int) index - 1 + count);
  }

  @Override
  public Object getArray(long index, int count, Map<String, Class<?>> map) {
    return getArray(index, count);
  }

  @Override
  public ResultSet getResultSet() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("stub");
  }

  @Override
  public ResultSet getResultSet(Map<String, Class<?>> map) throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("stub");
  }

  @Override
  public ResultSet getResultSet(long index, int count) throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("stub");
  }

  @Override
  public ResultSet getResultSet(long index, int count, Map<String, Class<?>> map) throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("stub");
  }

  @Override
  public void free() {}
}
