package dev.cutover.operator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts a backfill's key range into chunks for its workers, and keeps the checkpoint: the highest
 * key below which every chunk committed.
 *
 * <p>Implementation notes: chunks are handed out in key order, each ({@code lo}, {@code hi}] with
 * {@code lo} the previous chunk's {@code hi}, so they tile the range ({@code afterKey}, {@code
 * maxKey}] exactly. A key walk finds {@code hi} by an index scan: the key {@code rows} keys after
 * {@code lo}. A {@code ctid} walk cuts by pages: {@code hi} is {@code (page, 0)}, which no row has,
 * so a chunk holds whole pages; its page count comes from the table's rows per page. Workers
 * commit chunks out of order; the watermark advances only over a prefix of committed chunks, so a
 * resumed walk never skips a chunk that did not commit (it may redo committed ones, which then
 * find nothing that differs). A chunk rolled back on {@code lock_timeout} goes back to the front of
 * the queue. Every method is thread-safe.
 */
final class ChunkPlanner {

  /**
   * One chunk.
   *
   * @param seq its position in key order
   * @param lo the key after which it starts, or null at the start of the table
   * @param hi its last key (inclusive)
   * @param rows the rows its key range spans (estimated for a ctid walk)
   */
  record Chunk(long seq, String lo, String hi, long rows) {}

  private static final Pattern TID = Pattern.compile("\\((\\d+),(\\d+)\\)");

  private final RowKey key;
  private final String table;
  private final String maxKey;
  private final long maxChunks;
  private final double rowsPerPage;
  private final long maxPage;

  private String cursor;
  private boolean exhausted;
  private long issued;
  private final Deque<Chunk> retries = new ArrayDeque<>();
  /** Chunks handed out and not committed, by seq; the watermark is below the first of them. */
  private final TreeMap<Long, Chunk> open = new TreeMap<>();
  /** Chunks committed while an earlier one was still open. */
  private final TreeMap<Long, Chunk> committedAhead = new TreeMap<>();
  private String watermark;

  /**
   * @param afterKey where the walk starts (a checkpoint), or null
   * @param maxKey where it ends (inclusive)
   * @param maxChunks stop handing out chunks after this many (0: no limit)
   * @param rowsPerPage the table's rows per page, for a ctid walk
   */
  ChunkPlanner(RowKey key, String quotedTable, String afterKey, String maxKey, long maxChunks, double rowsPerPage) {
    this.key = key;
    this.table = quotedTable;
    this.cursor = afterKey;
    this.watermark = afterKey;
    this.maxKey = maxKey;
    this.maxChunks = maxChunks;
    this.rowsPerPage = Math.max(1, rowsPerPage);
    this.maxPage = isCtid() ? page(maxKey) : 0;
  }

  /** The rows per page of {@code table} as the statistics say (100 when never analysed). */
  static double rowsPerPage(Connection c, long tableOid) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT CASE WHEN reltuples > 0 AND relpages > 0 THEN reltuples / relpages END FROM pg_catalog.pg_class"
            + " WHERE oid = ?")) {
      ps.setLong(1, tableOid);
      try (ResultSet rs = ps.executeQuery()) {
        double v = rs.next() ? rs.getDouble(1) : 0;
        return v > 0 ? v : 100;
      }
    }
  }

  private boolean isCtid() {
    return key.columns().equals(java.util.List.of("ctid"));
  }

  private static long page(String tid) {
    Matcher m = TID.matcher(tid);
    if (!m.matches()) {
      throw new IllegalStateException("not a tid: " + tid);
    }
    return Long.parseLong(m.group(1));
  }

  /**
   * The next chunk of about {@code rows} rows, or null when every chunk was handed out (or {@code
   * maxChunks} were). Finds its end on {@code c}.
   */
  synchronized Chunk next(Connection c, long rows) throws SQLException {
    Chunk retry = retries.pollFirst();
    if (retry != null) {
      return retry;
    }
    if (exhausted || (maxChunks > 0 && issued >= maxChunks)) {
      return null;
    }
    String hi;
    long span = rows;
    if (isCtid()) {
      long from = cursor == null ? 0 : page(cursor);
      long pages = Math.max(1, Math.round(rows / rowsPerPage));
      span = Math.round(pages * rowsPerPage);
      hi = from + pages > maxPage ? null : "(" + (from + pages) + ",0)";
    } else {
      hi = keyAfter(c, cursor, rows);
    }
    if (hi == null) {
      hi = maxKey;
      exhausted = true;
    }
    Chunk chunk = new Chunk(issued++, cursor, hi, span);
    cursor = hi;
    open.put(chunk.seq(), chunk);
    return chunk;
  }

  /** The key {@code rows} keys after {@code lo} (within the walk's range), or null when there are fewer. */
  private String keyAfter(Connection c, String lo, long rows) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + key.text() + " AS cutover_key FROM " + table
        + " WHERE " + key.range(lo != null) + " ORDER BY " + key.order(false) + " OFFSET ? LIMIT 1")) {
      int i = key.bindRange(ps, 1, lo, maxKey);
      ps.setLong(i, Math.max(0, rows - 1));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** {@code chunk} was rolled back: it is handed out again first. */
  synchronized void retry(Chunk chunk) {
    retries.addFirst(chunk);
  }

  /**
   * The checkpoint once {@code chunk} commits: the end of the longest prefix of committed chunks,
   * {@code chunk} counted as committed. Changes nothing; call {@link #committed} after the commit.
   */
  synchronized String watermarkWith(Chunk chunk) {
    String w = watermark;
    for (Chunk c : open.values()) {
      if (c.seq() != chunk.seq() && !committedAhead.containsKey(c.seq())) {
        break;
      }
      w = c.hi();
    }
    return w;
  }

  /** Records that {@code chunk} committed; returns the checkpoint now. */
  synchronized String committed(Chunk chunk) {
    committedAhead.put(chunk.seq(), chunk);
    while (!open.isEmpty() && committedAhead.containsKey(open.firstKey())) {
      Chunk first = open.pollFirstEntry().getValue();
      committedAhead.remove(first.seq());
      watermark = first.hi();
    }
    return watermark;
  }

  /** The checkpoint: every chunk up to it committed. */
  synchronized String watermark() {
    return watermark;
  }

  /** Whether every chunk was handed out and none waits for a retry. */
  synchronized boolean exhausted() {
    return retries.isEmpty() && (exhausted || (maxChunks > 0 && issued >= maxChunks));
  }

  /** Whether the walk reached {@code maxKey} (false when stopped by {@code maxChunks}). */
  synchronized boolean complete() {
    return exhausted && retries.isEmpty() && open.isEmpty();
  }

  /** Chunks handed out so far (retries not counted again). */
  synchronized long issued() {
    return issued;
  }
}
