package dev.cutover.rewriter;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A map-backed {@link Catalog} for tests: every table lives in schema {@code public} unless stated. */
final class MapCatalog implements Catalog {

  private final Map<String, TableInfo> tables = new HashMap<>();

  MapCatalog with(String schema, String table, String... columns) {
    tables.put(schema + "." + table, new TableInfo(schema, table, List.of(columns)));
    return this;
  }

  @Override
  public TableInfo table(String schema, String table) {
    return tables.get((schema == null ? "public" : schema) + "." + table);
  }
}
