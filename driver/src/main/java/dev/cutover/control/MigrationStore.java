package dev.cutover.control;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Reads the registered migrations from the control schema into an immutable snapshot. */
public final class MigrationStore {

  private final ControlSchema schema;

  public MigrationStore(ControlSchema schema) {
    this.schema = schema;
  }

  /**
   * Loads every registered migration. Returns {@link MigrationSnapshot#EMPTY} when the control
   * schema is not installed, so that an application can connect before {@code cutover init}.
   */
  public MigrationSnapshot load(Connection connection) throws SQLException {
    int version = schema.installedVersion(connection);
    if (version == 0) {
      return MigrationSnapshot.EMPTY;
    }
    List<ColumnMigration> migrations = new ArrayList<>();
    long maxEpoch = 0;
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT " + MigrationRows.selectList(version) + " FROM " + schema.qualify("migrations")
                + " ORDER BY id")) {
      while (rs.next()) {
        ColumnMigration m = MigrationRows.read(rs);
        migrations.add(m);
        maxEpoch = Math.max(maxEpoch, m.epoch());
      }
    }
    return new MigrationSnapshot(maxEpoch, migrations);
  }
}
