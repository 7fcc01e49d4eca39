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
 *
 * <p>The {@code lock_timeout} is kept at most half the server's {@code deadlock_timeout}: in a
 * deadlock between the DDL and an application transaction, the deadlock detector runs in whichever
 * waiter's {@code deadlock_timeout} expires first and cancels that one. A DDL lock wait that ends
 * well before any {@code deadlock_timeout} makes Cutover's session give up (and retry) before the
 * application's can be chosen as the victim. A deadlock error in the DDL's session is retried too.
 */
public final class DdlRunner {

  static final String LOCK_NOT_AVAILABLE = "55P03";
  static final String DEADLOCK_DETECTED = "40P01";
  private static final long FIRST_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Duration lockTimeout;
  private final Duration retryBudget;
  private final java.util.function.Consumer<String> say;
  private final LockBlockers.Opener opener;
  /** {@link #lockTimeout} capped by the server's deadlock_timeout; read at the first DDL. */
  private Duration effectiveTimeout;

  /**
   * @param lockTimeout the {@code lock_timeout} of each attempt (the field uses 500 ms to 1 s)
   * @param retryBudget how long to keep retrying before giving up (about a minute by default)
   * @param out where retries are reported
   */
  public DdlRunner(Duration lockTimeout, Duration retryBudget, PrintWriter out) {
    this(lockTimeout, retryBudget, out, null);
  }

  /**
   * @param opener opens a second session that watches each attempt's lock wait, so that a retry
   *     names the sessions it waited for ({@code pg_blocking_pids}); {@code null}: not named
   */
  DdlRunner(Duration lockTimeout, Duration retryBudget, PrintWriter out, LockBlockers.Opener opener) {
    this(lockTimeout, retryBudget, opener, line -> {
      out.println(line);
      out.flush();
    });
  }

  /**
   * @param say where each retry (naming its blockers) and the lowered {@code lock_timeout} are
   *     reported, one line at a time (a phase change's listener)
   */
  DdlRunner(Duration lockTimeout, Duration retryBudget, LockBlockers.Opener opener,
      java.util.function.Consumer<String> say) {
    this.lockTimeout = lockTimeout;
    this.retryBudget = retryBudget;
    this.say = say;
    this.opener = opener;
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
    Duration timeout = lockTimeout(c);
    int pid = opener == null ? 0 : backendPid(c);
    for (int attempt = 1; ; attempt++) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      LockBlockers watch = LockBlockers.watch(opener, pid);
      try (Statement st = c.createStatement()) {
        st.execute("SET LOCAL lock_timeout = '" + timeout.toMillis() + "ms'");
        for (String sql : statements) {
          st.execute(sql);
        }
        if (then != null) {
          then.run(c);
        }
        c.commit();
        return;
      } catch (SQLException e) {
        String blockers = LockBlockers.describe(watch.stop());
        c.rollback();
        if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState()) && !DEADLOCK_DETECTED.equals(e.getSQLState())) {
          throw e;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new OperatorException("could not get the lock for `" + String.join("; ", statements) + "` within "
              + Durations.format(retryBudget) + " (" + attempt + " attempts with lock_timeout "
              + Durations.format(timeout) + "): " + (blockers.isEmpty() ? "another session holds a conflicting lock"
              + " on the table (look for long transactions in pg_stat_activity)" : "blocked by " + blockers)
              + "; end or wait out that transaction, then run the command again"
              + " or raise --lock-timeout / --lock-retry-budget", e);
        }
        long sleep = Math.min(left / 1_000_000, ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1));
        say.accept(String.format(java.util.Locale.ROOT, "%s (attempt %d)%s, retrying in %dms",
            DEADLOCK_DETECTED.equals(e.getSQLState()) ? "deadlock with another session; this DDL gave way"
                : "lock not available", attempt, blockers.isEmpty() ? "" : ", blocked by " + blockers, sleep));
        sleepMillis(sleep);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      } finally {
        watch.stop();
        c.setAutoCommit(autoCommit);
      }
    }
  }

  private static int backendPid(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * The {@code lock_timeout} each attempt uses on {@code c}: the one asked for, but at most half the
   * server's {@code deadlock_timeout} (said once when it is lowered).
   */
  Duration lockTimeout(Connection c) throws SQLException {
    if (effectiveTimeout == null) {
      long deadlockMs;
      try (Statement st = c.createStatement();
          java.sql.ResultSet rs = st.executeQuery("SELECT setting::bigint FROM pg_settings WHERE name = 'deadlock_timeout'")) {
        deadlockMs = rs.next() ? rs.getLong(1) : 1_000;
      }
      Duration cap = Duration.ofMillis(Math.max(1, deadlockMs / 2));
      effectiveTimeout = lockTimeout.compareTo(cap) <= 0 ? lockTimeout : cap;
      if (effectiveTimeout != lockTimeout) {
        say.accept(String.format(java.util.Locale.ROOT, "note: lock_timeout %s lowered to %s, half the server's"
            + " deadlock_timeout (%s), so that in a deadlock with the application this DDL gives up first",
            Durations.format(lockTimeout), Durations.format(effectiveTimeout),
            Durations.format(Duration.ofMillis(deadlockMs))));
      }
    }
    return effectiveTimeout;
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
