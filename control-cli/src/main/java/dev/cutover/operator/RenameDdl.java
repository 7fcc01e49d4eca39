package dev.cutover.operator;

import dev.cutover.migration.ColumnMigration;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The DDL a rename runs on entering each phase, built from the live catalog so that {@code plan
 * --dry-run} prints exactly what {@code advance} will run.
 */
public final class RenameDdl {

  /** Suffix of the index copies built for the new column. */
  public static final String INDEX_SUFFIX = "_cutover";

  /**
   * One index to copy onto the new column.
   *
   * @param source the index on the old column
   * @param schema the schema both live in
   * @param copyName the copy's name ({@code <index>_cutover}, at most 63 bytes)
   * @param createSql {@code CREATE [UNIQUE] INDEX CONCURRENTLY ...}
   */
  public record IndexCopy(TableCatalog.Index source, String schema, String copyName, String createSql) {
    /** Drops a leftover copy (for a failed, invalid build). */
    public String dropSql() {
      return "DROP INDEX CONCURRENTLY IF EXISTS " + Identifiers.quote(schema, copyName);
    }
  }

  private RenameDdl() {}

  /**
   * {@code ALTER TABLE ... ADD COLUMN IF NOT EXISTS new <type of old> [COLLATE]}: nullable and without
   * a default (see {@link #setDefaultSql}).
   */
  public static String addColumn(Connection c, TableCatalog.Table table, TableCatalog.Column old, String newName)
      throws SQLException {
    StringBuilder sql = new StringBuilder("ALTER TABLE ").append(table.quoted())
        .append(" ADD COLUMN IF NOT EXISTS ").append(Identifiers.quote(newName)).append(' ').append(old.type());
    if (old.collation() != null) {
      sql.append(" COLLATE ").append(old.collation());
    }
    return sql.toString();
  }

  /**
   * The new column of migration {@code m}: for a rename as {@link #addColumn(Connection,
   * TableCatalog.Table, TableCatalog.Column, String)}; for a type change of the new type, without the
   * old collation. Never with a default: {@code ADD COLUMN ... DEFAULT} would give every existing row
   * the default, and an empty (NULL) new column is what says "not reached by the backfill yet" to
   * the lazy cut-over's {@code COALESCE(new, up(old))} and to the read touch (see {@link #setDefaultSql}).
   */
  public static String addColumn(Connection c, TableCatalog.Table table, TableCatalog.Column old, ColumnMigration m)
      throws SQLException {
    if (m.isRename()) {
      return addColumn(c, table, old, m.physicalNewColumn());
    }
    return "ALTER TABLE " + table.quoted() + " ADD COLUMN IF NOT EXISTS " + Identifiers.quote(m.physicalNewColumn())
        + " " + m.newType();
  }

  /**
   * The new column's {@code ALTER COLUMN ... SET DEFAULT}, or {@code null} when it gets none: the old
   * column's default for a rename, {@code up} of it for a type change (see {@link #newDefault}); a
   * volatile default is not carried (plan refuses it, except a type change's sequence).
   *
   * <p>It runs once every live instance has applied {@code dual_write}, not with the {@code ADD
   * COLUMN}: a default there would fill every existing row, and until then an instance still in
   * {@code planned} may insert a row with an explicit old value, which would get the default, not
   * {@code up(old)}, in the new column. After it, an INSERT that leaves the column out gets the old
   * default in the old column and its counterpart in the new one; before it, such a row's new
   * column stays empty until the backfill (or the lazy fill) reaches it.
   */
  public static String setDefaultSql(Connection c, TableCatalog.Table table, TableCatalog.Column old,
      ColumnMigration m) throws SQLException {
    String def;
    if (m.isRename()) {
      def = old.defaultExpr() != null && !old.identity() && !TableCatalog.mayBeVolatile(c, old.defaultExpr())
          ? old.defaultExpr() : null;
    } else {
      def = newDefault(c, old, m);
    }
    return def == null ? null : "ALTER TABLE " + table.quoted() + " ALTER COLUMN "
        + Identifiers.quote(m.physicalNewColumn()) + " SET DEFAULT " + def;
  }

  /**
   * A refusal when the old column's default is volatile and the new column cannot share its value:
   * an INSERT that omits the column would leave the new column NULL (or, with the same default,
   * give the two columns different values), and from {@code read_new} on the application would read
   * that. A type change of a sequence-backed column is the exception: the new column takes
   * {@code up(currval(...))} ({@link #newDefault}). {@code null} when there is nothing to refuse.
   */
  public static ColumnInspector.Finding volatileDefaultFinding(Connection c, TableCatalog.Column old, ColumnMigration m)
      throws SQLException {
    if (old.defaultExpr() == null || old.identity() || (!m.isRename() && isSequenceDefault(old))
        || !TableCatalog.mayBeVolatile(c, old.defaultExpr())) {
      return null;
    }
    return new ColumnInspector.Finding(ColumnInspector.Verdict.REFUSE, "volatile default",
        "DEFAULT " + old.defaultExpr(), "is volatile: an INSERT that omits " + Identifiers.quote(old.name())
            + " would give the old and the new column different values (or leave the new one NULL); drop the"
            + " default (ALTER TABLE ... ALTER COLUMN " + Identifiers.quote(old.name()) + " DROP DEFAULT) and have"
            + " the application write the column, then plan again");
  }

