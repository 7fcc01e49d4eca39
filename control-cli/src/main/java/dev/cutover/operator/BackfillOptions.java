package dev.cutover.operator;

import java.time.Duration;

/**
 * How {@code backfill} paces itself.
 *
 * @param batchSize rows per batch, each its own transaction (default 1000)
 * @param pause sleep between batches (default none)
 * @param maxLag pause while the replication lag exceeds this, or {@code null} to ignore lag
 * @param maxBatches stop (resumably) after this many batches; 0 for no limit
 * @param lockTimeout the {@code lock_timeout} of each batch: a batch that waits longer for a lock
 *     is rolled back and retried after a back-off (default 1 s)
 * @param lagQuery the SQL that measures the replication lag, in seconds, as one number (default
 *     {@link #REPLICATION_LAG_QUERY}; replaceable for tests, where there is no replica)
 * @param maxReplicaLagBytes pause while a connected standby has more WAL than this left to replay
 *     (default {@link #DEFAULT_MAX_REPLICA_LAG_BYTES}); 0 to ignore standbys
 */
public record BackfillOptions(
    int batchSize, Duration pause, Duration maxLag, long maxBatches, Duration lockTimeout, String lagQuery,
    long maxReplicaLagBytes) {

  /** The default of {@link #maxReplicaLagBytes()}: 64 MB, four WAL segments. */
  public static final long DEFAULT_MAX_REPLICA_LAG_BYTES = 64L << 20;

  /** The options with the default replica lag limit. */
  public BackfillOptions(int batchSize, Duration pause, Duration maxLag, long maxBatches, Duration lockTimeout,
      String lagQuery) {
    this(batchSize, pause, maxLag, maxBatches, lockTimeout, lagQuery, DEFAULT_MAX_REPLICA_LAG_BYTES);
  }

  /**
   * The largest write or replay lag of any standby, in seconds (0 without standbys). Reading other
   * roles' lag columns takes {@code pg_monitor} (or a superuser); without it they read as NULL.
   */
  public static final String REPLICATION_LAG_QUERY = "SELECT coalesce(max(greatest(extract(epoch FROM replay_lag),"
      + " extract(epoch FROM write_lag))), 0)::float8 FROM pg_catalog.pg_stat_replication";

  /** The default {@code lock_timeout} of a batch. */
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(1);

  public BackfillOptions {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    if (pause == null || pause.isNegative()) {
      throw new IllegalArgumentException("pause must not be negative");
    }
    if (maxLag != null && (maxLag.isNegative() || maxLag.isZero())) {
      throw new IllegalArgumentException("max lag must be positive");
    }
    if (lockTimeout == null) {
      lockTimeout = DEFAULT_LOCK_TIMEOUT;
    }
    if (lockTimeout.isNegative() || lockTimeout.isZero()) {
      throw new IllegalArgumentException("lock timeout must be positive");
    }
    if (maxReplicaLagBytes < 0) {
      throw new IllegalArgumentException("max replica lag must not be negative");
    }
    if (lagQuery == null) {
      lagQuery = REPLICATION_LAG_QUERY;
    }
  }

  /** The options with the default lock timeout and lag query. */
  public BackfillOptions(int batchSize, Duration pause, Duration maxLag, long maxBatches) {
    this(batchSize, pause, maxLag, maxBatches, null, null);
  }

  /** 1000 rows a batch, no pause, no lag limit, no batch limit. */
  public static BackfillOptions defaults() {
    return new BackfillOptions(1000, Duration.ZERO, null, 0);
  }
}
