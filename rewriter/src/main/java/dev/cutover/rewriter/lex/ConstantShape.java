package dev.cutover.rewriter.lex;

import java.util.List;
import java.util.function.Predicate;

/**
 * A SQL text with its constants taken out: numbers and strings (plain, {@code E'...'}, {@code
 * B'...'}, {@code X'...'}, {@code N'...'}, dollar-quoted) replaced by a marker, the way {@code
 * pg_stat_statements} normalises a query, so that texts an application builds with inlined values
 * ({@code WHERE id = 42}, {@code WHERE id = 43}, {@code IN (1, 2, 3)}) share one {@link #key()}.
 *
 * <p>Implementation notes: the key is the text with every normalised constant replaced by one
 * {@code U+0000} character, so the key and the constants give the text back exactly (a text that
 * holds {@code U+0000} anywhere is not normalised; PostgreSQL accepts no such character anyway). A
 * constant whose value can change what the rewriter does stays in the key as written, so texts
 * differing there have different keys: a string the caller's predicate flags (one that may name a
 * migrating table: the rewriter scans such strings in a {@code DO} body or a function that runs
 * SQL), a string in escape syntax that the rewriter cannot scan ({@code U&'...'}, an {@code E'...'}
 * with a backslash), and the escape character after {@code UESCAPE}. Whether the rewrite of one text
 * of a shape holds for another is not decided here: see {@link ConstantTemplate}.
 *
 * @param key the text with each normalised constant replaced by {@code U+0000}
 * @param constants the normalised constants as written, in text order
 */
public record ConstantShape(String key, String[] constants) {

  /** The character standing for a constant in a {@link #key()}. */
  public static final char MARK = '\0';

  private static final String[] NONE = new String[0];

  /**
   * The shape of {@code sql}, or {@code null} when it has no constant to take out or cannot be
   * normalised (an unterminated token, a {@code U+0000}).
   *
   * @param keep strings (their text as written, quotes included) that must stay in the key
   */
  public static ConstantShape of(String sql, Predicate<String> keep) {
    return mayHoldConstant(sql) ? of(sql, Lexer.lex(sql), keep) : null;
  }

  /**
   * {@link #of(String, Predicate)} of {@code sql} already lexed into {@code tokens} ({@link
   * Lexer#lex}), so that a caller that goes on to rewrite the text lexes it once.
   */
  public static ConstantShape of(String sql, List<Token> tokens, Predicate<String> keep) {
    if (sql.indexOf(MARK) >= 0) {
      return null;
    }
    StringBuilder key = null;
    String[] constants = NONE;
    int n = 0;
    int copied = 0;
    Token previous = null;
    for (Token t : tokens) {
      if (t.unterminated()) {
        return null;
      }
      if (isConstant(t, sql, previous, keep)) {
        if (key == null) {
          key = new StringBuilder(sql.length());
          constants = new String[8];
        }
        key.append(sql, copied, t.start()).append(MARK);
        copied = t.end();
        if (n == constants.length) {
          constants = java.util.Arrays.copyOf(constants, n * 2);
        }
        constants[n++] = sql.substring(t.start(), t.end());
      }
      if (!t.isTrivia()) {
        previous = t;
      }
    }
    if (key == null) {
      return null;
    }
    key.append(sql, copied, sql.length());
    return new ConstantShape(key.toString(), java.util.Arrays.copyOf(constants, n));
  }

  /**
   * Whether {@code sql} has a digit, a quote or a {@code $} at all: without, it has no constant and
   * {@link #of} is null without lexing (most prepared statements' texts have none).
   */
  public static boolean mayHoldConstant(String sql) {
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c >= '0' && c <= '9' || c == '\'' || c == '$') {
        return true;
      }
    }
    return false;
  }

  private static boolean isConstant(Token t, String sql, Token previous, Predicate<String> keep) {
    switch (t.kind()) {
      case NUMBER:
        return true;
      case STRING:
      case DOLLAR_STRING:
      case PREFIXED_STRING:
        break;
      default:
        return false;
    }
    if (previous != null && previous.kind() == TokenKind.IDENT && previous.end() - previous.start() == 7
        && sql.regionMatches(true, previous.start(), "uescape", 0, 7)) {
      return false;
    }
    char first = Character.toLowerCase(sql.charAt(t.start()));
    if (t.kind() == TokenKind.PREFIXED_STRING
        && (first == 'u' || first == 'e' && hasBackslash(sql, t))) {
      return false;
    }
    return !keep.test(sql.substring(t.start(), t.end()));
  }

  private static boolean hasBackslash(String sql, Token t) {
    for (int i = t.start(); i < t.end(); i++) {
      if (sql.charAt(i) == '\\') {
        return true;
      }
    }
    return false;
  }

  /**
   * Which constants are equal to which: empty when all differ, else for each constant the index of
   * the first one written the same, comma-separated. Texts of one {@link #key()} whose constants
   * repeat one another differently are different shapes: a template's slot for a repeated value
   * could not say which of the equal constants it holds.
   */
  public String equalities() {
    java.util.Map<String, Integer> first = new java.util.HashMap<>(constants.length * 2);
    StringBuilder out = null;
    for (int i = 0; i < constants.length; i++) {
      Integer j = first.putIfAbsent(constants[i], i);
      if (j != null && out == null) {
        out = new StringBuilder();
        for (int k = 0; k < i; k++) {
          out.append(first.get(constants[k])).append(',');
        }
      }
      if (out != null) {
        out.append(j == null ? i : j).append(',');
      }
    }
    return out == null ? "" : out.toString();
  }

  /** The text this shape was taken from, with {@code values} in place of its constants. */
  public String fill(String[] values) {
    StringBuilder out = new StringBuilder(key.length() + 16 * values.length);
    int from = 0;
    int k = 0;
    for (int i = key.indexOf(MARK); i >= 0; i = key.indexOf(MARK, from)) {
      out.append(key, from, i).append(values[k++]);
      from = i + 1;
    }
    return out.append(key, from, key.length()).toString();
  }
}
