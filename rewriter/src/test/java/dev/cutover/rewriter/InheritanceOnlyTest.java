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
 * PostgreSQL reads it. So is its opposite, {@code FROM t *} (the table and its children, which for
 * a migrating table is the table itself), once refused; and {@code ORDER BY x USING op}.
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

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      READ_NEW   | SELECT full_name FROM users * WHERE id = ?          | SELECT display_name AS full_name FROM users * WHERE id = ?
      READ_NEW   | SELECT u.full_name FROM public.users * AS u         | SELECT u.display_name AS full_name FROM public.users * AS u
      DUAL_WRITE | UPDATE users * SET full_name = ? WHERE id = ?       | UPDATE users * SET full_name = ?, display_name = ? WHERE id = ?
      COMPLETED  | DELETE FROM users * WHERE full_name = ?             | DELETE FROM users * WHERE display_name = ?
      READ_NEW   | SELECT o.id FROM orders o JOIN users * ON users.id = o.user_id WHERE full_name = ? | SELECT o.id FROM orders o JOIN users * ON users.id = o.user_id WHERE display_name = ?
      READ_NEW   | SELECT id FROM users ORDER BY full_name USING <, id  | SELECT id FROM users ORDER BY display_name USING <, id
      READ_NEW   | SELECT id FROM users ORDER BY full_name USING OPERATOR(pg_catalog.>) | SELECT id FROM users ORDER BY display_name USING OPERATOR(pg_catalog.>)
      READ_NEW   | SELECT full_name FROM users JOIN orders USING (id) ORDER BY full_name USING ~>~ | SELECT display_name AS full_name FROM users JOIN orders USING (id) ORDER BY full_name USING ~>~
      """)
  void starAndSortOperator_areReadAsPostgreSqlReadsThem(Phase phase, String sql, String expected) throws Exception {
    Rewrite r = Fixtures.rewrite(sql, phase);
    RenameMatrixTest.checkInvariants(sql, r, phase);

    assertThat(r.sql()).isEqualTo(expected);
  }

  /** A FROM inside substring/extract/trim/overlay is no FROM clause: its star multiplies. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      SELECT substring(full_name FROM id * 2) FROM users | SELECT substring(display_name FROM id * 2) FROM users
      SELECT extract(epoch FROM id * interval '1 s') FROM users WHERE full_name = ? | SELECT extract(epoch FROM id * interval '1 s') FROM users WHERE display_name = ?
      """)
  void starInsideACallsFrom_staysAMultiplication(String sql, String expected) throws Exception {
    Rewrite r = Fixtures.rewrite(sql, Phase.READ_NEW);
    RenameMatrixTest.checkInvariants(sql, r, Phase.READ_NEW);

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
