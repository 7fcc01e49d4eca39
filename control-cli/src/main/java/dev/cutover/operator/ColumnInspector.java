package dev.cutover.operator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Plan-time inspection of what the driver cannot see: database objects that use the migrating
 * column server-side (views, rules, triggers, functions, generated columns, constraints, foreign
 * keys, partitioning, publications, replica identity, policies, statistics, column privileges).
 *
 * <p>Each finding gets a {@link Verdict}: {@code REFUSE} when the migration would break the object
 * or silently desynchronise the columns (a {@code DROP COLUMN} at {@code completed} that fails or
 * silently drops a constraint, server-side code that reads or writes only the old column),
 * {@code MANUAL} when the migration works but the operator has a step to take, and {@code CARRIED}
 * when Cutover carries the object to the new column itself. Anything found through
 * {@code pg_depend} that is not recognised is refused (fail closed). Function bodies are searched
 * as text, best-effort: a mention of the column name is reported, and refused when the body also
 * names the table.
 */
public final class ColumnInspector {

  /** What a finding means for the plan. */
  public enum Verdict {
    /** The migration would break the object or desynchronise the columns: plan refuses. */
    REFUSE,
    /** Works, but the operator has a manual step (listed). */
    MANUAL,
    /** Cutover carries it to the new column (shown for information). */
    CARRIED
  }

  /**
   * One object that uses the migrating column.
   *
   * @param verdict what it means for the plan
   * @param kind what it is ({@code view}, {@code trigger}, {@code foreign key}, ...)
   * @param object its name as PostgreSQL describes it
   * @param step why it matters and what the operator has to do
   */
  public record Finding(Verdict verdict, String kind, String object, String step) {
    /** One line for the plan's output. */
    public String describe() {
      return "[" + verdict.name().toLowerCase(Locale.ROOT) + "] " + kind + ": " + object + ": " + step;
    }
  }

  private ColumnInspector() {}

