package dev.cutover.rewriter;

/**
 * What the rewriter may ask about the database: which table a name refers to and its columns.
 * The driver implements it over {@code pg_catalog} (cached); tests implement it with a map.
 */
public interface Catalog {

  /**
   * Resolves a table name as PostgreSQL would from the session's {@code search_path}.
   *
   * @param schema the schema as written (already case-folded), or {@code null} when unqualified
   * @param table the table name (already case-folded)
   * @return the table with its physical columns in order, or {@code null} when there is no such
   *     table (or it is a view, function, CTE name... anything the rewriter must not assume about)
   */
  TableInfo table(String schema, String table);
}
