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
 * {@link ColumnMigration#oldColumnAfter()} (recorded at plan time), falling back to the new
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
      if (asOld != null && asOld.isInPlace() && asOld.phase() == Phase.COMPLETED && knownPlace(asOld, info)) {
        // In place, completed: the new column was renamed into place at the end of the table.
        gone.add(asOld);
        placed++;
      } else if (asOld != null) {
        out.add(new AppColumn(c, asOld));
        placed++;
      } else if (asNew != null) {
        if (!info.columns().contains(asNew.oldColumn())) {
          if (knownPlace(asNew, info)) {
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
    for (ColumnMigration m : gone) {
      int at = 0;
      if (!m.oldColumnAfter().isEmpty()) {
        for (int i = 0; i < out.size(); i++) {
          if (out.get(i).name().equals(m.oldColumnAfter())) {
            at = i + 1;
            break;
          }
        }
      }
      out.add(at, new AppColumn(m.oldColumn(), m));
    }
    return placed == migrations.size() ? out : null;
  }

  private static boolean knownPlace(ColumnMigration m, TableInfo info) {
    String after = m.oldColumnAfter();
    return after != null && (after.isEmpty() || info.columns().contains(after));
  }
}
