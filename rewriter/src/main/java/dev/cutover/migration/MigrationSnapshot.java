package dev.cutover.migration;

import dev.cutover.rewriter.lex.WordSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Every registered migration at one moment, with the highest epoch among them. Immutable; the driver
 * swaps a whole new snapshot in when the control schema changes.
 *
 * <p>Also the hot path's pre-filter: {@link #mayTouch(String)} decides in one allocation-free pass
 * over the text whether a statement could name a migrating table.
 */
public final class MigrationSnapshot {

  /** The snapshot with no migration at all: every statement passes through untouched. */
  public static final MigrationSnapshot EMPTY = new MigrationSnapshot(0, List.of());

  private final long epoch;
  private final List<ColumnMigration> migrations;
  private final List<Partition> partitions;
  private final WordSet tableWords;
  // Table names that are not single words (quoted names with spaces, dots, $...): substring search,
  // for the name as written inside double quotes (a " doubled) as well as bare.
  private final String[] otherTables;

  /**
   * @param epoch the global epoch of this snapshot (the highest migration epoch, 0 when empty)
   * @param migrations the migrations, at most one per column
   */
  public MigrationSnapshot(long epoch, List<ColumnMigration> migrations) {
    this(epoch, migrations, List.of());
  }

  /**
   * @param epoch the global epoch of this snapshot (the highest migration epoch, 0 when empty)
   * @param migrations the migrations, at most one per column
   * @param partitions the partitions of the migrating tables (a statement naming one is a statement
   *     on its migrating table)
   */
  public MigrationSnapshot(long epoch, List<ColumnMigration> migrations, List<Partition> partitions) {
    this.epoch = epoch;
    this.migrations = List.copyOf(migrations);
    this.partitions = List.copyOf(partitions);
    Set<String> words = new HashSet<>();
    List<String> others = new ArrayList<>();
    List<String> names = new ArrayList<>();
    this.migrations.forEach(m -> names.add(m.table()));
    this.partitions.forEach(p -> names.add(p.table()));
    for (String table : names) {
      if (WordSet.isWord(table)) {
        words.add(table);
      } else {
        others.add(table);
        if (table.indexOf('"') >= 0) {
          others.add(table.replace("\"", "\"\""));
        }
      }
    }
    this.tableWords = new WordSet(words, true);
    this.otherTables = others.toArray(String[]::new);
  }

  /** The global epoch of this snapshot (the highest migration epoch, 0 when empty). */
  public long epoch() {
    return epoch;
  }

  /** The migrations, at most one per column. */
  public List<ColumnMigration> migrations() {
    return migrations;
  }

  /** The partitions, at any depth, of the migrating tables. */
  public List<Partition> partitions() {
    return partitions;
  }

  /**
   * Whether {@code schema.table} is migration {@code m}'s table or one of its partitions (whose rows
   * are rows of the migrating table).
   */
  public boolean isTableOf(ColumnMigration m, String schema, String table) {
    if (m.schema().equals(schema) && m.table().equals(table)) {
      return true;
    }
    for (Partition p : partitions) {
      if (p.schema().equals(schema) && p.table().equals(table)) {
        return p.rootSchema().equals(m.schema()) && p.rootTable().equals(m.table());
      }
    }
    return false;
  }

  /** Whether no migration is registered; the hot path checks this first. */
  public boolean isEmpty() {
    return migrations.isEmpty();
  }

  /**
   * A cheap, conservative pre-check: whether {@code sql} could mention a migrating table under any
   * spelling PostgreSQL accepts (see {@link WordSet}). When false the statement needs no parsing at
   * all and reaches the server unchanged.
   */
  public boolean mayTouch(String sql) {
    if (tableWords.foundIn(sql)) {
      return true;
    }
    if (otherTables.length > 0 && WordSet.holdsEscapes(sql)) {
      return true;
    }
    for (String table : otherTables) {
      if (containsIgnoreCase(sql, table)) {
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

  @Override
  public boolean equals(Object o) {
    return o instanceof MigrationSnapshot other && epoch == other.epoch && migrations.equals(other.migrations)
        && partitions.equals(other.partitions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(epoch, migrations, partitions);
  }

  @Override
  public String toString() {
    return "MigrationSnapshot[epoch=" + epoch + ", migrations=" + migrations
        + (partitions.isEmpty() ? "" : ", partitions=" + partitions) + "]";
  }
}
