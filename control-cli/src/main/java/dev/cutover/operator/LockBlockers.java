package dev.cutover.operator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who a DDL attempt waits for: while the attempt runs, a second session asks
 * {@code pg_blocking_pids()} of the DDL's backend every {@link #POLL_MS} and keeps the last non-empty
 * answer, with each blocker's application name, state, transaction age and query. Once a lock wait
 * has ended in {@code lock_timeout} the waiter is gone from {@code pg_locks}, so the only way to
 * name the blocker is to look while the wait lasts.
 *
 * <p>The watching session is opened only when an attempt is still running after
 * {@link #FIRST_LOOK_MS}, so a DDL that gets its lock at once costs nothing. A failure to watch is
 * never an error of the DDL: the message then just does not name anyone.
 */
final class LockBlockers {

  /** Opens the second session. */
  @FunctionalInterface
  interface Opener {
    /** A new connection to the same database. */
    Connection open() throws SQLException;
  }

  /**
   * One blocking session.
   *
   * @param pid its backend
   * @param applicationName its {@code application_name} ("" when unset)
   * @param state its {@code state} ({@code idle in transaction}, {@code active}...)
   * @param transactionAge how long its transaction has been open ({@code null} when unknown)
   * @param query its current or last query, on one line, shortened
   */
  record Blocker(int pid, String applicationName, String state, Duration transactionAge, String query) {
    /** {@code pid 123 (application 'app', idle in transaction, transaction 12s old): UPDATE ...}. */
    String describe() {
      return String.format(Locale.ROOT, "pid %d (application '%s', %s, transaction %s old): %s", pid, applicationName,
          state == null ? "state hidden" : state, transactionAge == null ? "?" : Durations.format(transactionAge),
          query == null ? "<query hidden>" : query);
    }
  }

  static final long FIRST_LOOK_MS = 50;
  static final long POLL_MS = 50;
  private static final String QUERY = "SELECT a.pid, coalesce(a.application_name, ''), a.state,"
      + " extract(epoch FROM now() - a.xact_start)::float8, left(regexp_replace(a.query, '\\s+', ' ', 'g'), 200)"
      + " FROM unnest(pg_blocking_pids(?)) AS b(pid) JOIN pg_stat_activity a ON a.pid = b.pid ORDER BY a.xact_start";

  private final Opener opener;
  private final int waiterPid;
  private final Thread thread;
  private volatile boolean done;
  private volatile List<Blocker> last = List.of();

  private LockBlockers(Opener opener, int waiterPid) {
    this.opener = opener;
    this.waiterPid = waiterPid;
    this.thread = new Thread(this::watch, "cutover-lock-watch");
    thread.setDaemon(true);
  }

  /** Starts watching backend {@code waiterPid}; {@code null} opener: a watcher that sees nothing. */
  static LockBlockers watch(Opener opener, int waiterPid) {
    LockBlockers w = new LockBlockers(opener, waiterPid);
    if (opener != null) {
      w.thread.start();
    }
    return w;
  }

  /** Stops watching; returns the blockers seen last (empty when none was seen). */
  List<Blocker> stop() {
    done = true;
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return last;
  }

  /** The blockers, described, joined by "; " ("" when none). */
  static String describe(List<Blocker> blockers) {
    return String.join("; ", blockers.stream().map(Blocker::describe).toList());
  }

  private void watch() {
    if (!pause(FIRST_LOOK_MS)) {
      return;
    }
    try (Connection c = opener.open(); PreparedStatement ps = c.prepareStatement(QUERY)) {
      ps.setInt(1, waiterPid);
      while (!done) {
        List<Blocker> seen = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            double age = rs.getDouble(4);
            seen.add(new Blocker(rs.getInt(1), rs.getString(2), rs.getString(3),
                rs.wasNull() ? null : Duration.ofMillis((long) (age * 1000)), rs.getString(5)));
          }
        }
        if (!seen.isEmpty()) {
          last = List.copyOf(seen);
        }
        if (!pause(POLL_MS)) {
          return;
        }
      }
    } catch (SQLException | RuntimeException e) {
      // Watching is best effort: the DDL's own outcome is what counts.
    }
  }

  private boolean pause(long ms) {
    try {
      Thread.sleep(ms);
      return !done;
    } catch (InterruptedException e) {
      return false;
    }
  }
}
