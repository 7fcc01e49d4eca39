package dev.cutover.operator;

import dev.cutover.control.ControlSchema;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Waits until every live driver instance (heartbeat within the TTL) reports an applied epoch at
 * least the one asked for. Instances whose heartbeat expired are ignored, once {@link Fence} has
 * ended their server backends: the wait returns only after that.
 *
 * <p>From control schema version 3 on, the server's own view counts too: an acknowledgement
 * written by a session that has ended (no such backend in {@code pg_stat_activity}) does not count
 * until a live session of the instance heartbeats again (a forged row from a closed session expires
 * with its heartbeat, it never passes the barrier).
 */
public final class AckWaiter {

  /** How long an instance counts as live after its last heartbeat, by default. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);

  /**
   * An instance that has not applied an epoch yet.
   *
   * @param instance its name
   * @param appliedEpoch the epoch it applied
   * @param heartbeatAgeSeconds seconds since its last heartbeat
   * @param sessionGone whether the session that wrote its acknowledgement has ended
   */
  public record Lagging(String instance, long appliedEpoch, double heartbeatAgeSeconds, boolean sessionGone) {}

  private static final long POLL_MS = 100;

  private final ControlSchema schema;
  private final Duration ttl;
  private final PrintWriter out;
  private Boolean guarded; // whether the schema records the acknowledging backend; read once
  private final Fence fence;

  /**
   * @param schema the control schema
   * @param ttl how long an instance counts as live after its last heartbeat
   * @param out where waiting is reported
   */
  public AckWaiter(ControlSchema schema, Duration ttl, PrintWriter out) {
    this.schema = schema;
    this.ttl = ttl;
    this.out = out;
    this.fence = new Fence(schema, ttl, out);
  }

  /** Live instances whose applied epoch is below {@code epoch}. */
  public List<Lagging> lagging(Connection c, long epoch) throws SQLException {
    if (guarded == null) {
      guarded = schema.installedVersion(c) >= ControlSchema.GUARDED_INSTANCES_VERSION;
    }
    String gone = guarded
        ? "(i.backend_pid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = i.backend_pid))"
        : "false";
    List<Lagging> result = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT instance, applied_epoch, extract(epoch FROM now() - heartbeat_at)::float8, " + gone + " FROM "
            + schema.qualify("instances") + " i"
            + " WHERE isfinite(heartbeat_at) AND heartbeat_at > now() - make_interval(secs => ?)"
            + " AND (applied_epoch < ? OR " + gone + ") ORDER BY instance")) {
      ps.setDouble(1, ttl.toMillis() / 1000.0);
      ps.setLong(2, epoch);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.add(new Lagging(rs.getString(1), rs.getLong(2), rs.getDouble(3), rs.getBoolean(4)));
        }
      }
    }
    return result;
  }

  /**
   * The server's view of the acknowledgements just counted: transactions of the instances' roles
   * (not Cutover's own sessions) that began before {@code epoch} was recorded. A driver holds its
   * acknowledgement back while such a transaction of its own is open, so one of them either does not
   * run through Cutover or belongs to an instance whose acknowledgement is wrong: named in a note
   * (seeing other roles' transactions takes {@code pg_read_all_stats}).
   */
  private void noteOlderTransactions(Connection c, long epoch) throws SQLException {
    if (!Boolean.TRUE.equals(guarded)) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT a.pid, a.usename, a.application_name,"
        + " extract(epoch FROM now() - a.xact_start)::float8 FROM pg_stat_activity a"
        + " WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'"
        + " AND a.application_name NOT LIKE 'cutover-%'"
        + " AND a.xact_start < (SELECT min(at) FROM " + schema.qualify("audit_log") + " WHERE epoch = ?)"
        + " AND a.usename IN (SELECT owner FROM " + schema.qualify("instances")
        + "   WHERE heartbeat_at > now() - make_interval(secs => ?))"
        + " ORDER BY a.xact_start LIMIT 5")) {
      ps.setLong(1, epoch);
      ps.setDouble(2, ttl.toMillis() / 1000.0);
      try (ResultSet rs = ps.executeQuery()) {
        List<String> old = new ArrayList<>();
        while (rs.next()) {
          old.add(String.format(java.util.Locale.ROOT, "pid %d (role %s, application '%s', transaction %s old)",
              rs.getInt(1), rs.getString(2), rs.getString(3),
              Durations.format(Duration.ofMillis((long) (rs.getDouble(4) * 1000)))));
        }
        if (!old.isEmpty()) {
          out.printf("note: every live instance acknowledged epoch %d, but these sessions of their roles have had a"
              + " transaction open since before it: %s; if they run through Cutover, their instance's acknowledgement"
              + " is wrong%n", epoch, String.join(", ", old));
          out.flush();
        }
      }
    }
  }

  /**
   * Waits up to {@code wait} for every live instance to apply {@code epoch}, then fences every other
   * instance (see {@link Fence}): the caller may go past it.
   *
   * @param what what the epoch is, for the message (e.g. {@code phase dual_write of migration 'x'})
   * @throws OperatorException exit code 3, naming the lagging instances, when the wait runs out
   */
  public void await(Connection c, long epoch, Duration wait, String what) throws SQLException {
    long deadline = System.nanoTime() + wait.toNanos();
    boolean reported = false;
    while (true) {
      List<Lagging> lagging = lagging(c, epoch);
      if (lagging.isEmpty()) {
        fence.fence(c, epoch);
        noteOlderTransactions(c, epoch);
        return;
      }
      if (System.nanoTime() >= deadline) {
        throw OperatorException.guard(lagging.size() + " live instance(s) have not acknowledged " + what
            + " (epoch " + epoch + ") within " + Durations.format(wait) + ": "
            + lagging.stream()
                .map(l -> String.format(java.util.Locale.ROOT, "%s (applied epoch %d, heartbeat %.1fs ago%s)",
                    l.instance(), l.appliedEpoch(), l.heartbeatAgeSeconds(),
                    l.sessionGone() ? ", written by a session that has ended" : ""))
                .collect(Collectors.joining(", "))
            + ". Check that they run the Cutover driver and can reach the control schema, or wait longer with --wait;"
            + " instances that stopped drop out after " + Durations.format(ttl) + " without heartbeat.");
      }
      if (!reported) {
        out.printf("waiting for %d instance(s) to acknowledge epoch %d ...%n", lagging.size(), epoch);
        out.flush();
        reported = true;
      }
      DdlRunner.sleepMillis(POLL_MS);
    }
  }
}
