package dev.cutover.rewriter;

import java.util.List;

/**
 * A table as the catalog sees it.
 *
 * @param schema the schema the table lives in
 * @param name the table's name
 * @param columns its physical columns, in attribute order (dropped columns excluded)
 */
public record TableInfo(String schema, String name, List<String> columns) {
  public TableInfo {
    columns = List.copyOf(columns);
  }
}
