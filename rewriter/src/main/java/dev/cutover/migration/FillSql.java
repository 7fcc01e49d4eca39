package dev.cutover.migration;

/**
 * The one place that says how a migration's other column is computed from the column being
 * copied: the backfill ({@code cutover backfill}), the driver's lazy migration of rows a SELECT
 * returned, and the refill of a rollback from {@code new_only} all build their SQL from here.
 *
 * <p>Both expressions are unqualified: they name the table's physical columns and are meant for
 * the {@code SET} list and the {@code WHERE} of an {@code UPDATE} of the migration's table, e.g.
 * {@code UPDATE t SET "new" = <fill> WHERE ... AND "new" IS DISTINCT FROM <fill>}.
 */
public final class FillSql {

  private FillSql() {}

  /**
   * The SQL expression for the new column's value of a row, computed from the row's old column:
   * for a rename, the quoted old column itself (the value is copied).
   */
  public static String fillExpression(ColumnMigration m) {
    return quote(m.oldColumn());
  }

  /**
   * The SQL expression for the old column's value of a row, computed from the row's new column
   * (the refill of a rollback from {@code new_only}): for a rename, the quoted physical new column.
   */
  public static String refillExpression(ColumnMigration m) {
    return quote(m.physicalNewColumn());
  }

  /** Always double-quoted, so that no name can be read as a keyword. */
  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
