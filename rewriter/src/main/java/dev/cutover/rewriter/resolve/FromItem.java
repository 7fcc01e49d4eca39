package dev.cutover.rewriter.resolve;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.rewriter.TableInfo;
import java.util.List;

/**
 * One item of a FROM clause (or the target of an INSERT, UPDATE or DELETE) as name resolution sees
 * it.
 *
 * @param alias the folded alias, or {@code null}
 * @param schema the folded schema as written, or {@code null}
 * @param table the folded table name as written, or {@code null} for a subquery or function
 * @param qualifierText the text the application can use to qualify its columns (alias or table as
 *     written), or {@code null} when there is none
 * @param info the catalog's table, or {@code null} when its columns are unknown
 * @param migrations the migrations of this table (empty when none)
 */
public record FromItem(
    String alias, String schema, String table, String qualifierText, TableInfo info,
    List<ColumnMigration> migrations) {

  /** Whether the item's columns are known (a catalog table). */
  public boolean columnsKnown() {
    return info != null;
  }

  /** Whether a column of this item is migrating. */
  public boolean isMigrating() {
    return !migrations.isEmpty();
  }

  /** Whether this item (known) has a column the application may call {@code name}. */
  public boolean hasColumn(String name) {
    if (migrationFor(name) != null) {
      return true;
    }
    return info != null && info.columns().contains(name);
  }

  /** The migration whose old or new name is {@code name}, or {@code null}. */
  public ColumnMigration migrationFor(String name) {
    for (ColumnMigration m : migrations) {
      if (m.oldColumn().equals(name) || m.newColumn().equals(name)) {
        return m;
      }
    }
    return null;
  }

  /** Whether {@code qualifier} (folded, 1 or 2 names) designates this item, as PostgreSQL decides. */
  public boolean matches(List<String> qualifier) {
    if (alias != null) {
      return qualifier.size() == 1 && qualifier.get(0).equals(alias);
    }
    if (table == null) {
      return false;
    }
    if (qualifier.size() == 1) {
      return qualifier.get(0).equals(table);
    }
    if (qualifier.size() == 2) {
      String s = schema != null ? schema : info != null ? info.schema() : null;
      return qualifier.get(1).equals(table) && qualifier.get(0).equals(s);
    }
    return false;
  }
}
