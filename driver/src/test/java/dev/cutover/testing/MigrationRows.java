package dev.cutover.testing;

import dev.cutover.migration.Phase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Writes rename migrations into an installed control schema by hand (the CLI's job in production),
 * for driver tests that need a phase change.
 */
public final class MigrationRows {

  private MigrationRows() {}

  /** Registers a rename of {@code public.table.oldColumn} to {@code newColumn}; returns its epoch. */
  public static long insertRename(Connection c, String schema, String id, String table, String oldColumn,
      String newColumn, Phase phase) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO \"" + schema + "\".migrations (id, table_schema, table_name, old_column, new_column,"
            + " physical_new_column, phase, epoch, spec) VALUES (?, 'public', ?, ?, ?, ?, ?,"
            + " nextval('\"" + schema + "\".epoch_seq'), '{}') RETURNING epoch")) {
      ps.setString(1, id);
      ps.setString(2, table);
      ps.setString(3, oldColumn);
      ps.setString(4, newColumn);
      ps.setString(5, newColumn);
      ps.setString(6, phase.sqlName());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Moves migration {@code id} to {@code phase} with a new epoch; returns the epoch. */
  public static long setPhase(Connection c, String schema, String id, Phase phase) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE \"" + schema + "\".migrations SET phase = ?, epoch = nextval('\"" + schema + "\".epoch_seq'),"
            + " updated_at = now() WHERE id = ? RETURNING epoch")) {
      ps.setString(1, phase.sqlName());
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalArgumentException("no migration " + id);
        }
        return rs.getLong(1);
      }
    }
  }
}
