package dev.cutover.rewriter.lex;

import java.util.Locale;
import java.util.Set;

/** PostgreSQL identifier folding and quoting. */
public final class Identifiers {

  /** Reserved words that must be quoted to be used as a column name (PostgreSQL, plus a safety margin). */
  private static final Set<String> RESERVED = Set.of(
      "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast",
      "check", "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role",
      "current_time", "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do",
      "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in",
      "initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
      "null", "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning", "select",
      "session_user", "some", "symmetric", "system_user", "table", "then", "to", "trailing", "true", "union",
      "unique", "user", "using", "variadic", "when", "where", "window", "with", "time", "timestamp", "value",
      "year", "month", "day", "hour", "minute", "second", "interval", "date", "join", "left", "right", "full",
      "inner", "outer", "cross", "natural", "is", "like", "ilike", "between", "overlaps", "similar");

  private Identifiers() {}

  /** The name PostgreSQL sees for an identifier token's text: unquoted folds to lower case. */
  public static String fold(String tokenText) {
    if (tokenText.length() >= 2 && tokenText.charAt(0) == '"') {
      return tokenText.substring(1, tokenText.length() - 1).replace("\"\"", "\"");
    }
    return tokenText.toLowerCase(Locale.ROOT);
  }

  /** The SQL text for column or label {@code name}: bare when PostgreSQL would read it back unchanged. */
  public static String quote(String name) {
    if (isPlain(name) && !RESERVED.contains(name)) {
      return name;
    }
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  private static boolean isPlain(String name) {
    if (name.isEmpty()) {
      return false;
    }
    char first = name.charAt(0);
    if (!(first >= 'a' && first <= 'z' || first == '_')) {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '$')) {
        return false;
      }
    }
    return true;
  }
}
