package dev.cutover.runtime;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cutover.rewriter.Catalog;
import dev.cutover.rewriter.TableInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.Utils;

/**
 * Table lookups over {@code pg_catalog}, shared by the connections of one runtime and emptied at
 * every snapshot change (the CLI's DDL comes with a phase change).
 *
 * <p>Implementation notes: a lookup runs on the application's own connection, only on a cache miss,
 * through pgjdbc's {@code execSQLQuery}, which suppresses the implicit {@code BEGIN}: with
 * autocommit off it does not open a transaction the application did not ask for. The query cannot
 * fail inside a healthy transaction (it uses {@code to_regclass} with a quoted literal, which yields
 * NULL for a missing schema or table), so it never aborts the application's transaction. Unqualified
 * names resolve through the session's {@code search_path}, which is part of the key.
 */
public final class CatalogCache {

  // equals and hashCode written out: a record's generated ones are bootstrapped through method
  // handles at their first use, which spins classes in the application's JVM.
  private record Key(String searchPath, String schema, String table) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Objects.equals(searchPath, k.searchPath) && Objects.equals(schema, k.schema)
          && Objects.equals(table, k.table);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * Objects.hashCode(searchPath) + Objects.hashCode(schema)) + Objects.hashCode(table);
    }
  }

  private final Cache<Key, Optional<TableInfo>> cache;

  /** @param maximumSize entries kept at most */
  public CatalogCache(long maximumSize) {
    this.cache = Caffeine.newBuilder().maximumSize(maximumSize).build();
  }

  /** Forgets everything (the snapshot changed, so DDL may have run). */
  public void invalidateAll() {
    cache.invalidateAll();
  }

  /**
   * A {@link Catalog} for one rewrite on one connection.
   *
   * @param connection the application's pgjdbc connection
   * @param searchPath its current {@code search_path}
   */
  public Catalog forSession(BaseConnection connection, String searchPath) {
    return (schema, table) -> {
      Key key = new Key(schema == null ? searchPath : null, schema, table);
      Optional<TableInfo> info = cache.getIfPresent(key);
      if (info == null) {
        try {
          info = Optional.ofNullable(query(connection, schema, table));
        } catch (SQLException e) {
          throw new CatalogQueryException(e);
        }
        cache.put(key, info);
      }
      return info.orElse(null);
    };
  }

  /**
   * The table's physical columns in attribute order and its primary key, or {@code null} for no
   * table (or a view...).
   */
  static TableInfo query(BaseConnection connection, String schema, String table) throws SQLException {
    String name = (schema == null ? "" : quoteIdent(schema) + ".") + quoteIdent(table);
    String sql = "SELECT n.nspname, c.relname, c.relkind,"
        + " ARRAY(SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid"
        + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)::text[],"
        + " ARRAY(SELECT a.attname FROM pg_catalog.pg_index i,"
        + " unnest(CAST(i.indkey AS int2[])) WITH ORDINALITY k(attnum, ord), pg_catalog.pg_attribute a"
        + " WHERE i.indrelid = c.oid AND i.indisprimary AND a.attrelid = c.oid AND a.attnum = k.attnum"
        + " ORDER BY k.ord)::text[]"
        + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE c.oid = pg_catalog.to_regclass(" + quoteLiteral(connection, name) + ")";
    ResultSet rs = connection.execSQLQuery(sql);
    try {
      if (!rs.next()) {
        return null;
      }
      String kind = rs.getString(3);
      if (!"r".equals(kind) && !"p".equals(kind)) {
        return null; // views, foreign tables, sequences...: the rewriter must not assume anything
      }
      return new TableInfo(rs.getString(1), rs.getString(2), names(rs.getString(4)), names(rs.getString(5)));
    } finally {
      var st = rs.getStatement();
      rs.close();
      if (st != null) {
        st.close();
      }
    }
  }

  /**
   * The names of a one-dimensional {@code text[]} without nulls, from its text form (PostgreSQL's
   * {@code array_out}: an element is double-quoted, with {@code "} and {@code \} escaped by a
   * backslash, when it is empty, is the word NULL, or holds a blank, quote, backslash, brace or
   * comma). Read here rather than with {@code getArray}, whose first use loads pgjdbc's array
   * decoders and encoders (some 45 classes) into the application's JVM.
   */
  static List<String> names(String array) throws SQLException {
    if (array.length() < 2 || array.charAt(0) != '{' || array.charAt(array.length() - 1) != '}') {
      throw new SQLException("not a one-dimensional text[]: " + array);
    }
    List<String> out = new java.util.ArrayList<>();
    int end = array.length() - 1;
    int i = 1;
    while (i < end) {
      StringBuilder name = new StringBuilder();
      if (array.charAt(i) == '"') {
        i++;
        for (char c; (c = array.charAt(i)) != '"'; i++) {
          if (c == '\\') {
            c = array.charAt(++i);
          }
          name.append(c);
        }
        i++;
      } else {
        for (char c; i < end && (c = array.charAt(i)) != ','; i++) {
          if (c == '{' || c == '"' || c == '\\') {
            throw new SQLException("not a one-dimensional text[]: " + array);
          }
          name.append(c);
        }
        if (name.toString().equals("NULL")) {
          throw new SQLException("a null name in " + array);
        }
      }
      out.add(name.toString());
      if (i < end && array.charAt(i++) != ',') {
        throw new SQLException("not a one-dimensional text[]: " + array);
      }
    }
    return List.copyOf(out);
  }

  /** The session's {@code search_path}, read without opening a transaction. */
  public static String searchPath(BaseConnection connection) throws SQLException {
    ResultSet rs = connection.execSQLQuery("SELECT pg_catalog.current_setting('search_path')");
    try {
      rs.next();
      return rs.getString(1);
    } finally {
      var st = rs.getStatement();
      rs.close();
      if (st != null) {
        st.close();
      }
    }
  }

  static String quoteIdent(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  static String quoteLiteral(BaseConnection connection, String text) throws SQLException {
    StringBuilder sb = new StringBuilder(text.length() + 2).append('\'');
    Utils.escapeLiteral(sb, text, connection.getStandardConformingStrings());
    return sb.append('\'').toString();
  }
}
