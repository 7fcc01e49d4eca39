package dev.cutover.rewriter.lex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every quote, comment and placeholder form next to every other (pgjdbc parser-test style). */
class LexerCombinationTest {

  /** A lexical form whose body hides the characters other forms care about. */
  record Form(String text, TokenKind kind, int placeholders) {
    @Override
    public String toString() {
      return text.replace("\n", "\\n");
    }
  }

  static final List<Form> FORMS = List.of(
      new Form("'it''s ? ; -- /* $$ {fn'", TokenKind.STRING, 0),
      new Form("E'it\\'s ? ; \\\\'", TokenKind.PREFIXED_STRING, 0),
      new Form("U&'d\\0061t ?'", TokenKind.PREFIXED_STRING, 0),
      new Form("X'1F'", TokenKind.PREFIXED_STRING, 0),
      new Form("\"we\"\"ird ? ; --\"", TokenKind.QUOTED_IDENT, 0),
      new Form("-- it's ? ; \"x /*", TokenKind.LINE_COMMENT, 0),
      new Form("/* a /* it's ? */ ; $$ ' */", TokenKind.BLOCK_COMMENT, 0),
      new Form("$$ it's ? ; -- $$", TokenKind.DOLLAR_STRING, 0),
      new Form("$tag$ $$ ? ; ' $tag$", TokenKind.DOLLAR_STRING, 0),
      new Form("?", TokenKind.PLACEHOLDER, 1),
      new Form("??", TokenKind.ESCAPED_QUESTION, 0),
      new Form("??|", TokenKind.ESCAPED_QUESTION, 0),
      new Form("??&", TokenKind.ESCAPED_QUESTION, 0),
      new Form("full_name", TokenKind.IDENT, 0),
      new Form("$1", TokenKind.DOLLAR_PARAM, 0),
      new Form("12.5e-3", TokenKind.NUMBER, 0),
      new Form("::", TokenKind.OPERATOR, 0),
      new Form("{", TokenKind.LBRACE, 0));

  static Stream<Arguments> pairs() {
    List<Arguments> out = new ArrayList<>();
    for (Form a : FORMS) {
      for (Form b : FORMS) {
        out.add(Arguments.of(a, b));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} then {1}")
  @MethodSource("pairs")
  void lex_formNextToForm(Form a, Form b) {
    String separator = a.kind() == TokenKind.LINE_COMMENT ? "\n" : " ";
    String sql = a.text() + separator + b.text();

    SqlText text = new SqlText(sql);

    assertThat(text.tokens().stream().map(t -> t.text(sql)).collect(Collectors.joining())).isEqualTo(sql);
    assertThat(significantKinds(text)).containsExactly(a.kind(), b.kind());
    assertThat(text.statements()).hasSize(1);
    assertThat(text.tokens().stream().filter(t -> t.kind() == TokenKind.PLACEHOLDER).count())
        .isEqualTo(a.placeholders() + b.placeholders());
    assertThat(text.tokens()).noneMatch(Token::unterminated);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("formsBetweenStatements")
  void statements_splitOnlyAtTopLevelSemicolons(Form form) {
    String separator = form.kind() == TokenKind.LINE_COMMENT ? "\n" : " ";
    String sql = "SELECT " + form.text() + separator + "; SELECT ?";

    SqlText text = new SqlText(sql);

    assertThat(text.statements()).hasSize(2);
    int last = text.tokens().size() - 1;
    assertThat(text.placeholderOrdinal(last)).isEqualTo(form.placeholders() + 1);
  }

  static Stream<Form> formsBetweenStatements() {
    return FORMS.stream().filter(f -> f.kind() != TokenKind.LBRACE);
  }

  @Test
  void lex_unterminatedFormsAreFlagged() {
    for (String sql : List.of("'abc", "E'abc\\'", "\"abc", "/* a /* b */", "$$ abc", "$t$ abc $t")) {
      assertThat(Lexer.lex(sql)).as(sql).anyMatch(Token::unterminated);
    }
  }

  @Test
  void lex_semicolonInsideParenthesesDoesNotSplit() {
    assertThat(new SqlText("SELECT f(';', (1;2)); SELECT 2").statements()).hasSize(2);
  }

  @Test
  void lex_jdbcEscapesBalanceBraces() {
    SqlText text = new SqlText("SELECT {fn ucase({fn lcase(?)})} FROM t WHERE d = {d '2020-01-01'}");
    int open = text.tokenStartingAt("SELECT ".length());
    assertThat(text.tokens().get(open).kind()).isEqualTo(TokenKind.LBRACE);
    assertThat(text.tokens().get(text.matching(open)).start()).isEqualTo("SELECT {fn ucase({fn lcase(?)})".length());
  }

  @Test
  void fold_unquotedLowersQuotedKeepsCase() {
    assertThat(Identifiers.fold("Full_NAME")).isEqualTo("full_name");
    assertThat(Identifiers.fold("\"Full_Name\"")).isEqualTo("Full_Name");
    assertThat(Identifiers.fold("\"a\"\"b\"")).isEqualTo("a\"b");
  }

  @Test
  void quote_onlyWhenNeeded() {
    assertThat(Identifiers.quote("display_name")).isEqualTo("display_name");
    assertThat(Identifiers.quote("Display")).isEqualTo("\"Display\"");
    assertThat(Identifiers.quote("user")).isEqualTo("\"user\"");
    assertThat(Identifiers.quote("a\"b")).isEqualTo("\"a\"\"b\"");
  }

  private static List<TokenKind> significantKinds(SqlText text) {
    return text.tokens().stream().filter(t -> !t.isTrivia() || t.kind() != TokenKind.WHITESPACE)
        .map(Token::kind).toList();
  }
}
