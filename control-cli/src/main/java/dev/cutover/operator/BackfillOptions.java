package dev.cutover.operator;

import java.time.Duration;

/**
 * How {@code backfill} paces itself. {@code cutover tune} changes {@code batchSize}, {@code workers},
 * pausing and {@code maxLag} of a running backfill.
 *
 * @param batchSize rows per chunk, each chunk its own transaction; {@link #AUTO} (the default) sizes
 *     each chunk so that it takes about {@code chunkTime}
 * @param pause sleep between chunks, per worker (default none)
 * @param maxLag pause while the replication lag exceeds this, or {@code null} to ignore lag
 * @param maxBatches stop (resumably) after this many chunks; 0 for no limit
 * @param lockTimeout the {@code lock_timeout} of each chunk: a chunk that waits longer for a lock
 *     is rolled back and retried after a back-off (default 1 s)
 * @param lagQuery the SQL that measures the replication lag, in seconds, as one number (default
 *     {@link #REPLICATION_LAG_QUERY}; replaceable for tests, where there is no replica)
 * @param workers chunks copied at once, each on its own connection (default {@link #DEFAULT_WORKERS})
 * @param chunkTime the time a chunk should take when {@code batchSize} is {@link #AUTO} (default
 *     {@link #DEFAULT_CHUNK_TIME})
 * @param maxTransactionAge pause while a transaction of the database has been open longer than
 *     this (it keeps vacuum from removing the row versions the backfill leaves), or {@code null} to
 *     ignore long transactions
 * @param maxReplicaLagBytes pause while a connected standby has more WAL than this left to replay
 *     (default {@link #DEFAULT_MAX_REPLICA_LAG_BYTES}); 0 to ignore standbys
 */
public record BackfillOptions(
    int batchSize, Duration pause, Duration maxLag, long maxBatches, Duration lockTimeout, String lagQuery,
    int workers, Duration chunkTime, Duration maxTransactionAge, long maxReplicaLagBytes) {

  /**
   * The largest write or replay lag of any standby, in seconds (0 without standbys). Reading other
   * roles' lag columns takes {@code pg_monitor} (or a superuser); without it they read as NULL.
   */
  public static final String REPLICATION_LAG_QUERY = "SELECT coalesce(max(greatest(extract(epoch FROM replay_lag),"
      + " extract(epoch FROM write_lag))), 0)::float8 FROM pg_catalog.pg_stat_replication";

  /** The default {@code lock_timeout} of a chunk. */
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(1);

  /** {@code batchSize} of chunks sized by time ({@code chunkTime}) rather than by a row count. */
  public static final int AUTO = 0;

  /** Workers by default: two chunks at once. */
  public static final int DEFAULT_WORKERS = 2;

  /** The most workers (each holds a connection). */
  public static final int MAX_WORKERS = 64;

  /** How long a chunk should take by default, as pt-online-schema-change and Spirit aim for. */
  public static final Duration DEFAULT_CHUNK_TIME = Duration.ofMillis(500);

  /** The default of {@link #maxReplicaLagBytes()}: 64 MB, four WAL segments. */
  public static final long DEFAULT_MAX_REPLICA_LAG_BYTES = 64L << 20;

  public BackfillOptions {
    if (batchSize < 0) {
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
    if (lagQuery == null) {
      lagQuery = REPLICATION_LAG_QUERY;
    }
    if (workers < 1 || workers > MAX_WORKERS) {
      throw new IllegalArgumentException("workers must be between 1 and " + MAX_WORKERS + ", got " + workers);
    }
    if (chunkTime == null) {
      chunkTime = DEFAULT_CHUNK_TIME;
    }
    if (chunkTime.isNegative() || chunkTime.isZero()) {
      throw new IllegalArgumentException("chunk time must be positive");
    }
    if (maxTransactionAge != null && (maxTransactionAge.isNegative() || maxTransactionAge.isZero())) {
      throw new IllegalArgumentException("max transaction age must be positive");
    }
    if (maxReplicaLagBytes < 0) {
      throw new IllegalArgumentException("max replica lag must not be negative");
    }
  }

  /** The options with the default lock timeout, lag query, workers and chunk time. */
  public BackfillOptions(int batchSize, Duration pause, Duration maxLag, long maxBatches) {
    this(batchSize, pause, maxLag, maxBatches, null, null, DEFAULT_WORKERS, null, null, DEFAULT_MAX_REPLICA_LAG_BYTES);
  }

  /** Chunks sized by time, two workers, no pause, no lag limit, no batch limit. */
  public static BackfillOptions defaults() {
    return new BackfillOptions(AUTO, Duration.ZERO, null, 0);
  }

  /** The same options with {@code workers}. */
  public BackfillOptions withWorkers(int workers) {
    return new BackfillOptions(batchSize, pause, maxLag, maxBatches, lockTimeout, lagQuery, workers, chunkTime,
        maxTransactionAge, maxReplicaLagBytes);
  }
}
