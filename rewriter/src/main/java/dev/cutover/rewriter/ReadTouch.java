package dev.cutover.rewriter;

import java.util.List;

/**
 * Lazy migration of the rows a SELECT returns: the rewritten SELECT projects, after the
 * application's own columns, hidden columns that the driver removes from the result set and its
 * metadata: the primary key of the migrating table (one column per key column), then a boolean
 * that is true when the row's new column still needs filling. The driver queues those rows' keys
 * and fills them in the background.
 *
 * @param target which table and migrations the hidden columns are about
 * @param plainSql the same rewrite without the hidden columns (for callers that cannot hide them,
 *     such as a {@code CallableStatement})
 * @param plainParameterMap the parameter map of {@code plainSql}, or {@code null} when the
 *     application's parameters keep their positions in it
 */
public record ReadTouch(Target target, String plainSql, int[] plainParameterMap) {

  /**
   * The table whose rows are touched.
   *
   * @param schema the table's schema
   * @param table the table's name
   * @param keyColumns its primary-key columns, in key order: the first hidden columns
   * @param migrationIds the migrations (all in {@code dual_write}, or lazily cut over to
   *     {@code read_new}, when the statement was rewritten)
   *     whose new column the touch fills
   */
  public record Target(String schema, String table, List<String> keyColumns, List<String> migrationIds) {
    public Target {
      keyColumns = List.copyOf(keyColumns);
      migrationIds = List.copyOf(migrationIds);
    }

    /** How many trailing columns are hidden: the key columns and the needs-fill flag. */
    public int hiddenColumns() {
      return keyColumns.size() + 1;
    }

    // equals and hashCode written out: a record's generated ones are bootstrapped through method
    // handles at their first use (the lazy migration hashes a Target per key it queues), which
    // spins classes in the application's JVM. Same meaning: component by component.
    @Override
    public boolean equals(Object o) {
      return o instanceof Target t && java.util.Objects.equals(schema, t.schema)
          && java.util.Objects.equals(table, t.table) && keyColumns.equals(t.keyColumns)
          && migrationIds.equals(t.migrationIds);
    }

    @Override
    public int hashCode() {
      int h = java.util.Objects.hashCode(schema);
      h = 31 * h + java.util.Objects.hashCode(table);
      h = 31 * h + keyColumns.hashCode();
      return 31 * h + migrationIds.hashCode();
    }
  }
}
