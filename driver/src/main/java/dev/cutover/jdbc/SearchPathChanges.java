package dev.cutover.jdbc;

import dev.cutover.CutoverSQLException;
import dev.cutover.CutoverSqlState;
import dev.cutover.CutoverStatistics.RefusalKind;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.rewriter.lex.SqlText;
import dev.cutover.runtime.StatementFilter;
import dev.cutover.runtime.Telemetry;

/**
 * A text of several statements in which one may change {@code search_path} ({@code SET [LOCAL]
 * search_path}, {@code SET SCHEMA}, {@code set_config('search_path', ...)}, {@code RESET},
 * {@code DISCARD}) and a later one may name a migrating table: refused. The driver resolves the
 * table names of a whole text with the {@code search_path} the session has before the text runs;
 * the statements after the change would run under another one, and an unqualified name could
 * mean another table than the one the rewrite was made for (a migrating table rewritten although
 * the server reads a twin in another schema, or the reverse). Sent as separate statements, each
 * is resolved with the path in force when it runs.
 */
final class SearchPathChanges {

  private SearchPathChanges() {}

  /** Throws {@code 0A000} when a statement of {@code sql} after one that may change the path may touch a migrating table. */
  static void check(String sql, MigrationSnapshot snapshot) throws CutoverSQLException {
    SqlText text = new SqlText(sql);
    boolean changed = false;
    for (SqlText.Statement s : text.statements()) {
      String statement = sql.substring(s.start(), s.end());
      if (changed && snapshot.mayTouch(statement)) {
        StringBuilder ids = new StringBuilder();
        for (ColumnMigration m : snapshot.migrations()) {
          ids.append(ids.length() == 0 ? "" : ", ").append(m.id());
        }
        Telemetry.refused(RefusalKind.SEARCH_PATH_CHANGE);
        throw new CutoverSQLException("Cutover cannot rewrite a statement that follows a change of search_path in"
            + " the same text (migration " + ids + "): its table names would be resolved with the search_path the"
            + " session had before the text ran. Send the change of search_path as a statement of its own."
            + " Statement: " + (sql.length() <= 500 ? sql : sql.substring(0, 500) + "..."),
            CutoverSqlState.FEATURE_NOT_SUPPORTED);
      }
      changed |= StatementFilter.mayChangeSearchPath(statement);
    }
  }
}
