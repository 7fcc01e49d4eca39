package dev.cutover.operator;

import dev.cutover.control.ControlSchema;
import dev.cutover.migration.ColumnMigration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a migration of a declaratively partitioned table ({@code PARTITION BY RANGE/LIST/HASH}, at
 * any depth of sub-partitioning) needs beyond a plain table's.
 *
 * <p>Implementation notes: the column DDL runs on the partitioned table and PostgreSQL carries it to
 * every partition ({@code ADD COLUMN}, {@code DROP COLUMN}, {@code CHECK ... NOT VALID} then
 * {@code VALIDATE}, {@code SET NOT NULL}); index copies cannot be built {@code CONCURRENTLY} on a
 * partitioned table and go through {@link PartitionIndexCopy}. The row walks (backfill, refill,
 * verify) go leaf partition by leaf partition, each by its own {@link RowKey}: a {@code ctid} is
 * unique only within one partition.
 *
 * <p>The set of partitions is recorded at plan time (their oids, in the migration's stored spec)
 * and every advance, backfill, verify and rollback from read_new or new_only refuses once it changed: a partition attached
 * during the migration may hold rows whose new column nobody filled, one detached would leave with
 * a half-migrated column, and, above all, the drivers learn of a new partition only at their next
 * poll, so a statement naming it directly could write the old column alone in the meantime.
 */
public final class PartitionedTable {

  /** The key under which the plan stores the partitions in the migration's {@code spec}. */
  static final String SPEC_KEY = "cutoverPartitions";

  private PartitionedTable() {}

  /** Whether {@code table} is a partitioned table (relkind {@code p}). */
  public static boolean isPartitioned(TableCatalog.Table table) {
    return table.kind() == 'p';
  }

  /**
   * The tables whose rows make up {@code table}: its leaf partitions, at any depth, in a stable
   * order (by name), or the table itself when it is not partitioned.
   */
  public static List<TableCatalog.Table> leaves(Connection c, TableCatalog.Table table) throws SQLException {
    if (!isPartitioned(table)) {
      return List.of(table);
    }
    List<TableCatalog.Table> leaves = new ArrayList<>();
    for (TableCatalog.Table t : descendants(c, table)) {
      if (t.kind() != 'p') {
        leaves.add(t);
      }
    }
    return leaves;
  }

  /**
   * Every partition of {@code table} at any depth (sub-partitioned ones included), parents before
   * their partitions.
   */
  static List<TableCatalog.Table> descendants(Connection c, TableCatalog.Table table) throws SQLException {
    List<TableCatalog.Table> result = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT t.relid::oid, n.nspname, k.relname, k.relkind"
        + " FROM pg_partition_tree(?::oid::regclass) t JOIN pg_class k ON k.oid = t.relid"
        + " JOIN pg_namespace n ON n.oid = k.relnamespace WHERE t.level > 0 ORDER BY t.level, n.nspname, k.relname")) {
      ps.setLong(1, table.oid());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.add(new TableCatalog.Table(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4).charAt(0)));
        }
      }
    }
    return result;
  }

  /** The parent of partition {@code oid}, or {@code null}. */
  static Long parentOf(Connection c, long oid) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT inhparent FROM pg_inherits WHERE inhrelid = ?")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  /**
   * What plan refuses on a partitioned table, as inspection findings: the column in a partition key
   * (of the table or of a sub-partitioned partition), and a partition that is a foreign table.
   */
  static List<ColumnInspector.Finding> findings(Connection c, TableCatalog.Table table, TableCatalog.Column old)
      throws SQLException {
    List<ColumnInspector.Finding> out = new ArrayList<>();
    String col = Identifiers.quote(old.name());
    List<TableCatalog.Table> partitioned = new ArrayList<>();
    partitioned.add(table);
    List<TableCatalog.Table> all = descendants(c, table);
    for (TableCatalog.Table t : all) {
      if (t.kind() == 'p') {
        partitioned.add(t);
      } else if (t.kind() == 'f') {
        out.add(new ColumnInspector.Finding(ColumnInspector.Verdict.REFUSE, "foreign partition", t.quoted(),
            "is a foreign table: the backfill cannot lock its rows (SELECT ... FOR UPDATE) nor build the index"
                + " copies there, and its remote table would need the new column too; detach it before planning"
                + " (ALTER TABLE " + table.quoted() + " DETACH PARTITION " + t.quoted() + ") and attach it again"
                + " after completed, with the remote table migrated by hand"));
      }
    }
    for (TableCatalog.Table t : partitioned) {
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_get_partkeydef(p.partrelid),"
          + " EXISTS (SELECT 1 FROM unnest(p.partattrs::int2[]) k(attnum) JOIN pg_attribute a"
          + "   ON a.attrelid = p.partrelid AND a.attnum = k.attnum WHERE a.attname = ?),"
          + " pg_get_expr(p.partexprs, p.partrelid) FROM pg_partitioned_table p WHERE p.partrelid = ?")) {
        ps.setString(1, old.name());
        ps.setLong(2, t.oid());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            continue;
          }
          String exprs = rs.getString(3);
          boolean inExpression = exprs != null
              && !RenameDdl.renameColumnReferences(exprs, old.name(), "cutover_probe").equals(exprs);
          if (rs.getBoolean(2) || inExpression) {
            out.add(new ColumnInspector.Finding(ColumnInspector.Verdict.REFUSE, "partition key", t.quoted()
                + " PARTITION BY " + rs.getString(1), col + " is in the partition key: PostgreSQL cannot drop a"
                + " partition key column (the DROP COLUMN at completed would fail), and a row's partition follows"
                + " the old column alone, so a changed key would not move rows between partitions. Migrate it by"
                + " hand: create a new partitioned table keyed on the new column, copy the rows, and switch"));
          }
        }
      }
    }
    return out;
  }

  /**
   * The partitions of {@code table} (oid to quoted name) as they are now: every partition at any
   * depth. Empty for a plain table.
   */
  static Map<Long, String> partitionSet(Connection c, TableCatalog.Table table) throws SQLException {
    Map<Long, String> set = new TreeMap<>();
    if (isPartitioned(table)) {
      for (TableCatalog.Table t : descendants(c, table)) {
        set.put(t.oid(), t.quoted());
      }
    }
    return set;
  }

  /** Records the partitions of migration {@code id}'s table next to its spec (in the plan's transaction). */
  static void record(Connection c, ControlSchema schema, String id, TableCatalog.Table table) throws SQLException {
    if (!isPartitioned(table)) {
      return;
    }
    StringBuilder json = new StringBuilder("{");
    for (Map.Entry<Long, String> e : partitionSet(c, table).entrySet()) {
      if (json.length() > 1) {
        json.append(',');
      }
      json.append('"').append(e.getKey()).append("\":\"").append(jsonEscape(e.getValue())).append('"');
    }
    json.append('}');
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + schema.qualify("migrations")
        + " SET spec = spec || jsonb_build_object(?, ?::jsonb) WHERE id = ?")) {
      ps.setString(1, SPEC_KEY);
      ps.setString(2, json.toString());
      ps.setString(3, id);
      ps.executeUpdate();
    }
  }

  private static String jsonEscape(String s) {
    StringBuilder b = new StringBuilder();
    for (char ch : s.toCharArray()) {
      if (ch == '"' || ch == '\\') {
        b.append('\\').append(ch);
      } else if (ch < 0x20) {
        b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) ch));
      } else {
        b.append(ch);
      }
    }
    return b.toString();
  }

  /**
   * Refuses (exit 3) when the partitions of {@code m}'s table are no longer those recorded when it was
   * planned, naming what was attached (or created) and what was detached (or dropped), and the way
   * out. Does nothing for a plain table, or a migration planned before partitions were recorded.
   *
   * @param action the command, for the message ("advance", "verify"...)
   */
  public static void checkUnchanged(Connection c, ControlSchema schema, ColumnMigration m, String action)
      throws SQLException {
    TableCatalog.Table table = TableCatalog.findTable(c, m.schema(), m.table()).orElse(null);
    if (table == null) {
      return;
    }
    Map<Long, String> recorded = new TreeMap<>();
    boolean any;
    try (PreparedStatement ps = c.prepareStatement("SELECT (m.spec -> ?) IS NOT NULL, e.key, e.value FROM "
        + schema.qualify("migrations") + " m LEFT JOIN LATERAL jsonb_each_text(m.spec -> ?) e ON TRUE WHERE m.id = ?")) {
      ps.setString(1, SPEC_KEY);
      ps.setString(2, SPEC_KEY);
      ps.setString(3, m.id());
      try (ResultSet rs = ps.executeQuery()) {
        any = false;
        while (rs.next()) {
          any |= rs.getBoolean(1);
          if (rs.getString(2) != null) {
            recorded.put(Long.parseLong(rs.getString(2)), rs.getString(3));
          }
        }
      }
    }
    if (!any) {
      if (isPartitioned(table)) {
        throw OperatorException.guard("migration '" + m.id() + "': " + table.quoted() + " is partitioned now, but"
            + " it was not when the migration was planned; roll the migration back to planned, cancel it, and plan"
            + " it again");
      }
      return;
    }
    Map<Long, String> now = partitionSet(c, table);
    if (now.equals(recorded) || now.keySet().equals(recorded.keySet())) {
      return; // (a partition renamed is still the same partition)
    }
    List<String> added = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    now.forEach((oid, name) -> {
      if (!recorded.containsKey(oid)) {
        added.add(name);
      }
    });
    recorded.forEach((oid, name) -> {
      if (!now.containsKey(oid)) {
        gone.add(name);
      }
    });
    throw OperatorException.guard(action + " of migration '" + m.id() + "' refused: the partitions of "
        + table.quoted() + " changed since it was planned"
        + (added.isEmpty() ? "" : "; attached or created: " + String.join(", ", added))
        + (gone.isEmpty() ? "" : "; detached or dropped: " + String.join(", ", gone))
        + ". Drivers learn of a new partition only at their next poll, so a statement naming it directly may"
        + " have written the old column alone, and a detached one leaves with a half-migrated column. Undo the"
        + " change (DETACH PARTITION what was attached, ATTACH PARTITION what was detached) and run the command"
        + " again; or, from dual_write, roll it back to planned (`cutover rollback " + m.id() + " --to planned`,"
        + " which drops the new column), cancel it, and plan it again. Change partitions before planning or after"
        + " completed");
  }
}
