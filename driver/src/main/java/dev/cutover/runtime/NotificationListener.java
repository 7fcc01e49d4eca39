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
 * </ul>
 */
final class NotificationListener implements AutoCloseable {

  /** The channel the control schema's trigger notifies. */
  static final String CHANNEL = "cutover";

  static final int WAIT_MILLIS = 500;
  static final long VALIDATE_AFTER_MILLIS = 30_000;
  static final long MIN_BACKOFF_MILLIS = 100;
  static final long MAX_BACKOFF_MILLIS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(NotificationListener.class);

  private final Supplier<String> description;
  private final ConnectionFactory factory;
  private final Runnable onChange;
  private final Thread thread;
  private volatile boolean closed;
  private volatile int backendPid;

  /** Opens a connection for the listener. */
  @FunctionalInterface
  interface ConnectionFactory {
    Connection open() throws SQLException;
  }

  NotificationListener(String threadName, Supplier<String> description, ConnectionFactory factory, Runnable onChange) {
    this.description = description;
    this.factory = factory;
    this.onChange = onChange;
    this.thread = new Thread(this::run, threadName);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
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
        if (failing) {
          LOG.info("Cutover: listening for phase changes on {} again", description.get());
          failing = false;
        }
        backoff = MIN_BACKOFF_MILLIS;
        // Changes made before LISTEN took effect (while connecting, or while away) sent no notification here.
        onChange.run();
        listen(c, pg);
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          break;
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
      sleep(backoff);
      backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
    }
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
