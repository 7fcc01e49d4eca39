package dev.cutover.operator;

import java.time.Duration;

/**
 * How {@code backfill} paces itself.
 *
 * @param batchSize rows per batch, each its own transaction (default 1000)
 * @param pause sleep between batches (default none)
 * @param maxLag pause while a replica's replay lag exceeds this, or {@code null} to ignore lag
 * @param maxBatches stop (resumably) after this many batches; 0 for no limit
 */
public record BackfillOptions(int batchSize, Duration pause, Duration maxLag, long maxBatches) {

  public BackfillOptions {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
  }

  /** 1000 rows a batch, no pause, no lag limit, no batch limit. */
  public static BackfillOptions defaults() {
    return new BackfillOptions(1000, Duration.ZERO, null, 0);
  }
}
