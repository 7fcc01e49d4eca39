package dev.cutover.rewriter.resolve;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import dev.cutover.rewriter.TableInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns of a migrating table as the application knew them before the migration: the physical
 * columns minus the one Cutover added, with the migrating column under its old name at its old
 * place. Once the old physical column is gone, its place is taken from
 * {@link ColumnMigration#oldColumnAfter()} (recorded at plan time), which may be the old column of
 * another migration that is gone too (two adjacent columns migrating); it falls back to the new
 * column's physical place when that was not recorded or no longer exists.
 */
public final class AppColumns {

  /**
   * One application-visible column.
   *
   * @param name the name the application knows
   * @param migration the migration of this column, or {@code null}
   */
  public record AppColumn(String name, ColumnMigration migration) {}

  private AppColumns() {}

  /** The application's view of {@code info}, or {@code null} when the catalog shows neither column of a migration. */
  public static List<AppColumn> of(TableInfo info, List<ColumnMigration> migrations) {
    List<AppColumn> out = new ArrayList<>(info.columns().size());
    List<ColumnMigration> gone = new ArrayList<>();
    int placed = 0;
    for (String c : info.columns()) {
      ColumnMigration asOld = null;
      ColumnMigration asNew = null;
      for (ColumnMigration m : migrations) {
        if (m.oldColumn().equals(c)) {
          asOld = m;
        } else if (m.physicalNewColumn().equals(c)) {
          asNew = m;
        }
      }
      if (asOld != null && asOld.isInPlace() && asOld.phase() == Phase.COMPLETED && knownPlace(asOld, info, migrations)) {
        // In place, completed: the new column was renamed into place at the end of the table.
        gone.add(asOld);
        placed++;
      } else if (asOld != null) {
        out.add(new AppColumn(c, asOld));
        placed++;
      } else if (asNew != null) {
        if (!info.columns().contains(asNew.oldColumn())) {
          if (knownPlace(asNew, info, migrations)) {
            gone.add(asNew);
          } else {
            out.add(new AppColumn(asNew.oldColumn(), asNew));
          }
          placed++;
        }
      } else {
        out.add(new AppColumn(c, null));
      }
    }
    // A gone column's place may be after another gone column (two adjacent columns that both
    // migrated): insert each once its anchor is in the list, and the anchors first.
    while (!gone.isEmpty()) {
      boolean progress = false;
      for (int g = 0; g < gone.size(); g++) {
        ColumnMigration m = gone.get(g);
        int at = anchorIndex(out, m.oldColumnAfter());
        if (at < 0) {
          continue;
        }
        // Columns already placed at the same anchor were planned earlier (they went first): after them.
        while (at < out.size() && out.get(at).migration() != null && gone(out.get(at).migration(), info)
            && sameAnchor(out.get(at).migration(), m)) {
          at++;
        }
        out.add(at, new AppColumn(m.oldColumn(), m));
        gone.remove(g);
        progress = true;
        break;
      }
      if (!progress) {
        // An anchor that is no application column (a column Cutover added): first, as before.
        out.add(0, new AppColumn(gone.get(0).oldColumn(), gone.remove(0)));
      }
    }
    return placed == migrations.size() ? out : null;
  }

  /** Where a column placed after {@code after} goes in {@code out}, or -1 while its anchor is not there yet. */
  private static int anchorIndex(List<AppColumn> out, String after) {
    if (after.isEmpty()) {
      return 0;
    }
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).name().equals(after)) {
        return i + 1;
      }
    }
    return -1;
  }

  private static boolean sameAnchor(ColumnMigration a, ColumnMigration b) {
    return a.oldColumnAfter() != null && a.oldColumnAfter().equals(b.oldColumnAfter());
  }

  /** Whether {@code m}'s old column is no longer physical and has a recorded place. */
  private static boolean gone(ColumnMigration m, TableInfo info) {
    return !info.columns().contains(m.oldColumn()) || m.isInPlace() && m.phase() == Phase.COMPLETED;
  }

  /**
   * Whether {@code m}'s old column has a place to go back to: after nothing (first), after a column
   * still in the catalog, or after the old column of another migration of the table whose place is
   * known in turn (two adjacent columns that both migrated, the first one gone too).
   */
  private static boolean knownPlace(ColumnMigration m, TableInfo info, List<ColumnMigration> migrations) {
    ColumnMigration at = m;
    for (int hops = 0; hops <= migrations.size(); hops++) {
      String after = at.oldColumnAfter();
      if (after == null) {
        return false;
      }
      if (after.isEmpty() || info.columns().contains(after) && !isGoneInPlaceOld(after, migrations)) {
        return true;
      }
      ColumnMigration previous = null;
      for (ColumnMigration other : migrations) {
        if (other != at && other.oldColumn().equals(after)) {
          previous = other;
        }
      }
      if (previous == null) {
        return false;
      }
      at = previous;
    }
    return false; // a cycle: the recorded places contradict each other
  }

  /** Whether {@code column} is the old column of an in-place migration that completed (its name now holds the new column, at the end). */
  private static boolean isGoneInPlaceOld(String column, List<ColumnMigration> migrations) {
    for (ColumnMigration m : migrations) {
      if (m.oldColumn().equals(column) && m.isInPlace() && m.phase() == Phase.COMPLETED) {
        return true;
      }
    }
    return false;
  }
}
