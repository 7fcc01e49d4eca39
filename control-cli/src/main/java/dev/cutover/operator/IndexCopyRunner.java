package dev.cutover.operator;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;

/**
 * Runs one {@code CREATE INDEX CONCURRENTLY} of an index copy and watches it from a second
 * connection: progress from {@code pg_stat_progress_create_index}, and, while it waits for older
 * transactions (which it does for every transaction of the database with an older snapshot, on any
 * table), who it waits for: pid, application name, transaction age, query. Time spent waiting
 * counts against a budget; past it the build is cancelled, the INVALID index it leaves is dropped,
 * and the command fails saying who held it up. The caller records no phase change then.
 */
final class IndexCopyRunner {

  /** How often the build is looked at; a line is printed at each change of phase and every {@link #REPORT_EVERY}. */
  private static final long POLL_MS = 500;
  private static final Duration REPORT_EVERY = Duration.ofSeconds(5);
  static final String QUERY_CANCELED = "57014";

  private final ConnectionSettings settings;
  private final DdlRunner ddl;
  private final Duration waitBudget;
  private final PrintWriter out;

  /**
   * @param waitBudget how long the build may wait, in total, for other transactions
   */
  IndexCopyRunner(ConnectionSettings settings, DdlRunner ddl, Duration waitBudget, PrintWriter out) {
    this.settings = settings;
    this.ddl = ddl;
    this.waitBudget = waitBudget;
    this.out = out;
  }

  /** What the watcher saw last, and whether it cancelled the build. */
  private static final class Watch {
    volatile boolean cancelled;
    volatile String blocker = "";
    volatile boolean done;
  }

  /** Runs {@code copy}'s build on {@code c}; fails (previous phase in force) when the wait budget is spent. */
  void run(Connection c, RenameDdl.IndexCopy copy) throws SQLException {
    int pid;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      pid = rs.getInt(1);
    }
    Watch watch = new Watch();
    Thread watcher = new Thread(() -> watch(pid, copy.copyName(), watch), "cutover-index-watch");
    watcher.setDaemon(true);
    watcher.start();
    try {
      ddl.outsideTransaction(c, copy.createSql());
    } catch (SQLException e) {
      if (!watch.cancelled || !QUERY_CANCELED.equals(e.getSQLState())) {
        throw e;
      }
      String drop = "DROP INDEX IF EXISTS " + Identifiers.quote(copy.schema(), copy.copyName());
      out.printf("%s; -- the INVALID index the cancelled build left%n", drop);
      out.flush();
      ddl.inTransaction(c, drop);
      throw new OperatorException("the index copy " + Identifiers.quote(copy.copyName()) + " waited more than "
          + Durations.format(waitBudget) + " (--lock-retry-budget) for older transactions"
          + (watch.blocker.isEmpty() ? "" : ", last for " + watch.blocker) + "; it was cancelled and its invalid index"
          + " dropped, and the phase did not change. CREATE INDEX CONCURRENTLY waits for every transaction of the"
          + " database that is older than it, on any table: end or wait out those transactions, then run the"
          + " command again (or raise --lock-retry-budget)", e);
    } finally {
      watch.done = true;
      watcher.interrupt();
      try {
        watcher.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void watch(int pid, String name, Watch watch) {
    try (Connection m = settings.open();
        PreparedStatement ps = m.prepareStatement("SELECT p.phase, p.blocks_done, p.blocks_total, p.tuples_done,"
            + " p.tuples_total, p.lockers_done, p.lockers_total, p.current_locker_pid, a.application_name,"
            + " extract(epoch FROM now() - a.xact_start)::float8, left(regexp_replace(a.query, '\\s+', ' ', 'g'), 120)"
            + " FROM pg_stat_progress_create_index p LEFT JOIN pg_stat_activity a ON a.pid = p.current_locker_pid"
            + " WHERE p.pid = ?")) {
      ps.setInt(1, pid);
      long waitedNanos = 0;
      long last = System.nanoTime();
      long lastReport = 0;
      String lastPhase = "";
      while (!watch.done) {
        DdlRunner.sleepMillis(POLL_MS);
        long now = System.nanoTime();
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            last = now;
            continue;
          }
          String phase = rs.getString(1);
          boolean waiting = phase.startsWith("waiting");
          if (waiting) {
            waitedNanos += now - last;
          }
          last = now;
          String detail;
          if (waiting) {
            int lockerPid = rs.getInt(8);
            String who = lockerPid == 0 ? "" : String.format(Locale.ROOT, "pid %d (application '%s', transaction %s old): %s",
                lockerPid, rs.getString(9), rs.getObject(10) == null ? "?" : Durations.format(
                    Duration.ofMillis((long) (rs.getDouble(10) * 1000))), rs.getString(11));
            if (!who.isEmpty()) {
              watch.blocker = who;
            }
            detail = String.format(Locale.ROOT, "%s (%d of %d transactions done; waited %s of %s)%s", phase,
                rs.getLong(6), rs.getLong(7), Durations.format(Duration.ofNanos(waitedNanos)),
                Durations.format(waitBudget), who.isEmpty() ? "" : "; waiting for " + who);
          } else {
            long total = rs.getLong(3) > 0 ? rs.getLong(3) : rs.getLong(5);
            long done = rs.getLong(3) > 0 ? rs.getLong(2) : rs.getLong(4);
            detail = total > 0 ? String.format(Locale.ROOT, "%s: %.0f%%", phase, 100.0 * done / total) : phase;
          }
          if (!phase.equals(lastPhase) || now - lastReport >= REPORT_EVERY.toNanos()) {
            out.printf("index copy %s: %s%n", Identifiers.quote(name), detail);
            out.flush();
            lastPhase = phase;
            lastReport = now;
          }
          if (waiting && waitedNanos > waitBudget.toNanos() && !watch.cancelled) {
            watch.cancelled = true;
            try (PreparedStatement cancel = m.prepareStatement("SELECT pg_cancel_backend(?)")) {
              cancel.setInt(1, pid);
              cancel.execute();
            }
          }
        }
      }
    } catch (SQLException | OperatorException e) {
      if (!watch.done) {
        out.printf("note: cannot watch the index build (%s); it runs on without a budget%n", e.getMessage());
        out.flush();
      }
    }
  }
}
