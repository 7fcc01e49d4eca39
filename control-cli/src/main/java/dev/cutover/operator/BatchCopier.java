package dev.cutover.operator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies one column (or an expression of the row, such as {@code up} of a column) into another in
 * key order ({@link RowKey}: primary key, unique key or ctid), one short transaction per batch,
 * touching only rows where the two differ.
 */
final class BatchCopier {

  /**
   * One batch's outcome.
   *
   * @param rows rows updated
   * @param lastKey the highest key the batch locked, or {@code null} when it found none
   */
  record Batch(long rows, String lastKey) {}

  private final String table;
  private final RowKey key;
  private final String target;
  private final String source;

  /**
   * @param table the table
   * @param key how to walk it
   * @param target the column written, unquoted
   * @param source the value written: SQL over the row (the other column quoted, or up/down of it), typed as
   *     the target so that "differs" means the copy would change the row
   */
  BatchCopier(TableCatalog.Table table, RowKey key, String target, String source) {
    this.table = table.quoted();
    this.key = key;
    this.target = Identifiers.quote(target);
    this.source = source;
  }

  /** The table, quoted. */
  String table() {
    return table;
  }

  /** The key walked. */
  RowKey key() {
    return key;
  }

  /** The largest key now, as text, or {@code null} for an empty table. */
  String maxKey(Connection c) throws SQLException {
    return key.max(c, table);
  }

  /** Rows with a key in ({@code afterKey}, {@code maxKey}] whose target differs from the source expression. */
  long countPending(Connection c, String afterKey, String maxKey) throws SQLException {
    try {
      return count(c, afterKey, maxKey, " AND " + target + " IS DISTINCT FROM " + source);
    } catch (SQLException e) {
      if (!ConversionErrors.isDataError(e) || !c.getAutoCommit()) {
        throw e;
      }
      // The source cannot be computed for some row (a type change's up fails on it): the batches
      // will stop at that row with its key; meanwhile every row of the range is an estimate.
      return count(c, afterKey, maxKey, "");
    }
  }

  /**
   * The rows pending in ({@code afterKey}, {@code maxKey}], for the progress bar.
   *
   * @param rows how many
   * @param exact whether counted (else estimated from a sample of the table's pages)
   */
  record Pending(long rows, boolean exact) {}

  /** Tables the statistics say are larger than this are sampled, not counted, for the progress bar. */
  static final long EXACT_COUNT_ROWS = 200_000;
  /** About how many rows the sample reads. */
  static final long SAMPLE_ROWS = 20_000;

  /**
   * {@link #countPending} for a table of up to {@link #EXACT_COUNT_ROWS} rows (by its statistics);
   * for a larger one, an estimate from a sample of about {@link #SAMPLE_ROWS} rows' pages
   * ({@code TABLESAMPLE SYSTEM}). Counting reads the whole table and computes the new value of
   * every row once more before the backfill does: about 5% of the backfill's own time. The count
   * only feeds the progress bar and its ETA, which end at 100% either way.
   */
  Pending pending(Connection c, String afterKey, String maxKey, long tableOid) throws SQLException {
    return pending(c, afterKey, maxKey, tableOid, EXACT_COUNT_ROWS, SAMPLE_ROWS);
  }

  /** {@link #pending(Connection, String, String, long)} with its thresholds given (tests). */
  Pending pending(Connection c, String afterKey, String maxKey, long tableOid, long exactCountRows, long sampleRows)
      throws SQLException {
    double rows;
    try (PreparedStatement ps = c.prepareStatement("SELECT reltuples FROM pg_catalog.pg_class WHERE oid = ?")) {
      ps.setLong(1, tableOid);
      try (ResultSet rs = ps.executeQuery()) {
        rows = rs.next() ? rs.getDouble(1) : -1;
      }
    }
    if (rows <= exactCountRows || rows <= sampleRows) {
      return new Pending(countPending(c, afterKey, maxKey), true);
    }
    double percent = 100.0 * sampleRows / rows;
    String sample = " TABLESAMPLE SYSTEM (" + String.format(java.util.Locale.ROOT, "%.6f", percent) + ") REPEATABLE (0)";
    long sampled;
    try {
      sampled = count(c, sample, afterKey, maxKey, " AND " + target + " IS DISTINCT FROM " + source);
    } catch (SQLException e) {
      if (!ConversionErrors.isDataError(e) || !c.getAutoCommit()) {
        throw e;
      }
      sampled = count(c, sample, afterKey, maxKey, "");
    }
    return new Pending(Math.round(sampled * 100.0 / percent), false);
  }

