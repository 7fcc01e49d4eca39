package dev.cutover.benchmarks.stub;

import java.sql.Statement;

/** One canned row: every column reads as the statement's first parameter (a number and a string). */
final class StubResultSet extends FailingResultSet {

  private final Statement statement;
  private final long number;
  private final Object text;
  private int row;
  private boolean closed;

  StubResultSet(Statement statement, long number, Object text) {
    this.statement = statement;
    this.number = number;
    this.text = text;
  }

  @Override
  public boolean next() {
    return ++row == 1;
  }

  @Override
  public long getLong(int column) {
    return number + column;
  }

  @Override
  public int getInt(int column) {
    return (int) number + column;
  }

  @Override
  public String getString(int column) {
    return text instanceof String s ? s : "row";
  }

  @Override
  public boolean wasNull() {
    return false;
  }

  @Override
  public Statement getStatement() {
    return statement;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
  }
}
