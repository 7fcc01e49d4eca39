package dev.cutover.runtime;

import dev.cutover.control.ControlSchema;
import dev.cutover.control.MigrationStore;
import dev.cutover.migration.MigrationSnapshot;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state one process shares among its connections to one database as one role with one control
 * schema and the same Cutover settings: the current {@link MigrationSnapshot}, the rewrite and catalog caches, and the poller that
 * keeps them current and reports this instance's heartbeat.
 *
 * <p>Implementation notes:
 * <ul>
 *   <li>The snapshot is immutable and published through a volatile field: a statement reads it once
 *       and compares by identity. It is replaced only when the loaded migrations differ.
 *   <li>A single daemon thread polls every {@code cutover.refreshMillis} on a side connection of its
 *       own, opened through pgjdbc with the application's URL and properties. When the database is
 *       unreachable the last snapshot stays in use: an application statement never fails because the
 *       poller is down. {@link #refreshNow()} polls on the caller's thread under the same lock.
 *   <li>Each poll then writes the heartbeat ({@code instances.applied_epoch}) and the names used since
 *       the last poll ({@code name_usage}), when the control schema exists. The applied epoch is
 *       reported only after the snapshot is published, so an acknowledged epoch is one every new
 *       statement already follows.
 * </ul>
 */
public final class CutoverRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CutoverRuntime.class);

  private final RuntimeConfig config;
  private final ControlSchema controlSchema;
  private final MigrationStore store;
  private final RewriteEngine engine;
  private final CatalogCache catalog;
  private final Object pollLock = new Object();
  private final ScheduledExecutorService scheduler;

  private volatile MigrationSnapshot snapshot = MigrationSnapshot.EMPTY;
  private volatile boolean closed;

  // Guarded by pollLock.
  private Connection side;
  private boolean startedReported;
  private boolean pollFailing;
  private boolean heartbeatFailing;
  private ScheduledFuture<?> poller;

  /**
   * @param config the validated configuration
   * @param rewriter the rewriter ({@link RewriteFunction#standard()} outside tests)
   */
  public CutoverRuntime(RuntimeConfig config, RewriteFunction rewriter) {
    this.config = config;
    this.controlSchema = new ControlSchema(config.schema());
    this.store = new MigrationStore(controlSchema);
    this.engine = new RewriteEngine(rewriter, config.passthrough(), config.cacheSize());
    this.catalog = new CatalogCache(Math.max(1000, config.cacheSize()));
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cutover-runtime[" + config.schema() + "@" + config.url() + "]");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Loads the first snapshot synchronously on {@code connection} (the application's first
   * connection, in autocommit mode) and starts polling.
   */
  public void start(Connection connection) throws SQLException {
    publish(store.load(connection));
    synchronized (pollLock) {
      poller = scheduler.scheduleWithFixedDelay(
          this::pollQuietly, config.refreshMillis(), config.refreshMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** The configuration. */
  public RuntimeConfig config() {
    return config;
  }

  /** The current snapshot; the hot path reads this once per statement. */
  public MigrationSnapshot snapshot() {
    return snapshot;
  }

  /** The rewrite cache and policy. */
  public RewriteEngine engine() {
    return engine;
  }

  /** The catalog cache. */
  public CatalogCache catalog() {
    return catalog;
  }

  /**
   * Polls now on the caller's thread: reloads the migrations and writes the heartbeat.
   *
   * @return the epoch now applied
   * @throws SQLException when the control schema cannot be read; the last snapshot stays
   */
  public long refreshNow() throws SQLException {
    synchronized (pollLock) {
      poll();
    }
    return snapshot.epoch();
  }

  private void pollQuietly() {
    synchronized (pollLock) {
      try {
        poll();
        if (pollFailing) {
          LOG.info("Cutover: reading the migrations from {} works again", config.url());
          pollFailing = false;
        }
      } catch (SQLException | RuntimeException e) {
        if (!pollFailing) {
          LOG.warn("Cutover: cannot read the migrations from {} (keeping epoch {}; will retry every {} ms): {}",
              config.url(), snapshot.epoch(), config.refreshMillis(), e.toString());
          pollFailing = true;
        } else {
          LOG.debug("Cutover: polling still fails", e);
        }
      }
    }
  }

  // Called under pollLock.
  private void poll() throws SQLException {
    if (closed) {
      return;
    }
    Connection c = sideConnection();
    try {
      boolean installed = controlSchema.installedVersion(c) > 0;
      publish(installed ? store.load(c) : MigrationSnapshot.EMPTY);
      if (installed) {
        heartbeat(c);
      }
    } catch (SQLException | RuntimeException e) {
      closeSide();
      throw e;
    }
  }

  private void publish(MigrationSnapshot loaded) {
    if (!loaded.equals(snapshot)) {
      snapshot = loaded;
      engine.invalidateAll();
      catalog.invalidateAll();
      LOG.info("Cutover: now applying migrations at epoch {}", loaded.epoch());
    }
  }

  // Called under pollLock. A failing heartbeat (e.g. a role without INSERT) must not stop polling.
  private void heartbeat(Connection c) {
    RewriteEngine.NameUsage used = engine.drainNameUsage();
    try {
      String upsert = "INSERT INTO " + controlSchema.qualify("instances")
          + " AS i (instance, applied_epoch, started_at, heartbeat_at) VALUES (?, ?, now(), now())"
          + " ON CONFLICT (instance) DO UPDATE SET applied_epoch = EXCLUDED.applied_epoch, heartbeat_at = now()"
          + (startedReported ? "" : ", started_at = now()");
      try (PreparedStatement ps = c.prepareStatement(upsert)) {
        ps.setString(1, config.instance());
        ps.setLong(2, snapshot.epoch());
        ps.executeUpdate();
      }
      startedReported = true;
      if (!used.isEmpty()) {
        writeNameUsage(c, used.oldUsed(), used.newUsed());
      }
      heartbeatFailing = false;
    } catch (SQLException e) {
      engine.restoreNameUsage(used);
      if (!heartbeatFailing) {
        LOG.warn("Cutover: cannot write this instance's heartbeat in schema {}: {}", config.schema(), e.toString());
        heartbeatFailing = true;
      }
    }
  }

  private void writeNameUsage(Connection c, Set<String> oldUsed, Set<String> newUsed) throws SQLException {
    String upsert = "INSERT INTO " + controlSchema.qualify("name_usage")
        + " AS u (instance, migration_id, old_used_at, new_used_at)"
        + " VALUES (?, ?, CASE WHEN ? THEN now() END, CASE WHEN ? THEN now() END)"
        + " ON CONFLICT (instance, migration_id) DO UPDATE SET"
        + " old_used_at = COALESCE(EXCLUDED.old_used_at, u.old_used_at),"
        + " new_used_at = COALESCE(EXCLUDED.new_used_at, u.new_used_at)";
    Set<String> ids = new java.util.TreeSet<>(oldUsed);
    ids.addAll(newUsed);
    try (PreparedStatement ps = c.prepareStatement(upsert)) {
      for (String id : ids) {
        ps.setString(1, config.instance());
        ps.setString(2, id);
        ps.setBoolean(3, oldUsed.contains(id));
        ps.setBoolean(4, newUsed.contains(id));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private Connection sideConnection() throws SQLException {
    if (side != null && !side.isClosed()) {
      return side;
    }
    Properties props = config.pgPropertiesCopy();
    props.setProperty("ApplicationName", "cutover runtime");
    Connection c = new org.postgresql.Driver().connect(config.url(), props);
    if (c == null) {
      throw new SQLException("pgjdbc did not accept the URL " + config.url());
    }
    side = c;
    return c;
  }

  private void closeSide() {
    if (side != null) {
      try {
        side.close();
      } catch (SQLException e) {
        LOG.debug("Cutover: closing the side connection failed", e);
      }
      side = null;
    }
  }

  /** Schedules {@code task} on the runtime's thread after {@code delayMillis}. */
  void schedule(Runnable task, long delayMillis) {
    scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
  }

  /** Stops polling and closes the side connection. */
  @Override
  public void close() {
    closed = true;
    synchronized (pollLock) {
      if (poller != null) {
        poller.cancel(false);
      }
      closeSide();
    }
    scheduler.shutdownNow();
  }
}
