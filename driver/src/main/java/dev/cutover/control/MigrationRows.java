package dev.cutover.control;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The one mapping between a row of the control schema's {@code migrations} table and a
 * {@link ColumnMigration}: the select list and the reading of its fifteen columns live together
 * here, so the driver ({@link MigrationStore}) and the operator's CLI (its repository) cannot read
 * the same row differently.
 */
public final class MigrationRows {

  /**
   * Every column, in the order {@link #read} reads them. The two flags a later version added are
   * read through the whole row, {@code false} where the column does not exist yet, so that one
   * statement reads a schema of any version: with the version read first and the rows after, an
   * upgrade in between (the first rollback from new_only upgrades to version 5 and then sets the
   * stale flag) would have made a load read a set flag as {@code false} until the next epoch.
   */
  private static final String COLUMNS = "id, table_schema, table_name, old_column, new_column, physical_new_column,"
      + " up_expr, down_expr, new_type, phase, epoch, old_column_after, old_type, " + addedFlag("lazy") + ", "
      + addedFlag("old_stale");

  private MigrationRows() {}

  /**
   * The select list {@link #read} expects, over {@code FROM <schema>.migrations} without an alias
   * (the flags name the table's whole row), for a control schema of any version.
   */
  public static String selectList() {
    return COLUMNS;
  }

  private static String addedFlag(String column) {
    return "COALESCE((pg_catalog.to_jsonb(migrations) OPERATOR(pg_catalog.->>) '" + column + "')::boolean, false)";
  }

  /**
   * {@link #selectList} followed by whether the migration's table is partitioned (read by
   * {@link #isPartitioned}): the driver reads the partitions only of the tables that are, so a
   * migration of a plain table costs no further query.
   */
  public static String selectListWithPartitioned() {
    return COLUMNS + ", COALESCE((SELECT c.relkind = 'p' FROM pg_catalog.pg_class c"
        + " WHERE c.oid = pg_catalog.to_regclass(pg_catalog.quote_ident(table_schema) || '.'"
        + " || pg_catalog.quote_ident(table_name))), false)";
  }

  /** Whether the current row's table is partitioned (the row selected with {@link #selectListWithPartitioned}). */
  public static boolean isPartitioned(ResultSet rs) throws SQLException {
    return rs.getBoolean(16);
  }

  /** The migration on the current row of {@code rs}, selected with {@link #selectList}. */
  public static ColumnMigration read(ResultSet rs) throws SQLException {
    return new ColumnMigration(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(13),
        Phase.parse(rs.getString(10)), rs.getLong(11), rs.getString(12), rs.getBoolean(14),
        rs.getBoolean(15));
  }
}
