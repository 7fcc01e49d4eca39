package dev.cutover.operator;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Proves that every row's new value equals {@code up(old)} (for a rename: {@code new IS NOT
 * DISTINCT FROM old}; for a type change {@code new IS NOT DISTINCT FROM CAST(up(old) AS new type)}), range by range of the primary key: row count, differing rows, and a checksum of
 * each column, so a report says where the differences are.
 */
public final class Verifier {

  /** Rows per key range. */
  public static final int DEFAULT_RANGE_ROWS = 10_000;
  /** How many differing keys a report lists. */
  public static final int MAX_KEYS = 10;

  /**
   * One key range that differs.
   *
   * @param fromKey exclusive lower key ({@code null}: from the start)
   * @param toKey inclusive upper key
   * @param rows rows in the range
   * @param differing rows whose values differ
   * @param oldChecksum checksum of the old column over the range
   * @param newChecksum checksum of the new column over the range
   */
  public record RangeMismatch(String fromKey, String toKey, long rows, long differing, String oldChecksum, String newChecksum) {}

  /**
   * @param rows rows checked
   * @param ranges key ranges checked
   * @param differing rows whose new value differs
   * @param firstKeys the first differing keys (primary key, or ctid without one), at most {@link #MAX_KEYS}
   * @param mismatches the ranges that differ
   */
  public record Result(long rows, long ranges, long differing, List<String> firstKeys, List<RangeMismatch> mismatches) {
    /** Whether every row matched. */
    public boolean clean() {
      return differing == 0 && mismatches.isEmpty();
    }
  }

  private final int rangeRows;

  /** @param rangeRows rows per key range */
  public Verifier(int rangeRows) {
    this.rangeRows = rangeRows;
  }

  /**
   * Verifies migration {@code m}, which must be in {@code dual_write} or {@code read_new}.
   *
   * @throws OperatorException naming the migration, the first row and the error when {@code up}
   *     cannot convert a row's old value
   */
  public Result verify(Connection c, ColumnMigration m) throws SQLException {
    try {
      return verifyRanges(c, m);
    } catch (SQLException e) {
      throw unconvertible(c, m, e, "verify");
    }
  }

  /**
   * When {@code e} is a data error of {@code up} (a type change's row that cannot be converted), the
   * exception to throw instead: an {@link OperatorException} naming the migration and, with a
   * one-column key, the first such row, its value and the error. Otherwise {@code e} itself.
   */
  static SQLException unconvertible(Connection c, ColumnMigration m, SQLException e, String what) throws SQLException {
    if (m.isRename() || !ConversionErrors.isDataError(e)) {
      return e;
    }
    if (!c.getAutoCommit()) {
      c.rollback();
    }
    TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
    for (TableCatalog.Table leaf : PartitionedTable.leaves(c, table)) {
      RowKey key = walkKey(c, leaf, m);
      String maxKey = key.max(c, leaf.quoted());
      if (maxKey != null) {
        ConversionErrors.locate(c, m, leaf, key, m.oldColumn(), m.typedFillSql(), null, maxKey, what);
      }
    }
    throw new OperatorException(what + " of migration '" + m.id() + "': up cannot convert a row of " + table.quoted()
        + " (" + TypeChangeCheck.firstLine(e) + "); find it with a query on " + Identifiers.quote(m.oldColumn())
        + ", fix it, or roll back to planned and plan the migration again with an expression that converts it", e);
  }

  private Result verifyRanges(Connection c, ColumnMigration m) throws SQLException {
    if (m.phase() != Phase.DUAL_WRITE && m.phase() != Phase.READ_NEW) {
      throw new OperatorException("migration '" + m.id() + "' is in phase " + m.phase().sqlName()
          + ": verify compares the old and new columns, which both are kept current only in dual_write and read_new");
    }
    TableCatalog.Table root = TableCatalog.requireTable(c, m.schema(), m.table());
    if (!PartitionedTable.isPartitioned(root)) {
      return verifyTable(c, m, root, "");
    }
    // Partition by partition, each by its own key; keys and ranges are named "partition: key".
    long rows = 0;
    long ranges = 0;
    long differing = 0;
    List<String> keys = new ArrayList<>();
    List<RangeMismatch> mismatches = new ArrayList<>();
    for (TableCatalog.Table leaf : PartitionedTable.leaves(c, root)) {
      Result r = verifyTable(c, m, leaf, leaf.quoted() + ": ");
      rows += r.rows();
      ranges += r.ranges();
      differing += r.differing();
      r.firstKeys().stream().limit(MAX_KEYS - keys.size()).forEach(keys::add);
      mismatches.addAll(r.mismatches());
    }
    return new Result(rows, ranges, differing, keys, mismatches);
  }

