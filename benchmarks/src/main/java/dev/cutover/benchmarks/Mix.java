package dev.cutover.benchmarks;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * One end-to-end workload: its tables, the migrations the benchmark puts them through, and one
 * operation (a statement or a transaction) that the workers repeat.
 */
interface Mix {

  /**
   * A migration of the mix's tables.
   *
   * @param id the migration's id
   * @param yaml its plan file
   */
  record Migration(String id, String yaml) {}

  /** A short label for the report. */
  String name();

  /** What one operation is, for the report. */
  String description();

  /** Creates and fills the mix's tables. */
  void load(BenchDatabase db) throws SQLException;

  /** The migrations that {@code dual_write} and {@code read_new} apply to. */
  List<Migration> migrations();

  /**
   * Runs one operation.
   *
   * @param handDualWrite send the SQL a hand-written dual write would send (both columns) instead of
   *     the application's; only for mixes whose {@link #handDualWrites()} is true
   * @return whether it completed (false: a deadlock or serialization failure rolled it back, as the
   *     database does under contention; it is not counted)
   */
  boolean operation(DataSource ds, ThreadLocalRandom random, boolean handDualWrite) throws SQLException;

  /**
   * Brings a fresh pool to the mix's steady state before a measured run (after the warm-up, on
   * either driver alike); by default nothing.
   */
  default void prime(DataSource ds) throws SQLException {}

  /** Whether {@link #operation} can send hand-written dual writes. */
  default boolean handDualWrites() {
    return false;
  }

  /** Whether an exception is a deadlock or serialization failure: the transaction is retried. */
  static boolean retryable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null
          && (s.getSQLState().equals("40P01") || s.getSQLState().equals("40001"))) {
        return true;
      }
    }
    return false;
  }

  /** Rolls back quietly (the connection goes back to the pool either way). */
  static void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the pool discards a broken connection
    }
  }
}
