package dev.cutover.jdbc;

/** Cheap text checks on statements that change the session state name resolution depends on. */
final class SessionSql {

  private static final String[] SEARCH_PATH_MARKERS = {"search_path", "schema", "reset", "discard"};

  private SessionSql() {}

  /**
   * Whether {@code sql} may change the session's {@code search_path} ({@code SET search_path},
   * {@code SET SCHEMA}, {@code set_config('search_path', ...)}, {@code RESET}, {@code DISCARD ALL}).
   * Conservative: a false positive only costs one re-read of the setting.
   */
  static boolean mayChangeSearchPath(String sql) {
    for (String marker : SEARCH_PATH_MARKERS) {
      if (containsIgnoreCase(sql, marker)) {
        return true;
      }
    }
    return false;
  }

  private static boolean containsIgnoreCase(String text, String word) {
    int n = word.length();
    for (int i = 0, last = text.length() - n; i <= last; i++) {
      if (text.regionMatches(true, i, word, 0, n)) {
        return true;
      }
    }
    return false;
  }
}
