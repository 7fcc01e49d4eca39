package dev.cutover.rewriter.lex;

import java.util.Locale;
import java.util.Set;

/** PostgreSQL identifier folding and quoting. */
public final class Identifiers {

  /**
   * Words that are quoted when used as a name: every PostgreSQL keyword that is not unreserved
   * (reserved; usable as a function or type name only, like {@code current_schema}; usable as a
   * column name only in some places, like {@code position}), plus a safety margin of unreserved ones
   * that Calcite or older PostgreSQL versions treat specially. Left bare, several of them are not
   * even a syntax error: {@code current_schema}, {@code user}, {@code current_user} and friends are
   * functions PostgreSQL evaluates, so a generated {@code SET c = current_schema} would store
   * {@code 'public'} in every row.
   */
  private static final Set<String> RESERVED = Set.of(
      // reserved
      "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast",
      "check", "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role",
      "current_time", "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do",
      "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in",
      "initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
      "null", "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning", "select",
      "session_user", "some", "symmetric", "system_user", "table", "then", "to", "trailing", "true", "union",
      "unique", "user", "using", "variadic", "when", "where", "window", "with",
      // function or type names only
      "authorization", "binary", "collation", "concurrently", "cross", "current_schema", "freeze", "full",
      "ilike", "inner", "is", "isnull", "join", "left", "like", "natural", "notnull", "outer", "overlaps",
      "right", "similar", "tablesample", "verbose",
      // column names only in some places
      "between", "bigint", "bit", "boolean", "char", "character", "coalesce", "dec", "decimal", "exists",
      "extract", "float", "greatest", "grouping", "inout", "int", "integer", "interval", "json", "json_array",
      "json_arrayagg", "json_exists", "json_object", "json_objectagg", "json_query", "json_scalar",
      "json_serialize", "json_table", "json_value", "least", "merge_action", "national", "nchar", "none",
      "normalize", "numeric", "out", "overlay", "position", "precision", "real", "row", "setof", "smallint",
      "substring", "time", "timestamp", "treat", "trim", "values", "varchar", "xmlattributes", "xmlconcat",
      "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize",
      "xmltable",
      // unreserved, but special to Calcite's parser or in some positions
      "value", "year", "month", "day", "hour", "minute", "second", "date");

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
