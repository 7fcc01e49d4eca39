package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.Phase;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PostgreSQL operators the grammar reads natively (jsonb, containment, overlap, pgjdbc's {@code ??}
 * family, POSIX regex, {@code ::}, ILIKE and its operators {@code ~~}, {@code ~~*}, {@code !~~}, {@code !~~*}): a migration column on either side is rewritten at its
 * own position, and placeholders keep their order.
 */
class PostgresOperatorRewriteTest {

  /** Each form names the column as {@code C}; it sits in the select list and in WHERE. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "C::jsonb -> 'k'",
      "C::jsonb ->> 'k'",
      "C::jsonb ->> ?",
      "C::jsonb #> '{a,b}'",
      "C::jsonb #>> '{a}'",
      "C::jsonb @> ?::jsonb",
      "?::jsonb <@ C::jsonb",
      "ARRAY[C] && ARRAY['x']",
      "C::jsonb ?? 'k'",
      "C::jsonb ?? ?",
      "C::jsonb ??| ARRAY['a', 'b']",
      "C::jsonb ??& ARRAY[?]",
      "C ~ '^a'",
      "C ~* ?",
      "C !~ '^a'",
      "C !~* ?",
      "C ILIKE ?",
      "C NOT ILIKE 'a%'",
      "C ~~ ?",
      "C ~~* 'a%'",
      "C !~~ ?",
      "C !~~* 'a%'",
      "C~~'a%'",
      "C LIKE ANY (ARRAY['a%', ?])",
      "C ILIKE ALL (ARRAY['a%', 'b%'])",
      "C ~~ ANY (?::text[])",
      "C NOT LIKE ALL (?::text[])",
      "C NOT ILIKE ANY (ARRAY['a%'])",
      "C !~~* SOME (ARRAY['a%'])",
      "C::jsonb -> 'a' ->> 'b' = ?",
      "coalesce(C::jsonb -> 'a', ?::jsonb) @> ?::jsonb",
      "(C::jsonb ->> 'n')::int > ?",
      "C ^@ ?",
      "to_tsvector(C) @@ to_tsquery(?)",
      "C collate \"POSIX\" < ?",
      "C collate pg_catalog.\"default\" = ?",
      "to_char(now() AT TIME ZONE 'utc', 'YYYY') <> C",
      "now() AT TIME ZONE C IS NOT NULL",
      "ROW(id, C) = ROW(?, 'x')",
      "ROW(C) IS NOT NULL",
  })
  void operatorForm_rewritesTheColumnAtItsPosition(String form) throws Exception {
    for (Phase phase : Phase.values()) {
      String sql = "SELECT id, " + form.replace("C", "full_name") + " AS x FROM users WHERE "
          + form.replace("C", "full_name") + " AND id = ?";

      Rewrite r = Fixtures.rewrite(sql, phase);

      String read = phase.ordinal() >= Phase.READ_NEW.ordinal() ? "display_name" : "full_name";
      String expected = "SELECT id, " + form.replace("C", read) + " AS x FROM users WHERE "
          + form.replace("C", read) + " AND id = ?";
      assertThat(r.sql()).as(phase.name()).isEqualTo(expected);
      RenameMatrixTest.checkInvariants(sql, r, phase);
      int params = (int) sql.chars().filter(c -> c == '?').count()
          - 2 * (int) countOccurrences(sql, "??");
      assertThat(r.parameterMap() == null ? IntStream.rangeClosed(1, params).toArray() : r.parameterMap())
          .as(phase.name()).containsExactly(IntStream.rangeClosed(1, params).toArray());
    }
  }

  private static long countOccurrences(String s, String part) {
    long n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
  }

  @Test
  void quantifiedLikeOverASubquery_rewritesBothSides() throws Exception {
    Rewrite r = Fixtures.rewrite("SELECT id FROM users WHERE full_name LIKE ANY (SELECT display_name FROM users"
        + " UNION SELECT ?)", Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("SELECT id FROM users WHERE display_name LIKE ANY (SELECT display_name FROM users"
        + " UNION SELECT ?)");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW"})
  void jsonValueWritten_isDuplicatedWithItsOperators(Phase phase) throws Exception {
    Rewrite r = Fixtures.rewrite("UPDATE users SET full_name = ?::jsonb ->> 'name' WHERE email::jsonb ?? 'k'", phase);

    assertThat(r.sql()).isEqualTo("UPDATE users SET full_name = ?::jsonb ->> 'name', display_name = ?::jsonb ->> 'name'"
        + " WHERE email::jsonb ?? 'k'");
    assertThat(r.parameterMap()).containsExactly(1, 1);
  }

  @Test
  void insertValueWithJsonOperator_isDuplicated() throws Exception {
    Rewrite r = Fixtures.rewrite("INSERT INTO users (id, full_name) VALUES (?, ?::jsonb #>> '{a}')", Phase.DUAL_WRITE);

    assertThat(r.sql()).isEqualTo(
        "INSERT INTO users (id, full_name, display_name) VALUES (?, ?::jsonb #>> '{a}', ?::jsonb #>> '{a}')");
    assertThat(r.parameterMap()).containsExactly(1, 2, 2);
  }

  @Test
  void columnNamedLikeACalciteKeyword_isAnOrdinaryColumn() throws Exception {
    // "value", "year", "time" and "date" are reserved in Calcite's core grammar (Babel too, for the
    // last two) but not in PostgreSQL.
    Rewrite r = Fixtures.rewrite("SELECT value, year, time, date, full_name FROM users WHERE value = ?"
        + " AND time > time '10:00' AND date = date '2020-01-01'", Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("SELECT value, year, time, date, display_name AS full_name FROM users"
        + " WHERE value = ? AND time > time '10:00' AND date = date '2020-01-01'");
  }
}
