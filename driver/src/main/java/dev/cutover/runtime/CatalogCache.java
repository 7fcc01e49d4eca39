package dev.cutover.runtime;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cutover.rewriter.Catalog;
import dev.cutover.rewriter.TableInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
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

  private record Key(String searchPath, String schema, String table) {}

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
      String[] columns = (String[]) rs.getArray(4).getArray();
      String[] key = (String[]) rs.getArray(5).getArray();
      return new TableInfo(rs.getString(1), rs.getString(2), List.of(columns), List.of(key));
    } finally {
      var st = rs.getStatement();
      rs.close();
      if (st != null) {
        st.close();
      }
    }
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
