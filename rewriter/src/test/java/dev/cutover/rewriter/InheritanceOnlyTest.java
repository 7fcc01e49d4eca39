package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.Phase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Regression (found by the differential corpus): {@code FROM ONLY t}, {@code UPDATE ONLY t} and
 * {@code DELETE FROM ONLY t} passed through unrewritten, because Calcite read {@code ONLY} as the
 * table name and the migrating table as its alias; in dual_write an {@code UPDATE ONLY} then wrote
 * the old column alone, and in completed every such statement failed. {@code ONLY} is now read as
 * PostgreSQL reads it.
 */
class InheritanceOnlyTest {

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      DUAL_WRITE | UPDATE ONLY users SET full_name = ? WHERE id = ?   | UPDATE ONLY users SET full_name = ?, display_name = ? WHERE id = ?
      COMPLETED  | UPDATE ONLY users SET full_name = ? WHERE id = ?   | UPDATE ONLY users SET display_name = ? WHERE id = ?
      COMPLETED  | DELETE FROM ONLY users WHERE full_name = ?         | DELETE FROM ONLY users WHERE display_name = ?
      READ_NEW   | SELECT u.full_name FROM ONLY users u WHERE u.id = ? | SELECT u.display_name AS full_name FROM ONLY users u WHERE u.id = ?
      READ_NEW   | SELECT full_name FROM orders o, ONLY users WHERE users.id = o.user_id | SELECT display_name AS full_name FROM orders o, ONLY users WHERE users.id = o.user_id
      PLANNED    | SELECT display_name FROM users JOIN ONLY orders o ON o.user_id = users.id | SELECT full_name AS display_name FROM users JOIN ONLY orders o ON o.user_id = users.id
      """)
  void only_isRewrittenLikeThePlainTable(Phase phase, String sql, String expected) throws Exception {
    Rewrite r = Fixtures.rewrite(sql, phase);
    RenameMatrixTest.checkInvariants(sql, r, phase);

    assertThat(r.sql()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      SELECT id FROM users ORDER BY id FETCH FIRST 2 ROWS ONLY
      SELECT id FROM orders
      """)
  void only_elsewhereIsLeftAlone(String sql) throws Exception {
    Rewrite r = Fixtures.rewrite(sql, Phase.READ_NEW);

    assertThat(r.sql()).isEqualTo(sql);
  }
}
