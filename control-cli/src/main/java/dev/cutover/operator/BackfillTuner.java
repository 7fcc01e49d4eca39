package dev.cutover.operator;

import dev.cutover.control.ControlSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cutover tune ID KEY=VALUE...}: changes a running backfill's settings through the control
 * schema, so it works from any machine that reaches the database; the backfill applies them within
 * a second (it polls {@code backfill_control}).
 */
public final class BackfillTuner {

  /** How long {@code tune} waits for the running backfill to report that it applied the change. */
  static final Duration APPLY_WAIT = Duration.ofSeconds(5);

  /**
   * The changes asked for; null fields are left as they are.
   *
   * @param batchSize rows per chunk, or {@link BackfillOptions#AUTO} for chunks sized by time
   * @param workers chunks at once
   * @param paused hold ({@code true}) or release ({@code false}) the backfill
   * @param maxLag the replication lag above which it waits; {@link Duration#ZERO} to stop watching lag
   * @param chunkTime how long an automatically sized chunk should take
   */
  public record Changes(Integer batchSize, Integer workers, Boolean paused, Duration maxLag, Duration chunkTime) {

    /**
     * Parses {@code batch-size=N|auto}, {@code workers=N}, {@code pause=true|false}, {@code
     * max-lag=DURATION|off}, {@code chunk-time=DURATION}.
     *
     * @throws IllegalArgumentException naming the argument and what is wrong with it
     */
    public static Changes parse(List<String> args) {
      if (args.isEmpty()) {
        throw new IllegalArgumentException("nothing to change: give KEY=VALUE, one or more of " + KEYS);
      }
      Integer batchSize = null;
      Integer workers = null;
      Boolean paused = null;
      Duration maxLag = null;
      Duration chunkTime = null;
      Map<String, String> seen = new LinkedHashMap<>();
      for (String arg : args) {
        int eq = arg.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("'" + arg + "': expected KEY=VALUE, KEY one of " + KEYS);
        }
        String key = arg.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String value = arg.substring(eq + 1).trim();
        if (seen.put(key, value) != null) {
          throw new IllegalArgumentException("'" + key + "' is given twice");
        }
        switch (key) {
          case "batch-size" -> batchSize = value.equalsIgnoreCase("auto") ? BackfillOptions.AUTO
              : positive(key, value, Integer.MAX_VALUE, "a number of rows or 'auto'");
          case "workers" -> workers = positive(key, value, BackfillOptions.MAX_WORKERS, "a number of workers");
          case "pause" -> paused = switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("pause=" + value + ": expected pause=true or pause=false");
          };
          case "max-lag" -> maxLag = value.equalsIgnoreCase("off") ? Duration.ZERO : duration(key, value);
          case "chunk-time" -> chunkTime = duration(key, value);
          default -> throw new IllegalArgumentException("unknown setting '" + key + "': expected one of " + KEYS);
        }
      }
      return new Changes(batchSize, workers, paused, maxLag, chunkTime);
    }

    private static int positive(String key, String value, int max, String what) {
      int n;
      try {
        n = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + "=" + value + ": expected " + what);
      }
      if (n < 1 || n > max) {
        throw new IllegalArgumentException(key + "=" + value + ": must be between 1 and " + max);
      }
      return n;
    }

    private static Duration duration(String key, String value) {
      Duration d;
      try {
        d = Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + "=" + value + ": " + e.getMessage());
      }
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(key + "=" + value + ": must be positive");
      }
      return d;
    }
  }

  /** The settings keys {@code tune} accepts. */
  public static final String KEYS = "batch-size, workers, pause, max-lag, chunk-time";

  /**
   * What {@code tune} did; serialised as is by {@code --json}.
   *
   * @param id the migration
   * @param batchSize rows per chunk now, or null for chunks sized by time
   * @param chunkTime how long an automatically sized chunk should take
   * @param workers workers now
   * @param paused whether the backfill is held
   * @param maxLag the replication lag limit, or null
   * @param settingsVersion the version of these settings
   * @param applied whether the running backfill reported applying them within {@link #APPLY_WAIT}
   * @param backendPid the backfill's coordinating session
   */
  public record Result(String id, Integer batchSize, String chunkTime, int workers, boolean paused, String maxLag,
      long settingsVersion, boolean applied, int backendPid) {}

  private final ConnectionSettings settings;
  private final ControlSchema schema;

  /** @param settings where to connect */
  public BackfillTuner(ConnectionSettings settings) {
    this.settings = settings;
    this.schema = new ControlSchema(settings.controlSchema());
  }

  /**
   * Applies {@code changes} to the running backfill of migration {@code id} and waits (up to {@link
   * #APPLY_WAIT}) until it reports applying them.
   *
   * @throws OperatorException when no backfill of {@code id} is running, or the control schema predates tuning
   */
  public Result tune(String id, Changes changes) throws SQLException {
    try (Connection c = settings.open()) {
      MigrationRepository repo = new MigrationRepository(schema);
      repo.requireInstalled(c);
      repo.require(c, id);
      if (!BackfillControl.available(schema, c)) {
        throw new OperatorException("the control schema \"" + schema.name() + "\" has version "
            + schema.installedVersion(c) + ", which has no backfill settings: run `cutover init` to upgrade it"
            + " to version " + ControlSchema.VERSION + ", then restart the backfill");
      }
      Result set;
      try (PreparedStatement ps = c.prepareStatement("UPDATE " + schema.qualify("backfill_control")
          + " SET batch_size = CASE WHEN ? THEN NULLIF(?, 0) ELSE batch_size END,"
          + " workers = coalesce(?, workers), paused = coalesce(?, paused),"
          + " max_lag_ms = CASE WHEN ? THEN NULLIF(?, 0) ELSE max_lag_ms END,"
          + " chunk_time_ms = coalesce(?, chunk_time_ms),"
          + " settings_version = settings_version + 1, tuned_at = now(), tuned_by = session_user"
          + " WHERE migration_id = ? AND backend_pid IS NOT NULL AND heartbeat_at > now() - ?::interval"
          + " AND EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.pid = backend_pid)"
          + " RETURNING batch_size, chunk_time_ms, workers, paused, max_lag_ms, settings_version, backend_pid")) {
        ps.setBoolean(1, changes.batchSize() != null);
        ps.setInt(2, changes.batchSize() == null ? 0 : changes.batchSize());
        setInt(ps, 3, changes.workers());
        if (changes.paused() == null) {
          ps.setNull(4, Types.BOOLEAN);
        } else {
          ps.setBoolean(4, changes.paused());
        }
        ps.setBoolean(5, changes.maxLag() != null);
        ps.setLong(6, changes.maxLag() == null ? 0 : changes.maxLag().toMillis());
        setInt(ps, 7, changes.chunkTime() == null ? null : (int) Math.min(Integer.MAX_VALUE, changes.chunkTime().toMillis()));
        ps.setString(8, id);
        ps.setString(9, BackfillControl.STALE.toMillis() + " milliseconds");
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new OperatorException("no backfill of '" + id + "' is running (start one with `cutover backfill "
                + id + "`; its command line sets the settings it starts with)");
          }
          int batch = rs.getInt(1);
          Integer batchSize = rs.wasNull() ? null : batch;
          long lag = rs.getLong(5);
          String maxLag = rs.wasNull() ? null : Durations.format(Duration.ofMillis(lag));
          set = new Result(id, batchSize, Durations.format(Duration.ofMillis(rs.getInt(2))), rs.getInt(3),
              rs.getBoolean(4), maxLag, rs.getLong(6), false, rs.getInt(7));
        }
      }
      boolean applied = awaitApplied(c, id, set.settingsVersion());
      return new Result(set.id(), set.batchSize(), set.chunkTime(), set.workers(), set.paused(), set.maxLag(),
          set.settingsVersion(), applied, set.backendPid());
    }
  }

  private boolean awaitApplied(Connection c, String id, long version) throws SQLException {
    long deadline = System.nanoTime() + APPLY_WAIT.toNanos();
    try (PreparedStatement ps = c.prepareStatement("SELECT applied_version >= ? FROM "
        + schema.qualify("backfill_control") + " WHERE migration_id = ?")) {
      ps.setLong(1, version);
      ps.setString(2, id);
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getBoolean(1)) {
            return true;
          }
        }
        if (System.nanoTime() > deadline) {
          return false;
        }
        DdlRunner.sleepMillis(50);
      }
    }
  }

  private static void setInt(PreparedStatement ps, int index, Integer value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.INTEGER);
    } else {
      ps.setInt(index, value);
    }
  }
}
