package dev.cutover.migration;

import dev.cutover.rewriter.lex.Identifiers;
import dev.cutover.rewriter.lex.Lexer;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.lex.TokenKind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A type change's {@code up} or {@code down} expression as a template: the expression's text cut at
 * every reference to its one column, so that any value (a physical column, a bind parameter, an
 * application expression) can be put in the column's place. The identity (a rename: the value is
 * copied) has one hole and no text.
 *
 * <p>Implementation notes: the expression is lexed as pgjdbc would lex it; a reference is an
 * identifier token whose folded name is the column, that is neither qualified ({@code x.col}), nor
 * a qualifier ({@code col.x}), nor a function name ({@code col(}), nor a type name (after
 * {@code ::} or {@code AS}). The whole result is parenthesised, and so is every value put in a hole,
 * so operator precedence never changes the meaning. The expression itself was checked at plan time
 * (a single expression, no {@code ;}, placeholder or comment, the column its only column).
 *
 * @param parts the text around the holes: {@code parts.size() - 1} holes, the value going between
 *     {@code parts[i]} and {@code parts[i + 1]}
 */
public record Conversion(List<String> parts) {

  /** The identity: the value itself. */
  public static final Conversion IDENTITY = new Conversion(List.of("", ""));

  public Conversion {
    parts = List.copyOf(parts);
    if (parts.size() < 2) {
      throw new IllegalArgumentException("a conversion has at least one hole");
    }
  }

  /**
   * The template of {@code expression} with every reference to {@code column} (a folded name) as a
   * hole.
   *
   * @throws IllegalArgumentException when the expression does not reference the column
   */
  public static Conversion of(String expression, String column) {
    List<Token> tokens = Lexer.lex(expression);
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder("(");
    int copied = 0;
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (!t.isIdentifier() || !Identifiers.fold(t.text(expression)).equals(column)) {
        continue;
      }
      Token prev = significant(tokens, i, -1);
      Token next = significant(tokens, i, +1);
      String prevText = prev == null ? "" : prev.text(expression);
      boolean reference = (prev == null || prev.kind() != TokenKind.DOT && !prevText.equals("::")
          && !(prev.kind() == TokenKind.IDENT && prevText.equalsIgnoreCase("as")))
          && (next == null || next.kind() != TokenKind.DOT && next.kind() != TokenKind.LPAREN);
      if (!reference) {
        continue;
      }
      part.append(expression, copied, t.start()).append('(');
      parts.add(part.toString());
      part = new StringBuilder(")");
      copied = t.end();
    }
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("the expression does not use column " + Identifiers.quote(column));
    }
    part.append(expression, copied, expression.length()).append(')');
    parts.add(part.toString());
    return new Conversion(parts);
  }

  /**
   * {@code text} with every reference to {@code column} replaced by {@code value} in parentheses
   * (for SQL that is not itself an expression, e.g. a constraint definition).
   *
   * @throws IllegalArgumentException when the text does not reference the column
   */
  public static String substitute(String text, String column, String value) {
    String all = of(text, column).apply(value);
    return all.substring(1, all.length() - 1);
  }

  private static Token significant(List<Token> tokens, int from, int step) {
    for (int i = from + step; i >= 0 && i < tokens.size(); i += step) {
      if (!tokens.get(i).isTrivia()) {
        return tokens.get(i);
      }
    }
    return null;
  }

  /** This conversion with its result cast to {@code type} ({@code CAST(... AS type)}); unchanged when null. */
  public Conversion castTo(String type) {
    if (type == null || isIdentity()) {
      return this;
    }
    // (expr) becomes CAST(expr AS type): the cast's own parentheses replace the outer ones.
    List<String> cast = new ArrayList<>(parts);
    cast.set(0, "CAST" + cast.get(0));
    String last = cast.get(cast.size() - 1);
    cast.set(cast.size() - 1, last.substring(0, last.length() - 1) + " AS " + type + ")");
    return new Conversion(cast);
  }

  /**
   * This conversion applied to the value as PostgreSQL would store it in a column of {@code type}
   * (unchanged when {@code type} is null or this is the identity). A value written through a name is
   * first what a column of that name's type would hold (a float bound for a {@code numeric(10,2)} is
   * rounded to two places, an untyped {@code '12.34'} becomes a number), and only then converted for
   * the other column.
   *
   * <p>PostgreSQL stores a value through an assignment cast, which accepts less than an explicit
   * {@code CAST} (a {@code text} or {@code boolean} value written to a {@code numeric} column fails
   * with {@code 42804}). {@code CAST(COALESCE(value, CAST(NULL AS type)) AS type)} takes the value
   * through the same cast function, but only when the value's type and {@code type} have a common
   * type, which fails with {@code 42804} as the assignment does. A string type is the exception:
   * every value can be assigned to it (through its text form), so there the plain cast is the
   * assignment.
   */
  public Conversion ofValueCastTo(String type) {
    if (type == null || isIdentity()) {
      return this;
    }
    boolean string = STRING_TYPE.matcher(type).matches();
    String open = string ? "CAST(" : "CAST(COALESCE(";
    String close = string ? " AS " + type + ")" : ", CAST(NULL AS " + type + ")) AS " + type + ")";
    List<String> cast = new ArrayList<>(parts);
    for (int i = 0; i < cast.size(); i++) {
      String part = cast.get(i);
      if (i > 0) {
        part = close + part;
      }
      if (i < cast.size() - 1) {
        part = part + open;
      }
      cast.set(i, part);
    }
    return new Conversion(cast);
  }

  /** The string types, as PostgreSQL prints them ({@code format_type}), with or without a length. */
  private static final Pattern STRING_TYPE = Pattern.compile(
      "(?i)(text|name|(?:[a-z_][a-z0-9_]*\\.)?citext|bpchar|\\\"char\\\"|character varying|varchar|character|char)(\\(\\d+\\))?");

  /** Whether this is the identity (no conversion). */
  public boolean isIdentity() {
    return parts.size() == 2 && parts.get(0).isEmpty() && parts.get(1).isEmpty();
  }

  /** How many times the value appears in the result (more than one: the value is duplicated). */
  public int holes() {
    return parts.size() - 1;
  }

  /** The SQL of the conversion of {@code value} (a SQL expression, inserted as is). */
  public String apply(String value) {
    StringBuilder out = new StringBuilder(parts.get(0));
    for (int i = 1; i < parts.size(); i++) {
      out.append(value).append(parts.get(i));
    }
    return out.toString();
  }
}
