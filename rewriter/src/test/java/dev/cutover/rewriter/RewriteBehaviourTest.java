package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Star expansion, quoting, masking, escapes, multi-statement texts and pass-through. */
class RewriteBehaviourTest {

  private static Rewrite rewrite(String sql, Phase phase) throws RewriteRefusedException {
    Rewrite r = Fixtures.rewrite(sql, phase);
    RenameMatrixTest.checkInvariants(sql, r, phase);
    return r;
  }

  // ---------------------------------------------------------------- SELECT *

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      PLANNED    | SELECT id, full_name, email, full_name AS display_name FROM users WHERE id = ?
      DUAL_WRITE | SELECT id, full_name, email, full_name AS display_name FROM users WHERE id = ?
      READ_NEW   | SELECT id, display_name AS full_name, email, display_name FROM users WHERE id = ?
      NEW_ONLY   | SELECT id, display_name AS full_name, email, display_name FROM users WHERE id = ?
      COMPLETED  | SELECT id, email, display_name AS full_name, display_name FROM users WHERE id = ?
      """)
  void star_expandsToTheApplicationsColumns(Phase phase, String expected) throws Exception {
    Rewrite r = rewrite("SELECT * FROM users WHERE id = ?", phase);

    assertThat(r.sql()).isEqualTo(expected);
    assertThat(r.parameterMap()).containsExactly(1);
    assertThat(r.isUnchanged()).isFalse();
  }

  // A top-level set operation whose branches all select * of the migrating table widen alike (was refused).
  @Test
  void star_inEveryBranchOfATopLevelSetOperation_expandsEachBranch() throws Exception {
    Rewrite r = rewrite("SELECT * FROM users WHERE id = 1 UNION ALL SELECT * FROM public.users u WHERE u.id = 2", Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("SELECT id, display_name AS full_name, email, display_name FROM users WHERE id = 1"
        + " UNION ALL SELECT id, display_name AS full_name, email, display_name FROM public.users u WHERE u.id = 2");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "SELECT * FROM users UNION ALL SELECT id, full_name, email FROM users",
      "SELECT id, full_name, email FROM users EXCEPT SELECT * FROM users",
      "SELECT * FROM users UNION SELECT * FROM accounts",
      "INSERT INTO users SELECT * FROM users UNION ALL SELECT * FROM users",
      "SELECT id FROM orders WHERE (id, 'a', 'b', 'c') IN (SELECT * FROM users UNION SELECT * FROM users)",
  })
  void star_inASetOperationThatWouldChangeWidth_isRefused(String sql) {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> rewrite(sql, Phase.DUAL_WRITE))
        .isInstanceOf(RewriteRefusedException.class)
        .hasMessageContaining("list the columns");
  }

  // Found by the differential corpus: labels of parenthesised and cast select items.
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      SELECT (full_name) FROM users WHERE id = 5              | SELECT (display_name) AS full_name FROM users WHERE id = 5
      SELECT ((full_name)), id FROM users                     | SELECT ((display_name)) AS full_name, id FROM users
      SELECT full_name::text FROM users WHERE id = 1          | SELECT display_name::text AS full_name FROM users WHERE id = 1
      SELECT CAST(full_name AS varchar(3)) FROM users         | SELECT CAST(display_name AS varchar(3)) AS full_name FROM users
      SELECT (full_name)::char(4) FROM users                  | SELECT (display_name)::char(4) AS full_name FROM users
      SELECT u.full_name::text::varchar, id FROM users u      | SELECT u.display_name::text::varchar AS full_name, id FROM users u
      SELECT display_name::text FROM users                    | SELECT display_name::text FROM users
      SELECT full_name COLLATE "C" FROM users                 | SELECT display_name COLLATE "C" AS full_name FROM users
      SELECT full_name::text COLLATE "C", id FROM users       | SELECT display_name::text COLLATE "C" AS full_name, id FROM users
      SELECT id FROM users ORDER BY full_name COLLATE "C" DESC | SELECT id FROM users ORDER BY display_name COLLATE "C" DESC
      SELECT full_name at FROM users                          | SELECT display_name at FROM users
      SELECT x FROM (SELECT (full_name) FROM users) t(x)      | SELECT x FROM (SELECT (display_name) AS full_name FROM users) t(x)
      SELECT (SELECT full_name FROM users LIMIT 1) AS y       | SELECT (SELECT display_name AS full_name FROM users LIMIT 1) AS y
      """)
  void label_parenthesisedOrCastColumnKeepsPostgresLabel(String sql, String expected) throws Exception {
    assertThat(rewrite(sql, Phase.READ_NEW).sql()).isEqualTo(expected);
  }

  // An aggregate ORDER BY (jOOQ's MULTISET writes json_agg(... ORDER BY ...)), with DISTINCT, FILTER and OVER.
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      SELECT json_agg(full_name ORDER BY id) FROM users                      | SELECT json_agg(display_name ORDER BY id) FROM users
      SELECT jsonb_agg(id ORDER BY full_name DESC NULLS LAST) FROM users     | SELECT jsonb_agg(id ORDER BY display_name DESC NULLS LAST) FROM users
      SELECT json_object_agg(id, full_name ORDER BY full_name) FROM users    | SELECT json_object_agg(id, display_name ORDER BY display_name) FROM users
      SELECT jsonb_object_agg(full_name, id ORDER BY id) FROM users u        | SELECT jsonb_object_agg(display_name, id ORDER BY id) FROM users u
      SELECT json_agg(DISTINCT full_name ORDER BY full_name) FILTER (WHERE id > ?) FROM users | SELECT json_agg(DISTINCT display_name ORDER BY display_name) FILTER (WHERE id > ?) FROM users
      SELECT jsonb_agg(full_name) OVER (PARTITION BY id) FROM users          | SELECT jsonb_agg(display_name) OVER (PARTITION BY id) FROM users
      SELECT json_agg FROM (SELECT 1 AS json_agg) t                          | SELECT json_agg FROM (SELECT 1 AS json_agg) t
      """)
  void aggregateOrderBy_rewritesArgumentsAndOrderItems(String sql, String expected) throws Exception {
    assertThat(rewrite(sql, Phase.READ_NEW).sql()).isEqualTo(expected);
  }

  // EXPLAIN rewrites the statement it explains (EXPLAIN ANALYZE runs it: a write must reach both columns).
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      DUAL_WRITE | EXPLAIN ANALYZE UPDATE users SET full_name = ? WHERE id = 1 | EXPLAIN ANALYZE UPDATE users SET full_name = ?, display_name = ? WHERE id = 1
      DUAL_WRITE | EXPLAIN analyse verbose DELETE FROM users WHERE full_name = ? | EXPLAIN analyse verbose DELETE FROM users WHERE full_name = ?
      READ_NEW   | EXPLAIN SELECT full_name FROM users WHERE full_name > ? | EXPLAIN SELECT display_name AS full_name FROM users WHERE display_name > ?
      COMPLETED  | EXPLAIN (ANALYZE, COSTS OFF) INSERT INTO users (id, full_name) VALUES (?, ?) | EXPLAIN (ANALYZE, COSTS OFF) INSERT INTO users (id, display_name) VALUES (?, ?)
      READ_NEW   | EXPLAIN (FORMAT JSON) WITH a AS (SELECT id, full_name FROM users) SELECT full_name FROM a | EXPLAIN (FORMAT JSON) WITH a AS (SELECT id, display_name AS full_name FROM users) SELECT full_name FROM a
      """)
  void explain_rewritesTheExplainedStatement(Phase phase, String sql, String expected) throws Exception {
    assertThat(rewrite(sql, phase).sql()).isEqualTo(expected);
  }

  // CREATE TABLE ... AS and SELECT ... INTO: the query is rewritten, the new table gets the application's names.
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      CREATE TEMP TABLE x AS SELECT id, full_name FROM users | CREATE TEMP TABLE x AS SELECT id, display_name AS full_name FROM users
      CREATE TABLE IF NOT EXISTS s.x (a, b) AS SELECT * FROM users WITH NO DATA | CREATE TABLE IF NOT EXISTS s.x (a, b) AS SELECT id, display_name AS full_name, email, display_name FROM users WITH NO DATA
      CREATE UNLOGGED TABLE x WITH (fillfactor = 70) AS WITH a AS (SELECT full_name FROM users) SELECT * FROM a WITH DATA | CREATE UNLOGGED TABLE x WITH (fillfactor = 70) AS WITH a AS (SELECT display_name AS full_name FROM users) SELECT * FROM a WITH DATA
      SELECT full_name INTO TEMP x FROM users | SELECT display_name AS full_name INTO TEMP x FROM users
      SELECT * INTO TEMPORARY TABLE x FROM users u WHERE u.full_name > ? | SELECT id, display_name AS full_name, email, display_name INTO TEMPORARY TABLE x FROM users u WHERE u.display_name > ?
      SELECT id, full_name INTO x FROM users UNION ALL SELECT id, full_name FROM users | SELECT id, display_name AS full_name INTO x FROM users UNION ALL SELECT id, display_name AS full_name FROM users
      """)
  void createTableAsAndSelectInto_rewriteTheQuery(String sql, String expected) throws Exception {
    assertThat(rewrite(sql, Phase.READ_NEW).sql()).isEqualTo(expected);
  }

  // SET (a, b) = (x, y) / ROW(x, y) is PostgreSQL's sugar for SET a = x, b = y: planned in that form.
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '!', textBlock = """
      DUAL_WRITE ! UPDATE users SET (full_name, email) = (?, ?) WHERE id = ? ! UPDATE users SET full_name = ?, display_name = ?, email = ? WHERE id = ?
      COMPLETED  ! UPDATE users SET (full_name, email) = (?, ?) WHERE id = ? ! UPDATE users SET display_name = ?, email = ? WHERE id = ?
      READ_NEW   ! UPDATE users SET (score, display_name) = ROW(score + 1, upper(full_name)), email = ? WHERE id = ? ! UPDATE users SET score = score + 1, full_name = upper(display_name), display_name = upper(display_name), email = ? WHERE id = ?
      NEW_ONLY   ! SELECT 1; UPDATE users u SET (full_name) = ROW(?) WHERE u.id = ? RETURNING u.full_name ! SELECT 1; UPDATE users u SET display_name = ? WHERE u.id = ? RETURNING u.display_name AS full_name
      """)
  void rowAssignment_ofValues_isPlannedAsSeparateAssignments(Phase phase, String sql, String expected) throws Exception {
    assertThat(rewrite(sql, phase).sql()).isEqualTo(expected);
  }

  // Written without spaces, the brackets were all that kept the clause apart from SET and from the
  // next keyword: the plain form ran together as SETfull_name and 1RETURNING (a statement the server
  // rejects, and whose glued names the lexer no longer saw as the column).
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '!', textBlock = """
      PLANNED    ! UPDATE users SET(full_name,score)=(?,score+1)WHERE id=? ! UPDATE users SET full_name = ?, score = score+1 WHERE id=?
      NEW_ONLY   ! UPDATE users SET(full_name,score)=(?,score+1)WHERE id=? ! UPDATE users SET display_name = ?, score = score+1 WHERE id=?
      DUAL_WRITE ! UPDATE users SET(full_name,score)=(?,score+1)WHERE id=? ! UPDATE users SET full_name = ?, display_name = ?, score = score+1 WHERE id=?
      NEW_ONLY   ! UPDATE users SET (email,full_name)=(?,?),score=1 WHERE id=? ! UPDATE users SET email = ?, display_name = ?,score=1 WHERE id=?
      READ_NEW   ! UPDATE users SET/**/(score,display_name)=ROW(1,?)RETURNING id ! UPDATE users SET/**/ score = 1, full_name = ?, display_name = ? RETURNING id
      """)
  void rowAssignment_withoutSpaces_staysApartFromItsNeighbours(Phase phase, String sql, String expected) throws Exception {
    assertThat(rewrite(sql, phase).sql()).isEqualTo(expected);
  }

  @Test
  void rowAssignment_keepsParameterOrder() throws Exception {
    Rewrite r = rewrite("UPDATE users SET (email, full_name) = (?, ?) WHERE id = ?", Phase.DUAL_WRITE);

    assertThat(r.sql()).isEqualTo("UPDATE users SET email = ?, full_name = ?, display_name = ? WHERE id = ?");
    assertThat(r.parameterMap()).containsExactly(1, 2, 2, 3);
  }

  // FETCH ... WITH TIES: read as ROWS ONLY by the parser, kept in the text (was a parse refusal).
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      SELECT id FROM users ORDER BY full_name FETCH FIRST 2 ROWS WITH TIES | SELECT id FROM users ORDER BY display_name FETCH FIRST 2 ROWS WITH TIES
      SELECT full_name FROM users ORDER BY full_name DESC OFFSET 1 ROW FETCH NEXT ? ROW WITH TIES | SELECT display_name AS full_name FROM users ORDER BY full_name DESC OFFSET 1 ROW FETCH NEXT ? ROW WITH TIES
      SELECT x FROM (SELECT full_name AS x FROM users ORDER BY full_name FETCH FIRST 1 ROWS WITH TIES) t | SELECT x FROM (SELECT display_name AS x FROM users ORDER BY display_name FETCH FIRST 1 ROWS WITH TIES) t
      UPDATE users SET score = 1 WHERE id IN (SELECT id FROM users ORDER BY full_name FETCH FIRST 1 ROWS WITH TIES) | UPDATE users SET score = 1 WHERE id IN (SELECT id FROM users ORDER BY display_name FETCH FIRST 1 ROWS WITH TIES)
      """)
  void fetchWithTies_rewritesTheOrderBy(String sql, String expected) throws Exception {
    assertThat(rewrite(sql, Phase.READ_NEW).sql()).isEqualTo(expected);
  }

  @Test
  void simpleCase_operandRewrittenOnce() throws Exception {
    // Calcite repeats a simple CASE's operand in every WHEN; the text has it once (corpus finding 5).
    assertThat(rewrite("SELECT CASE full_name WHEN 'Ada' THEN 1 WHEN 'Alan' THEN 2 ELSE 0 END AS rank, id FROM users",
        Phase.READ_NEW).sql())
        .isEqualTo("SELECT CASE display_name WHEN 'Ada' THEN 1 WHEN 'Alan' THEN 2 ELSE 0 END AS rank, id FROM users");
  }

  @Test
  void label_castOfNewNameInPlannedIsLabelledWithTheNewName() throws Exception {
    assertThat(rewrite("SELECT display_name::text FROM users", Phase.PLANNED).sql())
        .isEqualTo("SELECT full_name::text AS display_name FROM users");
  }

  @Test
  void star_withJoinQualifiesEachItemInOrder() throws Exception {
    Rewrite r = rewrite("SELECT * FROM orders o JOIN public.users ON users.id = o.user_id", Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("SELECT o.*, public.users.id, public.users.display_name AS full_name,"
        + " public.users.email, public.users.display_name FROM orders o JOIN public.users ON users.id = o.user_id");
  }

  @Test
  void star_qualifiedExpandsOnlyThatItem() throws Exception {
    Rewrite r = rewrite("SELECT o.*, u.* FROM orders o, users u WHERE u.id = o.user_id", Phase.NEW_ONLY);

    assertThat(r.sql()).isEqualTo("SELECT o.*, u.id, u.display_name AS full_name, u.email, u.display_name"
        + " FROM orders o, users u WHERE u.id = o.user_id");
  }

  @Test
  void star_inCountIsNotExpanded() throws Exception {
    assertThat(rewrite("SELECT count(*) FROM users", Phase.READ_NEW).sql()).isEqualTo("SELECT count(*) FROM users");
  }

  @Test
  void star_withFunctionInFromKeepsItsStar() throws Exception {
    Rewrite r = rewrite("SELECT * FROM users u, generate_series(1, 2) g", Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo(
        "SELECT u.id, u.display_name AS full_name, u.email, u.display_name, g.* FROM users u, generate_series(1, 2) g");
  }

  @Test
  void star_inReturning() throws Exception {
    Rewrite r = rewrite("DELETE FROM users WHERE id = ? RETURNING *", Phase.COMPLETED);

    assertThat(r.sql()).isEqualTo("DELETE FROM users WHERE id = ? RETURNING id, email, display_name AS full_name,"
        + " display_name");
  }

  // ---------------------------------------------------------------- names

  @Test
  void quotedIdentifier_matchesOnlyItsExactName() throws Exception {
    Rewrite r = rewrite("SELECT \"full_name\", \"Full_Name\" FROM users WHERE FULL_NAME = ?", Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("SELECT display_name AS full_name, \"Full_Name\" FROM users WHERE display_name = ?");
  }

  @Test
  void schemaQualifiedColumn_isResolved() throws Exception {
    Rewrite r = rewrite("SELECT public.users.full_name FROM public.users", Phase.COMPLETED);

    assertThat(r.sql()).isEqualTo("SELECT public.users.display_name AS full_name FROM public.users");
  }

  @Test
  void otherSchema_isNotTheMigratingTable() throws Exception {
    Rewrite r = new StatementRewriter().rewrite("SELECT full_name FROM archive.users",
        Fixtures.snapshot(Phase.READ_NEW), Fixtures.catalog(Phase.READ_NEW).with("archive", "users", "id", "full_name"));

    assertThat(r.sql()).isEqualTo("SELECT full_name FROM archive.users");
    assertThat(r.isUnchanged()).isTrue();
  }

  @Test
  void columnOfAnotherTable_withTheSameName_isLeftAlone() throws Exception {
    Rewrite r = rewrite("SELECT u.full_name, a.full_name FROM users u JOIN accounts a ON a.id = u.id", Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo(
        "SELECT u.display_name AS full_name, a.full_name FROM users u JOIN accounts a ON a.id = u.id");
  }

  @Test
  void subqueryWithoutMigrationColumns_isLeftAlone() throws Exception {
    Rewrite r = rewrite("SELECT full_name FROM users WHERE id IN (SELECT user_id FROM orders WHERE total > ?)",
        Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo(
        "SELECT display_name AS full_name FROM users WHERE id IN (SELECT user_id FROM orders WHERE total > ?)");
  }

  @Test
  void qualifiedReference_nextToSubquery_isResolved() throws Exception {
    Rewrite r = rewrite("SELECT u.full_name, s.n FROM users u JOIN (SELECT 1 AS n) s ON true", Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("SELECT u.display_name AS full_name, s.n FROM users u JOIN (SELECT 1 AS n) s ON true");
  }

  @Test
  void castAndCase_areRewrittenAtTheirLeaves() throws Exception {
    Rewrite r = rewrite("SELECT full_name::text, CASE WHEN full_name IS NULL THEN 'x' ELSE full_name END AS n"
        + " FROM users", Phase.READ_NEW);

    // The cast keeps PostgreSQL's label (the column's name), as the application wrote it.
    assertThat(r.sql()).isEqualTo("SELECT display_name::text AS full_name, CASE WHEN display_name IS NULL THEN 'x'"
        + " ELSE display_name END AS n FROM users");
  }

  @Test
  void windowFunction_partitionAndOrderAreRewritten() throws Exception {
    Rewrite r = rewrite("SELECT row_number() OVER (PARTITION BY full_name ORDER BY id) AS n FROM users", Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("SELECT row_number() OVER (PARTITION BY display_name ORDER BY id) AS n FROM users");
  }

  @Test
  void orderByLabel_fromStarExpansion_isLeftToTheLabel() throws Exception {
    Rewrite r = rewrite("SELECT * FROM users ORDER BY display_name, lower(full_name)", Phase.DUAL_WRITE);

    assertThat(r.sql()).isEqualTo("SELECT id, full_name, email, full_name AS display_name FROM users"
        + " ORDER BY display_name, lower(full_name)");
  }

  @Test
  void groupBy_prefersTheInputColumn() throws Exception {
    Rewrite r = rewrite("SELECT upper(full_name) AS full_name FROM users GROUP BY full_name", Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("SELECT upper(display_name) AS full_name FROM users GROUP BY display_name");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '!', textBlock = """
      SELECT id FROM orders WHERE user_id IN (SELECT id FROM users WHERE full_name = ?) ! SELECT id FROM orders WHERE user_id IN (SELECT id FROM users WHERE display_name = ?)
      SELECT t.full_name FROM (SELECT full_name, count(*) AS n FROM users GROUP BY full_name) t WHERE t.n > ? ! SELECT t.full_name FROM (SELECT display_name AS full_name, count(*) AS n FROM users GROUP BY display_name) t WHERE t.n > ?
      SELECT full_name FROM (SELECT * FROM users) t ! SELECT full_name FROM (SELECT id, display_name AS full_name, email, display_name FROM users) t
      SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND full_name = ?) ! SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND display_name = ?)
      SELECT (SELECT full_name FROM accounts a WHERE a.id = users.id) FROM users ! SELECT (SELECT full_name FROM accounts a WHERE a.id = users.id) FROM users
      SELECT full_name FROM users UNION ALL SELECT owner FROM accounts ORDER BY full_name ! SELECT display_name AS full_name FROM users UNION ALL SELECT owner FROM accounts ORDER BY full_name
      SELECT owner FROM accounts EXCEPT SELECT full_name FROM users ! SELECT owner FROM accounts EXCEPT SELECT display_name AS full_name FROM users
      SELECT t.full_name FROM (SELECT * FROM users) t UNION SELECT owner FROM accounts ! SELECT t.full_name FROM (SELECT id, display_name AS full_name, email, display_name FROM users) t UNION SELECT owner FROM accounts
      INSERT INTO orders (id, user_id) SELECT id, id FROM users WHERE full_name = ? ! INSERT INTO orders (id, user_id) SELECT id, id FROM users WHERE display_name = ?
      """)
  void subqueriesAndSetOperations_areRewrittenInTheirOwnScope(String sql, String expected) throws Exception {
    assertThat(rewrite(sql, Phase.READ_NEW).sql()).isEqualTo(expected);
  }

  // ---------------------------------------------------------------- masking

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      /* a /* nested */ comment */ 0
      -- line comment\\n 0
      E'it\\'s'
      $$dollar ? ; quoted$$
      $t$tagged ' "$t$
      'plain ''quoted'' ? ;'
      {fn ucase('x')}
      {d '2020-01-01'}
      "quoted ident"
      'é🙂 unicode'
      """)
  void masking_keepsPositionsAroundEveryForm(String form) throws Exception {
    String f = form.replace("\\n", "\n");
    String sql = "SELECT " + f + " AS a,\r\n\tfull_name, ? FROM users WHERE " + f + " IS NOT NULL AND full_name = ?";

    Rewrite r = rewrite(sql, Phase.READ_NEW);

    String expected = "SELECT " + f + " AS a,\r\n\tdisplay_name AS full_name, ? FROM users WHERE " + f
        + " IS NOT NULL AND display_name = ?";
    assertThat(r.sql()).isEqualTo(expected);
    assertThat(r.parameterMap()).containsExactly(1, 2);
  }

  @Test
  void dollarQuotedStringWithSpace_isNotMisreadAsAColumn() throws Exception {
    // Regression (PITFALLS): Calcite alone reads $$a b$$ as column "$$a" with alias "b$$".
    Rewrite r = rewrite("SELECT $$a b$$, full_name FROM users", Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("SELECT $$a b$$, display_name AS full_name FROM users");
  }

  @Test
  void parseFailure_doesNotSpoilTheNextParse() throws Exception {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> rewrite("SELECT full_name FROM users WHERE", Phase.READ_NEW))
        .isInstanceOf(RewriteRefusedException.class);

    assertThat(rewrite("SELECT full_name FROM users", Phase.READ_NEW).sql())
        .isEqualTo("SELECT display_name AS full_name FROM users");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      interval '1 day'
      INTERVAL '1' DAY
      timestamptz '2020-01-01 00:00+00'
      date '2020-01-01'
      """)
  void typedLiterals_areReadAsLiterals(String literal) throws Exception {
    Rewrite r = rewrite("SELECT full_name FROM users WHERE email > now() - " + literal + " AND full_name = ?",
        Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("SELECT display_name AS full_name FROM users WHERE email > now() - " + literal
        + " AND display_name = ?");
  }

  @Test
  void jsonbEscapedQuestionMark_isNotAPlaceholder() throws Exception {
    Rewrite r = rewrite("SELECT full_name FROM users WHERE email::jsonb ?? 'k' AND id = ?", Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("SELECT display_name AS full_name FROM users WHERE email::jsonb ?? 'k' AND id = ?");
    assertThat(r.parameterMap()).containsExactly(1);
  }

  @Test
  void jdbcEscapeFunction_argumentIsRewritten() throws Exception {
    Rewrite r = rewrite("SELECT {fn ucase(full_name)} FROM users WHERE full_name LIKE 'a\\_%' {escape '\\'}",
        Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo(
        "SELECT {fn ucase(display_name)} FROM users WHERE display_name LIKE 'a\\_%' {escape '\\'}");
  }

  @Test
  void callEscape_passesThrough() throws Exception {
    Rewrite r = rewrite("{call refresh_users(?)}", Phase.READ_NEW);

    assertThat(r.isUnchanged()).isTrue();
  }

  @Test
  void forUpdate_isKeptAndTheSelectRewritten() throws Exception {
    Rewrite r = rewrite("SELECT full_name FROM users WHERE id = ? FOR UPDATE SKIP LOCKED", Phase.NEW_ONLY);

    assertThat(r.sql()).isEqualTo("SELECT display_name AS full_name FROM users WHERE id = ? FOR UPDATE SKIP LOCKED");
  }

  @Test
  void limitOffset_parameterOrderIsKept() throws Exception {
    Rewrite r = rewrite("SELECT full_name FROM users ORDER BY id LIMIT ? OFFSET ?", Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("SELECT display_name AS full_name FROM users ORDER BY id LIMIT ? OFFSET ?");
    assertThat(r.parameterMap()).containsExactly(1, 2);
  }

  // ---------------------------------------------------------------- writes

  @Test
  void insertWithoutColumnList_inCompleted_usesThePhysicalPlaceOfTheColumn() throws Exception {
    // Once the old column is dropped its original place is unknown: the new column's place stands in.
    Rewrite r = rewrite("INSERT INTO users VALUES (?, ?, ?)", Phase.COMPLETED);

    assertThat(r.sql()).isEqualTo("INSERT INTO users (id, email, display_name) VALUES (?, ?, ?)");
  }

  @Test
  void insertWithoutColumnList_shorterValues() throws Exception {
    Rewrite r = rewrite("INSERT INTO users VALUES (1, 'x')", Phase.DUAL_WRITE);

    assertThat(r.sql()).isEqualTo("INSERT INTO users (id, full_name, display_name) VALUES (1, 'x', 'x')");
  }

  @Test
  void insertDuplicatesStableExpressions() throws Exception {
    Rewrite r = rewrite("INSERT INTO users (full_name) VALUES (coalesce(trim(?), 'n/a') || now()::text)",
        Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("INSERT INTO users (full_name, display_name) VALUES"
        + " (coalesce(trim(?), 'n/a') || now()::text, coalesce(trim(?), 'n/a') || now()::text)");
    assertThat(r.parameterMap()).containsExactly(1, 1);
  }

  @Test
  void updateOfAnotherColumn_inDualWrite_fillsTheNewColumn() throws Exception {
    Rewrite r = rewrite("UPDATE users u SET email = ?, id = id WHERE u.id = ?", Phase.DUAL_WRITE);

    assertThat(r.sql()).isEqualTo("UPDATE users u SET email = ?, id = id, display_name = full_name WHERE u.id = ?");
    assertThat(r.parameterMap()).containsExactly(1, 2);
    assertThat(r.oldNameUsed()).isEmpty();
  }

  @Test
  void updateReturning_rewritesBothParts() throws Exception {
    Rewrite r = rewrite("UPDATE users SET display_name = ? WHERE id = ? RETURNING display_name, id", Phase.DUAL_WRITE);

    assertThat(r.sql()).isEqualTo("UPDATE users SET full_name = ?, display_name = ? WHERE id = ?"
        + " RETURNING full_name AS display_name, id");
    assertThat(r.parameterMap()).containsExactly(1, 1, 2);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '!', textBlock = """
      PLANNED    ! INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (full_name) DO UPDATE SET full_name = excluded.full_name || users.full_name WHERE users.id > ?
      DUAL_WRITE ! INSERT INTO users (id, full_name, display_name) VALUES (?, ?, ?) ON CONFLICT (full_name) DO UPDATE SET full_name = excluded.full_name || users.full_name, display_name = excluded.full_name || users.full_name WHERE users.id > ?
      READ_NEW   ! INSERT INTO users (id, full_name, display_name) VALUES (?, ?, ?) ON CONFLICT (display_name) DO UPDATE SET full_name = excluded.display_name || users.display_name, display_name = excluded.display_name || users.display_name WHERE users.id > ?
      COMPLETED  ! INSERT INTO users (id, display_name) VALUES (?, ?) ON CONFLICT (display_name) DO UPDATE SET display_name = excluded.display_name || users.display_name WHERE users.id > ?
      """)
  void upsert_doUpdateIsRewrittenLikeAnUpdate(Phase phase, String expected) throws Exception {
    Rewrite r = rewrite("INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (full_name)"
        + " DO UPDATE SET full_name = excluded.full_name || users.full_name WHERE users.id > ?", phase);

    assertThat(r.sql()).isEqualTo(expected);
  }

  @Test
  void upsert_doUpdateOfAnotherColumn_inDualWrite_fillsTheNewColumn() throws Exception {
    Rewrite r = rewrite("INSERT INTO users (id, email) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email"
        + " RETURNING full_name", Phase.DUAL_WRITE);

    assertThat(r.sql()).isEqualTo("INSERT INTO users (id, email) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET"
        + " email = EXCLUDED.email, display_name = users.full_name RETURNING full_name");
  }

  // INSERT INTO t AS a: the alias names the target in DO UPDATE, its WHERE and RETURNING (was a parse refusal).
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '!', textBlock = """
      PLANNED    ! INSERT INTO users AS u (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET full_name = u.full_name || EXCLUDED.full_name WHERE u.full_name <> ? RETURNING u.full_name
      DUAL_WRITE ! INSERT INTO users AS u (id, full_name, display_name) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET full_name = u.full_name || EXCLUDED.full_name, display_name = u.full_name || EXCLUDED.full_name WHERE u.full_name <> ? RETURNING u.full_name
      READ_NEW   ! INSERT INTO users AS u (id, full_name, display_name) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET full_name = u.display_name || EXCLUDED.display_name, display_name = u.display_name || EXCLUDED.display_name WHERE u.display_name <> ? RETURNING u.display_name AS full_name
      COMPLETED  ! INSERT INTO users AS u (id, display_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET display_name = u.display_name || EXCLUDED.display_name WHERE u.display_name <> ? RETURNING u.display_name AS full_name
      """)
  void upsert_targetAlias_namesTheTarget(Phase phase, String expected) throws Exception {
    Rewrite r = rewrite("INSERT INTO users AS u (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET"
        + " full_name = u.full_name || EXCLUDED.full_name WHERE u.full_name <> ? RETURNING u.full_name", phase);

    assertThat(r.sql()).isEqualTo(expected);
  }

  @Test
  void upsert_targetAlias_dualWriteFillUsesTheAlias() throws Exception {
    Rewrite r = rewrite("INSERT INTO public.users AS \"U\" (id, email) VALUES (?, ?) ON CONFLICT (id) DO UPDATE"
        + " SET email = EXCLUDED.email", Phase.DUAL_WRITE);

    assertThat(r.sql()).isEqualTo("INSERT INTO public.users AS \"U\" (id, email) VALUES (?, ?) ON CONFLICT (id) DO UPDATE"
        + " SET email = EXCLUDED.email, display_name = \"U\".full_name");
  }

  @Test
  void upsert_doNothing_keepsTheClause() throws Exception {
    Rewrite r = rewrite("INSERT INTO users (id, display_name) VALUES (?, ?) ON CONFLICT DO NOTHING", Phase.DUAL_WRITE);

    assertThat(r.sql()).isEqualTo(
        "INSERT INTO users (id, full_name, display_name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
    assertThat(r.parameterMap()).containsExactly(1, 2, 2);
  }

  @Test
  void twoMigrationsOnOneTable_inDifferentPhases() throws Exception {
    MigrationSnapshot snapshot = new MigrationSnapshot(4, List.of(Fixtures.rename(Phase.DUAL_WRITE),
        dev.cutover.migration.ColumnMigration.rename("users-email", "public", "users", "mail", "email", Phase.READ_NEW, 4)));
    Catalog catalog = new MapCatalog().with("public", "users", "id", "full_name", "mail", "display_name", "email");
    StatementRewriter rewriter = new StatementRewriter();

    assertThat(rewriter.rewrite("SELECT * FROM users", snapshot, catalog).sql())
        .isEqualTo("SELECT id, full_name, email AS mail, full_name AS display_name, email FROM users");
    Rewrite insert = rewriter.rewrite("INSERT INTO users VALUES (?, ?, ?)", snapshot, catalog);
    assertThat(insert.sql())
        .isEqualTo("INSERT INTO users (id, full_name, mail, display_name, email) VALUES (?, ?, ?, ?, ?)");
    assertThat(insert.parameterMap()).containsExactly(1, 2, 3, 2, 3);
    assertThat(insert.oldNameUsed()).as("a generated column list uses no name").isEmpty();
    assertThat(rewriter.rewrite("UPDATE users SET mail = ? WHERE email = ?", snapshot, catalog).sql())
        .isEqualTo("UPDATE users SET mail = ?, email = ?, display_name = full_name WHERE email = ?");
  }

  @Test
  void insertSelect_duplicatesTheSelectedValue() throws Exception {
    Rewrite r = rewrite("INSERT INTO users (id, full_name) SELECT a.id, upper(a.owner) AS n FROM accounts a"
        + " WHERE a.id > ? ON CONFLICT DO NOTHING", Phase.DUAL_WRITE);

    assertThat(r.sql()).isEqualTo("INSERT INTO users (id, full_name, display_name) SELECT a.id, upper(a.owner) AS n,"
        + " upper(a.owner) AS n FROM accounts a WHERE a.id > ? ON CONFLICT DO NOTHING");
  }

  @Test
  void insertSelect_withParameterInTheDuplicatedValue() throws Exception {
    Rewrite r = rewrite("INSERT INTO users (full_name, id) SELECT ? || full_name, id + ? FROM users WHERE id = ?",
        Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("INSERT INTO users (full_name, id, display_name) SELECT ? || display_name, id + ?,"
        + " ? || display_name FROM users WHERE id = ?");
    assertThat(r.parameterMap()).containsExactly(1, 2, 1, 3);
  }

  @Test
  void jdbcEscapesInDuplicatedValues_areCopiedAsWritten() throws Exception {
    Rewrite r = rewrite("INSERT INTO users (id, full_name) VALUES (?, {fn ucase(?)}), (2, {d '2020-01-01'})",
        Phase.DUAL_WRITE);

    assertThat(r.sql()).isEqualTo("INSERT INTO users (id, full_name, display_name) VALUES (?, {fn ucase(?)},"
        + " {fn ucase(?)}), (2, {d '2020-01-01'}, {d '2020-01-01'})");
    assertThat(r.parameterMap()).containsExactly(1, 2, 2);
  }

  // ---------------------------------------------------------------- WITH, LATERAL, DISTINCT ON, FROM/USING, DEFAULT

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '!', textBlock = """
      WITH a AS (SELECT id, full_name FROM users), b AS (SELECT full_name AS n FROM a) SELECT a.full_name, b.n FROM a, b ! WITH a AS (SELECT id, display_name AS full_name FROM users), b AS (SELECT full_name AS n FROM a) SELECT a.full_name, b.n FROM a, b
      WITH users AS (SELECT 1 AS full_name) SELECT full_name FROM users ! WITH users AS (SELECT 1 AS full_name) SELECT full_name FROM users
      WITH u AS (SELECT 1 AS id) SELECT full_name FROM public.users JOIN u ON u.id = users.id ! WITH u AS (SELECT 1 AS id) SELECT display_name AS full_name FROM public.users JOIN u ON u.id = users.id
      WITH c(n, m) AS (SELECT full_name, id FROM users) SELECT n FROM c ORDER BY n ! WITH c(n, m) AS (SELECT display_name AS full_name, id FROM users) SELECT n FROM c ORDER BY n
      WITH RECURSIVE r AS (SELECT id, full_name FROM users WHERE id = 1 UNION ALL SELECT u.id, u.full_name FROM users u JOIN r ON u.id = r.id + 1) SELECT full_name FROM r ! WITH RECURSIVE r AS (SELECT id, display_name AS full_name FROM users WHERE id = 1 UNION ALL SELECT u.id, u.display_name AS full_name FROM users u JOIN r ON u.id = r.id + 1) SELECT full_name FROM r
      WITH c AS (SELECT * FROM users) SELECT * FROM c ! WITH c AS (SELECT id, display_name AS full_name, email, display_name FROM users) SELECT * FROM c
      SELECT * FROM (WITH c AS (SELECT full_name FROM users) SELECT full_name FROM c) s ! SELECT * FROM (WITH c AS (SELECT display_name AS full_name FROM users) SELECT full_name FROM c) s
      SELECT s.full_name FROM (SELECT display_name AS x FROM users) s(full_name) ! SELECT s.full_name FROM (SELECT display_name AS x FROM users) s(full_name)
      SELECT u.id, x.f FROM users u LEFT JOIN LATERAL (SELECT o.total, full_name AS f FROM orders o WHERE o.user_id = u.id) x ON true ! SELECT u.id, x.f FROM users u LEFT JOIN LATERAL (SELECT o.total, display_name AS f FROM orders o WHERE o.user_id = u.id) x ON true
      SELECT DISTINCT ON (full_name) full_name, id FROM users ORDER BY full_name, id ! SELECT DISTINCT ON (full_name) display_name AS full_name, id FROM users ORDER BY full_name, id
      SELECT * FROM (SELECT DISTINCT ON (lower(u.full_name)) id FROM users u) s ! SELECT * FROM (SELECT DISTINCT ON (lower(u.display_name)) id FROM users u) s
      SELECT a.id, full_name FROM users a JOIN users b USING (full_name) ! SELECT a.id, display_name AS full_name FROM users a JOIN users b USING (display_name)
      SELECT u.id FROM users u NATURAL JOIN orders o ! SELECT u.id FROM users u NATURAL JOIN orders o
      SELECT u.id, w FROM users u, unnest(string_to_array(u.full_name, ' ')) w ! SELECT u.id, w FROM users u, unnest(string_to_array(u.display_name, ' ')) w
      SELECT u.id, g FROM users u, LATERAL generate_series(1, length(full_name)) g ! SELECT u.id, g FROM users u, LATERAL generate_series(1, length(display_name)) g
      SELECT id FROM orders WHERE user_id IN (SELECT DISTINCT ON (full_name) id FROM users ORDER BY full_name, id) ! SELECT id FROM orders WHERE user_id IN (SELECT DISTINCT ON (display_name) id FROM users ORDER BY display_name, id)
      """)
  void readConstructs_areRewrittenInTheirScopes(String sql, String expected) throws Exception {
    assertThat(rewrite(sql, Phase.READ_NEW).sql()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '!', textBlock = """
      WITH u AS (UPDATE users SET full_name = ? WHERE id = ? RETURNING *) SELECT * FROM u ! WITH u AS (UPDATE users SET full_name = ?, display_name = ? WHERE id = ? RETURNING id, full_name, email, full_name AS display_name) SELECT * FROM u
      WITH u AS (UPDATE users SET email = ? WHERE id = ? RETURNING id) SELECT id FROM u ! WITH u AS (UPDATE users SET email = ?, display_name = full_name WHERE id = ? RETURNING id) SELECT id FROM u
      WITH i AS (INSERT INTO users (id, display_name) VALUES (?, ?) RETURNING full_name) SELECT full_name FROM i ! WITH i AS (INSERT INTO users (id, full_name, display_name) VALUES (?, ?, ?) RETURNING full_name) SELECT full_name FROM i
      WITH d AS (DELETE FROM users WHERE id = ? RETURNING id, full_name) INSERT INTO users (id, full_name) SELECT id + 1, full_name FROM d ! WITH d AS (DELETE FROM users WHERE id = ? RETURNING id, full_name) INSERT INTO users (id, full_name, display_name) SELECT id + 1, full_name, full_name FROM d
      WITH o AS (SELECT user_id FROM orders) UPDATE users SET full_name = ? WHERE id IN (SELECT user_id FROM o) ! WITH o AS (SELECT user_id FROM orders) UPDATE users SET full_name = ?, display_name = ? WHERE id IN (SELECT user_id FROM o)
      UPDATE users SET email = a.owner FROM accounts a WHERE a.id = users.id ! UPDATE users SET email = a.owner, display_name = users.full_name FROM accounts a WHERE a.id = users.id
      UPDATE users SET full_name = a.full_name FROM accounts a JOIN orders o ON o.id = a.id WHERE a.id = users.id ! UPDATE users SET full_name = a.full_name, display_name = a.full_name FROM accounts a JOIN orders o ON o.id = a.id WHERE a.id = users.id
      UPDATE users SET email = full_name IS DISTINCT FROM 'x' FROM orders WHERE orders.user_id = users.id ! UPDATE users SET email = full_name IS DISTINCT FROM 'x', display_name = users.full_name FROM orders WHERE orders.user_id = users.id
      UPDATE users SET display_name = DEFAULT WHERE id = ? ! UPDATE users SET full_name = DEFAULT, display_name = DEFAULT WHERE id = ?
      DELETE FROM users u USING orders o WHERE o.user_id = u.id RETURNING u.display_name ! DELETE FROM users u USING orders o WHERE o.user_id = u.id RETURNING u.full_name AS display_name
      INSERT INTO users DEFAULT VALUES RETURNING display_name ! INSERT INTO users DEFAULT VALUES RETURNING full_name AS display_name
      INSERT INTO users AS u DEFAULT VALUES ON CONFLICT (id) DO UPDATE SET email = 'x' ! INSERT INTO users AS u DEFAULT VALUES ON CONFLICT (id) DO UPDATE SET email = 'x', display_name = u.full_name
      INSERT INTO users VALUES (?, DEFAULT, ?) ! INSERT INTO users (id, full_name, email, display_name) VALUES (?, DEFAULT, ?, DEFAULT)
      INSERT INTO users (id, full_name) SELECT DISTINCT ON (email) id + 1, full_name FROM users ORDER BY email ! INSERT INTO users (id, full_name, display_name) SELECT DISTINCT ON (email) id + 1, full_name, full_name FROM users ORDER BY email
      """)
  void writeConstructs_dualWriteAsAtTopLevel(String sql, String expected) throws Exception {
    assertThat(rewrite(sql, Phase.DUAL_WRITE).sql()).isEqualTo(expected);
  }

  @Test
  void volatileValue_ofOneRow_isComputedOnceForBothColumns() throws Exception {
    Rewrite r = rewrite("INSERT INTO users VALUES(?, gen_random_uuid()::text || ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("INSERT INTO users (id, full_name, email, display_name) SELECT ?, cutover_once.v2, ?,"
        + " cutover_once.v2 FROM (SELECT gen_random_uuid()::text || ? AS v2) AS cutover_once ON CONFLICT DO NOTHING"
        + " RETURNING id");
    assertThat(r.parameterMap()).containsExactly(1, 3, 2);
  }

  @Test
  void volatileSubqueryValue_keepsItsOwnRewrite() throws Exception {
    Rewrite r = rewrite("INSERT INTO users (full_name, id) VALUES ((SELECT full_name FROM users WHERE id = ?), ?)",
        Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo("INSERT INTO users (full_name, id, display_name) SELECT cutover_once.v1, ?,"
        + " cutover_once.v1 FROM (SELECT (SELECT display_name AS full_name FROM users WHERE id = ?) AS v1) AS cutover_once");
    assertThat(r.parameterMap()).containsExactly(2, 1);
  }

  // ---------------------------------------------------------------- several statements, pass-through

  @Test
  void multipleStatements_parameterMapSpansThemAll() throws Exception {
    Rewrite r = rewrite("UPDATE orders SET total = ? WHERE id = ?; INSERT INTO users (id, full_name) VALUES (?, ?);"
        + " SELECT ? ", Phase.DUAL_WRITE);

    assertThat(r.sql()).isEqualTo("UPDATE orders SET total = ? WHERE id = ?;"
        + " INSERT INTO users (id, full_name, display_name) VALUES (?, ?, ?); SELECT ? ");
    assertThat(r.parameterMap()).containsExactly(1, 2, 3, 4, 4, 5);
  }

  @ParameterizedTest
  @EnumSource(Phase.class)
  void noMigratingTable_isReturnedUnchangedWithoutParsing(Phase phase) throws Exception {
    // Neither statement would survive Calcite ($1, DISTINCT ON): proof that they were not parsed.
    for (String sql : List.of("SELECT DISTINCT ON (a) a FROM orders WHERE id = $1",
        "SELECT 'users' FROM orders WHERE x = $1 /* users */",
        "SELECT id FROM users_archive WHERE full_name = $1")) {
      Rewrite r = Fixtures.rewrite(sql, phase);
      assertThat(r.sql()).isSameAs(sql);
      assertThat(r.isUnchanged()).isTrue();
    }
  }

  @Test
  void migratingTableWithoutItsColumns_isUnchanged() throws Exception {
    for (String sql : List.of("SELECT id, email FROM users WHERE id = ?",
        "SELECT id FROM users UNION SELECT id FROM orders",
        "DELETE FROM users WHERE id = ?",
        "LOCK TABLE users")) {
      Rewrite r = rewrite(sql, Phase.READ_NEW);
      assertThat(r.sql()).as(sql).isEqualTo(sql);
      assertThat(r.isUnchanged()).as(sql).isTrue();
    }
  }

  @Test
  void emptySnapshot_passesEverythingThrough() throws Exception {
    String sql = "SELECT * FROM users";
    Rewrite r = new StatementRewriter().rewrite(sql, MigrationSnapshot.EMPTY, Fixtures.catalog(Phase.PLANNED));

    assertThat(r.isUnchanged()).isTrue();
    assertThat(r.oldNameUsed()).isEqualTo(Set.of());
  }
}
