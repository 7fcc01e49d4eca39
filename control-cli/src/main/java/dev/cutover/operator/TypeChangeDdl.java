package dev.cutover.operator;

import dev.cutover.migration.ColumnMigration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a type change carries to the new column besides what a rename carries, and what it cannot:
 * plain indexes are copied onto the new column as they are (the new type's default operator class);
 * an index with an expression or a predicate over the column is not (its expression may not mean the
 * same, or not even type-check, on the new type), so plan refuses it; a {@code CHECK} is carried
 * through {@code down}; a non-volatile default through {@code up}.
 */
final class TypeChangeDdl {

  private TypeChangeDdl() {}

  /**
   * The generic inspection's findings as they apply to a type change: in place, a single-column
   * primary key is carried (its unique index is built on the new column at dual_write and the key
   * moved onto it at completed) and the serial sequence it owns too; a foreign key that references
   * the column is refused with what to do.
   */
  static List<ColumnInspector.Finding> adjust(Connection c, TableCatalog.Table table, TableCatalog.Column old,
      ColumnMigration m, List<ColumnInspector.Finding> findings) throws SQLException {
    return adjust(c, table, old, m, findings, java.util.Set.of());
  }

  /**
   * {@link #adjust(Connection, TableCatalog.Table, TableCatalog.Column, ColumnMigration, List)}; the
   * foreign keys described in {@code carried} ({@code pg_describe_object}) are carried by the key's
   * group (see {@link ForeignKeyGroup}).
   */
  static List<ColumnInspector.Finding> adjust(Connection c, TableCatalog.Table table, TableCatalog.Column old,
      ColumnMigration m, List<ColumnInspector.Finding> findings, java.util.Set<String> carried) throws SQLException {
    boolean singleKey = TableCatalog.primaryKey(c, table.oid()).size() == 1;
    Optional<SequenceDefault> sequence = sequenceDefault(c, table, old);
    List<ColumnInspector.Finding> out = new ArrayList<>();
    for (ColumnInspector.Finding f : findings) {
      if (m.isInPlace() && singleKey && f.kind().equals("primary key")) {
        out.add(new ColumnInspector.Finding(ColumnInspector.Verdict.CARRIED, f.kind(), f.object(), "a unique index"
            + " is built CONCURRENTLY on the new column at dual_write; at completed, in one short transaction, the"
            + " key constraint moves onto it (ADD CONSTRAINT ... PRIMARY KEY USING INDEX), the old column is dropped"
            + " and the new one renamed into place"));
        if (sequence.isEmpty()) {
          out.add(new ColumnInspector.Finding(ColumnInspector.Verdict.MANUAL, "primary key without a sequence",
              f.object(), "the old key column stays the key (NOT NULL) until completed, but new_only writes only the"
              + " new column: an INSERT in new_only would leave the old key NULL and fail; go from read_new to"
              + " completed without pausing in new_only, or give the key a default"));
        }
      } else if (m.isInPlace() && sequence.isPresent() && f.kind().equals("owned sequence")) {
        out.add(new ColumnInspector.Finding(ColumnInspector.Verdict.CARRIED, f.kind(), f.object(),
            "moves to the new column at completed (see the sequence default)"));
      } else if (f.kind().equals("foreign key") && m.isInPlace() && carried.contains(f.object())) {
        out.add(new ColumnInspector.Finding(ColumnInspector.Verdict.CARRIED, f.kind(), f.object(), "moves with the"
            + " referenced key's group: added on the new columns NOT VALID and validated on the advance to read_new,"
            + " the original dropped on the advance to new_only, the new one renamed to its name at completed"));
      } else if (f.kind().equals("foreign key") && f.verdict() == ColumnInspector.Verdict.REFUSE) {
        out.add(new ColumnInspector.Finding(ColumnInspector.Verdict.REFUSE, f.kind(), f.object(), "a foreign key"
            + " involves " + Identifiers.quote(old.name()) + ": changing the type of a referenced or referencing"
            + " column needs the other side changed in step, which Cutover does not do; drop the foreign key before"
            + " planning, and add it again after completed (ADD CONSTRAINT ... NOT VALID, then VALIDATE)"));
      } else {
        out.add(f);
      }
    }
    return out;
  }

  /** Whether {@code column} is part of the table's primary key. */
  static boolean inPrimaryKey(Connection c, TableCatalog.Table table, TableCatalog.Column column) throws SQLException {
    return TableCatalog.primaryKey(c, table.oid()).stream().anyMatch(k -> k.name().equals(column.name()));
  }

  /** Plan-time findings specific to a type change of {@code old}. */
  static List<ColumnInspector.Finding> findings(Connection c, TableCatalog.Table table, TableCatalog.Column old,
      ColumnMigration m) throws SQLException {
    List<ColumnInspector.Finding> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT ci.relname, i.indexprs IS NOT NULL, i.indpred IS NOT NULL"
        + " FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid WHERE i.indrelid = ?"
        + " AND (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL)"
        + " AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid"
        + "   AND d.refobjid = i.indrelid AND d.refobjsubid = ?) ORDER BY 1")) {
      ps.setLong(1, table.oid());
      ps.setInt(2, old.attnum());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new ColumnInspector.Finding(ColumnInspector.Verdict.REFUSE, "index",
              Identifiers.quote(rs.getString(1)), (rs.getBoolean(2) ? "an expression" : "a predicate")
              + " over " + Identifiers.quote(old.name()) + " cannot be carried to type " + m.newType()
              + " automatically; drop the index before planning and build the one you need on the new column"));
        }
      }
    }
    Optional<SequenceDefault> sequence = sequenceDefault(c, table, old);
    if (sequence.isPresent()) {
      out.add(new ColumnInspector.Finding(ColumnInspector.Verdict.CARRIED, "sequence default", old.defaultExpr(),
          "the new column gets DEFAULT " + RenameDdl.newDefault(c, old, m) + " at dual_write (an INSERT evaluates"
          + " the old column's nextval first, in column order), and at completed the sequence itself"
          + (sequence.get().owned() ? " (OWNED BY the new column" : " (")
          + (widens(sequence.get(), m) ? ", AS " + m.newType() : "") + ")"));
    } else if (old.defaultExpr() != null) {
      String carried = RenameDdl.newDefault(c, old, m);
      out.add(carried != null
          ? new ColumnInspector.Finding(ColumnInspector.Verdict.CARRIED, "default", old.defaultExpr(),
              "the new column gets DEFAULT " + carried + " (up of the old default)")
          : new ColumnInspector.Finding(ColumnInspector.Verdict.MANUAL, "default", old.defaultExpr(),
              "may be volatile, so it is not carried: rows inserted without the column get NULL in the new"
                  + " column until the backfill; set the default on the new column after completed"));
    }
    return out;
  }

  /**
   * A sequence behind the old column's default {@code nextval(...)}.
   *
   * @param sequence the sequence, as SQL ({@code regclass} text)
   * @param type its data type
   * @param owned whether it is owned by the old column (a serial): it must be owned by the new one
   *     before the old one is dropped, or the drop takes it along
   */
  record SequenceDefault(String sequence, String type, boolean owned) {}

  /** The sequence behind {@code old}'s default, when that default is a plain {@code nextval(...)}. */
  static Optional<SequenceDefault> sequenceDefault(Connection c, TableCatalog.Table table, TableCatalog.Column old)
      throws SQLException {
    if (old.defaultExpr() == null || !old.defaultExpr().startsWith("nextval(")) {
      return Optional.empty();
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT d.refobjid::regclass::text, s.seqtypid::regtype::text,"
        + " EXISTS (SELECT 1 FROM pg_depend o WHERE o.classid = 'pg_class'::regclass AND o.objid = d.refobjid"
        + "   AND o.refclassid = 'pg_class'::regclass AND o.refobjid = ad.adrelid AND o.refobjsubid = ad.adnum"
        + "   AND o.deptype = 'a')"
        + " FROM pg_attrdef ad JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid"
        + "   AND d.refclassid = 'pg_class'::regclass"
        + " JOIN pg_sequence s ON s.seqrelid = d.refobjid WHERE ad.adrelid = ? AND ad.adnum = ?")) {
      ps.setLong(1, table.oid());
      ps.setInt(2, old.attnum());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new SequenceDefault(rs.getString(1), rs.getString(2), rs.getBoolean(3)))
            : Optional.empty();
      }
    }
  }

  /** Whether the sequence must widen to the new type (e.g. an integer sequence for a bigint key). */
  private static boolean widens(SequenceDefault s, ColumnMigration m) {
    return "bigint".equals(m.newType()) && !"bigint".equals(s.type());
  }

  /**
   * The statements of an in-place completion before the old column is dropped: the primary key
   * moved onto the new column's unique index ({@code ADD CONSTRAINT ... PRIMARY KEY USING INDEX}:
   * no scan, the index is built and the column NOT NULL already), and a sequence default moved
   * (owned by the new column, widened to its type, the old column's default dropped).
   */
  static List<String> beforeDropInPlace(Connection c, TableCatalog.Table table, TableCatalog.Column old,
      ColumnMigration m) throws SQLException {
    List<String> sql = new ArrayList<>();
    String t = "ALTER TABLE " + table.quoted();
    try (PreparedStatement ps = c.prepareStatement("SELECT co.conname, ci.relname FROM pg_constraint co"
        + " JOIN pg_class ci ON ci.oid = co.conindid WHERE co.conrelid = ? AND co.contype = 'p'"
        + " AND co.conkey = ARRAY[?]::int2[]")) {
      ps.setLong(1, table.oid());
      ps.setInt(2, old.attnum());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          String copy = Identifiers.withSuffix(rs.getString(2), RenameDdl.INDEX_SUFFIX);
          sql.add(t + " DROP CONSTRAINT " + Identifiers.quote(rs.getString(1)));
          sql.add(t + " ADD CONSTRAINT " + Identifiers.quote(rs.getString(1)) + " PRIMARY KEY USING INDEX "
              + Identifiers.quote(copy));
        }
      }
    }
    Optional<SequenceDefault> sequence = sequenceDefault(c, table, old);
    if (sequence.isPresent()) {
      sql.add(t + " ALTER COLUMN " + Identifiers.quote(old.name()) + " DROP DEFAULT");
      sql.add(t + " ALTER COLUMN " + Identifiers.quote(m.physicalNewColumn()) + " SET DEFAULT " + old.defaultExpr());
      if (sequence.get().owned()) {
        sql.add("ALTER SEQUENCE " + sequence.get().sequence() + " OWNED BY " + table.quoted() + "."
            + Identifiers.quote(m.physicalNewColumn()));
      }
      if (widens(sequence.get(), m)) {
        sql.add("ALTER SEQUENCE " + sequence.get().sequence() + " AS " + m.newType());
      }
    }
    return sql;
  }
}
