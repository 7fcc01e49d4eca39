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
}
