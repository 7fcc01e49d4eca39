package dev.cutover.rewriter.lex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A SQL text with its tokens and the indexes the rewriter needs: the token starting at an offset,
 * matching parentheses, the JDBC ordinal of each placeholder, and the statements.
 *
 * <p>Implementation notes: built once per text; immutable afterwards but for a memo of folded
 * names (filled as asked; two threads racing on it compute and store the same string). Placeholder ordinals are
 * 1-based over the whole text (all statements), which is how pgjdbc numbers them.
 */
public final class SqlText {

  /** One statement of a multi-statement text: tokens {@code [from, to)}, the {@code ;} excluded. */
  public record Statement(int fromToken, int toToken, int start, int end) {}

  private final String sql;
  private final List<Token> tokens;
  private final int[] tokenAt;
  private final int[] match;
  private final int[] placeholderOrdinal;
  private final List<Statement> statements;

  /** Lexes {@code sql}. */
  public SqlText(String sql) {
    this(sql, Lexer.lex(sql));
  }

  /** {@code sql} already lexed: {@code tokens} is {@link Lexer#lex} of it, and is not changed afterwards. */
  public SqlText(String sql, List<Token> tokens) {
    this.sql = sql;
    this.tokens = tokens;
    int n = tokens.size();
    this.tokenAt = new int[sql.length() + 1];
    Arrays.fill(tokenAt, -1);
    this.match = new int[n];
    Arrays.fill(match, -1);
    this.placeholderOrdinal = new int[n];
    this.statements = new ArrayList<>();
    int[] stack = new int[n + 1];
    int depth = 0;
    int ordinal = 0;
    int stmtFrom = 0;
    for (int i = 0; i < n; i++) {
      Token t = tokens.get(i);
      tokenAt[t.start()] = i;
      switch (t.kind()) {
        case LPAREN, LBRACKET, LBRACE -> stack[depth++] = i;
        case RPAREN, RBRACKET, RBRACE -> {
          if (depth > 0) {
            int open = stack[--depth];
            match[open] = i;
            match[i] = open;
          }
        }
        case PLACEHOLDER -> placeholderOrdinal[i] = ++ordinal;
        case SEMICOLON -> {
          if (depth == 0) {
            addStatement(stmtFrom, i);
            stmtFrom = i + 1;
          }
        }
        default -> {}
      }
    }
    addStatement(stmtFrom, n);
  }

  private void addStatement(int from, int to) {
    int start = from < tokens.size() ? tokens.get(from).start() : sql.length();
    int end = to > from ? tokens.get(to - 1).end() : start;
    statements.add(new Statement(from, to, start, end));
  }

  /** The text. */
  public String sql() {
    return sql;
  }

  /** All tokens, in order. */
  public List<Token> tokens() {
    return tokens;
  }

  /** The index of the token starting at {@code offset}, or -1. */
  public int tokenStartingAt(int offset) {
    return offset >= 0 && offset < tokenAt.length ? tokenAt[offset] : -1;
  }

  /** The index of the bracket matching the bracket token {@code index}, or -1. */
  public int matching(int index) {
    return match[index];
  }

  /** The 1-based JDBC ordinal of placeholder token {@code index}, or 0 when it is not a placeholder. */
  public int placeholderOrdinal(int index) {
    return placeholderOrdinal[index];
  }

  /** The statements separated by {@code ;} at depth 0 (empty ones included). */
  public List<Statement> statements() {
    return statements;
  }

  /** The next non-trivia token index at or after {@code index} and before {@code limit}, or -1. */
  public int nextSignificant(int index, int limit) {
    for (int i = index; i < limit; i++) {
      if (!tokens.get(i).isTrivia()) {
        return i;
      }
    }
    return -1;
  }

  /** The previous non-trivia token index at or before {@code index} and not before {@code floor}, or -1. */
  public int previousSignificant(int index, int floor) {
    for (int i = index; i >= floor; i--) {
      if (!tokens.get(i).isTrivia()) {
        return i;
      }
    }
    return -1;
  }

  /** Folded names by token index, made at the first ask: the planners ask for most of them several times. */
  private String[] folded;

  /** The folded name of identifier token {@code index}. */
  public String folded(int index) {
    if (folded == null) {
      folded = new String[tokens.size()];
    }
    String name = folded[index];
    if (name == null) {
      Token t = tokens.get(index);
      name = Identifiers.fold(sql, t.start(), t.end());
      folded[index] = name;
    }
    return name;
  }

  /**
   * The name PostgreSQL reads for {@link TokenKind#UNICODE_IDENT} token {@code index}: its escapes
   * decoded with the escape character of a following {@code UESCAPE 'c'} (a backslash without one),
   * not case-folded (it is a quoted identifier); {@code null} when PostgreSQL would reject it.
   */
  public String unicodeName(int index) {
    Token t = tokens.get(index);
    if (t.kind() != TokenKind.UNICODE_IDENT || t.unterminated()) {
      return null;
    }
    char escape = '\\';
    int next = nextSignificant(index + 1, tokens.size());
    if (next >= 0 && isKeyword(next, "uescape")) {
      int str = nextSignificant(next + 1, tokens.size());
      Token e = str < 0 ? null : tokens.get(str);
      if (e == null || e.kind() != TokenKind.STRING || e.end() - e.start() != 3) {
        return null;
      }
      escape = sql.charAt(e.start() + 1);
    }
    String body = sql.substring(t.start() + 3, t.end() - 1).replace("\"\"", "\"");
    return Identifiers.decodeUnicode(body, escape);
  }

  /** Whether token {@code index} is the unquoted keyword {@code word} (lower case). */
  public boolean isKeyword(int index, String word) {
    Token t = tokens.get(index);
    return t.kind() == TokenKind.IDENT && t.end() - t.start() == word.length()
        && sql.regionMatches(true, t.start(), word, 0, word.length());
  }
}
