package dev.cutover.operator;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs DDL without stalling the application behind a lock queue: a short {@code lock_timeout} set
 * with {@code SET LOCAL} inside the DDL's own transaction (so it also holds behind PgBouncer in
 * transaction mode), retried on SQLState {@code 55P03} with jittered exponential backoff until the
 * retry budget is spent.
 */
public final class DdlRunner {

  static final String LOCK_NOT_AVAILABLE = "55P03";
  private static final long FIRST_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Duration lockTimeout;
  private final Duration retryBudget;
  private final PrintWriter out;

  /**
   * @param lockTimeout the {@code lock_timeout} of each attempt (the field uses 500 ms to 1 s)
   * @param retryBudget how long to keep retrying before giving up (about a minute by default)
   * @param out where retries are reported
   */
  public DdlRunner(Duration lockTimeout, Duration retryBudget, PrintWriter out) {
    this.lockTimeout = lockTimeout;
    this.retryBudget = retryBudget;
    this.out = out;
  }

  /** Work run in the DDL's own transaction, after its statements and before the commit. */
  @FunctionalInterface
  public interface InTransaction {
    /** Runs on {@code c}, inside the transaction. */
    void run(Connection c) throws SQLException;
  }

  /** Runs {@code statements} in one transaction under {@code lock_timeout}, retrying lock timeouts. */
  public void inTransaction(Connection c, String... statements) throws SQLException {
    inTransaction(c, null, statements);
  }

  /**
   * Runs {@code statements}, then {@code then} (when not null), in one transaction under
   * {@code lock_timeout}, retrying lock timeouts.
   */
  public void inTransaction(Connection c, InTransaction then, String... statements) throws SQLException {
    long deadline = System.nanoTime() + retryBudget.toNanos();
    long backoff = FIRST_BACKOFF_MS;
    for (int attempt = 1; ; attempt++) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("SET LOCAL lock_timeout = '" + lockTimeout.toMillis() + "ms'");
        for (String sql : statements) {
          st.execute(sql);
        }
        if (then != null) {
          then.run(c);
        }
        c.commit();
        return;
      } catch (SQLException e) {
        c.rollback();
        if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
          throw e;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new OperatorException("could not get the lock for `" + String.join("; ", statements) + "` within "
              + Durations.format(retryBudget) + " (" + attempt + " attempts with lock_timeout "
              + Durations.format(lockTimeout) + "): another session holds a conflicting lock on the table"
              + " (look for long transactions in pg_stat_activity), then run the command again"
              + " or raise --lock-timeout / --lock-retry-budget", e);
        }
        long sleep = Math.min(left / 1_000_000, ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1));
        out.printf("lock not available (attempt %d), retrying in %dms%n", attempt, sleep);
        out.flush();
        sleepMillis(sleep);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      } finally {
        c.setAutoCommit(autoCommit);
      }
    }
  }

  /**
   * Runs a statement that cannot run in a transaction block ({@code CREATE INDEX CONCURRENTLY}).
   * It takes only a lock that application reads and writes do not conflict with, so no timeout.
   */
  public void outsideTransaction(Connection c, String sql) throws SQLException {
    c.setAutoCommit(true);
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  static void sleepMillis(long ms) {
    try {
      Thread.sleep(Math.max(0, ms));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OperatorException("interrupted");
    }
  }
}
