package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.migration.Phase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The safety argument's "nothing in between": a statement that is parsed is rewritten in every part
 * that can name a migration column, or refused; no part of it is left out of the parse and sent as
 * written while the rest is rewritten.
 */
class NothingInBetweenTest {

  private static Rewrite rewrite(String sql, Phase phase) throws RewriteRefusedException {
    Rewrite r = Fixtures.rewrite(sql, phase);
    RenameMatrixTest.checkInvariants(sql, r, phase);
    return r;
  }

  // PostgreSQL accepts LIMIT and OFFSET after a locking clause. The locking clause used to be blanked
  // for the parser up to the end of the statement, LIMIT and OFFSET with it: a subquery there reached
  // the server naming the old column (stale in new_only, gone at completed) while the rest was rewritten.
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      SELECT id FROM users FOR UPDATE LIMIT 1                           | SELECT id FROM users FOR UPDATE LIMIT 1
      SELECT full_name FROM users FOR UPDATE OF users SKIP LOCKED LIMIT 1 | SELECT display_name AS full_name FROM users FOR UPDATE OF users SKIP LOCKED LIMIT 1
      SELECT full_name FROM users FOR NO KEY UPDATE NOWAIT OFFSET 2 LIMIT 1 | SELECT display_name AS full_name FROM users FOR NO KEY UPDATE NOWAIT OFFSET 2 LIMIT 1
      SELECT full_name FROM users LIMIT 1 FOR SHARE                     | SELECT display_name AS full_name FROM users LIMIT 1 FOR SHARE
      SELECT full_name FROM users FOR READ ONLY LIMIT 1                 | SELECT display_name AS full_name FROM users FOR READ ONLY LIMIT 1
      SELECT full_name FROM users ORDER BY id FOR READ ONLY             | SELECT display_name AS full_name FROM users ORDER BY id FOR READ ONLY
      DECLARE c CURSOR FOR SELECT full_name FROM users FOR READ ONLY    | DECLARE c CURSOR FOR SELECT display_name AS full_name FROM users FOR READ ONLY
      """)
  void lockingClause_beforeLimit_restIsRewritten(String sql, String expected) throws Exception {
    assertThat(rewrite(sql, Phase.NEW_ONLY).sql()).isEqualTo(expected);
  }

  // A subquery's own locking clause (the queue idiom: UPDATE ... WHERE id = (SELECT ... FOR UPDATE
  // SKIP LOCKED)) was refused, as the parser cannot read it: it is blanked like a top-level one, and
  // the subquery around it is rewritten. A FOR inside a function's brackets is no locking clause.
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      UPDATE users SET full_name = ? WHERE id = (SELECT id FROM users WHERE full_name IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) | UPDATE users SET display_name = ? WHERE id = (SELECT id FROM users WHERE display_name IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
      SELECT x.* FROM (SELECT id, full_name FROM users FOR UPDATE OF users) x | SELECT x.* FROM (SELECT id, display_name AS full_name FROM users FOR UPDATE OF users) x
      DELETE FROM users WHERE id IN (SELECT id FROM users WHERE full_name = 'a' FOR NO KEY UPDATE NOWAIT) | DELETE FROM users WHERE id IN (SELECT id FROM users WHERE display_name = 'a' FOR NO KEY UPDATE NOWAIT)
      SELECT (SELECT v.full_name FROM users v WHERE v.id = u.id FOR SHARE) AS n FROM users u FOR UPDATE OF u | SELECT (SELECT v.display_name AS full_name FROM users v WHERE v.id = u.id FOR SHARE) AS n FROM users u FOR UPDATE OF u
      SELECT substring(full_name FROM 1 FOR 2) FROM users                 | SELECT substring(display_name FROM 1 FOR 2) FROM users
      """)
  void lockingClause_inASubquery_isBlankedAndTheRestRewritten(String sql, String expected) throws Exception {
    assertThat(rewrite(sql, Phase.NEW_ONLY).sql()).isEqualTo(expected);
  }

  // Calcite reads no subquery in LIMIT or OFFSET: such a statement is refused as a whole, with or
  // without a locking clause before it, never sent with the subquery as written.
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = """
      NEW_ONLY  | SELECT id FROM users FOR UPDATE LIMIT (SELECT count(full_name) FROM users WHERE full_name = 'a')
      COMPLETED | SELECT id FROM users FOR UPDATE OFFSET (SELECT count(*) FROM users u WHERE u.full_name = 'b')
      NEW_ONLY  | SELECT id FROM users FOR SHARE OF users NOWAIT LIMIT (SELECT count(full_name) FROM users)
      NEW_ONLY  | SELECT id FROM users LIMIT (SELECT count(full_name) FROM users WHERE full_name = 'a') FOR UPDATE
      """)
  void lockingClause_beforeALimitOrOffsetThatReadsAMigrationColumn_isRefusedNotPassedThrough(Phase phase, String sql) {
    assertThatThrownBy(() -> rewrite(sql, phase))
        .isInstanceOf(RewriteRefusedException.class)
        .hasMessageContaining("could not read the statement");
  }
}
