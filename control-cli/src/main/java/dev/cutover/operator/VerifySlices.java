package dev.cutover.operator;

import java.math.BigInteger;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where verify cuts a table's key range into slices that several connections walk at once: up to
 * {@code slices - 1} split keys, ascending, each the last key of its slice.
 *
 * <p>For a key, the candidates are values of the key's first column at equal fractions of the rows,
 * taken from the column's statistics ({@code pg_stats.histogram_bounds}, which {@code ANALYZE}
 * keeps); without them, for a one-column integer key, evenly between its {@code min} and {@code
 * max} (two index look-ups); otherwise (or when those give too few) from a sample of about 100
 * pages ({@code TABLESAMPLE SYSTEM}). Each first-column value is then turned into a real key, the
 * largest at or below it (one backward index look-up each), so slices end on existing keys and a
 * composite key's slice ends on a whole key. Split points only balance the work: whatever they
 * are, the slices tile the key range exactly, so a poor estimate costs time, never a row.
 *
 * <p>For a table without a key ({@code ctid} walk) the split points are page boundaries
 * {@code (page,0)} (no row has line 0), evenly over the table's pages; the last slice also takes the
 * pages added while it runs. That is as safe as one walk by pages: an updated row can move to any
 * page, ahead of or behind a walk, with one walker as with several.
 */
final class VerifySlices {

  /** Pages a sample reads at most (about 100 rows each on a narrow table). */
  private static final int SAMPLE_PAGES = 100;
  private static final Set<String> INTEGERS = Set.of("smallint", "integer", "bigint");

  private VerifySlices() {}

  /**
   * The split keys for up to {@code workers} slices of {@code table}'s key range after {@code after}
   * ({@code null}: the whole table): ascending, distinct, all after {@code after}. No more slices
   * than the table has chunks of {@code rangeRows} (by its estimated size: a table of one chunk
   * gains nothing from a second connection), and fewer when the estimates find too few distinct keys.
   */
  static List<String> splitKeys(Connection c, TableCatalog.Table table, RowKey key, String after, int workers,
      int rangeRows) throws SQLException {
    int slices = (int) Math.min(workers, Math.max(1, (long) Math.ceil(estimatedRows(c, table) / rangeRows)));
    if (slices < 2) {
      return List.of();
    }
    if (Verifier.isCtid(key)) {
      return pages(c, table, after, slices);
    }
    List<String> best = estimate(() -> resolve(c, table, key, after, pick(histogram(c, table, key, after), slices)));
    if (best.size() < slices - 1 && key.single() && INTEGERS.contains(key.types().get(0))) {
      best = better(best, estimate(() -> resolve(c, table, key, after, evenly(c, table, key, after, slices))));
    }
    if (best.size() < slices - 1) {
      best = better(best, estimate(() -> pick(sample(c, table, key, after), slices)));
    }
    return best;
  }

  /** One way of estimating split keys. */
  private interface Estimate {
    List<String> get() throws SQLException;
  }

  /**
   * The estimate's split keys, or none when it fails (a key type whose statistics do not read back
   * as text, say): split keys only balance the work, so a failed estimate means fewer slices, never
   * a failed verify. (The caller's connection is in autocommit: a failed statement leaves nothing
   * behind.)
   */
  private static List<String> estimate(Estimate e) throws SQLException {
    try {
      return e.get();
    } catch (SQLException ex) {
      if (ex.getSQLState() != null && ex.getSQLState().startsWith("08")) {
        throw ex; // the connection itself failed
      }
      return List.of();
    }
  }

  private static List<String> better(List<String> a, List<String> b) {
    return b.size() > a.size() ? b : a;
  }

  /** {@code slices - 1} values at equal fractions of {@code sorted} (its quantiles), distinct. */
  static List<String> pick(List<String> sorted, int slices) {
    List<String> out = new ArrayList<>();
    int n = sorted.size();
    for (int i = 1; i < slices && n > 0; i++) {
      String v = sorted.get((int) Math.max(0, (long) i * n / slices - 1));
      if (out.isEmpty() || !out.get(out.size() - 1).equals(v)) {
        out.add(v);
      }
    }
    return out;
  }

