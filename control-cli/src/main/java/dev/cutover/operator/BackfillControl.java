package dev.cutover.operator;

import dev.cutover.control.ControlSchema;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.List;

/**
 * A running backfill's row in {@code backfill_control} (control schema version 4): the settings
 * that {@code cutover tune} changes from any machine, and what the backfill reports about itself.
 *
 * <p>Implementation notes: the backfill writes its command line's settings when it starts (a new
 * {@code settings_version}), then its coordinator polls the row at least once a second in one
 * statement that also reports its state (heartbeat, workers, chunk size, rate, throttle reasons)
 * and the settings version it applies. {@code tune} changes settings only while a backfill's
 * coordinating session is alive (its backend is in {@code pg_stat_activity} and heartbeated within
 * {@link #STALE}), bumps the version and waits for the backfill to report it applied.
 */
final class BackfillControl {

  /** A backfill whose heartbeat is older than this is not running (it polls at least once a second). */
  static final Duration STALE = Duration.ofSeconds(10);

  /**
   * Settings of a running backfill.
   *
   * @param batchSize rows per chunk, or {@link BackfillOptions#AUTO} (sized by {@code chunkTime})
   * @param chunkTime how long an automatically sized chunk should take
   * @param workers chunks at once
   * @param paused whether {@code tune pause=true} holds it
   * @param maxLag the replication lag above which it waits, or null
   * @param version the settings version (each change makes a new one)
   */
  record Settings(int batchSize, Duration chunkTime, int workers, boolean paused, Duration maxLag, long version) {}

  /**
   * What the backfill reports at each poll.
   *
   * @param workers workers running now
   * @param chunkRows the chunk size in use
   * @param rowsPerSecond rows per second lately
   * @param throttleReasons why it waits now (empty when it does not)
   */
  record Report(int workers, long chunkRows, double rowsPerSecond, List<String> throttleReasons) {}

  private final ControlSchema schema;
  private final String id;

  BackfillControl(ControlSchema schema, String id) {
    this.schema = schema;
    this.id = id;
  }

  /** Whether the installed control schema has {@code backfill_control}. */
  static boolean available(ControlSchema schema, Connection c) throws SQLException {
    return schema.installedVersion(c) >= ControlSchema.BACKFILL_CONTROL_VERSION;
  }

  /**
   * Records that a backfill starts with {@code options} on this session ({@code c}): its settings
   * replace any earlier ones.
   */
  Settings start(Connection c, BackfillOptions options) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.qualify("backfill_control")
        + " AS b (migration_id, batch_size, chunk_time_ms, workers, paused, max_lag_ms, backend_pid, heartbeat_at,"
        + " active_workers, throttle_reasons, stopped_at, stop_reason)"
        + " VALUES (?, ?, ?, ?, false, ?, pg_backend_pid(), now(), 0, '{}', NULL, NULL)"
        + " ON CONFLICT (migration_id) DO UPDATE SET batch_size = excluded.batch_size,"
        + " chunk_time_ms = excluded.chunk_time_ms, workers = excluded.workers, paused = false,"
        + " max_lag_ms = excluded.max_lag_ms, settings_version = b.settings_version + 1, tuned_at = NULL,"
        + " tuned_by = NULL, backend_pid = excluded.backend_pid, heartbeat_at = now(), applied_version = 0,"
        + " active_workers = 0, chunk_rows = NULL, rows_per_second = NULL, throttle_reasons = '{}',"
        + " stopped_at = NULL, stop_reason = NULL"
        + " RETURNING batch_size, chunk_time_ms, workers, paused, max_lag_ms, settings_version")) {
      ps.setString(1, id);
      if (options.batchSize() == BackfillOptions.AUTO) {
        ps.setNull(2, Types.INTEGER);
      } else {
        ps.setInt(2, options.batchSize());
      }
      ps.setInt(3, (int) Math.min(Integer.MAX_VALUE, options.chunkTime().toMillis()));
      ps.setInt(4, options.workers());
      if (options.maxLag() == null) {
        ps.setNull(5, Types.BIGINT);
      } else {
        ps.setLong(5, options.maxLag().toMillis());
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return settings(rs);
      }
    }
  }

  /**
   * Reports {@code report} and {@code applied} (the settings version in force) and reads the
   * settings now.
   */
  Settings poll(Connection c, Report report, long applied) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + schema.qualify("backfill_control")
        + " SET heartbeat_at = now(), backend_pid = pg_backend_pid(), applied_version = ?, active_workers = ?,"
        + " chunk_rows = ?, rows_per_second = ?, throttle_reasons = ? WHERE migration_id = ?"
        + " RETURNING batch_size, chunk_time_ms, workers, paused, max_lag_ms, settings_version")) {
      ps.setLong(1, applied);
      ps.setInt(2, report.workers());
      ps.setLong(3, report.chunkRows());
      ps.setDouble(4, report.rowsPerSecond());
      Array reasons = c.createArrayOf("text", report.throttleReasons().toArray());
      ps.setArray(5, reasons);
      ps.setString(6, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new OperatorException("backfill " + id + ": its row in " + schema.qualify("backfill_control")
              + " was deleted while it ran");
        }
        return settings(rs);
      }
    }
  }

  /** Records that the backfill stopped, and why ("finished", "failed: ...", "stopped after N chunks"). */
  void stop(Connection c, String reason) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + schema.qualify("backfill_control")
        + " SET backend_pid = NULL, active_workers = 0, throttle_reasons = '{}', stopped_at = now(), stop_reason = ?"
        + " WHERE migration_id = ?")) {
      ps.setString(1, reason);
      ps.setString(2, id);
      ps.executeUpdate();
    }
  }

  private static Settings settings(ResultSet rs) throws SQLException {
    int batch = rs.getInt(1);
    if (rs.wasNull()) {
      batch = BackfillOptions.AUTO;
    }
    long lag = rs.getLong(5);
    Duration maxLag = rs.wasNull() ? null : Duration.ofMillis(lag);
    return new Settings(batch, Duration.ofMillis(rs.getInt(2)), rs.getInt(3), rs.getBoolean(4), maxLag, rs.getLong(6));
  }
}
