package dev.cutover.rewriter.resolve;

import dev.cutover.migration.ColumnMigration;
import java.util.ArrayList;
import java.util.List;

/**
 * The FROM items visible to the expressions of one query level (or the target of a write), in
 * order, and what PostgreSQL would make of a column name among them.
 */
public final class Scope {

  /**
   * What a column reference resolves to when it names a migrating column.
   *
   * @param item the FROM item it belongs to
   * @param migration the migration of that column
   * @param name the folded name the application wrote
   * @param applied whether {@code item} is a derived table Cutover made that already reads the
   *     phase's column under {@code name} (a use of the name, nothing to rewrite)
   */
  public record Resolution(FromItem item, ColumnMigration migration, String name, boolean applied) {
    /** A reference that reads the migrating table's physical columns. */
    public Resolution(FromItem item, ColumnMigration migration, String name) {
      this(item, migration, name, false);
    }
  }

  /** Thrown when PostgreSQL's resolution of a migration column cannot be determined with certainty. */
  public static final class Unresolvable extends Exception {
    private static final long serialVersionUID = 1L;
    /** The migration concerned. */
    public final transient ColumnMigration migration;

    Unresolvable(ColumnMigration migration, String message) {
      super(message, null, false, false);
      this.migration = migration;
    }
  }

  private final Scope parent;
  private final List<FromItem> items = new ArrayList<>();
  /** Items reachable only through a qualifier, such as an upsert's {@code EXCLUDED}. */
  private final List<FromItem> qualifiedOnly = new ArrayList<>();
  /** Names merged by {@code JOIN ... USING} or {@code NATURAL JOIN}; {@code *} over them is refused. */
  private boolean mergedColumns;
  /** Common table expressions defined at this level ({@code WITH}), by folded name. */
  private final java.util.Map<String, FromItem> ctes = new java.util.HashMap<>();
  /**
   * Whether the clause of {@code parent}'s level that this level stands in runs after that level's
   * {@code GROUP BY} (its select list, {@code HAVING}, {@code ORDER BY} of a grouped query), where
   * only grouped expressions exist. Fixed when the scope is made: the enclosing clause does not
   * change while a query nested in it is planned.
   */
  private final boolean parentAfterGrouping;
  /** Migration columns merged by {@code JOIN ... USING (col)}: an unqualified reference means the merge. */
  private final java.util.Map<String, Resolution> merged = new java.util.HashMap<>();

  /** A top-level scope. */
  public Scope() {
    this(null);
  }

  /**
   * A scope whose unresolved names are looked up in {@code parent} (a correlated subquery), from a
   * clause of {@code parent}'s level that runs before its {@code GROUP BY}.
   */
  public Scope(Scope parent) {
    this(parent, false);
  }

  /**
   * A scope whose unresolved names are looked up in {@code parent}, standing in a clause of
   * {@code parent}'s level that runs after its {@code GROUP BY} when {@code parentAfterGrouping}.
   */
  public Scope(Scope parent, boolean parentAfterGrouping) {
    this.parent = parent;
    this.parentAfterGrouping = parentAfterGrouping;
  }

  /** The enclosing query's scope, or {@code null}. */
  public Scope parent() {
    return parent;
  }

  /** Whether this level stands in a clause of its parent's level that runs after its {@code GROUP BY}. */
  public boolean parentAfterGrouping() {
    return parentAfterGrouping;
  }

