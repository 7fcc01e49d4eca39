package dev.cutover.operator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * How the backfill, the refill and verify walk a table in batches: by its primary key (one column
 * or several), else by a unique index on {@code NOT NULL} columns, else by {@code ctid} (a row's
 * physical place).
 *
 * <p>Keys travel as text: a one-column key as the column's text, a composite key (or its position
 * in a walk) as a {@code text[]} literal such as {@code {7,"a b"}}, cast back to the key's types
 * where it is compared, so a checkpoint survives a restart. Comparisons are row comparisons
 * ({@code (a, b) > (x, y)}), which a B-tree on {@code (a, b)} serves.
 *
 * <p>A {@code ctid} walk is correct because every batch only copies rows that still differ: a row
 * that an update moved behind the walk was written by the driver (both columns, so it does not
 * differ) or is caught by the final pass over the whole range; a row moved past the walk's end is
 * such a row too.
 *
 * @param columns the key's SQL expressions (quoted columns, or {@code ctid}), in key order
 * @param types their SQL types
 * @param description what the key is, for messages ("primary key (a, b)", "ctid")
 */
public record RowKey(List<String> columns, List<String> types, String description) {

  /** Compact constructor: copies the lists. */
  public RowKey {
    columns = List.copyOf(columns);
    types = List.copyOf(types);
  }

  /**
   * The key to walk {@code table} by: its primary key, else the narrowest valid unique index on
   * {@code NOT NULL} columns (no expressions, no predicate) that none of {@code avoid} is part of
   * (a column being rewritten cannot order the walk), else {@code ctid}.
   */
  public static RowKey of(Connection c, TableCatalog.Table table, Set<String> avoid) throws SQLException {
    List<TableCatalog.Column> pk = TableCatalog.primaryKey(c, table.oid());
    if (!pk.isEmpty()) {
      return of(pk, "primary key");
    }
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT i.indexrelid, array_agg(a.attname ORDER BY k.ord) FROM pg_index i"
            + " CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)"
            + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
            + " WHERE i.indrelid = ? AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL"
            + " AND k.ord <= i.indnkeyatts"
            + " GROUP BY i.indexrelid, i.indnkeyatts HAVING bool_and(a.attnotnull)"
            + " ORDER BY i.indnkeyatts, i.indexrelid")) {
      ps.setLong(1, table.oid());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          List<String> names = List.of((String[]) rs.getArray(2).getArray());
          if (names.stream().noneMatch(avoid::contains)) {
            List<TableCatalog.Column> key = new ArrayList<>();
            for (String n : names) {
              key.add(TableCatalog.findColumn(c, table.oid(), n).orElseThrow());
            }
            return of(key, "unique key");
          }
        }
      }
    }
    return new RowKey(List.of("ctid"), List.of("tid"), "ctid (the table has no primary or unique NOT NULL key)");
  }

  private static RowKey of(List<TableCatalog.Column> key, String kind) {
    List<String> cols = key.stream().map(k -> Identifiers.quote(k.name())).toList();
    return new RowKey(cols, key.stream().map(TableCatalog.Column::type).toList(),
        kind + " (" + String.join(", ", cols) + ")");
  }

  /** Whether the key is one expression (its text is the plain value, not an array literal). */
  public boolean single() {
    return columns.size() == 1;
  }

  /** The key as text, over {@code exprs} (the key's columns, or aliases of them). */
  public String text(List<String> exprs) {
    if (single()) {
      return exprs.get(0) + "::text";
    }
    StringJoiner j = new StringJoiner(", ", "ARRAY[", "]::text");
    exprs.forEach(e -> j.add(e + "::text"));
    return j.toString();
  }

  /** The key as text over the table's own columns. */
  public String text() {
    return text(columns);
  }

  /** The key as a row ({@code (a, b)}, or {@code a}) over {@code exprs}. */
  public static String row(List<String> exprs) {
    return exprs.size() == 1 ? exprs.get(0) : "(" + String.join(", ", exprs) + ")";
  }

  /** The key as a row over the table's own columns. */
  public String row() {
    return row(columns);
  }

  /** {@code a, b} ascending, or with {@code " DESC"} after each. */
  public String order(boolean descending) {
    return String.join(", ", columns.stream().map(c -> descending ? c + " DESC" : c).toList());
  }

  /**
   * A key given as text (one parameter, bound {@link #parameters()} times by {@link #bind}), as a
   * row of the key's types.
   */
  public String param() {
    if (single()) {
      return "CAST(? AS " + types.get(0) + ")";
    }
    StringJoiner j = new StringJoiner(", ", "(", ")");
    for (int i = 0; i < types.size(); i++) {
      j.add("CAST((CAST(? AS text[]))[" + (i + 1) + "] AS " + types.get(i) + ")");
    }
    return j.toString();
  }

  /** How many JDBC parameters one {@link #param()} takes. */
  public int parameters() {
    return columns.size();
  }

  /**
   * Binds {@code key} to the {@link #param()} starting at parameter {@code index}.
   *
   * @return the next parameter index
   */
  public int bind(PreparedStatement ps, int index, String key) throws SQLException {
    for (int i = 0; i < parameters(); i++) {
      ps.setString(index++, key);
    }
    return index;
  }

  /** {@code key > after AND key <= max} (no lower bound when {@code after} is null). */
  public String range(boolean hasLowerBound) {
    String upper = row() + " <= " + param();
    return hasLowerBound ? row() + " > " + param() + " AND " + upper : upper;
  }

  /** Binds {@link #range}'s parameters; returns the next parameter index. */
  public int bindRange(PreparedStatement ps, int index, String after, String max) throws SQLException {
    if (after != null) {
      index = bind(ps, index, after);
    }
    return bind(ps, index, max);
  }

  /** The largest key now, as text, or {@code null} for an empty table. */
  public String max(Connection c, String quotedTable) throws SQLException {
    // Aliased: an output column named like the key column would be what ORDER BY sorts (as text).
    try (PreparedStatement ps = c.prepareStatement("SELECT " + text() + " AS cutover_key FROM " + quotedTable + " ORDER BY "
        + order(true) + " LIMIT 1"); ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }
}
