package dev.cutover.jdbc;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.runtime.RewriteEngine;
import java.util.ArrayList;
import java.util.List;

/**
 * The column names of a snapshot's migrations that a result set may be asked for by label, each
 * with its migration and whether it is the old name, so that a lookup by such a label counts as a
 * use of that name for the quiet-period guard. A statement text shows the names it uses (the
 * rewriter records them); {@code SELECT *} shows none, yet an application that reads {@code
 * rs.getString("full_name")} from it still depends on the old name, and breaks once it is gone.
 *
 * <p>Implementation notes: immutable, one per snapshot (made by the connection on first use); a
 * result set keeps a bit per name and reports each name at most once, so a row loop costs a
 * comparison of the label's length per lookup at most, and nothing once every name is reported.
 * A label of another table that happens to equal a migrating column's name also counts: the guard
 * then waits longer, never shorter.
 */
final class NameLabels {

  private final RewriteEngine engine;
  private final String[] names;
  private final String[] ids;
  private final boolean[] old;

  private NameLabels(RewriteEngine engine, List<String> names, List<String> ids, List<Boolean> old) {
    this.engine = engine;
    this.names = names.toArray(String[]::new);
    this.ids = ids.toArray(String[]::new);
    this.old = new boolean[old.size()];
    for (int i = 0; i < this.old.length; i++) {
      this.old[i] = old.get(i);
    }
  }

  /** The labels of {@code snapshot}'s migrations that change a name, or null when none does (in place). */
  static NameLabels of(MigrationSnapshot snapshot, RewriteEngine engine) {
    List<String> names = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    List<Boolean> old = new ArrayList<>();
    for (ColumnMigration m : snapshot.migrations()) {
      if (!m.oldColumn().equals(m.newColumn())) {
        names.add(m.oldColumn());
        ids.add(m.id());
        old.add(true);
        names.add(m.newColumn());
        ids.add(m.id());
        old.add(false);
      }
    }
    return names.isEmpty() ? null : new NameLabels(engine, names, ids, old);
  }

  /**
   * A bit set with every name's bit: what a result set has left to report. Names from the 64th on
   * share the last bit, which is never cleared (they are compared at every lookup).
   */
  long all() {
    return names.length >= 64 ? -1L : (1L << names.length) - 1;
  }

  /**
   * Reports {@code label} when it is one of the names whose bit is set in {@code pending} (as
   * pgjdbc finds labels: ignoring case); returns {@code pending} without the reported bits.
   */
  long looked(String label, long pending) {
    if (label == null) {
      return pending;
    }
    for (int i = 0; i < names.length; i++) {
      long bit = 1L << Math.min(i, 63);
      if ((pending & bit) != 0 && names[i].length() == label.length() && names[i].equalsIgnoreCase(label)) {
        engine.recordNameUse(ids[i], old[i]);
        if (i < 63) {
          pending &= ~bit;
        }
      }
    }
    return pending;
  }
}
