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
 * @param applied for a derived table Cutover made of a migrating table (a whole-row reference or a
 *     column alias list over it), the migrations whose columns it already reads under the
 *     application's names: a reference to them is a use of the name, with nothing to rewrite;
 *     empty otherwise
 */
public record FromItem(
    String alias, String schema, String table, String qualifierText, TableInfo info,
    List<ColumnMigration> migrations, List<ColumnMigration> applied) {

  /** An item that is not a derived table Cutover made. */
  public FromItem(String alias, String schema, String table, String qualifierText, TableInfo info,
      List<ColumnMigration> migrations) {
    this(alias, schema, table, qualifierText, info, migrations, List.of());
  }

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

  /** The migration whose old or new name is {@code name} among {@link #applied}, or {@code null}. */
  public ColumnMigration appliedFor(String name) {
    for (ColumnMigration m : applied) {
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
