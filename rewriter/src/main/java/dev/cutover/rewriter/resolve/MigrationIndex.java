package dev.cutover.rewriter.resolve;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The migrations of a snapshot indexed by table and by name, for the rewriter's lookups. */
public final class MigrationIndex {

  private final Map<String, List<ColumnMigration>> byTable = new HashMap<>();
  private final Map<String, List<ColumnMigration>> byTableName = new HashMap<>();
  private final Set<String> columnNames = new HashSet<>();
  private final MigrationSnapshot snapshot;

  /** Indexes {@code snapshot}. */
  public MigrationIndex(MigrationSnapshot snapshot) {
    this.snapshot = snapshot;
    for (ColumnMigration m : snapshot.migrations()) {
      byTable.computeIfAbsent(key(m.schema(), m.table()), k -> new ArrayList<>()).add(m);
      byTableName.computeIfAbsent(m.table(), k -> new ArrayList<>()).add(m);
      columnNames.add(m.oldColumn());
      columnNames.add(m.newColumn());
    }
    // A partition is its migrating table under another name: the same migrations (it has both columns).
    for (dev.cutover.migration.Partition p : snapshot.partitions()) {
      List<ColumnMigration> root = byTable.get(key(p.rootSchema(), p.rootTable()));
      if (root != null && !byTable.containsKey(key(p.schema(), p.table()))) {
        byTable.put(key(p.schema(), p.table()), root);
        byTableName.computeIfAbsent(p.table(), k -> new ArrayList<>()).addAll(root);
      }
    }
  }

  private static String key(String schema, String table) {
    return schema + '\u0000' + table;
  }

  /** The migrations of table {@code schema.table} (empty when none). */
  public List<ColumnMigration> forTable(String schema, String table) {
    return byTable.getOrDefault(key(schema, table), List.of());
  }

  /** The migrations of every table called {@code table}, in any schema (empty when none). */
  public List<ColumnMigration> forTableName(String table) {
    return byTableName.getOrDefault(table, List.of());
  }

  /**
   * Whether {@code text} (a string's contents, a body the server runs later) may name a migrating
   * table under any spelling: the snapshot's pre-check ({@link MigrationSnapshot#mayTouch}).
   */
  public boolean mayName(String text) {
    return snapshot.mayTouch(text);
  }

  /**
   * The migration to name when refusing {@code text}: the first whose table {@code text} may name,
   * or the first migration (off the hot path: allocates).
   */
  public ColumnMigration namedIn(String text) {
    for (ColumnMigration m : snapshot.migrations()) {
      if (new MigrationSnapshot(0, List.of(m)).mayTouch(text)) {
        return m;
      }
    }
    return snapshot.migrations().get(0);
  }

  /** Every migration of the snapshot. */
  public List<ColumnMigration> all() {
    return snapshot.migrations();
  }

  /** Whether {@code name} is the old or new name of some migration. */
  public boolean isColumnName(String name) {
    return columnNames.contains(name);
  }
}
