package dev.cutover.rewriter.lex;

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

  /**
   * The name PostgreSQL sees for an identifier token's text: unquoted folds ASCII letters to lower
   * case (PostgreSQL leaves other letters alone in a UTF-8 database), and a name longer than 63
   * bytes is cut to 63 as PostgreSQL does ({@code NAMEDATALEN}), so a longer spelling names the
   * same table.
   */
  public static String fold(String tokenText) {
    if (tokenText.length() >= 2 && tokenText.charAt(0) == '"') {
      return truncate(tokenText.substring(1, tokenText.length() - 1).replace("\"\"", "\""));
    }
    return truncate(lowerAscii(tokenText));
  }

  /**
   * {@link #fold(String)} of the identifier token {@code sql[start, end)}, without first copying the
   * token's text out: an unquoted name with upper-case letters (keywords written in capitals, which
   * the planners fold as well) is one new string, not three.
   */
  public static String fold(String sql, int start, int end) {
    if (end - start >= 2 && sql.charAt(start) == '"') {
      return fold(sql.substring(start, end));
    }
    for (int i = start; i < end; i++) {
      char c = sql.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        char[] chars = new char[end - start];
        sql.getChars(start, end, chars, 0);
        for (int k = i - start; k < chars.length; k++) {
          if (chars[k] >= 'A' && chars[k] <= 'Z') {
            chars[k] = (char) (chars[k] + ('a' - 'A'));
          }
        }
        return truncate(new String(chars));
      }
    }
    return truncate(sql.substring(start, end));
  }

  private static String lowerAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        char[] chars = s.toCharArray();
        for (int k = i; k < chars.length; k++) {
          if (chars[k] >= 'A' && chars[k] <= 'Z') {
            chars[k] = (char) (chars[k] + ('a' - 'A'));
          }
        }
        return new String(chars);
      }
    }
    return s;
  }

  /** The longest identifier PostgreSQL keeps, in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = 63;

  /** {@code name} cut to at most {@link #MAX_NAME_BYTES} UTF-8 bytes at a character boundary. */
  public static String truncate(String name) {
    if (name.length() * 3 <= MAX_NAME_BYTES) {
      return name; // even if every char took three bytes (four-byte ones are two chars)
    }
    int bytes = 0;
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + len > MAX_NAME_BYTES) {
        return name.substring(0, i);
      }
      bytes += len;
      i += Character.charCount(cp);
    }
    return name;
  }

  /**
   * Decodes the body of a {@code U&"..."} identifier (doubled quotes already collapsed) as PostgreSQL
   * does: {@code escape} followed by four hex digits, or by {@code +} and six, is that code point
   * (a UTF-16 surrogate pair written as two escapes is one), a doubled {@code escape} is itself.
   *
   * @return the name, or {@code null} when PostgreSQL would reject the identifier or the escape
   *     character
   */
  public static String decodeUnicode(String body, char escape) {
    if (Character.digit(escape, 16) >= 0 || escape == '+' || escape == '\'' || escape == '"'
        || Character.isWhitespace(escape)) {
      return null;
    }
    StringBuilder out = new StringBuilder(body.length());
    int highSurrogate = -1;
    int i = 0;
    while (i < body.length()) {
      char c = body.charAt(i);
      if (c != escape) {
        if (highSurrogate >= 0) {
          return null;
        }
        out.append(c);
        i++;
        continue;
      }
      if (i + 1 < body.length() && body.charAt(i + 1) == escape) {
        if (highSurrogate >= 0) {
          return null;
        }
        out.append(escape);
        i += 2;
        continue;
      }
      int digits = i + 1 < body.length() && body.charAt(i + 1) == '+' ? 6 : 4;
      int from = i + 1 + (digits == 6 ? 1 : 0);
      if (from + digits > body.length()) {
        return null;
      }
      int cp = 0;
      for (int k = from; k < from + digits; k++) {
        int d = Character.digit(body.charAt(k), 16);
        if (d < 0) {
          return null;
        }
        cp = cp * 16 + d;
      }
      i = from + digits;
      if (highSurrogate >= 0) {
        if (!Character.isLowSurrogate((char) cp) || cp > 0xFFFF) {
          return null;
        }
        out.appendCodePoint(Character.toCodePoint((char) highSurrogate, (char) cp));
        highSurrogate = -1;
      } else if (cp <= 0xFFFF && Character.isHighSurrogate((char) cp)) {
        highSurrogate = cp;
      } else if (cp == 0 || cp > Character.MAX_CODE_POINT || cp <= 0xFFFF && Character.isLowSurrogate((char) cp)) {
        return null;
      } else {
        out.appendCodePoint(cp);
      }
    }
    return highSurrogate >= 0 ? null : truncate(out.toString());
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
