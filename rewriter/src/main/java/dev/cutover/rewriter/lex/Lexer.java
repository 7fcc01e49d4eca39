package dev.cutover.rewriter.lex;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into tokens the way pgjdbc's parser and PostgreSQL see it, assuming
 * {@code standard_conforming_strings = on}.
 *
 * <p>Implementation notes: every character of the input belongs to exactly one token and tokens are
 * contiguous, so concatenating their texts gives the input back. Unterminated strings, quoted
 * identifiers and comments run to the end of the text and are flagged, never an exception: the
 * caller decides whether that is fatal.
 */
public final class Lexer {

  private static final String OPERATOR_CHARS = "+-*/<>=~!@#%^&|`";

  private Lexer() {}

  /** Receives the tokens of a {@link #scan}, in text order. */
  @FunctionalInterface
  public interface Sink {
    /** One token; see {@link Token} for the arguments. */
    void token(TokenKind kind, int start, int end, boolean unterminated);
  }

  /** Tokenizes {@code sql}. */
  public static List<Token> lex(String sql) {
    List<Token> out = new ArrayList<>(Math.max(8, sql.length() / 4));
    scan(sql, (kind, start, end, unterminated) -> out.add(new Token(kind, start, end, unterminated)));
    return out;
  }

  /**
   * Tokenizes {@code sql} into {@code out} without making {@link Token} objects: for a caller that
   * looks at each token once (the constant normalisation of every literal text).
   */
  public static void scan(String sql, Sink out) {
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      int start = i;
      if (Character.isWhitespace(c)) {
        while (i < n && Character.isWhitespace(sql.charAt(i))) {
          i++;
        }
        out.token(TokenKind.WHITESPACE, start, i, false);
      } else if (c == '-' && next(sql, i) == '-') {
        while (i < n && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
          i++;
        }
        out.token(TokenKind.LINE_COMMENT, start, i, false);
      } else if (c == '/' && next(sql, i) == '*') {
        i = blockComment(sql, i, out);
      } else if (c == '\'') {
        i = quoted(sql, i, '\'', TokenKind.STRING, start, out);
      } else if (c == '"') {
        i = quoted(sql, i, '"', TokenKind.QUOTED_IDENT, start, out);
      } else if ((c == 'e' || c == 'E') && next(sql, i) == '\'') {
        i = escapeString(sql, i + 1, start, out);
      } else if ((c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N') && next(sql, i) == '\'') {
        i = quoted(sql, i + 1, '\'', TokenKind.PREFIXED_STRING, start, out);
      } else if ((c == 'u' || c == 'U') && next(sql, i) == '&' && i + 2 < n
          && (sql.charAt(i + 2) == '\'' || sql.charAt(i + 2) == '"')) {
        char q = sql.charAt(i + 2);
        i = quoted(sql, i + 2, q, q == '\'' ? TokenKind.PREFIXED_STRING : TokenKind.UNICODE_IDENT, start, out);
      } else if (c == '$') {
        i = dollar(sql, i, out);
      } else if (isIdentStart(c)) {
        while (i < n && isIdentPart(sql.charAt(i))) {
          i++;
        }
        out.token(TokenKind.IDENT, start, i, false);
      } else if (Character.isDigit(c) || (c == '.' && Character.isDigit(next(sql, i)))) {
        i = number(sql, i);
        out.token(TokenKind.NUMBER, start, i, false);
      } else if (c == '?') {
        i = question(sql, i, out);
      } else if (OPERATOR_CHARS.indexOf(c) >= 0) {
        while (i < n && OPERATOR_CHARS.indexOf(sql.charAt(i)) >= 0
            && !(sql.charAt(i) == '-' && next(sql, i) == '-')
            && !(sql.charAt(i) == '/' && next(sql, i) == '*')) {
          i++;
        }
        out.token(TokenKind.OPERATOR, start, i, false);
      } else if (c == ':') {
        i += next(sql, i) == ':' ? 2 : 1;
        out.token(TokenKind.OPERATOR, start, i, false);
      } else {
        out.token(single(c), start, ++i, false);
      }
    }
  }

  private static TokenKind single(char c) {
    return switch (c) {
      case '(' -> TokenKind.LPAREN;
      case ')' -> TokenKind.RPAREN;
      case '[' -> TokenKind.LBRACKET;
      case ']' -> TokenKind.RBRACKET;
      case ',' -> TokenKind.COMMA;
      case '.' -> TokenKind.DOT;
      case ';' -> TokenKind.SEMICOLON;
      case '{' -> TokenKind.LBRACE;
      case '}' -> TokenKind.RBRACE;
      default -> TokenKind.OTHER;
    };
  }

  private static char next(String sql, int i) {
    return i + 1 < sql.length() ? sql.charAt(i + 1) : '\0';
  }