  /** Whether {@code item} is one of this level's own FROM items (not an enclosing level's). */
  public boolean owns(FromItem item) {
    for (FromItem own : items) {
      if (own == item) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code item} belongs to an enclosing level whose current clause runs after its {@code
   * GROUP BY}: a reference to it from here is a correlated reference into grouped rows.
   */
  public boolean isGroupedOuterItem(FromItem item) {
    for (Scope s = this; s.parent != null; s = s.parent) {
      if (s.parent.owns(item)) {
        return s.parentAfterGrouping;
      }
    }
    return false;
  }

  /** Adds a FROM item. */
  public void add(FromItem item) {
    items.add(item);
  }

  /** Adds an item that unqualified names never resolve to (an upsert's {@code EXCLUDED}). */
  public void addQualifiedOnly(FromItem item) {
    qualifiedOnly.add(item);
  }

  /** The items in FROM order. */
  public List<FromItem> items() {
    return items;
  }

  /** Marks that a USING or NATURAL join merges columns. */
  public void markMergedColumns() {
    mergedColumns = true;
  }

  /**
   * How this level's FROM items join, for {@code SELECT *} over merged columns: single items, and
   * joins of two trees with the names a USING or NATURAL join merges (empty for any other join).
   */
  public sealed interface FromTree permits FromTree.Item, FromTree.Join {
    /** One FROM item. */
    record Item(FromItem item) implements FromTree {}

    /**
     * A join of two trees.
     *
     * @param merged the names a USING or NATURAL join merges, folded, in the order PostgreSQL lists
     *     them; empty for other joins
     */
    record Join(FromTree left, FromTree right, List<String> merged) implements FromTree {}
  }

  private FromTree fromTree;

  /** Records how this level's FROM joins ({@code null}: not known). */
  public void recordFromTree(FromTree tree) {
    fromTree = tree;
  }

  /** How this level's FROM joins, or {@code null} when that is not known. */
  public FromTree fromTree() {
    return fromTree;
  }

  /** Whether a USING or NATURAL join merges columns. */
  public boolean hasMergedColumns() {
    return mergedColumns;
  }

  /**
   * Defines a common table expression visible to this scope and every scope below it; a later
   * definition of the same name at this level replaces the earlier one (a recursive CTE's columns
   * become known once its body is planned).
   */
  public void defineCte(String name, FromItem item) {
    ctes.put(name, item);
  }

  /** The common table expression an unqualified table name {@code name} designates here, or {@code null}. */
  public FromItem cte(String name) {
    for (Scope s = this; s != null; s = s.parent) {
      FromItem item = s.ctes.get(name);
      if (item != null) {
        return item;
      }
    }
    return null;
  }

  /**
   * A scope for a {@code LATERAL} subquery of this level: the items added so far are visible to it as
   * an enclosing level would be, in front of this level's parent.
   */
  public Scope lateralParent() {
    Scope s = new Scope(parent, parentAfterGrouping);
    s.items.addAll(items);
    s.qualifiedOnly.addAll(qualifiedOnly);
    s.mergedColumns = mergedColumns;
    s.merged.putAll(merged);
    return s;
  }

  /**
   * Records that {@code JOIN ... USING (name)} merged migration column {@code name}: an unqualified
   * reference to it resolves to {@code resolution} (both sides read the same physical column).
   */
  public void merge(String name, Resolution resolution) {
    merged.put(name, resolution);
  }

  /** Whether any item has a migrating column. */
  public boolean anyMigrating() {
    for (FromItem item : items) {
      if (item.isMigrating()) {
        return true;
      }
    }
    return false;
  }

  /** The item designated by {@code qualifier}, or {@code null}. */
  public FromItem byQualifier(List<String> qualifier) {
    for (FromItem item : items) {
      if (item.matches(qualifier)) {
        return item;
      }
    }
    for (FromItem item : qualifiedOnly) {
      if (item.matches(qualifier)) {
        return item;
      }
    }
    return null;
  }

  /**
   * The FROM item that {@code names} (folded; a name that is not a column) designates as a whole
   * row, as PostgreSQL decides: a bare name is a column when an item of this level or an enclosing
   * one has such a column, and only otherwise the row of the item of that name (innermost first);
   * {@code a.b} is a column of item {@code a} when there is one, otherwise the row of table
   * {@code a.b} (schema {@code a}).
   *
   * @return the item, or {@code null} when the names are a column or designate nothing known
   * @throws Unresolvable when they may be the whole row of a migrating table or a column of an item
   *     whose columns are unknown
   */
  public FromItem wholeRow(List<String> names) throws Unresolvable {
    if (names.size() == 1) {
      String name = names.get(0);
      boolean maybeColumn = false;
      for (Scope s = this; s != null; s = s.parent) {
        if (s.merged.containsKey(name)) {
          return null;
        }
        for (FromItem item : s.items) {
          if (!item.columnsKnown()) {
            maybeColumn = true;
          } else if (item.hasColumn(name)) {
            return null;
          }
        }
      }
      FromItem row = relation(names);
      if (row != null && maybeColumn && row.isMigrating()) {
        throw new Unresolvable(row.migrations().get(0), "'" + name + "' may be a column of a FROM item whose columns"
            + " are unknown (a subquery, function or unknown table) or the whole row of migrating table '"
            + row.table() + "'; qualify the column, or give the row reference an unambiguous alias");
      }
      return maybeColumn ? null : row;
    }
    if (names.size() == 2 && relation(names.subList(0, 1)) == null) {
      return relation(names);
    }
    if (names.size() == 3 && relation(names.subList(0, 2)) == null) {
      FromItem row = relation(names.subList(1, 3));
      if (row != null && row.isMigrating()) {
        throw new Unresolvable(row.migrations().get(0), "'" + String.join(".", names) + "' may be a whole-row"
            + " reference to migrating table '" + row.table() + "' written with a database name; use its alias");
      }
    }
    return null;
  }

  /** The item {@code qualifier} designates here or in an enclosing level (innermost first), or {@code null}. */
  public FromItem relation(List<String> qualifier) {
    for (Scope s = this; s != null; s = s.parent) {
      FromItem item = s.byQualifier(qualifier);
      if (item != null) {
        return item;
      }
    }
    return null;
  }

  /**
   * Resolves a column reference given as folded names ({@code col}, {@code q.col},
   * {@code s.t.col}).
   *
   * @return the migrating column it names, or {@code null} when it names no migrating column
   * @throws Unresolvable when it may name a migrating column but PostgreSQL's choice is uncertain
   */
  public Resolution resolve(List<String> names) throws Unresolvable {
    String column = names.get(names.size() - 1);
    if (names.size() > 1) {
      List<String> qualifier = names.subList(Math.max(0, names.size() - 3), names.size() - 1);
      if (names.size() == 4) {
        qualifier = names.subList(1, 3);
      }
      FromItem item = byQualifier(qualifier);
      if (item == null) {
        return parent == null ? null : parent.resolve(names);
      }
      ColumnMigration m = item.migrationFor(column);
      if (m == null) {
        m = item.appliedFor(column);
        return m == null ? null : new Resolution(item, m, column, true);
      }
      return new Resolution(item, m, column);
    }
    Resolution mergedColumn = merged.get(column);
    if (mergedColumn != null) {
      return mergedColumn;
    }
    FromItem found = null;
    ColumnMigration migration = null;
    FromItem appliedItem = null;
    int candidates = 0;
    boolean unknown = false;
    for (FromItem item : items) {
      if (!item.columnsKnown()) {
        unknown = true;
        ColumnMigration m = item.migrationFor(column);
        if (m != null) {
          migration = m;
          found = item;
        }
        continue;
      }
      if (item.hasColumn(column)) {
        candidates++;
        ColumnMigration m = item.migrationFor(column);
        if (m != null) {
          migration = m;
          found = item;
        } else if (item.appliedFor(column) != null) {
          appliedItem = item;
        }
      }
    }
    if (migration == null) {
      if (appliedItem != null && candidates == 1 && !unknown) {
        return new Resolution(appliedItem, appliedItem.appliedFor(column), column, true);
      }
      if (candidates > 0 || parent == null) {
        return null;
      }
      // Not a column here: PostgreSQL looks in the enclosing query (a correlated reference).
      Resolution outer = parent.resolve(names);
      if (outer != null && unknown) {
        throw new Unresolvable(outer.migration(), "column reference '" + column + "' in a subquery may belong to"
            + " a FROM item with unknown columns or to the outer query; qualify it");
      }
      return outer;
    }
    if (!found.columnsKnown()) {
      throw new Unresolvable(migration, "the catalog does not know the columns of table '" + found.table() + "'");
    }
    if (candidates > 1) {
      throw new Unresolvable(migration, "column reference '" + column + "' is ambiguous between FROM items");
    }
    if (unknown) {
      throw new Unresolvable(migration, "column reference '" + column
          + "' is unqualified and a FROM item (subquery, function or unknown table) has unknown columns;"
          + " qualify it with the table alias");
    }
    return new Resolution(found, migration, column);
  }
}
