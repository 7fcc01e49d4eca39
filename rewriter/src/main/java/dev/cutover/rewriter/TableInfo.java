package dev.cutover.rewriter;

import java.util.List;

/**
 * A table as the catalog sees it.
 *
 * @param schema the schema the table lives in
 * @param name the table's name
 * @param columns its physical columns, in attribute order (dropped columns excluded)
 * @param primaryKey its primary-key columns in key order (empty when it has none, or unknown)
 */
public record TableInfo(String schema, String name, List<String> columns, List<String> primaryKey) {
  public TableInfo {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
  }

  /** A table whose primary key is not known. */
  public TableInfo(String schema, String name, List<String> columns) {
    this(schema, name, columns, List.of());
  }
}
