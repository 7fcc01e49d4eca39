package dev.cutover.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ParsingTest {

  @Test
  void identifiers_foldUnquotedKeepQuoted() {
    assertThat(Identifiers.parseQualified("Public.Users")).containsExactly("public", "users");
    assertThat(Identifiers.parseQualified("app.\"Mixed\"\"Case\"")).containsExactly("app", "Mixed\"Case");
    assertThat(Identifiers.parse("Ünïcode_X")).isEqualTo("Ünïcode_x");
    assertThat(Identifiers.parse("a$1")).isEqualTo("a$1");
  }

  @Test
  void identifiers_invalid_reasonGiven() {
    assertThatThrownBy(() -> Identifiers.parse("1abc")).hasMessageContaining("must start with a letter");
    assertThatThrownBy(() -> Identifiers.parse("a-b")).hasMessageContaining("needs double quotes");
    assertThatThrownBy(() -> Identifiers.parse("\"open")).hasMessageContaining("unterminated");
    assertThatThrownBy(() -> Identifiers.parse("a.b")).hasMessageContaining("single identifier");
    assertThatThrownBy(() -> Identifiers.parse("x".repeat(64))).hasMessageContaining("63 bytes");
    assertThatThrownBy(() -> Identifiers.parseQualified("a.")).hasMessageContaining("empty name");
  }

  @Test
  void withSuffix_truncatesToNameLimit() {
    String name = Identifiers.withSuffix("i".repeat(60), "_cutover");
    assertThat(name).hasSize(63).endsWith("_cutover");
    assertThat(Identifiers.withSuffix("idx", "_cutover")).isEqualTo("idx_cutover");
  }

  @Test
  void connectionSettings_stripsOnlyCutoverPrefixAndParameters() {
    ConnectionSettings s = ConnectionSettings.parse(
        "jdbc:cutover:postgresql://h:5433/cutover_db?cutover.schema=ctl&sslmode=disable&cutover.refreshMillis=5&ApplicationName=cutover",
        "u", null);
    assertThat(s.url()).isEqualTo("jdbc:postgresql://h:5433/cutover_db?sslmode=disable&ApplicationName=cutover");
    assertThat(s.controlSchema()).isEqualTo("ctl");
    ConnectionSettings plain = ConnectionSettings.parse("jdbc:postgresql://h/db?cutover.instance=x", null, null);
    assertThat(plain.url()).isEqualTo("jdbc:postgresql://h/db");
    assertThat(plain.controlSchema()).isEqualTo("cutover");
    assertThatThrownBy(() -> ConnectionSettings.parse("jdbc:mysql://h/db", null, null))
        .hasMessageContaining("not a PostgreSQL JDBC URL");
    // Validated exactly as the driver validates the application's URL.
    assertThatThrownBy(() -> ConnectionSettings.parse("jdbc:cutover:postgresql://h/db?cutover.shema=x", null, null))
        .hasMessageContaining("cutover.shema").hasMessageContaining("cutover.schema");
    assertThatThrownBy(() -> ConnectionSettings.parse("jdbc:postgresql://h/db?cutover.schema=%20", null, null))
        .hasMessageContaining("cutover.schema");
  }

  @Test
  void durations_parseOperatorForms() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(Durations.parse("2")).isEqualTo(Duration.ofSeconds(2));
    assertThat(Durations.parse("PT1H")).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("expected e.g.");
  }

  @Test
  void rewriteIndexDefinition_replacesOnlyColumnReferences() {
    assertThat(RenameDdl.rewriteIndexDefinition(
        "CREATE INDEX t_lower ON public.t USING btree (lower(name), \"name\" text_pattern_ops) INCLUDE (name)"
            + " WHERE ((name)::text <> 'name'::text)", "name", "label", "t_lower_cutover"))
        .isEqualTo("CREATE INDEX CONCURRENTLY \"t_lower_cutover\" ON public.t USING btree (lower(\"label\"),"
            + " \"label\" text_pattern_ops) INCLUDE (\"label\") WHERE ((\"label\")::text <> 'name'::text)");
    // A function called like the column and a table called like the column stay.
    assertThat(RenameDdl.rewriteIndexDefinition(
        "CREATE UNIQUE INDEX \"Odd idx\" ON app.code USING btree (code(code))", "code", "sku", "Odd idx_cutover"))
        .isEqualTo("CREATE UNIQUE INDEX CONCURRENTLY \"Odd idx_cutover\" ON app.code USING btree (code(\"sku\"))");
    assertThat(RenameDdl.rewriteIndexDefinition(
        "CREATE INDEX i ON public.t USING btree (\"Full Name\" COLLATE \"C\")", "Full Name", "C", "i_cutover"))
        .isEqualTo("CREATE INDEX CONCURRENTLY \"i_cutover\" ON public.t USING btree (\"C\" COLLATE \"C\")");
  }
}
