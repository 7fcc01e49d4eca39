package dev.cutover.jdbc;

import dev.cutover.rewriter.lex.WordSet;
import java.util.Set;

/** Cheap text checks on statements that change the session state name resolution depends on. */
final class SessionSql {

  private static final WordSet SEARCH_PATH_MARKERS = new WordSet(Set.of("search_path", "schema", "reset", "discard"));

  private SessionSql() {}

  /**
   * Whether {@code sql} may change the session's {@code search_path} ({@code SET search_path},
   * {@code SET SCHEMA}, {@code set_config('search_path', ...)}, {@code RESET}, {@code DISCARD ALL}).
   * Conservative: a false positive only costs one re-read of the setting. One pass, no allocation.
   */
  static boolean mayChangeSearchPath(String sql) {
    return SEARCH_PATH_MARKERS.foundIn(sql);
  }
}
