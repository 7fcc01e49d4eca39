package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.migration.Phase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression (issue: other spellings of the table or column went through unchanged): every way
 * PostgreSQL's lexer lets a statement name the migrating table or column is rewritten or refused,
 * never sent unchanged; and SQL that the server runs later (DO blocks, function bodies, query text
 * handed to a function) is refused when it may use the migrating table.
 */
class SpellingTest {

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      COMPLETED | SELECT full_name FROM users TABLESAMPLE SYSTEM (100)                | SELECT display_name AS full_name FROM users TABLESAMPLE SYSTEM (100)
      COMPLETED | SELECT u.full_name FROM users AS u TABLESAMPLE BERNOULLI (100) REPEATABLE (1) | SELECT u.display_name AS full_name FROM users AS u TABLESAMPLE BERNOULLI (100) REPEATABLE (1)
      READ_NEW  | SELECT id FROM users TABLESAMPLE SYSTEM (100) WHERE full_name = ?    | SELECT id FROM users TABLESAMPLE SYSTEM (100) WHERE display_name = ?
      COMPLETED | SELECT FULL_NAME FROM USERS                                         | SELECT display_name AS full_name FROM USERS
      COMPLETED | SELECT "full_name" FROM "public"."users"                            | SELECT display_name AS full_name FROM "public"."users"
      COMPLETED | SELECT full_name/**/FROM/* a */users                                | SELECT display_name AS full_name/**/FROM/* a */users
      COMPLETED | SELECT"full_name"FROM"users"                                        | SELECT display_name AS full_name FROM"users"
      COMPLETED | SELECT(full_name)FROM users                                         | SELECT(display_name) AS full_name FROM users
      COMPLETED | SELECT id FROM users WHERE full_name='x'OR"full_name"='y'           | SELECT id FROM users WHERE display_name='x'OR display_name='y'
      DUAL_WRITE| UPDATE users SET full_name=?WHERE id=?                              | UPDATE users SET full_name=?, display_name = ?WHERE id=?
      COMPLETED | SELECT full_name FROM ONLY users                                    | SELECT display_name AS full_name FROM ONLY users
      COMPLETED | SELECT full_name FROM users *                                       | SELECT display_name AS full_name FROM users *
      COMPLETED | SELECT full_name FROM users*WHERE id = 1                            | SELECT display_name AS full_name FROM users*WHERE id = 1
      COMPLETED | DECLARE c CURSOR WITH HOLD FOR SELECT full_name FROM users          | DECLARE c CURSOR WITH HOLD FOR SELECT display_name AS full_name FROM users
      """)
  void spelling_isRewritten(Phase phase, String sql, String expected) throws Exception {
    Rewrite r = Fixtures.rewrite(sql, phase);

    assertThat(r.sql()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      SELECT U&"\\0066ull_name" FROM users                              | Unicode-escaped
      SELECT full_name FROM U&"\\0075sers"                              | Unicode-escaped
      SELECT id FROM U&"\\0075sers"                                     | Unicode-escaped
      UPDATE u&"\\0075sers" SET note = 1                                | Unicode-escaped
      SELECT full_name FROM U&"!0075sers" UESCAPE '!'                   | Unicode-escaped
      SELECT id FROM U&"d!0061cct!" UESCAPE '!'                         | cannot be read
      {call f((SELECT full_name FROM users))}                           | call escape
      DO $$BEGIN UPDATE users SET full_name = 'x'; END$$                | DO block
      DO LANGUAGE plpgsql 'BEGIN UPDATE "USERS" SET x = 1; END'         | DO block
      DO $d$BEGIN EXECUTE $q$UPDATE users SET x = 1$q$; END$d$          | DO block
      DO E'BEGIN UPDATE \\x75sers SET x = 1; END'                       | escape syntax
      CREATE FUNCTION f() RETURNS void AS $$ UPDATE users SET full_name = 'x' $$ LANGUAGE sql | FUNCTION
      CREATE OR REPLACE PROCEDURE p() LANGUAGE sql AS 'DELETE FROM public.users' | PROCEDURE
      SELECT query_to_xml('select full_name from users', true, false, '') | query_to_xml
      SELECT * FROM ts_stat($$SELECT to_tsvector(full_name) FROM users$$) | ts_stat
      PREPARE p AS UPDATE users SET full_name = $1                      | PREPARE
      IMPORT FOREIGN SCHEMA s LIMIT TO (users) FROM SERVER x INTO y      | IMPORT
      """)
  void spelling_isRefused(String sql, String construct) {
    assertThatThrownBy(() -> Fixtures.rewrite(sql, Phase.DUAL_WRITE))
        .isInstanceOf(RewriteRefusedException.class)
        .hasMessageContaining(Fixtures.ID)
        .hasMessageContaining(construct);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "DO $$BEGIN PERFORM 1; END$$",
      "DO $$BEGIN UPDATE orders SET total = 0; END$$",
      "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql",
      "SELECT query_to_xml('select 1', true, false, '')",
      "SELECT id FROM users WHERE note = 'users'",
      "LOCK users IN SHARE MODE",
      "SELECT id FROM users TABLESAMPLE SYSTEM (100)",
      "EXECUTE p(1)"})
  void unrelated_passesUnchanged(String sql) throws Exception {
    for (Phase phase : Phase.values()) {
      assertThat(Fixtures.rewrite(sql, phase).isUnchanged()).as(phase.name()).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(Phase.class)
  void preCheck_seesEverySpelling(Phase phase) {
    for (String sql : new String[] {"SELECT 1 FROM $$users$$", "SELECT 1 FROM U&\"\\0075sers\"", "select 1users",
        "SELECT 1 FROM USERS", "SELECT 1 FROM\"users\"", "SELECT 1 FROM x/*c*/,users"}) {
      assertThat(Fixtures.snapshot(phase).mayTouch(sql)).as(sql).isTrue();
    }
  }
}
