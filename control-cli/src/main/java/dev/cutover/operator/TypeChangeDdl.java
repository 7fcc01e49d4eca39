package dev.cutover.operator;

import dev.cutover.migration.ColumnMigration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a type change carries to the new column besides what a rename carries, and what it cannot:
 * plain indexes are copied onto the new column as they are (the new type's default operator class);
 * an index with an expression or a predicate over the column is not (its expression may not mean the
 * same, or not even type-check, on the new type), so plan refuses it; a {@code CHECK} is carried
 * through {@code down}; a non-volatile default through {@code up}.
 */
final class TypeChangeDdl {

  private TypeChangeDdl() {}

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
    if (old.defaultExpr() != null) {
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
}
