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
   */
  public record Lagging(String instance, long appliedEpoch, double heartbeatAgeSeconds) {}

  private static final long POLL_MS = 100;

  private final ControlSchema schema;
  private final Duration ttl;
  private final PrintWriter out;
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
    List<Lagging> result = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT instance, applied_epoch, extract(epoch FROM now() - heartbeat_at)::float8 FROM "
            + schema.qualify("instances")
            + " WHERE heartbeat_at > now() - make_interval(secs => ?) AND applied_epoch < ? ORDER BY instance")) {
      ps.setDouble(1, ttl.toMillis() / 1000.0);
      ps.setLong(2, epoch);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.add(new Lagging(rs.getString(1), rs.getLong(2), rs.getDouble(3)));
        }
      }
    }
    return result;
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
        return;
      }
      if (System.nanoTime() >= deadline) {
        throw OperatorException.guard(lagging.size() + " live instance(s) have not acknowledged " + what
            + " (epoch " + epoch + ") within " + Durations.format(wait) + ": "
            + lagging.stream()
                .map(l -> String.format(java.util.Locale.ROOT, "%s (applied epoch %d, heartbeat %.1fs ago)",
                    l.instance(), l.appliedEpoch(), l.heartbeatAgeSeconds()))
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
