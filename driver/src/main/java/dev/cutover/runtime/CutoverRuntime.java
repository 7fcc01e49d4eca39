package dev.cutover.runtime;

import dev.cutover.control.ControlSchema;
import dev.cutover.control.InstanceMarker;
import dev.cutover.control.MigrationStore;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Properties;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state one process shares among its connections to one database as one role with one control
 * schema and the same Cutover settings: the current {@link MigrationSnapshot}, the rewrite and catalog caches, and the threads that
 * keep them current and report this instance's heartbeat.
 *
 * <p>Implementation notes:
 * <ul>
 *   <li>The snapshot is immutable and published through a volatile field: a statement reads it once
 *       and compares by identity. It is replaced only when the loaded migrations differ.
 *   <li>Propagation: a {@link NotificationListener} keeps a connection of its own on {@code LISTEN
 *       cutover} and asks for a reload on every notification (and once after each reconnection).
 *       Reload requests are coalesced: at most one is queued at a time. Polling every {@code
 *       cutover.refreshMillis} stays as the fallback, and is all there is when the listener finds
 *       that notifications do not arrive (a pooler in transaction mode; see {@link
 *       NotificationMode}).
 *   <li>One daemon thread (the scheduler) does all control-schema I/O, under {@code pollLock}, on a
 *       side connection of its own opened through pgjdbc with the application's URL and properties.
 *       When the database is unreachable the last snapshot stays in use: an application statement
 *       never fails because the runtime's threads are down. {@link #refreshNow()} reloads on the
 *       caller's thread under the same lock.
 *   <li>Acknowledgement: the heartbeat writes {@code instances.applied_epoch} = the snapshot's epoch,
 *       or the epoch of the oldest transaction still open on a connection of this runtime that began
 *       under an older snapshot (see {@link TransactionMark}), whichever is lower. So an instance
 *       that reports epoch E runs no statement, and holds no transaction, of an epoch before E. While
 *       an acknowledgement is held back, the end of a transaction asks for a heartbeat at once.
 *   <li>Liveness: a heartbeat at least every {@link #MAX_HEARTBEAT_MILLIS} and at most every {@link
 *       #MIN_HEARTBEAT_MILLIS} (refreshMillis, bounded), while the runtime has connections. When its
 *       last connection closes the instance's row is deleted (waiting at most {@link
 *       #DEREGISTER_WAIT_MILLIS}), so that a cleanly stopped application is not waited for; the next
 *       heartbeat after a new connection writes it again.
 *   <li>The lease ({@code cutover.leaseMillis}): a poll that reloads the migrations and then writes
 *       the heartbeat confirms the phase until the time it began plus the lease. While the snapshot
 *       has an unfinished migration, every statement first checks the lease ({@link #holdsLease()}:
 *       two volatile reads and {@link System#nanoTime()}); once it has run out, the statement asks
 *       the scheduler for a confirmation and waits for it at most {@link #MAX_LEASE_WAIT_MILLIS}
 *       ({@link #awaitLease()}), then is refused. The CLI ignores an instance whose heartbeat is
 *       older than its {@code --instance-ttl}: with a lease shorter than that, an instance that
 *       paused or lost the network has stopped sending by the time the CLI goes past it. A process
 *       can still pause between the check and the send: the CLI's fence ends the backends of an
 *       instance it goes past, and every connection tags its {@code application_name} for that
 *       ({@link dev.cutover.control.InstanceMarker}).
 *   <li>Hot standbys: a runtime whose side connection reaches a server in recovery writes no
 *       heartbeat (it cannot) and confirms the lease with each reload alone. Its migrations are the
 *       standby's own, replayed in WAL order with the rows it serves, so a phase it reads never
 *       runs ahead of the data; the CLI covers the other direction (a phase it reads lagging the
 *       data): before read_new and new_only it waits until every standby has replayed the changes
 *       they depend on, and before new_only also for a lease's time after that. The lazy
 *       migration's workers always connect with {@code targetServerType=primary}.
 * </ul>
 */
public final class CutoverRuntime implements AutoCloseable {

  /** The heartbeat interval is refreshMillis, but no shorter than this... */
  static final long MIN_HEARTBEAT_MILLIS = 1_000;
  /** ...and no longer than this, so that a liveness TTL of some 30 s on the CLI's side is meaningful. */
  static final long MAX_HEARTBEAT_MILLIS = 5_000;
  /** How long the close of a runtime's last connection waits for its instance row to be deleted. */
  static final long DEREGISTER_WAIT_MILLIS = 2_000;
  /** How long the poller's side connection waits for an answer before it gives up and reconnects. */
  static final long SIDE_NETWORK_TIMEOUT_MILLIS = 10_000;
  /** How long a statement waits for the lease to be confirmed again before it is refused. */
  static final long MAX_LEASE_WAIT_MILLIS = 2_000;

  private static final Logger LOG = LoggerFactory.getLogger(CutoverRuntime.class);
  /** The side connections of the lazy migration's workers. */
  private static final String TOUCH_ROLE = "cutover-touch";

  private final RuntimeConfig config;
  private final ControlSchema controlSchema;
  private final MigrationStore store;
  private final RewriteEngine engine;
  private final CatalogCache catalog;
  private final Object pollLock = new Object();
  private final ScheduledExecutorService scheduler;
  private final NotificationListener listener;
  private final LazyMigrator lazyMigrator;
  private final long heartbeatMillis;
  private final long tickMillis;

  /** This process's secret for its instance row (control schema version 3): only its hash is stored. */
  private final String token = newToken();

  private volatile MigrationSnapshot snapshot = MigrationSnapshot.EMPTY;
  // Published after the snapshot it belongs to; a statement that sees another snapshot scans.
  private volatile StatementFilter filter;
  private volatile boolean closed;
  /** Whether the last acknowledgement was held back by an open transaction. */
  private volatile boolean ackPending;
  /** Whether the snapshot has a migration that is not completed: statements then need the lease. */
  private volatile boolean leaseEnforced;
  /** System.nanoTime() at which the lease runs out (a poll that began then plus the lease). */
  private volatile long leaseExpiresNanos = System.nanoTime();
  /** Why the last confirmation failed, for the refusal's message; null when it did not. */
  private volatile String lastLeaseFailure;
  private volatile boolean leaseConfirmed;
  private volatile long lastConfirmationNanos;
  private final Object leaseMonitor = new Object();
  private final AtomicBoolean renewalQueued = new AtomicBoolean();

  /** The open connections' transaction marks; weak so that a connection leaked unclosed does not hold acks forever. */
  private final Set<TransactionMark> marks = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicBoolean reloadQueued = new AtomicBoolean();
  private final AtomicBoolean heartbeatQueued = new AtomicBoolean();

  // Guarded by pollLock.
  private Connection side;
  private boolean installed;
  private int installedVersion;
  private boolean heartbeatFunctionDenied;
  private boolean installedKnown;
  private boolean startedReported;
  private boolean rowWritten;
  private long lastReported = -1;
  private volatile long lastLoadNanos; // written under pollLock, read by refreshAgeMillis()
  private long lastHeartbeatNanos;
  private boolean pollFailing;
  private boolean heartbeatFailing;
  private ScheduledFuture<?> poller;

  /**
   * @param config the validated configuration
   * @param rewriter the rewriter ({@link RewriteFunction#standard(boolean)} outside tests)
   */
  public CutoverRuntime(RuntimeConfig config, RewriteFunction rewriter) {
    this.config = config;
    this.controlSchema = new ControlSchema(config.schema());
    this.store = new MigrationStore(controlSchema);
    this.engine = new RewriteEngine(rewriter, config.passthrough(), config.cacheSize());
    this.catalog = new CatalogCache(Math.max(1000, config.cacheSize()));
    this.filter = new StatementFilter(MigrationSnapshot.EMPTY, config.cacheSize());
    this.heartbeatMillis = heartbeatMillis(config.refreshMillis());
    this.tickMillis = Math.min(config.refreshMillis(), heartbeatMillis);
    String name = config.schema() + "@" + config.url();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cutover-runtime[" + name + "]");
      t.setDaemon(true);
      return t;
    });
    this.listener = new NotificationListener("cutover-listener[" + name + "]", config::url, config.notifications(),
        config.refreshMillis(), () -> openSide("cutover-listener"), this::sendCheck, this::requestReload);
    this.lazyMigrator = config.readTouch()
        ? new LazyMigrator(name, this::snapshot, () -> openSide(TOUCH_ROLE), this::registerBackground,
            this::transactionEnded, LazyMigrator.DEFAULT_CAPACITY, this::holdsLease,
            controlSchema.qualify("backfill_state"))
        : null;
  }

  private static String newToken() {
    byte[] bytes = new byte[16];
    new java.security.SecureRandom().nextBytes(bytes);
    return java.util.HexFormat.of().formatHex(bytes);
  }

  /** The heartbeat interval for {@code refreshMillis}: the same, bounded to [1 s, 5 s]. */
  public static long heartbeatMillis(long refreshMillis) {
    return Math.max(MIN_HEARTBEAT_MILLIS, Math.min(MAX_HEARTBEAT_MILLIS, refreshMillis));
  }

  /**
   * Loads the first snapshot synchronously on {@code connection} (the application's first
   * connection, in autocommit mode), starts polling and listening.
   */
  public void start(Connection connection) throws SQLException {
    synchronized (pollLock) {
      publish(store.load(connection));
      lastLoadNanos = System.nanoTime();
      poller = scheduler.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }
    listener.start();
    Telemetry.started(this);
    MetricsAutoBinding.bindGlobalRegistryOnce();
  }

  /** The configuration. */
  public RuntimeConfig config() {
    return config;
  }

  /** The current snapshot; the hot path reads this once per statement. */
  public MigrationSnapshot snapshot() {
    return snapshot;
  }

  /**
   * How long ago the migrations were last read from the control schema, in milliseconds: about
   * {@code cutover.refreshMillis} at most while the control schema answers.
   */
  public long refreshAgeMillis() {
    return (System.nanoTime() - lastLoadNanos) / 1_000_000L;
  }

  /** The pre-filter of statement texts, for the current snapshot or (briefly) the previous one. */
  public StatementFilter filter() {
    return filter;
  }

  /** The rewrite cache and policy. */
  public RewriteEngine engine() {
    return engine;
  }

  /** The catalog cache. */
  public CatalogCache catalog() {
    return catalog;
  }

  /** The lazy migration of rows read ({@code cutover.readTouch}), or {@code null} when it is off. */
  public LazyMigrator lazyMigrator() {
    return lazyMigrator;
  }

  // ---- connections and their transactions

  /**
   * Registers a new connection of this runtime; its transactions hold acknowledgements back
   * through the returned mark. Match with {@link #unregister}.
   */
  public TransactionMark register() {
    TransactionMark mark = new TransactionMark();
    marks.add(mark);
    if (openConnections.getAndIncrement() == 0 && !closed) {
      // The first connection (of a new runtime, or of one that lingered and deleted its row): the
      // instance row is written now, on the caller's thread, before the connection is used. Until
      // it is, the CLI's fence sees this instance's tag with no row behind it and ends its backends
      // (an advance right after the application connected failed its first statement with 57P01).
      synchronized (pollLock) {
        try {
          poll(true, true);
        } catch (SQLException | RuntimeException e) {
          requestRenewal(); // the control schema does not answer now: the scheduler keeps trying
        }
      }
    }
    return mark;
  }

  /**
   * A mark for a background transaction of this runtime (the lazy migration's): it holds
   * acknowledgements back like a connection's, without counting as a connection.
   */
  TransactionMark registerBackground() {
    TransactionMark mark = new TransactionMark();
    marks.add(mark);
    return mark;
  }

  /**
   * Unregisters a closed connection. The close of the last one deletes this instance's row, waiting
   * at most {@link #DEREGISTER_WAIT_MILLIS}.
   */
  public void unregister(TransactionMark mark) {
    mark.end();
    if (!marks.remove(mark)) {
      return;
    }
    if (openConnections.decrementAndGet() == 0 && !closed) {
      try {
        scheduler.submit(this::deregisterIfUnused).get(DEREGISTER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
        LOG.debug("Cutover: deleting this instance's row did not finish", e);
      }
    } else {
      transactionEnded();
    }
  }

  /**
   * Called when a transaction of a connection ends: when an acknowledgement is being held back,
   * asks for a heartbeat now. One volatile read otherwise.
   */
  public void transactionEnded() {
    if (ackPending) {
      requestHeartbeat();
    }
  }

  /** The epoch this instance may acknowledge now: the snapshot's, or the oldest open transaction's. */
  long acknowledgeableEpoch() {
    long epoch = snapshot.epoch(); // read the snapshot first: see TransactionMark
    synchronized (marks) {
      for (TransactionMark mark : marks) {
        epoch = Math.min(epoch, mark.epoch());
      }
    }
    return epoch;
  }

  // ---- the lease

  /**
   * Whether a statement may be sent now: no unfinished migration, or the phase was confirmed within
   * the lease. The hot path: two volatile reads, and {@link System#nanoTime()} only while a migration
   * is unfinished.
   */
  public boolean holdsLease() {
    return !leaseEnforced || System.nanoTime() - leaseExpiresNanos < 0;
  }

  /**
   * Asks for a confirmation of the phase and waits for it at most {@link #MAX_LEASE_WAIT_MILLIS}
   * (bounded by the lease).
   *
   * @return whether the lease holds now
   */
  public boolean awaitLease() {
    long deadline = System.nanoTime() + Math.min(MAX_LEASE_WAIT_MILLIS, config.leaseMillis()) * 1_000_000L;
    requestRenewal();
    synchronized (leaseMonitor) {
      while (!holdsLease()) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed) {
          return false;
        }
        try {
          leaseMonitor.wait(Math.max(1, left / 1_000_000L));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return holdsLease();
        }
      }
    }
    return true;
  }

  /**
   * Nanoseconds since the last confirmation of the phase (see {@link #holdsLease()}), or -1 before
   * the first one. For monitoring.
   */
  public long confirmationAgeNanos() {
    return leaseConfirmed ? System.nanoTime() - lastConfirmationNanos : -1;
  }

  /** Why the lease could not be confirmed, for a refusal: how old the last confirmation is, and the last error. */
  public String leaseProblem() {
    long age = (System.nanoTime() - leaseExpiresNanos) / 1_000_000L + config.leaseMillis();
    String problem = lastLeaseFailure;
    return "instance " + config.instance() + (leaseConfirmed
        ? " last confirmed the migration phase with the control schema " + age + " ms ago"
        : " has not confirmed the migration phase with the control schema yet")
        + " (cutover.leaseMillis = " + config.leaseMillis() + ")"
        + (problem == null ? "" : "; the last attempt failed: " + problem);
  }

  /**
   * Asks the scheduler to reload and write the heartbeat now, which confirms the lease; coalesced,
   * and skipped when a confirmation began after the request (e.g. {@link #refreshNow()}).
   */
  void requestRenewal() {
    if (closed || !renewalQueued.compareAndSet(false, true)) {
      return;
    }
    long asked = System.nanoTime();
    try {
      scheduler.execute(() -> {
        renewalQueued.set(false);
        if (!leaseConfirmed || lastConfirmationNanos - asked < 0) {
          pollQuietly(true, true);
        }
      });
    } catch (RejectedExecutionException e) {
      renewalQueued.set(false);
    }
  }

  // Called under pollLock by a poll that began at startedNanos, reloaded, then wrote the heartbeat.
  private void renewLease(long startedNanos) {
    leaseExpiresNanos = startedNanos + config.leaseMillis() * 1_000_000L;
    lastLeaseFailure = null;
    lastConfirmationNanos = startedNanos;
    leaseConfirmed = true;
    synchronized (leaseMonitor) {
      leaseMonitor.notifyAll();
    }
  }

  /**
   * Whether phase changes arrive by polling alone: notifications were found not to reach this
   * process (a pooler in transaction mode), or {@code cutover.notifications=poll}.
   */
  public boolean pollingOnly() {
    return listener.state() == NotificationListener.State.POLLING;
  }

  /** Whether the listener is connected and its notifications were found to arrive (or not checked: {@code listen}). */
  public boolean listening() {
    return listener.state() == NotificationListener.State.LISTENING;
  }

  /** The listener connection's server process id, or 0 while it is not connected (for tests and diagnostics). */
  public int listenerBackendPid() {
    return listener.backendPid();
  }

  // ---- loading

  /**
   * Reloads now on the caller's thread: reloads the migrations and writes the heartbeat.
   *
   * @return the epoch now applied
   * @throws SQLException when the control schema cannot be read; the last snapshot stays
   */
  public long refreshNow() throws SQLException {
    synchronized (pollLock) {
      boolean reused = side != null;
      try {
        poll(true, true);
      } catch (SQLException e) {
        if (!reused || closed) {
          throw e;
        }
        // The idle side connection may have been ended meanwhile (the CLI's fence of a runtime that
        // lingers after its last connection closed, a server restart); poll closed it: once more on a new one.
        poll(true, true);
      }
    }
    return snapshot.epoch();
  }

  /**
   * Reloads on {@code connection} (an application connection in autocommit mode, on the caller's
   * thread): used when a runtime that had no connection gets one again, since its snapshot may be
   * as old as the last poll.
   */
  public void reloadOn(Connection connection) throws SQLException {
    synchronized (pollLock) {
      publish(store.load(connection));
      lastLoadNanos = System.nanoTime();
    }
  }

  /** Asks the scheduler to reload soon; a request already queued absorbs this one. */
  void requestReload() {
    if (closed || !reloadQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      scheduler.execute(() -> {
        reloadQueued.set(false); // a notification arriving from here on queues another reload
        pollQuietly(true, false);
      });
    } catch (RejectedExecutionException e) {
      reloadQueued.set(false);
    }
  }

  /**
   * Asks the scheduler to write the heartbeat soon if it would say something new; a request already
   * queued absorbs this one.
   */
  void requestHeartbeat() {
    if (closed || !heartbeatQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      scheduler.execute(() -> {
        heartbeatQueued.set(false);
        pollQuietly(false, false); // writes when the acknowledgeable epoch changed or the row is missing
      });
    } catch (RejectedExecutionException e) {
      heartbeatQueued.set(false);
    }
  }

  private void tick() {
    long now = System.nanoTime();
    boolean reloadDue;
    boolean heartbeatDue;
    synchronized (pollLock) {
      // Half a tick of slack so that scheduling jitter does not skip a whole period.
      reloadDue = now - lastLoadNanos >= (config.refreshMillis() - tickMillis / 2) * 1_000_000L;
      heartbeatDue = now - lastHeartbeatNanos >= (heartbeatMillis - tickMillis / 2) * 1_000_000L;
    }
    if (reloadDue || heartbeatDue) {
      // Every heartbeat reloads first, so that it confirms the lease.
      pollQuietly(true, heartbeatDue);
    }
  }

  private void pollQuietly(boolean load, boolean forceHeartbeat) {
    synchronized (pollLock) {
      try {
        poll(load, forceHeartbeat);
        if (pollFailing) {
          LOG.info("Cutover: reading the migrations from {} works again", config.url());
          pollFailing = false;
        }
      } catch (SQLException | RuntimeException e) {
        lastLeaseFailure = e.toString();
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

  /**
   * Called under pollLock. Loads (when asked) and writes the heartbeat when asked, due, or when the
   * acknowledgeable epoch changed.
   */
  private void poll(boolean load, boolean forceHeartbeat) throws SQLException {
    if (closed) {
      return;
    }
    long started = System.nanoTime(); // the lease counts from before the reload
    Connection c = sideConnection();
    try {
      boolean loaded = false;
      if (load || !installedKnown) {
        installedVersion = controlSchema.installedVersion(c);
        installed = installedVersion > 0;
        installedKnown = true;
        if (installed && !rowWritten && openConnections.get() > 0 && !ReadOnlyServer.inRecovery(c)) {
          // Register before reading the phase: a first heartbeat that commits only after a phase
          // change has counted the live instances would confirm the lease for the phase read before
          // it, behind a barrier that never saw this instance. Registered first (at epoch 0), the
          // instance is waited for; registered later, it reads the new phase.
          heartbeat(c, Math.max(0, lastReported));
        }
        publish(installed ? store.load(c) : MigrationSnapshot.EMPTY);
        lastLoadNanos = System.nanoTime();
        loaded = true;
      }
      if (installed && openConnections.get() > 0 && ReadOnlyServer.inRecovery(c)) {
        // A hot standby: nothing can be written, so no heartbeat (the CLI does not wait for this
        // instance). The migrations just read are the standby's, replayed in the same order as the
        // rows it serves: they confirm the phase (see the notes on standbys).
        if (loaded) {
          renewLease(started);
        }
      } else if (installed && openConnections.get() > 0) {
        ackPending = true; // before the scan: a transaction ending during it then asks for another heartbeat
        // Never below what was acknowledged (while the snapshot is not older): a mark the last scan
        // missed was set after that scan, so its statements read a snapshot at least as new as the
        // one acknowledged; its older epoch (read before the mark was written) would make the
        // acknowledgement go back, and the CLI's fence end this instance's connections.
        long applied = Math.max(acknowledgeableEpoch(), Math.min(lastReported, snapshot.epoch()));
        ackPending = applied < snapshot.epoch();
        boolean due = System.nanoTime() - lastHeartbeatNanos >= heartbeatMillis * 1_000_000L;
        if ((forceHeartbeat || due || applied != lastReported || !rowWritten) && heartbeat(c, applied) && loaded) {
          renewLease(started);
        }
      }
    } catch (SQLException | RuntimeException e) {
      closeSide();
      throw e;
    }
  }

  private void publish(MigrationSnapshot loaded) {
    if (!loaded.equals(snapshot)) {
      boolean unfinished = false;
      for (ColumnMigration m : loaded.migrations()) {
        unfinished |= m.phase() != Phase.COMPLETED;
      }
      if (config.leaseMillis() > 0) {
        leaseEnforced = unfinished; // before the snapshot: a statement that sees it checks the lease
      }
      snapshot = loaded;
      filter = new StatementFilter(loaded, config.cacheSize());
      engine.invalidateAll();
      catalog.invalidateAll();
      LOG.info("Cutover: now applying migrations at epoch {}", loaded.epoch());
      Telemetry.migrationsChanged();
    }
  }

  /**
   * Called under pollLock. A failing heartbeat (e.g. a role without INSERT) must not stop polling;
   * it does keep the lease from being confirmed: the CLI does not wait for an instance it cannot see.
   *
   * @return whether the heartbeat was written
   */
  private boolean heartbeat(Connection c, long applied) {
    RewriteEngine.NameUsage used = engine.drainNameUsage();
    lastHeartbeatNanos = System.nanoTime();
    try {
      if (installedVersion >= ControlSchema.GUARDED_INSTANCES_VERSION && !heartbeatFunctionDenied) {
        // The server holds this row for this process: only a session with the token writes it.
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT " + controlSchema.qualify("instance_heartbeat") + "(?, ?, ?, ?)")) {
          ps.setString(1, config.instance());
          ps.setLong(2, applied);
          ps.setString(3, token);
          ps.setBoolean(4, !startedReported);
          ps.execute();
        } catch (SQLException e) {
          if (!"42501".equals(e.getSQLState()) || e.getMessage() == null || e.getMessage().contains("held by")) {
            throw e;
          }
          // A role granted before the upgrade, without EXECUTE: heartbeat as before rather than not at all.
          LOG.warn("Cutover: cannot call {} ({}); heartbeating with a plain upsert instead: run `cutover init"
              + " --grant ROLE` again for this role", controlSchema.qualify("instance_heartbeat"), e.getMessage());
          heartbeatFunctionDenied = true;
          unguardedHeartbeat(c, applied);
        }
      } else {
        unguardedHeartbeat(c, applied);
      }
      startedReported = true;
      rowWritten = true;
      lastReported = applied;
      if (!used.isEmpty()) {
        writeNameUsage(c, used.oldUsed(), used.newUsed());
      }
      heartbeatFailing = false;
      return true;
    } catch (SQLException e) {
      engine.restoreNameUsage(used);
      lastLeaseFailure = "cannot write this instance's heartbeat: " + e;
      if ("42501".equals(e.getSQLState()) && e.getMessage() != null && e.getMessage().contains("held by")) {
        if (!heartbeatFailing) {
          LOG.error("Cutover: this instance's heartbeat is refused, so phase changes do not wait for it:"
              + " another live process uses the instance name {} ({})", config.instance(), e.getMessage());
          heartbeatFailing = true;
        }
      } else if (!heartbeatFailing) {
        LOG.warn("Cutover: cannot write this instance's heartbeat in schema {}: {}", config.schema(), e.toString());
        heartbeatFailing = true;
      }
      return false;
    }
  }

  /** The heartbeat in a control schema before version 3: a plain upsert. */
  private void unguardedHeartbeat(Connection c, long applied) throws SQLException {
    String upsert = "INSERT INTO " + controlSchema.qualify("instances")
        + " AS i (instance, applied_epoch, started_at, heartbeat_at) VALUES (?, ?, now(), now())"
        + " ON CONFLICT (instance) DO UPDATE SET applied_epoch = EXCLUDED.applied_epoch, heartbeat_at = now()"
        + (startedReported ? "" : ", started_at = now()");
    try (PreparedStatement ps = c.prepareStatement(upsert)) {
      ps.setString(1, config.instance());
      ps.setLong(2, applied);
      ps.executeUpdate();
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

  /** Runs on the scheduler: deletes this instance's row when no connection is open (any more). */
  private void deregisterIfUnused() {
    synchronized (pollLock) {
      if (openConnections.get() > 0 || !rowWritten) {
        return;
      }
      deleteRow();
    }
  }

  // Called under pollLock.
  private void deleteRow() {
    try {
      Connection c = sideConnection();
      RewriteEngine.NameUsage used = engine.drainNameUsage();
      if (!used.isEmpty()) {
        writeNameUsage(c, used.oldUsed(), used.newUsed()); // the last names used still count for the quiet period
      }
      if (installedVersion >= ControlSchema.GUARDED_INSTANCES_VERSION && !heartbeatFunctionDenied) {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT " + controlSchema.qualify("instance_deregister") + "(?, ?)")) {
          ps.setString(1, config.instance());
          ps.setString(2, token);
          ps.execute();
        }
      } else {
        try (PreparedStatement ps = c.prepareStatement(
            "DELETE FROM " + controlSchema.qualify("instances") + " WHERE instance = ?")) {
          ps.setString(1, config.instance());
          ps.executeUpdate();
        }
      }
      rowWritten = false;
      lastReported = -1;
      ackPending = false;
      leaseExpiresNanos = System.nanoTime(); // no longer counted as live by the CLI
    } catch (SQLException | RuntimeException e) {
      closeSide();
      LOG.warn("Cutover: cannot delete this instance's row in schema {} (it expires with its heartbeat): {}",
          config.schema(), e.toString());
    }
  }

  private Connection sideConnection() throws SQLException {
    if (side != null && !side.isClosed()) {
      return side;
    }
    side = openSide("cutover-runtime");
    // A poll stuck on a half-open connection would hold pollLock (and with it every new
    // connection's reload) until TCP gives up; the poll's queries are small.
    side.setNetworkTimeout(Runnable::run, (int) SIDE_NETWORK_TIMEOUT_MILLIS);
    return side;
  }

  /**
   * Opens a pgjdbc connection with the application's URL and properties; names it {@code role
   * instance} in {@code pg_stat_activity} unless the application set its own ApplicationName, and
   * tags it with the instance's marker either way (so that the CLI's fence ends it too).
   */
  private Connection openSide(String role) throws SQLException {
    Properties props = config.pgPropertiesCopy();
    if (role.equals(TOUCH_ROLE)) {
      // The lazy migration writes: always on the primary, whatever the application's URL prefers.
      props.setProperty("targetServerType", "primary");
      props.remove("readOnly");
    }
    String base = props.getProperty("ApplicationName");
    props.setProperty("ApplicationName", InstanceMarker.applicationName(
        base != null ? base : role + " " + config.instance(), config.marker()));
    Connection c = new org.postgresql.Driver().connect(config.url(), props);
    if (c == null) {
      throw new SQLException("pgjdbc did not accept the URL " + config.url());
    }
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

  /**
   * Sends the listener's check notification on the side connection (called on the listener's
   * thread): a connection other than the listener's, and no extra one.
   */
  private void sendCheck(String channel, String payload) throws SQLException {
    synchronized (pollLock) {
      if (closed) {
        throw new SQLException("the Cutover runtime is closed");
      }
      try (PreparedStatement ps = sideConnection().prepareStatement("SELECT pg_notify(?, ?)")) {
        ps.setString(1, channel);
        ps.setString(2, payload);
        ps.execute();
      } catch (SQLException | RuntimeException e) {
        closeSide();
        throw e;
      }
    }
  }

  /** Schedules {@code task} on the runtime's thread after {@code delayMillis}. */
  void schedule(Runnable task, long delayMillis) {
    scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
  }

  /** Stops polling and listening, deletes this instance's row if it is still there, closes the side connection. */
  @Override
  public void close() {
    if (lazyMigrator != null) {
      lazyMigrator.close();
    }
    listener.close();
    synchronized (pollLock) {
      if (!closed && rowWritten) {
        deleteRow();
      }
      closed = true;
      if (poller != null) {
        poller.cancel(false);
      }
      closeSide();
    }
    scheduler.shutdownNow();
    Telemetry.stopped(this);
  }
}