  private static boolean isSequenceDefault(TableCatalog.Column old) {
    return old.defaultExpr() != null && !old.identity()
        && old.defaultExpr().matches("nextval\\('(?:[^']|'')+'::regclass\\)");
  }

  /**
   * The new column's default for a type change: {@code up} of a non-volatile old default, {@code up}
   * of {@code currval} of a sequence default, or {@code null}.
   */
  public static String newDefault(Connection c, TableCatalog.Column old, ColumnMigration m) throws SQLException {
    if (isSequenceDefault(old)) {
      // A sequence (a serial key): the INSERT evaluates the old column's nextval first (column order),
      // so the new column takes the same number from currval.
      return m.upConversion().apply("currval(" + old.defaultExpr().substring("nextval(".length()));
    }
    if (old.defaultExpr() == null || old.identity() || TableCatalog.mayBeVolatile(c, old.defaultExpr())) {
      return null;
    }
    return m.upConversion().apply(old.defaultExpr());
  }

  /**
   * In place, at completed: the new column takes the old one's name (after the old one is dropped)
   * and each index copy the name of the index it copied (which went with the old column).
   */
  public static List<String> renameIntoPlace(Connection c, TableCatalog.Table table, ColumnMigration m)
      throws SQLException {
    List<String> sql = new ArrayList<>();
    sql.add("ALTER TABLE " + table.quoted() + " RENAME COLUMN " + Identifiers.quote(m.physicalNewColumn()) + " TO "
        + Identifiers.quote(m.newColumn()));
    // (a partitioned table's partitions have index copies of their own, one per level)
    List<TableCatalog.Table> tables = new ArrayList<>(List.of(table));
    tables.addAll(PartitionedTable.isPartitioned(table) ? PartitionedTable.descendants(c, table) : List.of());
    for (TableCatalog.Table t : tables) {
      TableCatalog.Column now = TableCatalog.findColumn(c, t.oid(), m.physicalNewColumn()).orElse(null);
      if (now == null) {
        continue;
      }
      for (TableCatalog.Index index : TableCatalog.indexesUsing(c, t.oid(), now.attnum())) {
        if (index.name().endsWith(INDEX_SUFFIX)) {
          String original = index.name().substring(0, index.name().length() - INDEX_SUFFIX.length());
          sql.add("ALTER INDEX IF EXISTS " + Identifiers.quote(index.schema(), index.name()) + " RENAME TO "
              + Identifiers.quote(original));
        }
      }
    }
    return sql;
  }

  /** {@code ALTER TABLE ... DROP COLUMN IF EXISTS column}. */
  public static String dropColumn(TableCatalog.Table table, String column) {
    return "ALTER TABLE " + table.quoted() + " DROP COLUMN IF EXISTS " + Identifiers.quote(column);
  }

  /** {@code <column>_deprecated}: what {@code --keep-old} renames the old column to. */
  public static String deprecatedName(String column) {
    return Identifiers.withSuffix(column, "_deprecated");
  }

  /** {@code ALTER TABLE ... RENAME COLUMN old TO old_deprecated}. */
  public static String keepOldSql(TableCatalog.Table table, String column) {
    return "ALTER TABLE " + table.quoted() + " RENAME COLUMN " + Identifiers.quote(column) + " TO "
        + Identifiers.quote(deprecatedName(column));
  }

  /** {@code <table>_<column>_cutover_backup}, shortened to fit 63 bytes. */
  public static String backupTable(TableCatalog.Table table, String column) {
    return Identifiers.withSuffix(table.name() + "_" + column, "_cutover_backup");
  }

  /** {@code CREATE TABLE <schema>.<table>_<column>_cutover_backup AS SELECT key..., column FROM table}. */
  public static String backupSql(TableCatalog.Table table, String column, List<String> key) {
    // (an in-place change of the key itself: the key is the column)
    return "CREATE TABLE " + Identifiers.quote(table.schema(), backupTable(table, column)) + " AS SELECT "
        + String.join(", ", key.stream().map(k -> k.startsWith("<") ? k : Identifiers.quote(k)).toList())
        + (key.contains(column) ? "" : ", " + Identifiers.quote(column)) + " FROM " + table.quoted();
  }

