package dev.cutover.control;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Partition;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
    List<String> partitionedSchemas = new ArrayList<>();
    List<String> partitionedTables = new ArrayList<>();
    long maxEpoch = 0;
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT " + MigrationRows.selectListWithPartitioned() + " FROM " + schema.qualify("migrations")
                + " ORDER BY id")) {
      while (rs.next()) {
        ColumnMigration m = MigrationRows.read(rs);
        migrations.add(m);
        maxEpoch = Math.max(maxEpoch, m.epoch());
        if (MigrationRows.isPartitioned(rs)) {
          partitionedSchemas.add(m.schema());
          partitionedTables.add(m.table());
        }
      }
    }
    return new MigrationSnapshot(maxEpoch, migrations, partitionedTables.isEmpty() ? List.of()
        : partitions(connection, partitionedSchemas, partitionedTables));
  }

  /**
   * Every partition, at any depth, of the migrated tables that are partitioned, read at each load
   * (and only when some are): a partition created or attached meanwhile is known from the next poll
   * on (the CLI refuses to go on once the set changed). A walk down {@code pg_inherits} by its index:
   * {@code pg_partition_tree} cost several times more on a table of 1,000 partitions, and joined to
   * the migrations its row estimates switched JIT compilation on.
   */
  private static List<Partition> partitions(Connection connection, List<String> schemas, List<String> tables)
      throws SQLException {
    List<Partition> partitions = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement("WITH RECURSIVE tree(relid, s, t) AS ("
        + "SELECT DISTINCT pg_catalog.to_regclass(pg_catalog.quote_ident(r.s) || '.' || pg_catalog.quote_ident(r.t))::oid,"
        + " r.s, r.t FROM unnest(CAST(? AS text[]), CAST(? AS text[])) AS r(s, t)"
        + " UNION ALL SELECT i.inhrelid, tree.s, tree.t FROM pg_catalog.pg_inherits i JOIN tree ON i.inhparent = tree.relid)"
        + " SELECT n.nspname, c.relname, tree.s, tree.t FROM tree"
        + " JOIN pg_catalog.pg_class c ON c.oid = tree.relid AND c.relispartition"
        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ORDER BY 3, 4, 1, 2")) {
      ps.setObject(1, TextArrays.of(schemas));
      ps.setObject(2, TextArrays.of(tables));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          partitions.add(new Partition(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        }
      }
    }
    return partitions;
  }
}
