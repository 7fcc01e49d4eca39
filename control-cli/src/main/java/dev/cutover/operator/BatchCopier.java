package dev.cutover.operator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Copies one column (or an expression of the row, such as {@code up} of a column) into another in primary-key order, one short transaction per batch, touching
 * only rows where the two differ. Keys travel as text and are cast back to the key's type.
 */
final class BatchCopier {

  /**
   * One batch's outcome.
   *
   * @param rows rows updated
   * @param lastKey the highest key updated, or {@code null} when none was
   */
  record Batch(long rows, String lastKey) {}

  private final String table;
  private final String pk;
  private final String keyType;
  private final String target;
  private final String source;

  /**
   * @param table the table, quoted
   * @param pk the single primary-key column, unquoted
   * @param keyType its SQL type
   * @param target the column written, unquoted
   * @param source the value written: SQL over the row (the other column quoted, or up/down of it), typed as
   *     the target so that "differs" means the copy would change the row
   */
  BatchCopier(TableCatalog.Table table, TableCatalog.Column pk, String target, String source) {
    this.table = table.quoted();
    this.pk = Identifiers.quote(pk.name());
    this.keyType = pk.type();
    this.target = Identifiers.quote(target);
    this.source = source;
  }

  /** The largest key now, as text, or {@code null} for an empty table. */
  String maxKey(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT max(" + pk + ")::text FROM " + table)) {
      rs.next();
      return rs.getString(1);
    }
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

  private long count(Connection c, String afterKey, String maxKey, String filter) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE " + range(afterKey)
        + filter)) {
      bind(ps, afterKey, maxKey);
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
    String sql = "WITH upd AS (UPDATE " + table + " SET " + target + " = " + source + " WHERE " + pk + " IN ("
        + "SELECT " + pk + " FROM " + table + " WHERE " + range(afterKey) + " AND " + target + " IS DISTINCT FROM "
        + source + " ORDER BY " + pk + " LIMIT " + limit + " FOR UPDATE" + (skipLocked ? " SKIP LOCKED" : "")
        + ") RETURNING " + pk + ") SELECT count(*), max(" + pk + ")::text FROM upd";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, afterKey, maxKey);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Batch(rs.getLong(1), rs.getString(2));
      }
    }
  }

  private String range(String afterKey) {
    String upper = pk + " <= CAST(? AS " + keyType + ")";
    return afterKey == null ? upper : pk + " > CAST(? AS " + keyType + ") AND " + upper;
  }

  private static void bind(PreparedStatement ps, String afterKey, String maxKey) throws SQLException {
    int i = 1;
    if (afterKey != null) {
      ps.setString(i++, afterKey);
    }
    ps.setString(i, maxKey);
  }
}