  private Result verifyTable(Connection c, ColumnMigration m, TableCatalog.Table table, String prefix)
      throws SQLException {
    RowKey key = walkKey(c, table, m);
    // The old column's side is what the new column must hold: the old value itself for a rename,
    // CAST(up(old) AS new type) for a type change (checksums then compare like with like).
    String oldCol = m.typedFillSql();
    String newCol = Identifiers.quote(m.physicalNewColumn());
    String differs = newCol + " IS DISTINCT FROM " + oldCol;
    String keyExpr = key.text();
    String aggregate = "SELECT count(*), count(*) FILTER (WHERE " + differs + "),"
        + " coalesce(sum(hashtextextended(" + oldCol + "::text, 0)::numeric), 0),"
        + " coalesce(sum(hashtextextended(" + newCol + "::text, 0)::numeric), 0) FROM " + table.quoted();

    List<RangeMismatch> mismatches = new ArrayList<>();
    long rows = 0;
    long differing = 0;
    long ranges = 0;
    c.setAutoCommit(true);
    String from = null;
    while (true) {
      String to;
      try (PreparedStatement ps = c.prepareStatement("SELECT " + keyExpr + " AS cutover_key FROM " + table.quoted()
          + (from == null ? "" : " WHERE " + key.row() + " > " + key.param()) + " ORDER BY " + key.order(false)
          + " OFFSET " + (rangeRows - 1) + " LIMIT 1")) {
        if (from != null) {
          key.bind(ps, 1, from);
        }
        try (ResultSet rs = ps.executeQuery()) {
          to = rs.next() ? rs.getString(1) : null;
        }
      }
      String where = " WHERE " + (from == null ? "TRUE" : key.row() + " > " + key.param())
          + (to == null ? "" : " AND " + key.row() + " <= " + key.param());
      RangeMismatch r = range(c, key, aggregate + where, from, to, prefix);
      rows += r.rows();
      differing += r.differing();
      ranges++;
      if (differs(r)) {
        mismatches.add(r);
      }
      if (to == null) {
        break;
      }
      from = to;
    }
    List<String> keys = new ArrayList<>();
    if (differing > 0 || !mismatches.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + keyExpr + " AS cutover_key FROM " + table.quoted()
          + " WHERE " + differs + " ORDER BY " + key.order(false) + " LIMIT " + MAX_KEYS);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(prefix + rs.getString(1));
        }
      }
    }
    return new Result(rows, ranges, differing, keys, mismatches);
  }

  /** Rows of migration {@code m}'s table whose new value differs, and the first of their keys. */
  static Result quickDiff(Connection c, ColumnMigration m) throws SQLException {
    return quickDiff(c, m, false);
  }

  /**
   * {@link #quickDiff(Connection, ColumnMigration)}; with {@code filledOnly}, only rows whose new
   * column is filled count (a lazily cut-over migration: an empty one is "not reached yet").
   */
  static Result quickDiff(Connection c, ColumnMigration m, boolean filledOnly) throws SQLException {
    try {
      return quickDiffRows(c, m, filledOnly);
    } catch (SQLException e) {
      throw unconvertible(c, m, e, "the comparison of old and new values");
    }
  }

  private static Result quickDiffRows(Connection c, ColumnMigration m, boolean filledOnly) throws SQLException {
    TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
    String differs = (filledOnly ? Identifiers.quote(m.physicalNewColumn()) + " IS NOT NULL AND " : "")
        + Identifiers.quote(m.physicalNewColumn()) + " IS DISTINCT FROM " + m.typedFillSql();
    long count;
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table.quoted() + " WHERE " + differs);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      count = rs.getLong(1);
    }
    List<String> keys = new ArrayList<>();
    // (a partitioned table's keys come partition by partition: a ctid names a row of one partition only)
    for (TableCatalog.Table leaf : count > 0 ? PartitionedTable.leaves(c, table) : List.<TableCatalog.Table>of()) {
      if (keys.size() >= MAX_KEYS) {
        break;
      }
      RowKey key = walkKey(c, leaf, m);
      String prefix = leaf == table ? "" : leaf.quoted() + ": ";
      try (PreparedStatement ps = c.prepareStatement("SELECT " + key.text() + " AS cutover_key FROM " + leaf.quoted()
          + " WHERE " + differs + " ORDER BY " + key.order(false) + " LIMIT " + (MAX_KEYS - keys.size()));
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(prefix + rs.getString(1));
        }
      }
    }
    return new Result(-1, 1, count, keys, List.of());
  }

  private static boolean differs(RangeMismatch r) {
    return r.differing() > 0 || !r.oldChecksum().equals(r.newChecksum());
  }

  private static RangeMismatch range(Connection c, RowKey key, String sql, String from, String to, String prefix)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (from != null) {
        i = key.bind(ps, i, from);
      }
      if (to != null) {
        key.bind(ps, i, to);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        BigDecimal oldSum = rs.getBigDecimal(3);
        BigDecimal newSum = rs.getBigDecimal(4);
        // (a partition's range is named with the partition, its open ends too)
        return new RangeMismatch(labelled(prefix, from, "start"), labelled(prefix, to, "end"), rs.getLong(1), rs.getLong(2), oldSum.toPlainString(), newSum.toPlainString());
      }
    }
  }

  private static String labelled(String prefix, String key, String openEnd) {
    return prefix.isEmpty() || key != null ? (key == null ? null : prefix + key) : prefix + openEnd;
  }

  /** The key verify walks (and names differing rows by): the backfill's. */
  static RowKey walkKey(Connection c, TableCatalog.Table table, ColumnMigration m) throws SQLException {
    return RowKey.of(c, table, java.util.Set.of(m.oldColumn(), m.physicalNewColumn()));
  }
}
