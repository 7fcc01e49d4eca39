package dev.cutover.operator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL identifiers as written in a migration file: unquoted names are case-folded (ASCII
 * only, as PostgreSQL does), {@code "Quoted"} names keep their case.
 */
public final class Identifiers {

  /** PostgreSQL's NAMEDATALEN - 1. */
  public static final int MAX_BYTES = 63;

  private Identifiers() {}

  /**
   * Parses one identifier.
   *
   * @throws IllegalArgumentException with the reason when {@code text} is not a valid identifier
   */
  public static String parse(String text) {
    List<String> parts = parseQualified(text);
    if (parts.size() != 1) {
      throw new IllegalArgumentException("'" + text + "' is not a single identifier (it contains a '.')");
    }
    return parts.get(0);
  }

  /**
   * Parses a possibly qualified name, {@code a} or {@code a.b}, into its folded parts.
   *
   * @throws IllegalArgumentException with the reason when {@code text} is not valid
   */
  public static List<String> parseQualified(String text) {
    List<String> parts = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (true) {
      if (i >= n) {
        throw new IllegalArgumentException("'" + text + "' is not a valid identifier (empty name)");
      }
      StringBuilder part = new StringBuilder();
      if (text.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= n) {
            throw new IllegalArgumentException("'" + text + "' has an unterminated quoted identifier");
          }
          char c = text.charAt(i++);
          if (c == '"') {
            if (i < n && text.charAt(i) == '"') {
              part.append('"');
              i++;
            } else {
              break;
            }
          } else if (c == '\0') {
            throw new IllegalArgumentException("'" + text + "' contains a NUL character");
          } else {
            part.append(c);
          }
        }
        if (part.length() == 0) {
          throw new IllegalArgumentException("'" + text + "' has an empty quoted identifier");
        }
      } else {
        char first = text.charAt(i);
        if (!(isAsciiLetter(first) || first == '_' || first > 127)) {
          throw new IllegalArgumentException(
              "'" + text + "' is not a valid identifier (must start with a letter or '_', or be double-quoted)");
        }
        while (i < n && text.charAt(i) != '.') {
          char c = text.charAt(i++);
          if (!(isAsciiLetter(c) || c == '_' || c == '$' || (c >= '0' && c <= '9') || c > 127)) {
            throw new IllegalArgumentException(
                "'" + text + "' is not a valid identifier (character '" + c + "' needs double quotes)");
          }
          // PostgreSQL folds only ASCII letters of unquoted names.
          part.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
      }
      String name = part.toString();
      if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
        throw new IllegalArgumentException("'" + text + "' is longer than " + MAX_BYTES + " bytes");
      }
      parts.add(name);
      if (i == n) {
        break;
      }
      if (text.charAt(i) != '.') {
        throw new IllegalArgumentException("'" + text + "' is not a valid name (unexpected '" + text.charAt(i) + "')");
      }
      i++;
      if (parts.size() == 2) {
        throw new IllegalArgumentException("'" + text + "' has too many parts (expected table or schema.table)");
      }
    }
    return parts;
  }

  /** Quotes {@code identifier} for SQL, always. */
  public static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** {@code "schema"."table"}. */
  public static String quote(String schema, String table) {
    return quote(schema) + "." + quote(table);
  }

  /**
   * {@code base + suffix}, with {@code base} shortened so the whole fits in {@link #MAX_BYTES} bytes
   * (PostgreSQL would otherwise truncate it silently, possibly onto another index's name).
   */
  public static String withSuffix(String base, String suffix) {
    String candidate = base + suffix;
    while (candidate.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      base = base.substring(0, base.offsetByCodePoints(base.length(), -1));
      candidate = base + suffix;
    }
    return candidate;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}
