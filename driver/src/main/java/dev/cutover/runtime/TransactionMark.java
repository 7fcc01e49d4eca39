package dev.cutover.runtime;

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
 */
public final class TransactionMark {

  /** No transaction open. */
  public static final long NONE = Long.MAX_VALUE;

  private volatile long epoch = NONE;

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
      epoch = NONE;
    }
  }

  /** The epoch the open transaction began under, or {@link #NONE}. */
  public long epoch() {
    return epoch;
  }
}
