package dev.cutover.runtime;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one connection listening on the {@code cutover} channel and calls back when a migration
 * changes, so that a phase change reaches this process well within a second instead of at the next
 * poll.
 *
 * <p>Implementation notes:
 * <ul>
 *   <li>One daemon thread owns the connection (autocommit, {@code LISTEN cutover}) and blocks in
 *       {@link PGConnection#getNotifications(int)} with a short timeout, so that {@link #close()}
 *       is noticed without closing the connection under the blocked thread.
 *   <li>Every notification (or burst of them) calls {@code onChange} once per wake-up; the runtime
 *       coalesces further.
 *   <li>After each {@code LISTEN}, the first one too, it calls {@code onChange} once: a change made
 *       before the LISTEN took effect (while connecting, or while away) sent it no notification.
 *       When the connection breaks (server restart, {@code pg_terminate_backend}, network), it
 *       reconnects with exponential backoff (100 ms to 5 s).
 *   <li>A connection that is silent for {@link #VALIDATE_AFTER_MILLIS} is checked with
 *       {@link Connection#isValid(int)}, so that a half-open TCP connection does not leave the
 *       process relying on polling alone for long.
 *   <li>The check ({@link NotificationMode#AUTO}): after each {@code LISTEN}, another connection (the
 *       runtime's poller's: no extra connection, which a role's connection limit might refuse) sends
 *       a notification with a random payload on a channel of this listener's own;
 *       unless it arrives within {@link #PROBE_WAIT_MILLIS}, the listener logs that once, stops and
 *       leaves the runtime to its polling. A round trip is the one test that does not depend on
 *       which pooler sits in between or how it is configured: PgBouncer is invisible to its clients
 *       (its {@code SHOW} commands exist only on its admin console), and in session mode, where
 *       notifications do work, it looks the same as in transaction mode. The notification must come
 *       from another client connection: sent on the listener's own, a pooler would likely run it on
 *       the very server connection that holds the {@code LISTEN} and deliver it in the reply.
 * </ul>
 */
final class NotificationListener implements AutoCloseable {

  /** The channel the control schema's trigger notifies. */
  static final String CHANNEL = "cutover";

  static final int WAIT_MILLIS = 500;
  static final long VALIDATE_AFTER_MILLIS = 30_000;
  static final long MIN_BACKOFF_MILLIS = 100;
  static final long MAX_BACKOFF_MILLIS = 5_000;
  /** How long the check waits for its own notification; on a direct connection it takes milliseconds. */
  static final long PROBE_WAIT_MILLIS = 5_000;

  /** What the listener is doing. */
  enum State {
    /** Connecting, checking, or reconnecting. */
    STARTING,
    /** Listening: notifications arrive. */
    LISTENING,
    /** Stopped for good: notifications do not arrive (or {@code cutover.notifications=poll}); the runtime polls. */
    POLLING
  }

  private static final Logger LOG = LoggerFactory.getLogger(NotificationListener.class);
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private final Supplier<String> description;
  private final NotificationMode mode;
  private final long refreshMillis;
  private final ConnectionFactory factory;
  private final CheckSender checkSender;
  private final Runnable onChange;
  private final Thread thread;
  private volatile boolean closed;
  private volatile int backendPid;
  private volatile State state = State.STARTING;

  /** Opens a connection for the listener. */
  @FunctionalInterface
  interface ConnectionFactory {
    Connection open() throws SQLException;
  }

  /** Sends {@code pg_notify(channel, payload)} on a connection other than the listener's. */
  @FunctionalInterface
  interface CheckSender {
    void send(String channel, String payload) throws SQLException;
  }

  /**
   * @param description the database, for log lines
   * @param mode {@code cutover.notifications}
   * @param refreshMillis the runtime's poll interval, for the log line when notifications do not arrive
   * @param factory opens the listening connection
   * @param checkSender sends the check's notification on another connection (the runtime's poller's)
   * @param onChange called on every notification (or burst), and once after each {@code LISTEN}
   */
  NotificationListener(String threadName, Supplier<String> description, NotificationMode mode, long refreshMillis,
      ConnectionFactory factory, CheckSender checkSender, Runnable onChange) {
    this.description = description;
    this.mode = mode;
    this.refreshMillis = refreshMillis;
    this.factory = factory;
    this.checkSender = checkSender;
    this.onChange = onChange;
    this.thread = new Thread(this::run, threadName);
    this.thread.setDaemon(true);
  }

  void start() {
    if (mode == NotificationMode.POLL) {
      state = State.POLLING;
      LOG.info("Cutover: cutover.notifications=poll: phase changes from {} arrive by polling every {} ms",
          description.get(), refreshMillis);
      return;
    }
    thread.start();
  }

  /** What the listener is doing. */
  State state() {
    return state;
  }

  /** The listening connection's server process id, or 0 while it is not connected. */
  int backendPid() {
    return backendPid;
  }

  private void run() {
    long backoff = MIN_BACKOFF_MILLIS;
    boolean failing = false;
    while (!closed) {
      Connection c = null;
      try {
        c = factory.open();
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN " + CHANNEL);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        backendPid = pg.getBackendPID();
        // Changes made before LISTEN took effect (while connecting, or while away) sent no notification here.
        onChange.run();
        if (mode == NotificationMode.AUTO && !probe(c, pg)) {
          if (!closed) {
            state = State.POLLING;
            LOG.warn("Cutover: notifications from {} do not reach this process (a notification sent as a check did not"
                + " arrive within {} ms; a connection pooler in transaction mode, such as PgBouncer with pool_mode ="
                + " transaction, does that): phase changes arrive by polling every {} ms (cutover.refreshMillis)."
                + " Set cutover.notifications=poll to skip the check", description.get(), PROBE_WAIT_MILLIS,
                refreshMillis);
            unlistenQuietly(c);
          }
          return;
        }
        state = State.LISTENING;
        if (failing) {
          LOG.info("Cutover: listening for phase changes on {} again", description.get());
          failing = false;
        }
        backoff = MIN_BACKOFF_MILLIS;
        listen(c, pg);
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          break;
        }
        if (e instanceof SQLException sql && "25006".equals(sql.getSQLState())) {
          // A hot standby: no LISTEN during recovery, and no NOTIFY reaches it anyway (not replicated).
          state = State.POLLING;
          LOG.info("Cutover: {} is a hot standby, where notifications do not exist: phase changes arrive by polling"
              + " every {} ms (cutover.refreshMillis)", description.get(), refreshMillis);
          return;
        }
        if (!failing) {
          LOG.warn("Cutover: the listener connection to {} failed (polling continues; reconnecting): {}",
              description.get(), e.toString());
          failing = true;
        } else {
          LOG.debug("Cutover: the listener still cannot connect", e);
        }
      } finally {
        backendPid = 0;
        closeQuietly(c);
      }
      if (state == State.LISTENING) {
        state = State.STARTING;
      }
      sleep(backoff);
      backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
    }
  }

  /**
   * Sends a notification with a random payload on a channel of this listener's own from another
   * connection, and waits at most {@link #PROBE_WAIT_MILLIS} for it on {@code c} (passing on
   * notifications of {@link #CHANNEL} meanwhile).
   *
   * @return whether it arrived; false also when closed meanwhile
   * @throws SQLException when either connection fails (the caller reconnects and checks again)
   */
  private boolean probe(Connection c, PGConnection pg) throws SQLException {
    String channel = "cutover_check_" + randomHex();
    String payload = randomHex();
    try (Statement st = c.createStatement()) {
      st.execute("LISTEN " + channel);
    }
    checkSender.send(channel, payload);
    long deadline = System.nanoTime() + PROBE_WAIT_MILLIS * 1_000_000L;
    boolean arrived = false;
    while (!arrived && !closed) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        break;
      }
      PGNotification[] notifications = pg.getNotifications((int) Math.min(WAIT_MILLIS, Math.max(1, left)));
      boolean changed = false;
      for (PGNotification n : notifications == null ? new PGNotification[0] : notifications) {
        arrived |= channel.equals(n.getName()) && payload.equals(n.getParameter());
        changed |= CHANNEL.equals(n.getName());
      }
      if (changed && !closed) {
        onChange.run();
      }
    }
    if (arrived) {
      try (Statement st = c.createStatement()) {
        st.execute("UNLISTEN " + channel);
      }
    }
    return arrived && !closed;
  }

  /**
   * Behind a pooler the {@code LISTEN}s stay on whichever server connection ran them; {@code UNLISTEN
   * *} lands on one chosen the same way, so this only may undo them (PgBouncer drops what arrives on
   * an unassigned server connection, with a warning in its log).
   */
  private static void unlistenQuietly(Connection c) {
    try (Statement st = c.createStatement()) {
      st.execute("UNLISTEN *");
    } catch (SQLException e) {
      LOG.debug("Cutover: UNLISTEN failed", e);
    }
  }

  private static String randomHex() {
    byte[] bytes = new byte[8];
    RANDOM.nextBytes(bytes);
    return java.util.HexFormat.of().formatHex(bytes);
  }

  private void listen(Connection c, PGConnection pg) throws SQLException {
    long lastHeard = System.nanoTime();
    while (!closed) {
      PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
      if (notifications != null && notifications.length > 0) {
        lastHeard = System.nanoTime();
        if (!closed) {
          onChange.run();
        }
      } else if (System.nanoTime() - lastHeard > VALIDATE_AFTER_MILLIS * 1_000_000L) {
        if (!c.isValid(5)) {
          throw new SQLException("the listener connection stopped answering");
        }
        lastHeard = System.nanoTime();
      }
    }
  }

  private void sleep(long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    while (!closed && System.nanoTime() < deadline) {
      try {
        Thread.sleep(Math.min(50, millis));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.debug("Cutover: closing the listener connection failed", e);
      }
    }
  }

  /** Stops listening; the thread closes its connection within {@link #WAIT_MILLIS}. */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