  private long count(Connection c, String afterKey, String maxKey, String filter) throws SQLException {
    return count(c, "", afterKey, maxKey, filter);
  }

  private long count(Connection c, String sample, String afterKey, String maxKey, String filter) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table + sample + " WHERE "
        + key.range(afterKey != null) + filter)) {
      key.bindRange(ps, 1, afterKey, maxKey);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Copies up to {@code limit} differing rows with keys in ({@code afterKey}, {@code maxKey}], in key
   * order, in the caller's transaction. With {@code skipLocked}, rows that the application holds
   * locked are left for a later pass instead of waited for.
   */
  Batch copy(Connection c, String afterKey, String maxKey, int limit, boolean skipLocked) throws SQLException {
    // The rows are chosen and locked first (sel), then updated by their key as chosen: for a ctid
    // walk the updated row's ctid is a new one, so the walk's position must come from sel.
    List<String> aliases = new ArrayList<>();
    List<String> selected = new ArrayList<>();
    List<String> joined = new ArrayList<>();
    for (int i = 0; i < key.columns().size(); i++) {
      String alias = "cutover_k" + (i + 1);
      aliases.add(alias);
      selected.add(key.columns().get(i) + " AS " + alias);
      joined.add("cutover_t." + key.columns().get(i));
    }
    List<String> fromSel = aliases.stream().map(a -> "sel." + a).toList();
    String sql = "WITH sel AS (SELECT " + String.join(", ", selected) + " FROM " + table + " WHERE "
        + key.range(afterKey != null) + " AND " + target + " IS DISTINCT FROM " + source + " ORDER BY "
        + key.order(false) + " LIMIT " + limit + " FOR UPDATE" + (skipLocked ? " SKIP LOCKED" : "") + "),"
        + " upd AS (UPDATE " + table + " AS cutover_t SET " + target + " = " + source + " FROM sel WHERE "
        + RowKey.row(joined) + " = " + RowKey.row(fromSel) + " RETURNING 1)"
        + " SELECT (SELECT count(*) FROM upd), (SELECT " + key.text(fromSel) + " FROM sel ORDER BY "
        + String.join(", ", fromSel.stream().map(a -> a + " DESC").toList()) + " LIMIT 1)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      key.bindRange(ps, 1, afterKey, maxKey);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Batch(rs.getLong(1), rs.getString(2));
      }
    }
  }

  /**
   * Copies every differing row with a key in ({@code lo}, {@code hi}] in the caller's transaction;
   * returns the rows updated. Either way each row's new value is computed from its current old
   * value under its row lock, so a write the application committed meanwhile is never overwritten
   * with a stale value.
   *
   * <p>Without {@code skipLocked} it is one plain range {@code UPDATE ... WHERE <range> AND new IS
   * DISTINCT FROM up(old)}: the UPDATE locks each row as it writes it, and a row that changed after
   * the statement's snapshot is re-read and re-checked (READ COMMITTED's recheck), so a row the
   * application filled meanwhile is left alone. A row the application holds locked is waited for,
   * up to the transaction's {@code lock_timeout}: the caller keeps that short and, on timeout,
   * copies the range again with {@code skipLocked}. This is the cheapest form: it writes what a
   * bulk {@code UPDATE} writes per row (measured: 337 B of WAL per row, as a bulk UPDATE).
   *
   * <p>With {@code skipLocked} the rows are chosen and locked first ({@code FOR UPDATE SKIP
   * LOCKED}), then updated by their {@code ctid}s as locked: a row the application is writing now
   * is skipped, never waited for (a later pass picks it up). The lock costs a WAL record per row
   * and the update then writes its own (393 B of WAL per row, +17%), so it is used only when rows
   * were found locked. The ctid array makes the update a TID scan of exactly the locked rows:
   * joining them back by key (a CTE) cost 1.5x-1.7x a plain range UPDATE, and the planner hashed
   * that join over a scan of the whole table. A ctid names a row within one table only: a
   * partitioned table is copied one partition at a time.
   */
  long copyRange(Connection c, String lo, String hi, boolean skipLocked) throws SQLException {
    String differing = key.range(lo != null) + " AND " + target + " IS DISTINCT FROM " + source;
    String sql = skipLocked
        ? "UPDATE " + table + " SET " + target + " = " + source + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + table
            + " WHERE " + differing + " FOR UPDATE SKIP LOCKED))"
        : "UPDATE " + table + " SET " + target + " = " + source + " WHERE " + differing;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      key.bindRange(ps, 1, lo, hi);
      return ps.executeUpdate();
    }
  }
}
