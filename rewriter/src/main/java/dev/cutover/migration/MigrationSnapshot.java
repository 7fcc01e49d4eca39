package dev.cutover.migration;

import java.util.List;

/**
 * Every registered migration at one moment, with the highest epoch among them. Immutable; the driver
 * swaps a whole new snapshot in when the control schema changes.
 *
 * @param epoch the global epoch of this snapshot (the highest migration epoch, 0 when empty)
 * @param migrations the migrations, at most one per column
 */
public record MigrationSnapshot(long epoch, List<ColumnMigration> migrations) {

  /** The snapshot with no migration at all: every statement passes through untouched. */
  public static final MigrationSnapshot EMPTY = new MigrationSnapshot(0, List.of());

  public MigrationSnapshot {
    migrations = List.copyOf(migrations);
  }

  /** Whether no migration is registered; the hot path checks this first. */
  public boolean isEmpty() {
    return migrations.isEmpty();
  }

  /**
   * A cheap, conservative pre-check: whether {@code sql} could mention a migrating table. When
   * false the statement needs no parsing at all.
   */
  public boolean mayTouch(String sql) {
    for (ColumnMigration m : migrations) {
      if (containsIgnoreCase(sql, m.table())) {
        return true;
      }
    }
    return false;
  }

  /** Case-insensitive (ASCII) substring search that allocates nothing. */
  static boolean containsIgnoreCase(String text, String word) {
    int n = word.length();
    for (int i = 0, last = text.length() - n; i <= last; i++) {
      if (text.regionMatches(true, i, word, 0, n)) {
        return true;
      }
    }
    return false;
  }
}
