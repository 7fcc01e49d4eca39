package dev.cutover.rewriter.lex;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Produces, for one statement, a text of identical length and line structure that Calcite's parser
 * reads the same way PostgreSQL would as far as identifier positions are concerned: comments become
 * spaces, PostgreSQL-only string forms become plain {@code '...'} literals, and JDBC escape braces
 * vanish. Operators (pgjdbc's {@code ??} included) are left as written: the grammar reads them.
 *
 * <p>Implementation notes: positions map 1:1 (offset {@code i} of the mask is offset
 * {@code statement.start() + i} of the original). Newlines are kept everywhere so Calcite's line
 * numbers agree; tabs and carriage returns become spaces so its column numbers agree. When a form
 * cannot be masked faithfully, {@link Result#problem()} names it and the caller refuses.
 */
public final class CalciteMask {

  /**
   * @param text the masked statement
   * @param problem {@code null}, or the construct that cannot be masked
   */
  public record Result(String text, String problem) {}

  private CalciteMask() {}

  /** Masks statement {@code stmt} of {@code text}, additionally blanking tokens {@code [blankFrom, blankTo)}. */
  public static Result mask(SqlText text, SqlText.Statement stmt, int blankFrom, int blankTo) {
    String sql = text.sql();
    int base = stmt.start();
    char[] out = sql.substring(base, stmt.end()).toCharArray();
    for (int k = 0; k < out.length; k++) {
      if (out[k] == '\t' || out[k] == '\r' || out[k] == '\f') {
        out[k] = ' ';
      }
    }
    Deque<Boolean> braces = new ArrayDeque<>();
    String problem = null;
    for (int i = stmt.fromToken(); i < stmt.toToken(); i++) {
      Token t = text.tokens().get(i);
      int s = t.start() - base;
      int e = t.end() - base;
      if (i >= blankFrom && i < blankTo) {
        blank(out, s, e);
        continue;
      }
      if (t.unterminated()) {
        problem = problem != null ? problem : "an unterminated string, identifier or comment";
      }
      switch (t.kind()) {
        case IDENT -> {
          int literal = typedLiteral(text, stmt, i);
          if (inheritanceOnly(text, stmt, i)) {
            // FROM ONLY t, UPDATE ONLY t, DELETE FROM ONLY t: Calcite would read ONLY as the table
            // name and t as its alias, and the statement would pass unrewritten. For the rewriter
            // it is table t (a migrating table has no inheritance children: plan refuses those).
            blank(out, s, e);
          } else if (literal >= 0) {
            // PostgreSQL's interval '1 day' / timestamptz '...': Calcite only needs to see a literal here.
            plainLiteral(out, s, text.tokens().get(literal).end() - base);
            i = literal;
          }
        }
        case LINE_COMMENT, BLOCK_COMMENT -> blank(out, s, e);
        case PREFIXED_STRING, DOLLAR_STRING -> plainLiteral(out, s, e);
        case DOLLAR_PARAM -> problem = problem != null ? problem : "a $n positional parameter";
        case OTHER, UNICODE_IDENT -> problem = problem != null ? problem : "the token '" + t.text(sql) + "'";
        case LBRACE -> {
          int kw = text.nextSignificant(i + 1, stmt.toToken());
          String word = kw < 0 ? "" : text.folded(kw);
          int close = text.matching(i);
          switch (word) {
            case "fn", "oj" -> {
              blank(out, s, e);
              blank(out, text.tokens().get(kw).start() - base, text.tokens().get(kw).end() - base);
              i = kw;
              braces.push(Boolean.TRUE);
            }
            case "d", "t", "ts" -> {
              if (close < 0) {
                problem = problem != null ? problem : "an unclosed JDBC escape";
              } else {
                plainLiteral(out, s, text.tokens().get(close).end() - base);
                i = close;
              }
            }
            case "escape" -> {
              if (close < 0) {
                problem = problem != null ? problem : "an unclosed JDBC escape";
              } else {
                blank(out, s, text.tokens().get(close).end() - base);
                i = close;
              }
            }
            default -> {
              problem = problem != null ? problem : "the JDBC escape {" + word + " ...}";
              braces.push(Boolean.FALSE);
            }
          }
        }
        case RBRACE -> {
          if (!braces.isEmpty() && braces.pop()) {
            blank(out, s, e);
          }
        }
        default -> {}
      }
    }
    return new Result(new String(out), problem);
  }

  /** Whether token {@code i} is PostgreSQL's {@code ONLY} before a table name (after FROM, UPDATE, JOIN or a comma). */
  private static boolean inheritanceOnly(SqlText text, SqlText.Statement stmt, int i) {
    if (!text.folded(i).equals("only")) {
      return false;
    }
    int before = text.previousSignificant(i - 1, stmt.fromToken());
    int after = text.nextSignificant(i + 1, stmt.toToken());
    if (before < 0 || after < 0 || !text.tokens().get(after).isIdentifier()) {
      return false;
    }
    Token b = text.tokens().get(before);
    return b.kind() == TokenKind.COMMA
        || (b.kind() == TokenKind.IDENT && java.util.Set.of("from", "update", "join").contains(text.folded(before)));
  }

  private static final java.util.Set<String> TYPED_LITERALS =
      java.util.Set.of("interval", "date", "time", "timestamp", "timestamptz");
  private static final java.util.Set<String> INTERVAL_UNITS =
      java.util.Set.of("year", "month", "day", "hour", "minute", "second");

  /**
   * When token {@code i} starts a PostgreSQL typed literal ({@code interval '1 day'}), the index of
   * its string token; otherwise -1. An SQL-standard interval with a unit keyword is left to Calcite.
   */
  private static int typedLiteral(SqlText text, SqlText.Statement stmt, int i) {
    String word = text.folded(i);
    if (!TYPED_LITERALS.contains(word)) {
      return -1;
    }
    int str = text.nextSignificant(i + 1, stmt.toToken());
    if (str < 0 || text.tokens().get(str).kind() != TokenKind.STRING) {
      return -1;
    }
    int after = text.nextSignificant(str + 1, stmt.toToken());
    if (word.equals("interval") && after >= 0 && text.tokens().get(after).kind() == TokenKind.IDENT
        && INTERVAL_UNITS.contains(text.folded(after))) {
      return -1;
    }
    return str;
  }

  /** Blanks {@code [s, e)}, keeping newlines. */
  public static void blank(char[] out, int s, int e) {
    for (int k = s; k < e; k++) {
      if (out[k] != '\n') {
        out[k] = ' ';
      }
    }
  }

  /** Replaces {@code [s, e)} with a plain string literal of the same length, keeping newlines. */
  private static void plainLiteral(char[] out, int s, int e) {
    for (int k = s; k < e; k++) {
      if (out[k] != '\n') {
        out[k] = 'x';
      }
    }
    out[s] = '\'';
    out[e - 1] = '\'';
  }
}
