package dev.cutover.operator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what the operator needs to know about application tables from {@code pg_catalog}. */
public final class TableCatalog {

  /**
   * A resolved table.
   *
   * @param oid the table's oid
   * @param schema its schema
   * @param name its name
   * @param kind {@code pg_class.relkind} ({@code r} for an ordinary table)
   */
  public record Table(long oid, String schema, String name, char kind) {
    /** {@code "schema"."name"}. */
    public String quoted() {
      return Identifiers.quote(schema, name);
    }
  }

  /**
   * One column.
   *
   * @param name the column name
   * @param attnum its number
   * @param type its type with modifiers, e.g. {@code character varying(40)}
   * @param collation the {@code COLLATE} clause's name (quoted) when it differs from the type's default, or {@code null}
   * @param defaultExpr the default expression, or {@code null}
   * @param notNull whether it is {@code NOT NULL}
   * @param identity whether it is an identity column
   * @param generated whether it is a generated column
   */
  public record Column(
      String name, int attnum, String type, String collation, String defaultExpr, boolean notNull,
      boolean identity, boolean generated) {}

  /**
   * One index.
   *
   * @param schema its schema
   * @param name its name
   * @param definition {@code pg_get_indexdef}
   * @param valid whether it is valid (a failed {@code CONCURRENTLY} build leaves it invalid)
   * @param tableOid the indexed table
   */
  public record Index(String schema, String name, String definition, boolean valid, long tableOid) {}

  private static final Pattern CALL =
      Pattern.compile("(::\\s*)?((?:\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*)(?:\\.(?:\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*))?)\\s*\\(");

  private TableCatalog() {}

  /**
   * Finds a table: in {@code schema} when given, else through the connection's {@code search_path}
   * as PostgreSQL would.
   */
  public static Optional<Table> findTable(Connection c, String schema, String table) throws SQLException {
    String sql = "SELECT c.oid, n.nspname, c.relname, c.relkind FROM pg_class c"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
        + (schema == null ? "c.oid = to_regclass(quote_ident(?))" : "n.nspname = ? AND c.relname = ?");
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (schema == null) {
        ps.setString(1, table);
      } else {
        ps.setString(1, schema);
        ps.setString(2, table);
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new Table(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4).charAt(0)));
      }
    }
  }

  /** The table {@code schema.table}, which must exist. */
  public static Table requireTable(Connection c, String schema, String table) throws SQLException {
    return findTable(c, schema, table).orElseThrow(() -> new OperatorException(
        "table " + Identifiers.quote(schema, table) + " does not exist"));
  }

  /**
   * The column that precedes {@code column} in attribute order, or {@code ""} when it is the first:
   * recorded at plan time so the application's column order survives the old column's drop.
   */
  public static String columnBefore(Connection c, long tableOid, String column) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT b.attname FROM pg_attribute a"
        + " JOIN pg_attribute b ON b.attrelid = a.attrelid AND b.attnum > 0 AND b.attnum < a.attnum AND NOT b.attisdropped"
        + " WHERE a.attrelid = ? AND a.attname = ? ORDER BY b.attnum DESC LIMIT 1")) {
      ps.setLong(1, tableOid);
      ps.setString(2, column);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : "";
      }
    }
  }

  /** A live (not dropped) column of a table. */
  public static Optional<Column> findColumn(Connection c, long tableOid, String column) throws SQLException {
    List<Column> found = columns(c, tableOid, "a.attname = ?", column);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  /** The primary key's columns in key order; empty when the table has none. */
  public static List<Column> primaryKey(Connection c, long tableOid) throws SQLException {
    List<Column> key = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT a.attname FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)"
            + " JOIN pg_attribute a ON a.attnum = k.attnum"
            + " WHERE i.indrelid = ? AND i.indisprimary AND a.attrelid = i.indrelid ORDER BY k.ord")) {
      ps.setLong(1, tableOid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          key.add(findColumn(c, tableOid, rs.getString(1)).orElseThrow());
        }
      }
    }
    return key;
  }

  /** Every index of the table that uses {@code attnum} (as a key, an expression, INCLUDE or predicate). */
  public static List<Index> indexesUsing(Connection c, long tableOid, int attnum) throws SQLException {
    List<Index> result = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT n.nspname, ic.relname, pg_get_indexdef(i.indexrelid), i.indisvalid, i.indrelid"
            + " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
            + " JOIN pg_namespace n ON n.oid = ic.relnamespace"
            + " WHERE i.indrelid = ? AND (? = ANY (i.indkey::int2[]) OR EXISTS ("
            + "   SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid"
            + "   AND d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indrelid AND d.refobjsubid = ?))"
            + " ORDER BY ic.relname")) {
      ps.setLong(1, tableOid);
      ps.setInt(2, attnum);
      ps.setInt(3, attnum);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.add(new Index(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getLong(5)));
        }
      }
    }
    return result;
  }

  /** An index by name. */
  public static Optional<Index> findIndex(Connection c, String schema, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT n.nspname, ic.relname, pg_get_indexdef(i.indexrelid), i.indisvalid, i.indrelid"
            + " FROM pg_class ic JOIN pg_namespace n ON n.oid = ic.relnamespace"
            + " LEFT JOIN pg_index i ON i.indexrelid = ic.oid WHERE n.nspname = ? AND ic.relname = ?")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new Index(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getLong(5)));
      }
    }
  }

  /**
   * Whether a default expression may be volatile. Fails closed: a call to a function that cannot be
   * found, or that has any volatile overload, counts as volatile.
   */
  public static boolean mayBeVolatile(Connection c, String expression) throws SQLException {
    String code = expression.replaceAll("'(?:[^']|'')*'", "''");
    Matcher m = CALL.matcher(code);
    while (m.find()) {
      if (m.group(1) != null) {
        continue; // a type modifier after ::, e.g. ::numeric(10,2)
      }
      List<String> parts;
      try {
        parts = Identifiers.parseQualified(m.group(2));
      } catch (IllegalArgumentException e) {
        return true;
      }
      String function = parts.get(parts.size() - 1);
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT count(*), count(*) FILTER (WHERE provolatile = 'v') FROM pg_proc WHERE proname = ?")) {
        ps.setString(1, function);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) == 0 || rs.getLong(2) > 0) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static List<Column> columns(Connection c, long tableOid, String where, String arg) throws SQLException {
    List<Column> result = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT a.attname, a.attnum, format_type(a.atttypid, a.atttypmod),"
            + " CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation"
            + "   THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END,"
            + " pg_get_expr(d.adbin, d.adrelid), a.attnotnull, a.attidentity <> '', a.attgenerated <> ''"
            + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
            + " LEFT JOIN pg_collation co ON co.oid = a.attcollation"
            + " LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace"
            + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            + " WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped AND " + where
            + " ORDER BY a.attnum")) {
      ps.setLong(1, tableOid);
      ps.setString(2, arg);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.add(new Column(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
              rs.getString(5), rs.getBoolean(6), rs.getBoolean(7), rs.getBoolean(8)));
        }
      }
    }
    return result;
  }
}
