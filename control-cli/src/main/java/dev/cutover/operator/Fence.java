package dev.cutover.operator;

import dev.cutover.control.ControlSchema;
import dev.cutover.control.InstanceMarker;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fence: before a phase change goes past driver instances that did not acknowledge the current
 * epoch (their heartbeat is older than the TTL, so the acknowledgement wait ignores them), ends
 * their server backends and waits until they are gone. A paused or cut-off instance that resumes
 * then finds its connections closed, and every new connection of the driver reads the phase before
 * its first statement: it cannot send a statement rewritten for a phase two changes old.
 *
 * <p>Implementation notes: the driver tags every connection's {@code application_name} with
 * {@link InstanceMarker}; the backends ended are those carrying this control schema's tag of an
 * instance that is not both live and acknowledged, including tags of no registered instance (one
 * that began and paused before its first heartbeat). The driver's lease covers what the fence
 * cannot see (a connection pooler's shared backends, an {@code application_name} changed with
 * SQL). The operator's role needs the right to signal those backends ({@code pg_signal_backend},
 * or the application's role): without it the phase change is refused.
 */
final class Fence {

  /** How long the fenced backends may take to exit before the phase change is refused. */
  static final Duration EXIT_WAIT = Duration.ofSeconds(10);

  /**
   * One fenced instance.
   *
   * @param instance its name, or {@code null} for a tag of no registered instance
   * @param tag its {@code application_name} tag
   * @param appliedEpoch the epoch it acknowledged last ({@code null} when unregistered)
   * @param heartbeatAgeSeconds seconds since its last heartbeat ({@code null} when unregistered)
   * @param pids the backends ended
   */
  record Fenced(String instance, String tag, Long appliedEpoch, Double heartbeatAgeSeconds, List<Integer> pids) {}

  private final ControlSchema schema;
  private final Duration ttl;
  private final PrintWriter out;

  Fence(ControlSchema schema, Duration ttl, PrintWriter out) {
    this.schema = schema;
    this.ttl = ttl;
    this.out = out;
  }

  /**
   * Ends the backends of every instance that is not live with an applied epoch of at least {@code
   * epoch}, prints one line per instance fenced, and waits until those backends are gone.
   *
   * @throws OperatorException (exit 3) when a backend cannot be ended or does not exit in time
   */
  List<Fenced> fence(Connection c, long epoch) throws SQLException {
    List<Fenced> fenced = find(c, epoch);
    for (Fenced f : fenced) {
      for (int pid : f.pids()) {
        terminate(c, f, pid);
      }
    }
    awaitExit(c, fenced);
    for (Fenced f : fenced) {
      out.printf("fenced %s: terminated %d backend(s); the application sees SQLState 57P01 or 08006 on them and reads"
          + " the phase again when it reconnects%n", describe(f), f.pids().size());
    }
    out.flush();
    return fenced;
  }

  private List<Fenced> find(Connection c, long epoch) throws SQLException {
    String sql = "WITH tagged AS (SELECT a.pid, substring(a.application_name FROM ?) AS tag FROM pg_stat_activity a"
        + " WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()),"
        + " known AS (SELECT i.instance, i.applied_epoch, extract(epoch FROM now() - i.heartbeat_at)::float8 AS age,"
        + " (i.heartbeat_at > now() - make_interval(secs => ?) AND i.applied_epoch >= ?) AS spared, "
        + InstanceMarker.sqlTag("i.instance") + " AS tag FROM " + schema.qualify("instances") + " i)"
        + " SELECT t.pid, t.tag, k.instance, k.applied_epoch, k.age FROM tagged t LEFT JOIN known k USING (tag)"
        + " WHERE t.tag LIKE ? AND NOT coalesce(k.spared, false) ORDER BY t.tag, t.pid";
    Map<String, Fenced> byTag = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, InstanceMarker.SQL_PATTERN);
      ps.setDouble(2, ttl.toMillis() / 1000.0);
      ps.setLong(3, epoch);
      ps.setString(4, schema.name());
      ps.setString(5, InstanceMarker.schemaPrefix(schema.name()) + "%");
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String tag = rs.getString(2);
          String instance = rs.getString(3);
          long applied = rs.getLong(4);
          Long appliedEpoch = rs.wasNull() ? null : applied;
          double age = rs.getDouble(5);
          Double heartbeatAge = rs.wasNull() ? null : age;
          byTag.computeIfAbsent(tag, t -> new Fenced(instance, t, appliedEpoch, heartbeatAge, new ArrayList<>()))
              .pids().add(rs.getInt(1));
        }
      }
    }
    return new ArrayList<>(byTag.values());
  }

  private void terminate(Connection c, Fenced f, int pid) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
      ps.setInt(1, pid);
      ps.execute(); // false (with a warning) when the backend has gone meanwhile
    } catch (SQLException e) {
      if ("42501".equals(e.getSQLState())) {
        throw OperatorException.guard("cannot fence " + describe(f) + ": the operator's role may not end its backend "
            + pid + " (" + e.getMessage() + "). Grant it pg_signal_backend (GRANT pg_signal_backend TO <role>) or run"
            + " the CLI as the application's role or a superuser; nothing was changed");
      }
      throw e;
    }
  }

  private void awaitExit(Connection c, List<Fenced> fenced) throws SQLException {
    List<Integer> pids = new ArrayList<>();
    fenced.forEach(f -> pids.addAll(f.pids()));
    if (pids.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + EXIT_WAIT.toNanos();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT array_agg(pid ORDER BY pid)::text FROM pg_stat_activity WHERE pid = ANY (?)")) {
      ps.setArray(1, c.createArrayOf("int4", pids.toArray()));
      while (true) {
        String left;
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          left = rs.getString(1);
        }
        if (left == null) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw OperatorException.guard("the fenced backends " + left + " did not exit within "
              + Durations.format(EXIT_WAIT) + "; nothing was changed. Run the command again");
        }
        DdlRunner.sleepMillis(20);
      }
    }
  }

  private String describe(Fenced f) {
    if (f.instance() == null) {
      return "an unregistered Cutover instance (application_name tag " + f.tag() + ", no heartbeat)";
    }
    return String.format(Locale.ROOT, "instance %s (applied epoch %d, heartbeat %.1fs ago, --instance-ttl %s)",
        f.instance(), f.appliedEpoch(), f.heartbeatAgeSeconds(), Durations.format(ttl));
  }
}
