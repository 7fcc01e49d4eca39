package dev.cutover.rewriter.lex;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdentifiersTest {

  @Test
  void decodeUnicode_readsEscapesAsPostgresDoes() {
    assertThat(Identifiers.decodeUnicode("\\0061cct", '\\')).isEqualTo("acct");
    assertThat(Identifiers.decodeUnicode("d!0061t!+000061", '!')).isEqualTo("data");
    assertThat(Identifiers.decodeUnicode("a!!b", '!')).isEqualTo("a!b");
    assertThat(Identifiers.decodeUnicode("\\D83D\\DE00", '\\')).isEqualTo("\uD83D\uDE00");
    assertThat(Identifiers.decodeUnicode("\\006", '\\')).isNull();
    assertThat(Identifiers.decodeUnicode("\\D83Dx", '\\')).isNull();
    assertThat(Identifiers.decodeUnicode("x", 'a')).isNull(); // a hex digit cannot be the escape
  }

  @Test
  void fold_lowersAsciiOnlyAndCutsAt63Bytes() {
    assertThat(Identifiers.fold("USERS")).isEqualTo("users");
    assertThat(Identifiers.fold("BÜCHER")).isEqualTo("bÜcher");
    assertThat(Identifiers.fold("\"A\"\"b\"")).isEqualTo("A\"b");
    assertThat(Identifiers.fold("x".repeat(70))).isEqualTo("x".repeat(63));
    assertThat(Identifiers.fold("é".repeat(40))).isEqualTo("é".repeat(31));
  }

  @Test
  void unicodeName_usesUescape() {
    SqlText text = new SqlText("SELECT 1 FROM U&\"d!0061t!0061\" /* c */ UESCAPE '!'");
    int token = text.tokens().stream().filter(t -> t.kind() == TokenKind.UNICODE_IDENT).findFirst()
        .map(text.tokens()::indexOf).orElseThrow();

    assertThat(text.unicodeName(token)).isEqualTo("data");
  }
}