  /**
   * Every finding for column {@code old} of {@code table}, refusals first.
   *
   * @param controlSchema the control schema (its functions are Cutover's, never findings)
   */
  public static List<Finding> inspect(Connection c, TableCatalog.Table table, TableCatalog.Column old,
      String controlSchema) throws SQLException {
    List<Finding> findings = new ArrayList<>();
    String col = Identifiers.quote(old.name());
    dependents(c, table, old, findings);
    partitioning(c, table, old, findings);
    triggers(c, table, old, findings);
    functions(c, table, old, controlSchema, findings);
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT pubname FROM pg_publication_tables WHERE schemaname = ? AND tablename = ? ORDER BY pubname")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.name());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          findings.add(new Finding(Verdict.MANUAL, "publication", Identifiers.quote(rs.getString(1)),
              "replicates " + table.quoted() + ": add the new column (same type, nullable) to the subscribers' table"
                  + " before `advance` to dual_write, and drop " + col + " there only after completed"));
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT ic.relname FROM pg_class t JOIN pg_index i ON i.indrelid = t.oid AND i.indisreplident"
            + " JOIN pg_class ic ON ic.oid = i.indexrelid"
            + " WHERE t.oid = ? AND t.relreplident = 'i' AND ? = ANY (i.indkey::int2[])")) {
      ps.setLong(1, table.oid());
      ps.setInt(2, old.attnum());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          findings.add(new Finding(Verdict.REFUSE, "replica identity", "index " + Identifiers.quote(rs.getString(1)),
              "the table's replica identity uses " + col + ", so dropping it at completed would leave the table"
                  + " without one (published UPDATE/DELETE fail): ALTER TABLE " + table.quoted()
                  + " REPLICA IDENTITY DEFAULT (or FULL, or USING INDEX another index) first, then plan again"));
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT a.attacl::text FROM pg_attribute a WHERE a.attrelid = ? AND a.attnum = ? AND a.attacl IS NOT NULL")) {
      ps.setLong(1, table.oid());
      ps.setInt(2, old.attnum());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          findings.add(new Finding(Verdict.MANUAL, "column privileges", col + " " + rs.getString(1),
              "column-level grants are not carried: GRANT the same privileges on the new column right after"
                  + " `advance` to dual_write, before the application writes it"));
        }
      }
    }
    findings.sort((a, b) -> a.verdict().compareTo(b.verdict()));
    return findings;
  }

  /** Everything {@code pg_depend} records as depending on the column. */
  private static void dependents(Connection c, TableCatalog.Table table, TableCatalog.Column old, List<Finding> out)
      throws SQLException {
    String col = Identifiers.quote(old.name());
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT d.classid::regclass::text, d.objid, pg_describe_object(d.classid, d.objid, d.objsubid),"
            + " r.rulename, rc.relkind, co.contype, co.conrelid, co.conkey::int[], ad.adnum, ad.adrelid, pc.relkind"
            + " FROM pg_depend d"
            + " LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid"
            + " LEFT JOIN pg_class rc ON rc.oid = r.ev_class"
            + " LEFT JOIN pg_constraint co ON d.classid = 'pg_constraint'::regclass AND co.oid = d.objid"
            + " LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid"
            + " LEFT JOIN pg_class pc ON d.classid = 'pg_class'::regclass AND pc.oid = d.objid"
            + " WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ? AND d.refobjsubid = ?"
            + " AND d.deptype <> 'i' ORDER BY 3")) {
      ps.setLong(1, table.oid());
      ps.setInt(2, old.attnum());
      try (ResultSet rs = ps.executeQuery()) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (rs.next()) {
          String catalog = rs.getString(1);
          String what = rs.getString(3);
          if (!seen.add(catalog + ":" + rs.getLong(2))) {
            continue; // recorded more than once (e.g. a check constraint, normal and automatic)
          }
          switch (catalog) {
            case "pg_rewrite" -> {
              boolean view = "_RETURN".equals(rs.getString(4));
              String kind = !view ? "rule" : "m".equals(rs.getString(5)) ? "materialized view" : "view";
              out.add(new Finding(Verdict.REFUSE, kind, what, "reads " + col + " server-side, where the driver cannot"
                  + " rewrite it: it would read stale values from new_only and make the DROP COLUMN at completed fail;"
                  + " recreate it without " + col + " (or drop it) before planning, and on the new column after"
                  + " completed"));
            }
            case "pg_constraint" -> constraint(rs, table, old, what, out);
            case "pg_attrdef" -> {
              if (rs.getInt(9) == old.attnum()) {
                continue; // the column's own default
              }
              out.add(new Finding(Verdict.REFUSE, "generated column", what, "is computed from " + col
                  + ", which goes stale in new_only and is dropped at completed (that DROP would fail);"
                  + " redefine the generated column without " + col + " first"));
            }
            case "pg_class" -> {
              String relkind = rs.getString(11);
              if ("i".equals(relkind) || "I".equals(relkind)) {
                continue; // indexes are copied onto the new column at dual_write
              }
              out.add(new Finding(Verdict.REFUSE, "sequence".equals(kindOf(relkind)) ? "owned sequence" : "relation",
                  what, "depends on " + col + " (a serial or identity column owns its sequence, which DROP COLUMN at"
                      + " completed would drop); migrating such a column is not supported"));
            }
            case "pg_trigger" -> out.add(new Finding(Verdict.REFUSE, "trigger", what, "fires on " + col
                + " (UPDATE OF or WHEN): in new_only the old column is no longer written, so it would stop firing or"
                + " test stale values; drop it or redefine it without " + col + " first"));
            case "pg_policy" -> out.add(new Finding(Verdict.REFUSE, "row-level security policy", what,
                "tests " + col + ", which goes stale in new_only (rows would be shown or hidden by old values) and"
                    + " whose drop at completed would fail; redefine the policy without " + col + " first"));
            case "pg_statistic_ext" -> out.add(new Finding(Verdict.MANUAL, "statistics object", what,
                "covers " + col + " and is dropped with it at completed: CREATE STATISTICS again on the new column"
                    + " after completed"));
            case "pg_publication_rel" -> out.add(new Finding(Verdict.REFUSE, "publication column list", what,
                "names " + col + ", whose drop at completed would fail and whose replacement would not be"
                    + " replicated; remove the column list (ALTER PUBLICATION ... SET TABLE) first"));
            case "pg_proc" -> out.add(new Finding(Verdict.REFUSE, "function", what, "has a SQL-standard body that"
                + " uses " + col + " server-side (stale from new_only, and the DROP at completed would fail);"
                + " redefine it without " + col + " first"));
            default -> out.add(new Finding(Verdict.REFUSE, "dependent object", what, "depends on " + col
                + " in a way Cutover does not know how to carry (" + catalog + "); remove the dependency first"));
          }
        }
      }
    }
  }

  private static String kindOf(String relkind) {
    return "S".equals(relkind) ? "sequence" : "relation";
  }

  private static void constraint(ResultSet rs, TableCatalog.Table table, TableCatalog.Column old, String what,
      List<Finding> out) throws SQLException {
    String col = Identifiers.quote(old.name());
    String type = rs.getString(6);
    boolean own = rs.getLong(7) == table.oid();
    java.sql.Array keyArray = rs.getArray(8);
    Integer[] key = keyArray == null ? new Integer[0] : (Integer[]) keyArray.getArray();
    boolean single = own && key.length == 1 && key[0] == old.attnum();
    switch (type) {
      case "c" -> {
        if (single) {
          out.add(new Finding(Verdict.CARRIED, "check constraint", what, "copied onto the new column NOT VALID at"
              + " dual_write and validated on the advance to read_new"));
        } else {
          out.add(new Finding(Verdict.REFUSE, "check constraint", what, "spans " + col + " and other columns: it"
              + " would test stale values in new_only and be dropped silently with " + col + " at completed;"
              + " drop it (re-add it on the new column after completed) before planning"));
        }
      }
      case "u" -> out.add(new Finding(Verdict.CARRIED, "unique constraint", what, "its index is copied CONCURRENTLY"
          + " onto the new column at dual_write (as a unique index; ALTER TABLE ... ADD CONSTRAINT ... USING INDEX"
          + " after completed if you need it as a constraint, e.g. for ON CONFLICT ON CONSTRAINT)"));
      case "p" -> out.add(new Finding(Verdict.REFUSE, "primary key", what, col + " is part of the primary key, which"
          + " the DROP COLUMN at completed would remove; renaming a key column is not supported"));
      case "f" -> out.add(new Finding(Verdict.REFUSE, "foreign key", what, (own ? "references another table through "
          : "references ") + col + ": the DROP COLUMN at completed would fail or drop the foreign key silently, and"
          + " the new column would not be checked; drop the foreign key before planning and add it on the new column"
          + " after completed (ADD CONSTRAINT ... NOT VALID, then VALIDATE)"));
      case "x" -> out.add(new Finding(Verdict.REFUSE, "exclusion constraint", what, "uses " + col + " and is not"
          + " carried to the new column; drop it before planning and re-create it after completed"));
      default -> out.add(new Finding(Verdict.REFUSE, "constraint", what, "uses " + col + " (type " + type
          + ") and is not carried to the new column; remove it first"));
    }
  }

  private static void partitioning(Connection c, TableCatalog.Table table, TableCatalog.Column old, List<Finding> out)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT c.relispartition, EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = c.oid),"
            + " EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = c.oid) FROM pg_class c WHERE c.oid = ?")) {
      ps.setLong(1, table.oid());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getBoolean(1)) {
          out.add(new Finding(Verdict.REFUSE, "partition", table.quoted(), "is a partition: its columns belong to the"
              + " partitioned table (a column cannot be added to one partition, nor one of its inherited columns"
              + " renamed or dropped); plan the migration on the partitioned table at the top of the tree"));
        } else if (rs.getBoolean(2)) {
          out.add(new Finding(Verdict.REFUSE, "inheritance", table.quoted(), "inherits from another table, which owns"
              + " the column's definition; inheritance hierarchies are not supported"));
        }
        if (PartitionedTable.isPartitioned(table)) {
          out.addAll(PartitionedTable.findings(c, table, old));
        } else if (rs.getBoolean(3)) {
          out.add(new Finding(Verdict.REFUSE, "inheritance", table.quoted(), "has child tables, which the DDL would"
              + " change too while the backfill and the driver see only the parent; not supported"));
        }
      }
    }
  }

  /** Triggers of the table whose function mentions the column (text search of its source). */
  private static void triggers(Connection c, TableCatalog.Table table, TableCatalog.Column old, List<Finding> out)
      throws SQLException {
    Pattern mention = mention(old.name());
    String col = Identifiers.quote(old.name());
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT t.tgname, t.tgfoid::regprocedure::text, p.prosrc, l.lanname FROM pg_trigger t"
            + " JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_language l ON l.oid = p.prolang"
            + " WHERE t.tgrelid = ? AND NOT t.tgisinternal ORDER BY t.tgname")) {
      ps.setLong(1, table.oid());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = Identifiers.quote(rs.getString(1)) + " (" + rs.getString(2) + ")";
          String lang = rs.getString(4);
          if (lang.equals("c") || lang.equals("internal")) {
            out.add(new Finding(Verdict.MANUAL, "trigger", name, "its function is compiled (" + lang + "), so Cutover"
                + " cannot tell whether it uses " + col + "; check that it does not, or that it handles both columns"));
          } else if (mention.matcher(rs.getString(3)).find()) {
            out.add(new Finding(Verdict.REFUSE, "trigger", name, "its function mentions " + col + ": a trigger that"
                + " reads or writes the old column silently desynchronises it from the new one (the driver cannot"
                + " rewrite trigger code); disable or rewrite the trigger so it does not use " + col
                + " while migrating"));
          } else {
            out.add(new Finding(Verdict.MANUAL, "trigger", name, "does not mention " + col + " by name (text search);"
                + " check that it does not reach it dynamically (to_jsonb(NEW), hstore, EXECUTE)"));
          }
        }
      }
    }
  }

  /** Functions and procedures (other than the table's triggers) whose source mentions the column. */
  private static void functions(Connection c, TableCatalog.Table table, TableCatalog.Column old, String controlSchema,
      List<Finding> out) throws SQLException {
    Pattern mention = mention(old.name());
    Pattern tableMention = mention(table.name());
    String col = Identifiers.quote(old.name());
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT p.oid::regprocedure::text, p.prokind, p.prosrc FROM pg_proc p"
            + " JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang"
            + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname <> ?"
            + " AND n.nspname NOT LIKE 'pg\\_toast%' AND l.lanname NOT IN ('c', 'internal')"
            + " AND strpos(lower(p.prosrc), lower(?)) > 0"
            + " AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgfoid = p.oid AND t.tgrelid = ?)"
            + " ORDER BY 1")) {
      ps.setString(1, controlSchema);
      ps.setString(2, old.name());
      ps.setLong(3, table.oid());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String src = rs.getString(3);
          if (!mention.matcher(src).find()) {
            continue;
          }
          String kind = "p".equals(rs.getString(2)) ? "procedure" : "function";
          if (tableMention.matcher(src).find()) {
            out.add(new Finding(Verdict.REFUSE, kind, rs.getString(1), "its body mentions " + table.quoted() + " and "
                + col + " (text search): server-side SQL bypasses the driver, so it would write only the old column"
                + " or read stale values from new_only; change it not to use " + col + " while migrating"));
          } else {
            out.add(new Finding(Verdict.MANUAL, kind, rs.getString(1), "its body mentions " + col + " but not "
                + table.quoted() + " (text search); if it reaches the table (dynamic SQL, another name), it must not"
                + " use " + col + " while migrating"));
          }
        }
      }
    }
  }

  /** The name as a whole word, case-insensitive for unquoted use, or quoted exactly. */
  private static Pattern mention(String name) {
    String word = "(?<![A-Za-z0-9_$])" + Pattern.quote(name) + "(?![A-Za-z0-9_$])";
    String quoted = Pattern.quote("\"" + name.replace("\"", "\"\"") + "\"");
    boolean lower = name.equals(name.toLowerCase(Locale.ROOT));
    return Pattern.compile(lower ? "(?i:" + word + ")|" + quoted : word + "|" + quoted);
  }
}
