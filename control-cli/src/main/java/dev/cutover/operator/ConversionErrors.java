package dev.cutover.operator;

import dev.cutover.migration.ColumnMigration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a data error raised while a backfill or refill evaluates {@code up} (or {@code down}) over a
 * range of rows into a message naming the first row it fails on, its value and the error. Each
 * batch is its own transaction, so the failing batch wrote nothing; the rows before it are
 * checkpointed.
 */
final class ConversionErrors {

  private static final int CHUNK = 1000;

  private ConversionErrors() {}

  /** Whether {@code e} is a data exception (SQLSTATE class 22: out of range, invalid text, division by zero...). */
  static boolean isDataError(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("22");
  }

  /**
   * Throws an {@link OperatorException} naming the first key in ({@code afterKey}, {@code maxKey}]
   * (key order) on which {@code valueSql} fails, with the source column's value and the error; returns
   * when no single row fails (the error came from elsewhere: the caller rethrows it).
   */
  static void locate(Connection c, ColumnMigration m, TableCatalog.Table table, RowKey key,
      String sourceColumn, String valueSql, String afterKey, String maxKey, String what) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(true);
    try {
      String from = afterKey;
      while (true) {
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + key.text() + " AS cutover_key, "
            + Identifiers.quote(sourceColumn) + "::text AS cutover_value FROM " + table.quoted() + " WHERE " + key.range(from != null) + " ORDER BY " + key.order(false)
            + " LIMIT " + CHUNK)) {
          key.bindRange(ps, 1, from, maxKey);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              rows.add(new String[] {rs.getString(1), rs.getString(2)});
            }
          }
        }
        if (rows.isEmpty()) {
          return;
        }
        if (fails(c, table, key, valueSql, from, rows.get(rows.size() - 1)[0], false) != null) {
          for (String[] row : rows) {
            SQLException e = fails(c, table, key, valueSql, null, row[0], true);
            if (e != null) {
              throw new OperatorException(what + " of migration '" + m.id() + "' stopped at key " + row[0] + ": "
                  + (what.startsWith("refill") ? "down" : "up") + " cannot convert " + Identifiers.quote(sourceColumn)
                  + " = " + (row[1] == null ? "NULL" : "'" + row[1] + "'") + " (" + TypeChangeCheck.firstLine(e)
                  + "); nothing of that batch was written. Fix the row, or roll back to planned and plan the"
                  + " migration again with an expression that converts it; then run the command again");
            }
          }
        }
        from = rows.get(rows.size() - 1)[0];
      }
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /** The error evaluating {@code valueSql} over keys in ({@code from}, {@code to}] (just {@code to} when single), or null. */
  private static SQLException fails(Connection c, TableCatalog.Table table, RowKey key, String valueSql,
      String from, String to, boolean single) {
    String where = single ? key.row() + " = " + key.param() : key.range(from != null);
    try (PreparedStatement ps = c.prepareStatement("SELECT count(" + valueSql + ") FROM " + table.quoted()
        + " WHERE " + where)) {
      if (single) {
        key.bind(ps, 1, to);
      } else {
        key.bindRange(ps, 1, from, to);
      }
      ps.executeQuery().close();
      return null;
    } catch (SQLException e) {
      return e;
    }
  }
}
