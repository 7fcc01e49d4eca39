package dev.cutover.rewriter.lex;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdentifiersTest {

  @Test
  void namesPostgresWouldReadAsSomethingElse_areQuoted() {
    // Bare, these are functions (a generated SET c = current_schema stored 'public' in every row).
    for (String name : new String[] {"current_schema", "user", "current_user", "session_user", "current_role",
        "current_catalog", "system_user", "localtime", "current_date"}) {
      assertThat(Identifiers.quote(name)).isEqualTo('"' + name + '"');
    }
    // Not allowed as a bare column name in every position.
    for (String name : new String[] {"position", "values", "row", "int", "between", "coalesce", "join", "is"}) {
      assertThat(Identifiers.quote(name)).isEqualTo('"' + name + '"');
    }
    assertThat(Identifiers.quote("Owner")).isEqualTo("\"Owner\"");
    assertThat(Identifiers.quote("a b")).isEqualTo("\"a b\"");
    assertThat(Identifiers.quote("q\"x")).isEqualTo("\"q\"\"x\"");
    assertThat(Identifiers.quote("full_name")).isEqualTo("full_name");
    assertThat(Identifiers.quote("name")).isEqualTo("name");
  }

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
  void fold_ofARegion_isTheFoldOfItsText() {
    for (String name : new String[] {"users", "USERS", "Full_Name", "BÜCHER", "\"A\"\"b\"", "\"Mixed\"", "X".repeat(70),
        "x".repeat(70), "é".repeat(40), "A" + "é".repeat(40), "a1$_Z", "\"\""}) {
      String sql = "SELECT " + name + " FROM t";
      assertThat(Identifiers.fold(sql, 7, 7 + name.length())).as(name).isEqualTo(Identifiers.fold(name));
    }
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
