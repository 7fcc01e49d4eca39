package dev.cutover.control;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The one mapping between a row of the control schema's {@code migrations} table and a
 * {@link ColumnMigration}: the select list and the reading of its fourteen columns live together
 * here, so the driver ({@link MigrationStore}) and the operator's CLI (its repository) cannot read
 * the same row differently.
 */
public final class MigrationRows {

  /** Every column but the lazy flag, in the order {@link #read} reads them. */
  private static final String COLUMNS = "id, table_schema, table_name, old_column, new_column, physical_new_column,"
      + " up_expr, down_expr, new_type, phase, epoch, old_column_after, old_type, ";

  private MigrationRows() {}

  /**
   * The select list {@link #read} expects, for a control schema of {@code installedVersion} (before
   * the lazy cut-over flag existed, {@code false} stands in for it).
   */
  public static String selectList(int installedVersion) {
    return COLUMNS + ControlSchema.lazyColumn(installedVersion);
  }

  /** The migration on the current row of {@code rs}, selected with {@link #selectList}. */
  public static ColumnMigration read(ResultSet rs) throws SQLException {
    return new ColumnMigration(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(13),
        Phase.parse(rs.getString(10)), rs.getLong(11), rs.getString(12), rs.getBoolean(14));
  }
}
