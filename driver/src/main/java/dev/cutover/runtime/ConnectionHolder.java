package dev.cutover.runtime;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One lazy-migration worker's connection: opened on first use, checked before reuse after a pause,
 * dropped when it broke, closed after a minute unused. All a worker needs of a pool, without a
 * pool library in the driver's dependencies.
 *
 * <p>Implementation notes: only the owning worker thread acquires and releases; {@link #close()}
 * may come from any thread, even while the worker is opening a connection (which can take as long
 * as pgjdbc's connect timeout), so the lock is never held across {@link
 * LazyMigrator.ConnectionSource#open()}: a connection opened after the close is closed at once.
 */
final class ConnectionHolder implements AutoCloseable {

  /** A connection unused this long is closed (it is reopened on the next batch). */
  static final long IDLE_CLOSE_NANOS = 60_000_000_000L;
  /** A connection unused this long is checked with {@link Connection#isValid} before reuse. */
  static final long VALIDATE_AFTER_NANOS = 500_000_000L;
  /** Seconds {@link Connection#isValid} may take. */
  static final int VALIDATION_SECONDS = 1;

  private final LazyMigrator.ConnectionSource source;
  private final long idleCloseNanos;
  private Connection connection; // guarded by this
  private long lastUsed; // guarded by this
  private boolean closed; // guarded by this

  ConnectionHolder(LazyMigrator.ConnectionSource source) {
    this(source, IDLE_CLOSE_NANOS);
  }

  ConnectionHolder(LazyMigrator.ConnectionSource source, long idleCloseNanos) {
    this.source = source;
    this.idleCloseNanos = idleCloseNanos;
  }

  /** The connection, in manual-commit mode; opens one when there is none or the last one broke. */
  Connection acquire() throws SQLException {
    Connection current;
    synchronized (this) {
      ensureOpen();
      current = connection;
      if (current != null && System.nanoTime() - lastUsed < VALIDATE_AFTER_NANOS) {
        return current;
      }
    }
    if (current != null) {
      if (alive(current)) {
        return current;
      }
      discard(current);
    }
    Connection fresh = source.open();
    try {
      fresh.setAutoCommit(false);
    } catch (SQLException e) {
      closeQuietly(fresh, e);
      throw e;
    }
    synchronized (this) {
      if (closed) {
        closeQuietly(fresh, null);
        ensureOpen();
      }
      connection = fresh;
      lastUsed = System.nanoTime();
    }
    return fresh;
  }

  /** The worker is done with the connection for now. */
  synchronized void release() {
    lastUsed = System.nanoTime();
  }

  /** A batch failed on the connection: keep it only if it still answers. */
  void failed() {
    Connection current;
    synchronized (this) {
      current = connection;
      lastUsed = System.nanoTime();
    }
    if (current != null && !alive(current)) {
      discard(current);
    }
  }

  /** Closes the connection if it has not been used for a minute ({@link #IDLE_CLOSE_NANOS}). */
  void closeIfIdle() {
    Connection idle;
    synchronized (this) {
      if (connection == null || System.nanoTime() - lastUsed < idleCloseNanos) {
        return;
      }
      idle = connection;
    }
    discard(idle);
  }

  /** Whether a connection is held now. */
  synchronized boolean isOpen() {
    return connection != null;
  }

  /** Closes the connection; later acquisitions fail. */
  @Override
  public void close() {
    Connection current;
    synchronized (this) {
      closed = true;
      current = connection;
    }
    if (current != null) {
      discard(current);
    }
  }

  private void ensureOpen() throws SQLException {
    if (closed) {
      throw new SQLException("the lazy migration is closed");
    }
  }

  private static boolean alive(Connection c) {
    try {
      return !c.isClosed() && c.isValid(VALIDATION_SECONDS);
    } catch (SQLException e) {
      return false;
    }
  }

  private void discard(Connection c) {
    synchronized (this) {
      if (connection == c) {
        connection = null;
      }
    }
    closeQuietly(c, null);
  }

  private static void closeQuietly(Connection c, SQLException cause) {
    try {
      c.close();
    } catch (SQLException e) {
      if (cause != null) {
        cause.addSuppressed(e);
      }
    }
  }
}