  /** PostgreSQL identifier start: letters (any alphabet) and underscore. */
  static boolean isIdentStart(char c) {
    if (c < 0x80) { // the ASCII letters are the only letters below 0x80: no table lookup
      return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }
    return Character.isLetter(c) || !Character.isWhitespace(c);
  }

  static boolean isIdentPart(char c) {
    if (c < 0x80) {
      return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= '0' && c <= '9' || c == '$';
    }
    return isIdentStart(c) || Character.isDigit(c);
  }

  private static int blockComment(String sql, int i, Sink out) {
    int start = i;
    int depth = 0;
    int n = sql.length();
    while (i < n) {
      if (sql.charAt(i) == '/' && next(sql, i) == '*') {
        depth++;
        i += 2;
      } else if (sql.charAt(i) == '*' && next(sql, i) == '/') {
        depth--;
        i += 2;
        if (depth == 0) {
          out.token(TokenKind.BLOCK_COMMENT, start, i, false);
          return i;
        }
      } else {
        i++;
      }
    }
    out.token(TokenKind.BLOCK_COMMENT, start, n, true);
    return n;
  }

  /** A quote-delimited token where a doubled quote is an escaped quote; {@code i} is the opening quote. */
  private static int quoted(String sql, int i, char quote, TokenKind kind, int start, Sink out) {
    int n = sql.length();
    i++;
    while (i < n) {
      if (sql.charAt(i) == quote) {
        if (next(sql, i) == quote) {
          i += 2;
          continue;
        }
        out.token(kind, start, i + 1, false);
        return i + 1;
      }
      i++;
    }
    out.token(kind, start, n, true);
    return n;
  }

  /** {@code E'...'}: backslash escapes as well as {@code ''}; {@code i} is the opening quote. */
  private static int escapeString(String sql, int i, int start, Sink out) {
    int n = sql.length();
    i++;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == '\'') {
        if (next(sql, i) == '\'') {
          i += 2;
          continue;
        }
        out.token(TokenKind.PREFIXED_STRING, start, i + 1, false);
        return i + 1;
      } else {
        i++;
      }
    }
    out.token(TokenKind.PREFIXED_STRING, start, n, true);
    return n;
  }

  /** {@code $1}, {@code $$...$$}, {@code $tag$...$tag$}, or a lone {@code $}. */
  private static int dollar(String sql, int i, Sink out) {
    int start = i;
    int n = sql.length();
    if (Character.isDigit(next(sql, i))) {
      i++;
      while (i < n && Character.isDigit(sql.charAt(i))) {
        i++;
      }
      out.token(TokenKind.DOLLAR_PARAM, start, i, false);
      return i;
    }
    int j = i + 1;
    if (j < n && isIdentStart(sql.charAt(j))) {
      while (j < n && isIdentPart(sql.charAt(j)) && sql.charAt(j) != '$') {
        j++;
      }
    }
    if (j < n && sql.charAt(j) == '$') {
      String tag = sql.substring(i, j + 1);
      int close = sql.indexOf(tag, j + 1);
      if (close < 0) {
        out.token(TokenKind.DOLLAR_STRING, start, n, true);
        return n;
      }
      int end = close + tag.length();
      out.token(TokenKind.DOLLAR_STRING, start, end, false);
      return end;
    }
    out.token(TokenKind.OTHER, start, i + 1, false);
    return i + 1;
  }

  private static int number(String sql, int i) {
    int n = sql.length();
    while (i < n && (Character.isDigit(sql.charAt(i)) || sql.charAt(i) == '.' || sql.charAt(i) == '_')) {
      if (sql.charAt(i) == '.' && next(sql, i) == '.') {
        break;
      }
      i++;
    }
    if (i < n && (sql.charAt(i) == 'e' || sql.charAt(i) == 'E')) {
      int j = i + 1;
      if (j < n && (sql.charAt(j) == '+' || sql.charAt(j) == '-')) {
        j++;
      }
      if (j < n && Character.isDigit(sql.charAt(j))) {
        i = j;
        while (i < n && Character.isDigit(sql.charAt(i))) {
          i++;
        }
      }
    }
    return i;
  }

  /** pgjdbc: {@code ??} is an escaped {@code ?} (the jsonb operator), a single {@code ?} a placeholder. */
  private static int question(String sql, int i, Sink out) {
    int start = i;
    if (next(sql, i) == '?') {
      i += 2;
      if (i < sql.length() && (sql.charAt(i) == '|' || sql.charAt(i) == '&')) {
        i++;
      }
      out.token(TokenKind.ESCAPED_QUESTION, start, i, false);
      return i;
    }
    out.token(TokenKind.PLACEHOLDER, start, i + 1, false);
    return i + 1;
  }
}
