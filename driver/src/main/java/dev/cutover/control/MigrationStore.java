package dev.cutover.control;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Partition;
import dev.cutover.migration.Phase;
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
            "SELECT id, table_schema, table_name, old_column, new_column, physical_new_column,"
                + " up_expr, down_expr, new_type, phase, epoch, old_column_after, old_type, "
                + ControlSchema.lazyColumn(version) + " FROM " + schema.qualify("migrations")
                + " ORDER BY id")) {
      while (rs.next()) {
        ColumnMigration m = new ColumnMigration(
            rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(13),
            Phase.parse(rs.getString(10)), rs.getLong(11), rs.getString(12), rs.getBoolean(14));
        migrations.add(m);
        maxEpoch = Math.max(maxEpoch, m.epoch());
      }
    }
    return new MigrationSnapshot(maxEpoch, migrations, migrations.isEmpty() ? List.of() : partitions(connection));
  }

  /**
   * Every partition, at any depth, of the migrated tables, read at each load: a partition created or
   * attached meanwhile is known from the next poll on (the CLI refuses to go on once the set changed).
   */
  private List<Partition> partitions(Connection connection) throws SQLException {
    List<Partition> partitions = new ArrayList<>();
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT DISTINCT n.nspname, c.relname, m.table_schema, m.table_name"
            + " FROM " + schema.qualify("migrations") + " m CROSS JOIN LATERAL pg_catalog.pg_partition_tree("
            + "pg_catalog.to_regclass(pg_catalog.quote_ident(m.table_schema) || '.' || pg_catalog.quote_ident(m.table_name)))"
            + " t JOIN pg_catalog.pg_class c ON c.oid = t.relid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE t.level > 0 ORDER BY 3, 4, 1, 2")) {
      while (rs.next()) {
        partitions.add(new Partition(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
      }
    }
    return partitions;
  }
}
