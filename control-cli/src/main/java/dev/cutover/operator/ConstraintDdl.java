package dev.cutover.operator;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Conversion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Carries the old column's {@code NOT NULL} and single-column {@code CHECK} constraints to the new
 * column without a long lock: each is added {@code NOT VALID} at {@code dual_write} (a brief lock,
 * no scan; new and updated rows are checked from then on) and validated on the advance to
 * {@code read_new}, after the backfill ({@code VALIDATE CONSTRAINT} scans under a lock that does not
 * block reads or writes). {@code NOT NULL} then becomes a real {@code SET NOT NULL}, which
 * PostgreSQL 12+ proves from the valid check without a scan, and the check is dropped.
 *
 * <p>In {@code new_only} the old column is no longer written, so its {@code NOT NULL} is dropped
 * on the advance there and restored (by the same check path, after the refill) on the rollback.
 */
public final class ConstraintDdl {

  /** Suffix of the temporary {@code IS NOT NULL} check behind a {@code SET NOT NULL}. */
  public static final String NOT_NULL_SUFFIX = "_cutover_not_null";

  /**
   * A check constraint of the old column, copied onto the new one.
   *
   * @param sourceName the old column's constraint
   * @param copyName the copy's name ({@code <name>_cutover})
   * @param addSql {@code ALTER TABLE ... ADD CONSTRAINT copy CHECK (...) NOT VALID}
   * @param validateSql {@code ALTER TABLE ... VALIDATE CONSTRAINT copy}
   */
  public record CheckCopy(String sourceName, String copyName, String addSql, String validateSql) {}

  private ConstraintDdl() {}

  /**
   * The single-column check constraints of {@code old}, as copies onto migration {@code m}'s new
   * column; for a type change the copy tests {@code down} of the new column (the old value), which
   * holds exactly when the original holds.
   */
  public static List<CheckCopy> checkCopies(Connection c, TableCatalog.Table table, TableCatalog.Column old,
      ColumnMigration m) throws SQLException {
    if (m.isRename()) {
      return checkCopies(c, table, old, m.physicalNewColumn());
    }
    String value = m.downConversion().apply(Identifiers.quote(m.physicalNewColumn()));
    List<CheckCopy> copies = new ArrayList<>();
    for (CheckCopy copy : checkCopies(c, table, old, Conversion.class.getName())) {
      // Computed on the rename copy, whose column references read a marker: replace them by down(new).
      copies.add(new CheckCopy(copy.sourceName(), copy.copyName(),
          copy.addSql().replace(Identifiers.quote(Conversion.class.getName()), value), copy.validateSql()));
    }
    return copies;
  }