  /** The first key column's histogram bounds after {@code after}'s first column, in order. */
  private static List<String> histogram(Connection c, TableCatalog.Table table, RowKey key, String after)
      throws SQLException {
    String type = key.types().get(0);
    String quoted = key.columns().get(0);
    String column = quoted.substring(1, quoted.length() - 1).replace("\"\"", "\"");
    String afterFirst = key.single() ? "CAST(? AS " + type + ")" : "CAST((CAST(? AS text[]))[1] AS " + type + ")";
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT h.b FROM pg_catalog.pg_stats s"
        + " CROSS JOIN LATERAL unnest(s.histogram_bounds::text::text[]) WITH ORDINALITY AS h(b, ord)"
        + " WHERE s.schemaname = ? AND s.tablename = ? AND s.attname = ? AND NOT s.inherited"
        + (after == null ? "" : " AND CAST(h.b AS " + type + ") > " + afterFirst) + " ORDER BY h.ord")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.name());
      ps.setString(3, column);
      if (after != null) {
        ps.setString(4, after);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /** {@code slices - 1} values evenly between the integer key's smallest and largest after {@code after}. */
  private static List<String> evenly(Connection c, TableCatalog.Table table, RowKey key, String after, int slices)
      throws SQLException {
    String k = key.columns().get(0);
    try (PreparedStatement ps = c.prepareStatement("SELECT min(" + k + ")::text, max(" + k + ")::text FROM "
        + table.quoted() + (after == null ? "" : " WHERE " + k + " > " + key.param()))) {
      if (after != null) {
        key.bind(ps, 1, after);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getString(1) == null) {
          return List.of();
        }
        BigInteger lo = new BigInteger(rs.getString(1));
        BigInteger span = new BigInteger(rs.getString(2)).subtract(lo);
        List<String> out = new ArrayList<>();
        for (int i = 1; i < slices; i++) {
          out.add(lo.add(span.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(slices))).toString());
        }
        return out;
      }
    }
  }

  /** Whole keys, sorted, of the rows on about {@link #SAMPLE_PAGES} random pages (all rows of a small table). */
  private static List<String> sample(Connection c, TableCatalog.Table table, RowKey key, String after)
      throws SQLException {
    long pages = pages(c, table);
    double percent = pages <= SAMPLE_PAGES ? 100 : 100.0 * SAMPLE_PAGES / pages;
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT " + key.text() + " AS cutover_key FROM " + table.quoted()
        + String.format(Locale.ROOT, " TABLESAMPLE SYSTEM (%.6f)", percent)
        + (after == null ? "" : " WHERE " + key.row() + " > " + key.param()) + " ORDER BY " + key.order(false))) {
      if (after != null) {
        key.bind(ps, 1, after);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /**
   * For each first-column value, the largest key whose first column is at or below it (and after
   * {@code after}), in key order, distinct.
   */
  private static List<String> resolve(Connection c, TableCatalog.Table table, RowKey key, String after,
      List<String> firstValues) throws SQLException {
    if (firstValues.isEmpty()) {
      return List.of();
    }
    List<String> aliases = new ArrayList<>();
    List<String> selected = new ArrayList<>();
    for (int i = 0; i < key.columns().size(); i++) {
      aliases.add("r.cutover_k" + (i + 1));
      selected.add(key.columns().get(i) + " AS cutover_k" + (i + 1));
    }
    String sql = "SELECT r.cutover_key FROM unnest(CAST(? AS text[])) AS v(b) CROSS JOIN LATERAL (SELECT "
        + key.text() + " AS cutover_key, " + String.join(", ", selected) + " FROM " + table.quoted() + " WHERE "
        + key.columns().get(0) + " <= CAST(v.b AS " + key.types().get(0) + ")"
        + (after == null ? "" : " AND " + key.row() + " > " + key.param()) + " ORDER BY " + key.order(true)
        + " LIMIT 1) r ORDER BY " + String.join(", ", aliases);
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Array values = c.createArrayOf("text", firstValues.toArray());
      ps.setArray(1, values);
      if (after != null) {
        key.bind(ps, 2, after);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String k = rs.getString(1);
          if (out.isEmpty() || !out.get(out.size() - 1).equals(k)) {
            out.add(k);
          }
        }
      }
    }
    return out;
  }

  /** Page boundaries {@code (p,0)} evenly over the pages after {@code after}'s page. */
  private static List<String> pages(Connection c, TableCatalog.Table table, String after, int slices)
      throws SQLException {
    long start = after == null ? 0 : Verifier.pageOf(after);
    long pages = pages(c, table);
    List<String> out = new ArrayList<>();
    long previous = start;
    for (int i = 1; i < slices; i++) {
      long p = start + (pages - start) * i / slices;
      if (p > previous && p < pages) {
        out.add("(" + p + ",0)");
        previous = p;
      }
    }
    return out;
  }

  /** The table's rows as the planner estimates them: its rows per page (100 if unknown) times its pages now. */
  private static double estimatedRows(Connection c, TableCatalog.Table table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT reltuples, relpages,"
        + " pg_relation_size(oid) / current_setting('block_size')::int FROM pg_catalog.pg_class WHERE oid = ?")) {
      ps.setLong(1, table.oid());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return 0;
        }
        double perPage = rs.getDouble(1) > 0 && rs.getLong(2) > 0 ? rs.getDouble(1) / rs.getLong(2) : 100;
        return perPage * rs.getLong(3);
      }
    }
  }

  private static long pages(Connection c, TableCatalog.Table table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT pg_relation_size(?::oid) / current_setting('block_size')::int")) {
      ps.setLong(1, table.oid());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
