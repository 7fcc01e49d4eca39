package dev.cutover.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The epoch at which one connection's current transaction began, read by the runtime when it
 * acknowledges an epoch ({@code instances.applied_epoch}).
 *
 * <p>Implementation notes: written only by the connection's own thread, read by the runtime's
 * thread. The connection writes the mark BEFORE it reads the snapshot to rewrite its first
 * statement, and the runtime publishes a snapshot BEFORE it scans the marks; both are volatile, so
 * either the scan sees the mark (and holds the acknowledgement back) or the statement is rewritten
 * for the new snapshot.
 * A mark may be older than the snapshot the statement then uses; that only delays the
 * acknowledgement, never makes it early.
 *
 * <p>{@link #end()} is a release store, not a volatile one: an end seen late only holds an
 * acknowledgement back a moment longer, and in autocommit mode every statement ends its
 * transaction, so the full fence of a volatile store would be paid on every statement for nothing.
 * {@link #begin} keeps it: that store must be visible before the snapshot is read.
 */
public final class TransactionMark {

  /** No transaction open. */
  public static final long NONE = Long.MAX_VALUE;

  private volatile long epoch = NONE;

  private static final VarHandle EPOCH;

  static {
    try {
      EPOCH = MethodHandles.lookup().findVarHandle(TransactionMark.class, "epoch", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  TransactionMark() {}

  /** Whether a transaction is open on the connection. */
  public boolean isOpen() {
    return epoch != NONE;
  }

  /** Marks a transaction as begun under {@code snapshotEpoch}, unless one is open already. */
  public void begin(long snapshotEpoch) {
    if (epoch == NONE) {
      epoch = snapshotEpoch;
    }
  }

  /** Marks the transaction as ended. */
  public void end() {
    if (epoch != NONE) {
      EPOCH.setRelease(this, NONE);
    }
  }

  /** The epoch the open transaction began under, or {@link #NONE}. */
  public long epoch() {
    return epoch;
  }
}
