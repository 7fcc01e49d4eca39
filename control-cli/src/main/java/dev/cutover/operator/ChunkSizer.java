package dev.cutover.operator;

/**
 * How many rows the next chunk spans: a fixed count ({@code --batch-size}, {@code tune
 * batch-size=N}), or a count sized so that a chunk takes about the chunk time, from the rows per
 * millisecond of the chunks so far (as pt-online-schema-change's and Spirit's chunkers do).
 *
 * <p>Implementation notes: the rate is an exponentially weighted moving average over chunks
 * (weight {@link #ALPHA}); a new size is at most {@link #GROWTH} times the last one either way, so a
 * chunk that lands on rows slower to copy (wider, or not yet filled where the previous ones were)
 * overshoots the target by a bounded factor. Thread-safe: workers share one sizer.
 */
final class ChunkSizer {

  static final long START_ROWS = 1_000;
  static final long MIN_ROWS = 100;
  static final long MAX_ROWS = 1_000_000;
  static final double ALPHA = 0.3;
  static final double GROWTH = 2.0;

  private double rowsPerMilli;
  private long current = START_ROWS;

  /** The rows the next chunk should span: {@code batchSize}, or by time when it is {@link BackfillOptions#AUTO}. */
  synchronized long next(int batchSize) {
    return batchSize == BackfillOptions.AUTO ? current : batchSize;
  }

  /** Records a chunk of {@code rows} that took {@code millis}, for chunks of {@code targetMillis}. */
  synchronized void record(long rows, long millis, long targetMillis) {
    double rate = rows / (double) Math.max(1, millis);
    rowsPerMilli = rowsPerMilli == 0 ? rate : ALPHA * rate + (1 - ALPHA) * rowsPerMilli;
    double want = rowsPerMilli * targetMillis;
    double bounded = Math.max(current / GROWTH, Math.min(current * GROWTH, want));
    current = Math.max(MIN_ROWS, Math.min(MAX_ROWS, Math.round(bounded)));
  }

  /** The size by time now. */
  synchronized long current() {
    return current;
  }
}
