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
    if (!mayHoldConstant(sql) || sql.indexOf(MARK) >= 0) {
      return null;
    }
    // One pass of the lexer straight into the key: no token list (this runs for every literal text).
    Builder b = new Builder(sql, keep);
    Lexer.scan(sql, b);
    return b.shape();
  }

  /**
   * {@link #of(String, Predicate)} of {@code sql} already lexed into {@code tokens} ({@link
   * Lexer#lex}).
   */
  public static ConstantShape of(String sql, List<Token> tokens, Predicate<String> keep) {
    if (sql.indexOf(MARK) >= 0) {
      return null;
    }
    Builder b = new Builder(sql, keep);
    for (Token t : tokens) {
      b.token(t.kind(), t.start(), t.end(), t.unterminated());
    }
    return b.shape();
  }

  /** Builds the key and the constants from the tokens of one text, in order. */
  private static final class Builder implements Lexer.Sink {
    private final String sql;
    private final Predicate<String> keep;
    private StringBuilder key;
    private String[] constants = NONE;
    private int n;
    private int copied;
    private boolean failed;
    // The previous token that is not whitespace or a comment (for UESCAPE).
    private TokenKind previousKind;
    private int previousStart;
    private int previousEnd;

    Builder(String sql, Predicate<String> keep) {
      this.sql = sql;
      this.keep = keep;
    }

    @Override
    public void token(TokenKind kind, int start, int end, boolean unterminated) {
      if (unterminated) {
        failed = true;
      }
      if (failed) {
        return;
      }
      String constant = constant(kind, start, end);
      if (constant != null) {
        if (key == null) {
          key = new StringBuilder(sql.length());
          constants = new String[8];
        }
        key.append(sql, copied, start).append(MARK);
        copied = end;
        if (n == constants.length) {
          constants = java.util.Arrays.copyOf(constants, n * 2);
        }
        constants[n++] = constant;
      }
      if (kind != TokenKind.WHITESPACE && kind != TokenKind.LINE_COMMENT && kind != TokenKind.BLOCK_COMMENT) {
        previousKind = kind;
        previousStart = start;
        previousEnd = end;
      }
    }

    /** The token's text when it is a constant to take out, else null. */
    private String constant(TokenKind kind, int start, int end) {
      switch (kind) {
        case NUMBER:
          return sql.substring(start, end);
        case STRING:
        case DOLLAR_STRING:
        case PREFIXED_STRING:
          break;
        default:
          return null;
      }
      if (previousKind == TokenKind.IDENT && previousEnd - previousStart == 7
          && sql.regionMatches(true, previousStart, "uescape", 0, 7)) {
        return null;
      }
      char first = Character.toLowerCase(sql.charAt(start));
      if (kind == TokenKind.PREFIXED_STRING && (first == 'u' || first == 'e' && hasBackslash(sql, start, end))) {
        return null;
      }
      String text = sql.substring(start, end);
      return keep.test(text) ? null : text;
    }

    ConstantShape shape() {
      if (failed || key == null) {
        return null;
      }
      key.append(sql, copied, sql.length());
      return new ConstantShape(key.toString(), n == constants.length ? constants : java.util.Arrays.copyOf(constants, n));
    }
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

  private static boolean hasBackslash(String sql, int start, int end) {
    for (int i = start; i < end; i++) {
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
    // Most texts repeat no constant: checked pairwise without a map (texts have few constants).
    if (constants.length <= 16 && allDistinct()) {
      return "";
    }
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

  private boolean allDistinct() {
    for (int i = 1; i < constants.length; i++) {
      for (int j = 0; j < i; j++) {
        if (constants[i].equals(constants[j])) {
          return false;
        }
      }
    }
    return true;
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
