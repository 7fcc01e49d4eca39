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
   * @param subscriptedTargets the (folded) columns assigned through a subscript ({@code SET tags[1] = ...}),
   *     whose subscript the mask blanked: the parse shows a whole-column assignment, so the write
   *     planner reads the subscript from the tokens (and refuses where it cannot mirror it)
   */
  public record Result(String text, String problem, java.util.List<String> subscriptedTargets) {
    public Result {
      subscriptedTargets = java.util.List.copyOf(subscriptedTargets);
    }

    /** A result with no subscripted assignment. */
    public Result(String text, String problem) {
      this(text, problem, java.util.List.of());
    }
  }

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
    java.util.List<String> subscripted = new java.util.ArrayList<>();
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
          if (keywordLabel(text, stmt, i)) {
            // SELECT owner AS next: a label PostgreSQL allows and Calcite's grammar reserves. A quoted
            // name of the same length; the planner reads names from the original tokens.
            quotedName(out, s, e);
          } else if (groupsFrame(text, stmt, i)) {
            // OVER (ORDER BY x GROUPS BETWEEN ...): the frame unit names no column; Calcite knows ROWS.
            "ROWS  ".getChars(0, 6, out, s);
          } else if (subscriptedAssignment(text, stmt, i)) {
            // UPDATE ... SET tags[1] = ...: the parse sees SET tags = ...; the write planner finds
            // the subscript in the tokens when tags migrates.
            int open = text.nextSignificant(i + 1, stmt.toToken());
            blank(out, text.tokens().get(open).start() - base, text.tokens().get(text.matching(open)).end() - base);
            subscripted.add(text.folded(i));
            i = text.matching(open);
          } else if (inheritanceOnly(text, stmt, i)) {
            // FROM ONLY t, UPDATE ONLY t, DELETE FROM ONLY t: Calcite would read ONLY as the table
            // name and t as its alias, and the statement would pass unrewritten. For the rewriter
            // it is table t (a migrating table has no inheritance children: plan refuses those).
            blank(out, s, e);
          } else if (unnestInAnExpression(text, stmt, i)) {
            // SELECT unnest(tags) AS tag: Calcite reads UNNEST only as a FROM item. Here it is an
            // ordinary set-returning call; a quoted name of the same length reads as one.
            quotedName(out, s, e);
          } else if (quantifiedLike(text, stmt, i)) {
            // x [NOT] LIKE ANY (...): Calcite reads quantified comparisons only; the operator names
            // no column, and the planner reads names from the original tokens.
            i = maskQuantifiedLike(text, stmt, i, out, base);
          } else if (rowsFromOneFunction(text, stmt, i)) {
            // FROM ROWS FROM (f(...)) AS g(n): with one function it is that function's rows, as
            // Calcite reads FROM f(...) AS g(n). (Several functions zip their rows: not masked.)
            int open = text.nextSignificant(text.nextSignificant(i + 1, stmt.toToken()) + 1, stmt.toToken());
            blank(out, s, text.tokens().get(open).end() - base);
            int close = text.matching(open);
            blank(out, text.tokens().get(close).start() - base, text.tokens().get(close).end() - base);
            i = open;
          } else if (orderByUsing(text, stmt, i)) {
            // ORDER BY x USING <: the sort operator names no column; Calcite knows ASC and DESC.
            int op = text.nextSignificant(i + 1, stmt.toToken());
            int last = text.tokens().get(op).kind() == TokenKind.OPERATOR ? op : text.matching(text.nextSignificant(op + 1,
                stmt.toToken()));
            blank(out, s, text.tokens().get(last).end() - base);
            i = last;
          } else if (literal >= 0) {
            // PostgreSQL's interval '1 day' / timestamptz '...': Calcite only needs to see a literal here.
            plainLiteral(out, s, text.tokens().get(literal).end() - base);
            i = literal;
          }
        }
        case OPERATOR -> {
          if (quantifiedLike(text, stmt, i)) {
            i = maskQuantifiedLike(text, stmt, i, out, base);
          } else if (inheritanceStar(text, stmt, i)) {
            // FROM t *: PostgreSQL's explicit "t and its inheritance children", which is t itself for
            // the rewriter (a migrating table has no inheritance children: plan refuses those).
            blank(out, s, e);
          }
        }
        case LBRACKET -> slice(text, stmt, i, out, base);
        case LPAREN -> columnDefinitionList(text, stmt, i, out, base);
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
    return new Result(new String(out), problem, subscripted);
  }

  /** Keywords Calcite's grammar must keep reserved that PostgreSQL allows as a label after AS. */
  private static final java.util.List<String> LABEL_KEYWORDS = java.util.List.of("next", "new", "over", "partition");

  /** Whether token {@code i} is one of the unquoted keywords {@code words} (no allocation: parsing runs per statement). */
  private static boolean anyKeyword(SqlText text, int i, java.util.List<String> words) {
    for (String w : words) {
      if (text.isKeyword(i, w)) {
        return true;
      }
    }
    return false;
  }

  /** Whether token {@code i} is one of {@link #LABEL_KEYWORDS} right after AS or a dot. */
  private static boolean keywordLabel(SqlText text, SqlText.Statement stmt, int i) {
    if (!anyKeyword(text, i, LABEL_KEYWORDS)) {
      return false;
    }
    int before = text.previousSignificant(i - 1, stmt.fromToken());
    // After AS (a label), or after a dot (a column of a derived table labelled so: s.next).
    return before >= 0 && (text.isKeyword(before, "as") || text.tokens().get(before).kind() == TokenKind.DOT);
  }

  /** Whether token {@code t} is a keyword label the mask turned into a quoted name (see {@link #mask}). */
  public static boolean isMaskedLabel(SqlText text, SqlText.Statement stmt, int t) {
    return text.tokens().get(t).kind() == TokenKind.IDENT && keywordLabel(text, stmt, t);
  }

  /** Replaces identifier {@code [s, e)} by a quoted name of the same length (its inner letters). */
  private static void quotedName(char[] out, int s, int e) {
    out[s] = '"';
    out[e - 1] = '"';
  }

  private static final java.util.List<String> NOT_BEFORE_FRAME = java.util.List.of("select", "where", "and", "or", "not",
      "on", "having", "when", "then", "else", "distinct", "all", "returning", "set", "by", "in");

  private static final java.util.List<String> FRAME_STARTS = java.util.List.of("between", "unbounded", "current");

  /** Whether token {@code i} is the frame unit GROUPS of a window ({@code GROUPS BETWEEN}, {@code GROUPS UNBOUNDED ...}, {@code GROUPS 1 PRECEDING}). */
  private static boolean groupsFrame(SqlText text, SqlText.Statement stmt, int i) {
    if (!text.isKeyword(i, "groups")) {
      return false;
    }
    // A frame follows a window's ORDER BY list, PARTITION BY list or its opening parenthesis; a column
    // named groups (WHERE groups BETWEEN 1 AND 2, SELECT a, groups ...) follows a clause word, a comma
    // or an operator, and is left alone.
    int before = text.previousSignificant(i - 1, stmt.fromToken());
    if (before < 0 || text.tokens().get(before).kind() == TokenKind.COMMA
        || text.tokens().get(before).kind() == TokenKind.OPERATOR || anyKeyword(text, before, NOT_BEFORE_FRAME)) {
      return false;
    }
    int next = text.nextSignificant(i + 1, stmt.toToken());
    if (next < 0) {
      return false;
    }
    if (anyKeyword(text, next, FRAME_STARTS)) {
      return true;
    }
    TokenKind k = text.tokens().get(next).kind();
    int after = text.nextSignificant(next + 1, stmt.toToken());
    return (k == TokenKind.NUMBER || k == TokenKind.PLACEHOLDER) && after >= 0
        && (text.isKeyword(after, "preceding") || text.isKeyword(after, "following"));
  }

  /** Whether identifier {@code i} is a SET-list target written with a subscript ({@code SET tags[1] = ...}). */
  private static boolean subscriptedAssignment(SqlText text, SqlText.Statement stmt, int i) {
    int open = text.nextSignificant(i + 1, stmt.toToken());
    if (open < 0 || text.tokens().get(open).kind() != TokenKind.LBRACKET || text.matching(open) < 0) {
      return false;
    }
    // Only a subscript of numbers and parameters is blanked: one that names a column (tags[length(name)])
    // must stay visible to the planner, so it is left to fail the parse (a refusal).
    for (int k = open + 1; k < text.matching(open); k++) {
      Token t = text.tokens().get(k);
      boolean colon = t.kind() == TokenKind.OPERATOR && t.text(text.sql()).equals(":");
      if (!colon && !constantOnly(text, k, k + 1)) {
        return false;
      }
    }
    int eq = text.nextSignificant(text.matching(open) + 1, stmt.toToken());
    if (eq < 0 || !text.tokens().get(eq).text(text.sql()).equals("=")) {
      return false;
    }
    int before = text.previousSignificant(i - 1, stmt.fromToken());
    if (before < 0) {
      return false;
    }
    if (text.isKeyword(before, "set")) {
      return true;
    }
    if (text.tokens().get(before).kind() != TokenKind.COMMA) {
      return false;
    }
    // After a comma: only inside a SET list (a SET at the same depth, before, with no FROM/WHERE/RETURNING since).
    int depth = 0;
    for (int k = before - 1; k >= stmt.fromToken(); k--) {
      TokenKind kind = text.tokens().get(k).kind();
      if (kind == TokenKind.RPAREN || kind == TokenKind.RBRACKET) {
        depth++;
      } else if (kind == TokenKind.LPAREN || kind == TokenKind.LBRACKET) {
        if (depth == 0) {
          return false;
        }
        depth--;
      } else if (depth == 0 && kind == TokenKind.IDENT) {
        String w = text.folded(k);
        if (w.equals("set")) {
          return true;
        }
        if (w.equals("from") || w.equals("where") || w.equals("returning") || w.equals("select")) {
          return false;
        }
      }
    }
    return false;
  }

  /**
   * An array slice {@code [lower:upper]} ({@code tags[1:2]}, {@code tags[:2]}, {@code tags[2:]}):
   * Calcite reads one subscript, so the side that is only numbers and placeholders is blanked with
   * the colon; when both sides name something the slice is left as written (the parse fails, the
   * statement is refused).
   */
  private static void slice(SqlText text, SqlText.Statement stmt, int open, char[] out, int base) {
    int close = text.matching(open);
    if (close < 0) {
      return;
    }
    if (text.nextSignificant(open + 1, close) < 0) {
      // text[] after a type name (?::text[], CAST(x AS int[])): the array type; Calcite reads the
      // element type, and a type names no column. Not after ARRAY (ARRAY[] is an empty array).
      int type = text.previousSignificant(open - 1, stmt.fromToken());
      if (type >= 0 && text.tokens().get(type).isIdentifier() && !text.isKeyword(type, "array")) {
        blank(out, text.tokens().get(open).start() - base, text.tokens().get(close).end() - base);
      }
      return;
    }
    int colon = -1;
    for (int k = open + 1; k < close; k++) {
      Token t = text.tokens().get(k);
      if (t.kind() == TokenKind.LPAREN || t.kind() == TokenKind.LBRACKET) {
        k = text.matching(k) < 0 ? close : text.matching(k);
      } else if (t.kind() == TokenKind.OPERATOR && t.text(text.sql()).equals(":")) {
        if (colon >= 0) {
          return;
        }
        colon = k;
      }
    }
    if (colon < 0) {
      return;
    }
    boolean lowerEmpty = text.nextSignificant(open + 1, colon) < 0;
    boolean upperEmpty = text.nextSignificant(colon + 1, close) < 0;
    Token c = text.tokens().get(colon);
    if (lowerEmpty && upperEmpty) {
      out[c.start() - base] = '1'; // tags[:] is the whole array; any one subscript reads the same names
    } else if (lowerEmpty) {
      blank(out, c.start() - base, c.end() - base);
    } else if (upperEmpty || constantOnly(text, colon + 1, close)) {
      blank(out, c.start() - base, text.tokens().get(close).start() - base);
    } else if (constantOnly(text, open + 1, colon)) {
      blank(out, text.tokens().get(open).end() - base, c.end() - base);
    }
  }

  /** Whether tokens {@code [from, to)} are numbers, placeholders, signs and parentheses only. */
  private static boolean constantOnly(SqlText text, int from, int to) {
    for (int k = from; k < to; k++) {
      Token t = text.tokens().get(k);
      boolean ok = t.isTrivia() || t.kind() == TokenKind.NUMBER || t.kind() == TokenKind.PLACEHOLDER
          || t.kind() == TokenKind.LPAREN || t.kind() == TokenKind.RPAREN
          || t.kind() == TokenKind.OPERATOR && (t.text(text.sql()).equals("+") || t.text(text.sql()).equals("-"));
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * A column definition list after a function in FROM ({@code jsonb_to_record(x) AS m(owner text)}):
   * the types are blanked, leaving the alias's column names, which is all Calcite reads there. Only
   * after {@code ) AS name}, and only when every element starts with a name.
   */
  private static void columnDefinitionList(SqlText text, SqlText.Statement stmt, int open, char[] out, int base) {
    int close = text.matching(open);
    int alias = text.previousSignificant(open - 1, stmt.fromToken());
    if (close < 0 || alias < 0 || !text.tokens().get(alias).isIdentifier()) {
      return;
    }
    int as = text.previousSignificant(alias - 1, stmt.fromToken());
    if (as < 0 || !text.isKeyword(as, "as")) {
      return;
    }
    int call = text.previousSignificant(as - 1, stmt.fromToken());
    if (call < 0 || text.tokens().get(call).kind() != TokenKind.RPAREN) {
      return;
    }
    java.util.List<int[]> blanks = new java.util.ArrayList<>();
    int k = open + 1;
    while (k < close) {
      int name = text.nextSignificant(k, close);
      if (name < 0 || !text.tokens().get(name).isIdentifier()) {
        return;
      }
      int end = name + 1;
      while (end < close && text.tokens().get(end).kind() != TokenKind.COMMA) {
        int m = text.tokens().get(end).kind() == TokenKind.LPAREN || text.tokens().get(end).kind() == TokenKind.LBRACKET
            ? text.matching(end) : end;
        end = m < 0 ? close : m + 1;
      }
      if (text.nextSignificant(name + 1, end) >= 0) {
        blanks.add(new int[] {text.tokens().get(name).end() - base, text.tokens().get(end - 1).end() - base});
      }
      k = end + 1;
    }
    for (int[] b : blanks) {
      blank(out, b[0], b[1]);
    }
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

  /**
   * Whether token {@code i} is the {@code USING} of {@code ORDER BY x USING op}: followed by an
   * operator, or by {@code OPERATOR(...)}. (JOIN ... USING is followed by a parenthesis, DELETE and
   * MERGE ... USING by a table.)
   */
  private static boolean orderByUsing(SqlText text, SqlText.Statement stmt, int i) {
    if (!text.folded(i).equals("using")) {
      return false;
    }
    int next = text.nextSignificant(i + 1, stmt.toToken());
    if (next < 0) {
      return false;
    }
    Token n = text.tokens().get(next);
    if (n.kind() == TokenKind.OPERATOR) {
      return true;
    }
    if (n.kind() != TokenKind.IDENT || !text.folded(next).equals("operator")) {
      return false;
    }
    int open = text.nextSignificant(next + 1, stmt.toToken());
    return open >= 0 && text.tokens().get(open).kind() == TokenKind.LPAREN && text.matching(open) >= 0;
  }

  private static final java.util.Set<String> LIKE_WORDS = java.util.Set.of("like", "ilike", "~~", "~~*", "!~~", "!~~*");
  private static final java.util.Set<String> QUANTIFIERS = java.util.Set.of("any", "some", "all");

  /** Whether token {@code i} is the pattern operator of {@code x LIKE ANY (...)} (or ILIKE, ~~, ~~*; SOME, ALL). */
  private static boolean quantifiedLike(SqlText text, SqlText.Statement stmt, int i) {
    Token t = text.tokens().get(i);
    String word = t.kind() == TokenKind.OPERATOR ? t.text(text.sql()) : text.folded(i);
    if (!LIKE_WORDS.contains(word)) {
      return false;
    }
    int q = text.nextSignificant(i + 1, stmt.toToken());
    if (q < 0 || text.tokens().get(q).kind() != TokenKind.IDENT || !QUANTIFIERS.contains(text.folded(q))) {
      return false;
    }
    int open = text.nextSignificant(q + 1, stmt.toToken());
    return open >= 0 && text.tokens().get(open).kind() == TokenKind.LPAREN;
  }

  /**
   * Writes {@code [NOT] LIKE} of a quantified pattern match as {@code =} or {@code <>}, padded to the
   * same length (the shortest form, {@code ~~}, has room for {@code <>}); returns the last token masked.
   */
  private static int maskQuantifiedLike(SqlText text, SqlText.Statement stmt, int i, char[] out, int base) {
    Token t = text.tokens().get(i);
    int from = t.start() - base;
    boolean negated = t.kind() == TokenKind.OPERATOR && t.text(text.sql()).startsWith("!");
    int before = text.previousSignificant(i - 1, stmt.fromToken());
    if (t.kind() == TokenKind.IDENT && before >= 0 && text.folded(before).equals("not")) {
      negated = true;
      from = text.tokens().get(before).start() - base;
    }
    blank(out, from, t.end() - base);
    String op = negated ? "<>" : "=";
    op.getChars(0, op.length(), out, from);
    return i;
  }

  /** Whether token {@code i} starts {@code ROWS FROM (f(...))} with exactly one function call inside. */
  private static boolean rowsFromOneFunction(SqlText text, SqlText.Statement stmt, int i) {
    if (!text.folded(i).equals("rows") || text.tokens().get(i).kind() != TokenKind.IDENT) {
      return false;
    }
    int before = text.previousSignificant(i - 1, stmt.fromToken());
    if (before < 0 || !(text.tokens().get(before).kind() == TokenKind.COMMA
        || java.util.Set.of("from", "join", "lateral").contains(text.folded(before)))) {
      return false;
    }
    int from = text.nextSignificant(i + 1, stmt.toToken());
    if (from < 0 || !text.folded(from).equals("from")) {
      return false;
    }
    int open = text.nextSignificant(from + 1, stmt.toToken());
    if (open < 0 || text.tokens().get(open).kind() != TokenKind.LPAREN) {
      return false;
    }
    int close = text.matching(open);
    int name = text.nextSignificant(open + 1, stmt.toToken());
    if (close < 0 || name < 0 || !text.tokens().get(name).isIdentifier()
        || java.util.Set.of("values", "select", "with", "table").contains(text.folded(name))) {
      return false; // SELECT rows FROM (VALUES (1)) v(rows): a column named rows
    }
    // name [. name] ( ... ) then the closing parenthesis: one call, nothing beside it.
    int next = text.nextSignificant(name + 1, close);
    if (next >= 0 && text.tokens().get(next).kind() == TokenKind.DOT) {
      name = text.nextSignificant(next + 1, close);
      next = name < 0 ? -1 : text.nextSignificant(name + 1, close);
    }
    if (next < 0 || text.tokens().get(next).kind() != TokenKind.LPAREN) {
      return false;
    }
    int callEnd = text.matching(next);
    return callEnd >= 0 && callEnd < close && text.nextSignificant(callEnd + 1, close) < 0;
  }

  /** Words that start a clause: looking back from a token, the first one says which clause it is in. */
  private static final java.util.Set<String> CLAUSE_WORDS = java.util.Set.of("select", "from", "where", "group",
      "having", "order", "limit", "offset", "on", "join", "set", "returning", "values", "using", "window", "lateral");

  /**
   * Whether token {@code i} is {@code unnest(} called in an expression (a select list, a predicate),
   * not as a FROM item ({@code FROM unnest(a) AS x}, {@code JOIN LATERAL unnest(...)}), which Calcite
   * reads itself.
   */
  private static boolean unnestInAnExpression(SqlText text, SqlText.Statement stmt, int i) {
    if (text.tokens().get(i).kind() != TokenKind.IDENT || !text.isKeyword(i, "unnest")) {
      return false;
    }
    int open = text.nextSignificant(i + 1, stmt.toToken());
    if (open < 0 || text.tokens().get(open).kind() != TokenKind.LPAREN) {
      return false;
    }
    int depth = 0;
    for (int k = i - 1; k >= stmt.fromToken(); k--) {
      TokenKind kind = text.tokens().get(k).kind();
      if (kind == TokenKind.RPAREN) {
        depth++;
      } else if (kind == TokenKind.LPAREN) {
        if (depth == 0) {
          // Directly inside parentheses: an argument or a subexpression, unless the parenthesis
          // opens a FROM item (FROM (unnest(...)) is not PostgreSQL).
          return true;
        }
        depth--;
      } else if (depth == 0 && kind == TokenKind.IDENT && CLAUSE_WORDS.contains(text.folded(k))) {
        String word = text.folded(k);
        return !word.equals("from") && !word.equals("join") && !word.equals("lateral");
      }
    }
    return false;
  }

  /** Functions whose parentheses hold a FROM that is not a FROM clause: {@code substring(s FROM n * 2)}. */
  private static final java.util.Set<String> FROM_IN_CALL = java.util.Set.of("extract", "substring", "trim", "overlay");

  /**
   * Whether token {@code i}, a {@code *}, follows a table name directly after FROM, JOIN or UPDATE
   * ({@code FROM t *}, {@code FROM s.t * AS x}), where it is PostgreSQL's inheritance star and not a
   * multiplication.
   */
  private static boolean inheritanceStar(SqlText text, SqlText.Statement stmt, int i) {
    if (!text.tokens().get(i).text(text.sql()).equals("*")) {
      return false;
    }
    int name = text.previousSignificant(i - 1, stmt.fromToken());
    if (name < 0 || !text.tokens().get(name).isIdentifier()) {
      return false;
    }
    int before = text.previousSignificant(name - 1, stmt.fromToken());
    if (before >= 0 && text.tokens().get(before).kind() == TokenKind.DOT) {
      int schema = text.previousSignificant(before - 1, stmt.fromToken());
      if (schema < 0 || !text.tokens().get(schema).isIdentifier()) {
        return false;
      }
      before = text.previousSignificant(schema - 1, stmt.fromToken());
    }
    if (before < 0 || text.tokens().get(before).kind() != TokenKind.IDENT
        || !java.util.Set.of("from", "join", "update").contains(text.folded(before))) {
      return false;
    }
    // The FROM of substring(x FROM n * 2) is inside a call's parentheses.
    int depth = 0;
    for (int k = before - 1; k >= stmt.fromToken(); k--) {
      TokenKind kind = text.tokens().get(k).kind();
      if (kind == TokenKind.RPAREN) {
        depth++;
      } else if (kind == TokenKind.LPAREN) {
        if (depth == 0) {
          int call = text.previousSignificant(k - 1, stmt.fromToken());
          return call < 0 || !FROM_IN_CALL.contains(text.folded(call));
        }
        depth--;
      }
    }
    return true;
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