  /** The copies of every index that uses the old column (copies already made are excluded by name). */
  public static List<IndexCopy> indexCopies(
      Connection c, TableCatalog.Table table, TableCatalog.Column old, String newName) throws SQLException {
    List<IndexCopy> copies = new ArrayList<>();
    for (TableCatalog.Index index : TableCatalog.indexesUsing(c, table.oid(), old.attnum())) {
      String copyName = Identifiers.withSuffix(index.name(), INDEX_SUFFIX);
      copies.add(new IndexCopy(index, index.schema(), copyName,
          rewriteIndexDefinition(index.definition(), old.name(), newName, copyName)));
    }
    return copies;
  }

  /**
   * Turns {@code pg_get_indexdef} output into a {@code CREATE INDEX CONCURRENTLY} of a copy named
   * {@code copyName} in which every reference to column {@code oldName} reads {@code newName}.
   *
   * <p>Only identifiers after {@code USING} are candidates, and never a function name (followed by
   * {@code (}), a qualified part, a type after {@code ::} or a collation name.
   */
  public static String rewriteIndexDefinition(String definition, String oldName, String newName, String copyName) {
    String head;
    if (definition.startsWith("CREATE UNIQUE INDEX ")) {
      head = "CREATE UNIQUE INDEX CONCURRENTLY ";
    } else if (definition.startsWith("CREATE INDEX ")) {
      head = "CREATE INDEX CONCURRENTLY ";
    } else {
      throw new OperatorException("unexpected index definition: " + definition);
    }
    int i = definition.indexOf("INDEX ") + "INDEX ".length();
    i = skipIdentifier(definition, i);
    if (!definition.startsWith(" ON ", i)) {
      throw new OperatorException("unexpected index definition: " + definition);
    }
    String rest = definition.substring(i);
    return head + Identifiers.quote(copyName) + renameReferences(rest, oldName, newName, false);
  }

  /**
   * {@code expression} (as {@code pg_get_expr}/{@code pg_get_constraintdef} print it) with every
   * reference to column {@code oldName} reading {@code newName}: never a function name, a qualified
   * part, a type after {@code ::}, a collation name or text inside a string literal.
   */
  public static String renameColumnReferences(String expression, String oldName, String newName) {
    return renameReferences(expression, oldName, newName, true);
  }

  private static String renameReferences(String rest, String oldName, String newName, boolean afterUsing) {
    StringBuilder out = new StringBuilder();
    String prevToken = "";
    String prevWord = "";
    int n = rest.length();
    int p = 0;
    while (p < n) {
      char ch = rest.charAt(p);
      int start = p;
      if (ch == '\'') {
        p = skipQuoted(rest, p, '\'');
        out.append(rest, start, p);
        prevToken = "'";
        continue;
      }
      if (ch == '"' || Character.isLetter(ch) || ch == '_') {
        String name;
        if (ch == '"') {
          p = skipQuoted(rest, p, '"');
          name = rest.substring(start + 1, p - 1).replace("\"\"", "\"");
        } else {
          while (p < n && (Character.isLetterOrDigit(rest.charAt(p)) || rest.charAt(p) == '_' || rest.charAt(p) == '$')) {
            p++;
          }
          name = rest.substring(start, p);
        }
        int next = p;
        while (next < n && rest.charAt(next) == ' ') {
          next++;
        }
        boolean call = next < n && (rest.charAt(next) == '(' || rest.charAt(next) == '.');
        boolean column = afterUsing && name.equals(oldName) && !call && !prevToken.equals("::")
            && !prevToken.equals(".") && !prevWord.equalsIgnoreCase("COLLATE");
        out.append(column ? Identifiers.quote(newName) : rest.substring(start, p));
        if (ch != '"' && name.equals("USING")) {
          afterUsing = true;
        }
        prevToken = "w";
        prevWord = name;
        continue;
      }
      if (ch == ':' && p + 1 < n && rest.charAt(p + 1) == ':') {
        out.append("::");
        p += 2;
        prevToken = "::";
        continue;
      }
      out.append(ch);
      p++;
      if (ch != ' ') {
        prevToken = String.valueOf(ch);
        prevWord = "";
      }
    }
    return out.toString();
  }

  private static int skipIdentifier(String s, int i) {
    if (s.charAt(i) == '"') {
      return skipQuoted(s, i, '"');
    }
    while (i < s.length() && s.charAt(i) != ' ') {
      i++;
    }
    return i;
  }

  /** From an opening quote to just after its closing quote (doubled quotes are escapes). */
  private static int skipQuoted(String s, int i, char quote) {
    i++;
    while (i < s.length()) {
      if (s.charAt(i) == quote) {
        if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return i;
  }
}
