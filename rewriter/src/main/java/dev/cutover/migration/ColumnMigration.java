package dev.cutover.migration;

import java.util.Objects;

/**
 * One registered migration of one column, as the rewriter needs to see it: an immutable snapshot
 * taken at one epoch.
 *
 * <p>Names are stored as PostgreSQL stores them (already case-folded: an unquoted {@code Full_Name}
 * in the migration file is {@code full_name} here).
 *
 * @param id the migration id from the migration file
 * @param schema the table's schema, e.g. {@code public}
 * @param table the table's name
 * @param oldColumn the column the migration starts from (the application's old name)
 * @param newColumn the name the application may use for the migrated column (for an in-place type
 *     change, equal to {@code oldColumn})
 * @param physicalNewColumn the physical column that holds the new value until {@code completed}
 *     (equal to {@code newColumn} for a rename; a Cutover-chosen name for an in-place change)
 * @param up SQL expression computing the new value from the old one ({@code null} for a rename: the
 *     value is copied); the old column's name stands for the old value
 * @param down SQL expression computing the old value from the new one ({@code null} for a rename)
 * @param newType the new column's type for a type change, {@code null} for a rename
 * @param phase the current phase
 * @param epoch the epoch at which this phase was entered; grows with every phase change
 * @param oldColumnAfter the column the old column followed when the migration was planned ({@code ""}
 *     when it was the first column, {@code null} when not recorded): where the application expects the
 *     old name in {@code SELECT *} and positional {@code INSERT}s once the old physical column is gone
 */
public record ColumnMigration(
    String id,
    String schema,
    String table,
    String oldColumn,
    String newColumn,
    String physicalNewColumn,
    String up,
    String down,
    String newType,
    Phase phase,
    long epoch,
    String oldColumnAfter) {

  public ColumnMigration {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(oldColumn, "oldColumn");
    Objects.requireNonNull(newColumn, "newColumn");
    Objects.requireNonNull(physicalNewColumn, "physicalNewColumn");
    Objects.requireNonNull(phase, "phase");
  }

  /** A rename of {@code schema.table.oldColumn} to {@code newColumn}, at {@code phase}. */
  public static ColumnMigration rename(
      String id, String schema, String table, String oldColumn, String newColumn, Phase phase, long epoch) {
    return new ColumnMigration(id, schema, table, oldColumn, newColumn, newColumn, null, null, null, phase, epoch, null);
  }

  /** The same migration, recording the column the old one followed (see {@link #oldColumnAfter()}). */
  public ColumnMigration withOldColumnAfter(String after) {
    return new ColumnMigration(
        id, schema, table, oldColumn, newColumn, physicalNewColumn, up, down, newType, phase, epoch, after);
  }

  /** Whether this migration is a plain rename (the value is copied unchanged). */
  public boolean isRename() {
    return up == null;
  }

  /** The same migration at another phase and epoch. */
  public ColumnMigration at(Phase newPhase, long newEpoch) {
    return new ColumnMigration(
        id, schema, table, oldColumn, newColumn, physicalNewColumn, up, down, newType, newPhase, newEpoch, oldColumnAfter);
  }

  /** The physical column that reads come from in the current phase. */
  public String readColumn() {
    if (phase == Phase.COMPLETED) {
      return newColumn;
    }
    return phase.readsNew() ? physicalNewColumn : oldColumn;
  }
}