  /** The single-column check constraints of {@code old}, as copies onto {@code newName}. */
  public static List<CheckCopy> checkCopies(Connection c, TableCatalog.Table table, TableCatalog.Column old,
      String newName) throws SQLException {
    List<CheckCopy> copies = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        + " WHERE conrelid = ? AND contype = 'c' AND conkey = ARRAY[?]::int2[] ORDER BY conname")) {
      ps.setLong(1, table.oid());
      ps.setInt(2, old.attnum());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String copyName = Identifiers.withSuffix(rs.getString(1), RenameDdl.INDEX_SUFFIX);
          String def = rs.getString(2).replace(" NOT VALID", "");
          String renamed = RenameDdl.renameColumnReferences(def, old.name(), newName);
          copies.add(new CheckCopy(rs.getString(1), copyName,
              "ALTER TABLE " + table.quoted() + " ADD CONSTRAINT " + Identifiers.quote(copyName) + " " + renamed
                  + " NOT VALID",
              "ALTER TABLE " + table.quoted() + " VALIDATE CONSTRAINT " + Identifiers.quote(copyName)));
        }
      }
    }
    return copies;
  }

  /**
   * Whether a NULL in the new column fails {@code copy} ({@code CHECK (col IS NOT NULL)}, a
   * {@code COALESCE}...). Such a copy cannot be added at dual_write: rows the backfill has not
   * reached, and the inserts of drivers still at planned, leave the new column NULL, and a NOT VALID
   * check still applies to every row written. It is added and validated on the advance to
   * read_new instead (with {@code NOT NULL}). An expression that cannot be evaluated on a NULL
   * counts as failing it.
   */
  public static boolean failsOnNull(Connection c, TableCatalog.Table table, CheckCopy copy, String newColumn,
      String newType) throws SQLException {
    String head = "ALTER TABLE " + table.quoted() + " ADD CONSTRAINT " + Identifiers.quote(copy.copyName()) + " CHECK ";
    String tail = " NOT VALID";
    String sql = copy.addSql();
    if (!sql.startsWith(head) || !sql.endsWith(tail)) {
      return true;
    }
    String expression = sql.substring(head.length(), sql.length() - tail.length());
    String probe = "SELECT count(*) FROM (SELECT NULL::" + newType + " AS " + Identifiers.quote(newColumn) + ") t"
        + " WHERE NOT " + expression;
    boolean inTransaction = !c.getAutoCommit();
    java.sql.Savepoint savepoint = inTransaction ? c.setSavepoint() : null;
    try (java.sql.Statement st = c.createStatement(); ResultSet rs = st.executeQuery(probe)) {
      rs.next();
      return rs.getLong(1) > 0;
    } catch (SQLException e) {
      if (savepoint != null) {
        c.rollback(savepoint);
        savepoint = null;
      }
      return true;
    } finally {
      if (savepoint != null) {
        c.releaseSavepoint(savepoint);
      }
    }
  }

  /**
   * Plan-time refusals: the old column's single-column checks that a NULL fails. In new_only the
   * old column is no longer written (its NOT NULL is dropped for that reason), so every insert
   * would fail such a check.
   */
  public static List<ColumnInspector.Finding> nullFailingChecks(Connection c, TableCatalog.Table table,
      TableCatalog.Column old) throws SQLException {
    List<ColumnInspector.Finding> refused = new ArrayList<>();
    for (CheckCopy check : checkCopies(c, table, old, old.name())) {
      if (failsOnNull(c, table, check, old.name(), old.type())) {
        refused.add(new ColumnInspector.Finding(ColumnInspector.Verdict.REFUSE, "check constraint",
            Identifiers.quote(check.sourceName()), "a NULL in " + Identifiers.quote(old.name()) + " fails it, and in"
                + " new_only the old column is no longer written, so every insert would fail it; if it stands for"
                + " NOT NULL, use ALTER TABLE " + table.quoted() + " ALTER COLUMN " + Identifiers.quote(old.name())
                + " SET NOT NULL (no scan while this check is valid, PostgreSQL 12+), drop the check, and plan again"));
      }
    }
    return refused;
  }

  /** The name of the temporary {@code IS NOT NULL} check of {@code column}. */
  public static String notNullCheckName(String column) {
    return Identifiers.withSuffix(column, NOT_NULL_SUFFIX);
  }

  /** {@code ADD CONSTRAINT <column>_cutover_not_null CHECK (column IS NOT NULL) NOT VALID}. */
  public static String addNotNullCheck(TableCatalog.Table table, String column) {
    return "ALTER TABLE " + table.quoted() + " ADD CONSTRAINT " + Identifiers.quote(notNullCheckName(column))
        + " CHECK (" + Identifiers.quote(column) + " IS NOT NULL) NOT VALID";
  }

  /** {@code VALIDATE CONSTRAINT} of the temporary check. */
  public static String validateNotNullCheck(TableCatalog.Table table, String column) {
    return "ALTER TABLE " + table.quoted() + " VALIDATE CONSTRAINT " + Identifiers.quote(notNullCheckName(column));
  }

  /** {@code SET NOT NULL} (no scan given the valid check), then the check is dropped. */
  public static List<String> setNotNull(TableCatalog.Table table, String column) {
    return List.of("ALTER TABLE " + table.quoted() + " ALTER COLUMN " + Identifiers.quote(column) + " SET NOT NULL",
        "ALTER TABLE " + table.quoted() + " DROP CONSTRAINT IF EXISTS " + Identifiers.quote(notNullCheckName(column)));
  }

  /** {@code ALTER COLUMN column DROP NOT NULL}. */
  public static String dropNotNull(TableCatalog.Table table, String column) {
    return "ALTER TABLE " + table.quoted() + " ALTER COLUMN " + Identifiers.quote(column) + " DROP NOT NULL";
  }

  /** The whole {@code NOT NULL} path for dry runs: add NOT VALID, validate, set, drop the check. */
  public static List<String> notNullPath(TableCatalog.Table table, String column) {
    List<String> sql = new ArrayList<>();
    sql.add(addNotNullCheck(table, column));
    sql.add(validateNotNullCheck(table, column));
    sql.addAll(setNotNull(table, column));
    return sql;
  }

  /** Whether constraint {@code name} exists on the table, and whether it is validated. */
  public static Optional<Boolean> constraintValidated(Connection c, long tableOid, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT convalidated FROM pg_constraint WHERE conrelid = ? AND conname = ?")) {
      ps.setLong(1, tableOid);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getBoolean(1)) : Optional.empty();
      }
    }
  }
}
