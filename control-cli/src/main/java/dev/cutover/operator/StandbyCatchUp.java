package dev.cutover.operator;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Phase changes wait for the standbys (see {@link ReplicaLag}): applications read from them, and a
 * standby serves the rows it has replayed, whatever phase the drivers read.
 *
 * <ul>
 *   <li>Before reads move to a column filled by a bulk copy (read_new after the backfill is
 *       verified, the end of a lazy cut-over, dual_write after a rollback's refill of the old
 *       column): {@link #awaitReplayed} takes {@code pg_current_wal_lsn()} at that verified point
 *       and waits until every standby's {@code replay_lsn} has reached it. Otherwise a standby
 *       behind would serve rows the copy has not reached yet to a driver already reading the new
 *       phase (its runtime may read the phase from another server, or the application may route
 *       by its own).
 *   <li>Before a phase that stops writing a column a lagging reader may still read (new_only stops
 *       writing the old column; a rollback to planned, the new one): {@link #awaitBeforeWritesStop}
 *       also waits until every standby has replayed the phase before, then {@code --instance-ttl}
 *       more. A driver on a standby writes no heartbeat, so the acknowledgements do not cover it;
 *       it confirms its phase by reading it again at least every {@code cutover.leaseMillis}
 *       (below the TTL), and after that time it has read the phase before the one that stops the
 *       writes (or it refuses its statements).
 * </ul>
 *
 * <p>Every standby means every one this server knows: connected ({@code pg_stat_replication}) or
 * disconnected with a physical replication slot. A standby that does not catch up within the wait
 * is named with its address and lag, and the phase is not changed (exit 3).
 */
final class StandbyCatchUp {

  private static final long POLL_MILLIS = 200;
  private static final long REPORT_NANOS = 5_000_000_000L;

  private final Duration wait;
  private final Duration leaseWait;
  private final PrintWriter out;

  /**
   * @param wait how long the standbys may take to catch up ({@code --wait})
   * @param leaseWait how long drivers on standbys take at most to read a phase again ({@code --instance-ttl})
   * @param out where progress is printed
   */
  StandbyCatchUp(Duration wait, Duration leaseWait, PrintWriter out) {
    this.wait = wait;
    this.leaseWait = leaseWait;
    this.out = out;
  }

  /**
   * Waits until every standby has replayed the WAL written so far ({@code pg_current_wal_lsn()}
   * now, on {@code c}).
   *
   * @param what what they must have replayed, for messages ("the backfill of migration 'x'")
   * @return whether there is any standby
   * @throws OperatorException (exit 3) naming the standbys still behind after {@code --wait}
   */
  boolean awaitReplayed(Connection c, String what) throws SQLException {
    String target = currentLsn(c);
    long deadline = System.nanoTime() + wait.toNanos();
    long reported = 0;
    while (true) {
      List<ReplicaLag.Standby> all = ReplicaLag.read(c);
      List<ReplicaLag.Standby> behind = new ArrayList<>();
      for (ReplicaLag.Standby s : all) {
        if (s.replayLsn() == null || !replayed(s.replayLsn(), target)) {
          behind.add(s);
        }
      }
      if (behind.isEmpty()) {
        if (reported != 0) {
          out.printf("every standby has replayed %s (WAL position %s)%n", what, target);
          out.flush();
        }
        return !all.isEmpty();
      }
      long now = System.nanoTime();
      if (now - deadline >= 0) {
        List<String> names = behind.stream().map(ReplicaLag.Standby::describe).toList();
        throw OperatorException.guard(behind.size() + " standby(s) have not replayed " + what + " (WAL position "
            + target + ") within --wait " + Durations.format(wait) + ": " + String.join("; ", names) + ". The phase"
            + " was not changed: reads there would see rows it has not reached. Resume the replay"
            + " (SELECT pg_wal_replay_resume() on the standby) or reconnect it; a standby gone for good: drop its"
            + " replication slot (pg_drop_replication_slot). Then run the command again");
      }
      if (reported == 0 || now - reported > REPORT_NANOS) {
        out.printf("waiting for %d standby(s) to replay %s (WAL position %s): %s%n", behind.size(), what, target,
            String.join("; ", behind.stream().map(ReplicaLag.Standby::describe).toList()));
        out.flush();
        reported = now;
      }
      DdlRunner.sleepMillis(POLL_MILLIS);
    }
  }

  /**
   * {@link #awaitReplayed} the phase so far, then, when there is any standby, {@code --instance-ttl}
   * more for the drivers on standbys to read it (see the class notes).
   *
   * @param phase the phase that stops writing a column, for messages
   */
  void awaitBeforeWritesStop(Connection c, String migrationId, String phase) throws SQLException {
    String what = "the current phase of migration '" + migrationId + "'";
    if (awaitReplayed(c, what)) {
      out.printf("waiting %s (--instance-ttl) before %s: drivers on standbys read the phase again by then (they"
          + " write no heartbeat to wait for)%n", Durations.format(leaseWait), phase);
      out.flush();
      DdlRunner.sleepMillis(leaseWait.toMillis());
    }
  }

  private static String currentLsn(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_current_wal_lsn()::text")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Whether WAL position {@code lsn} is at or after {@code target} (both as PostgreSQL writes them: {@code 16/B374D848}). */
  static boolean replayed(String lsn, String target) {
    return Long.compareUnsigned(lsn(lsn), lsn(target)) >= 0;
  }

  private static long lsn(String text) {
    int slash = text.indexOf('/');
    return Long.parseUnsignedLong(text.substring(0, slash), 16) << 32 | Long.parseUnsignedLong(text.substring(slash + 1), 16);
  }
}
