package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.migration.Phase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Writes that were refused on a migrating table and are now rewritten: MERGE (each action writes
 * the phase's physical columns, converted for a type change; conditions and values read the phase's
 * read column), a row assignment from a sub-SELECT (run once, feeding every physical column), and an
 * element assignment to a renamed array column where both columns are known to hold the same array.
 * The corpus and {@code TypeChangeDifferentialTest} run the same shapes against PostgreSQL at every
 * phase.
 */
class MergeRewriteTest {

  private static final String MERGE =
      "MERGE INTO users u USING (VALUES (?, 'merge')) v(id, n) ON u.id = v.id WHEN MATCHED AND u.full_name <> v.n"
      + " THEN UPDATE SET email = concat(v.n, '@m') WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT (id, full_name)"
      + " VALUES (v.id, v.n)";

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      PLANNED    | MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN UPDATE SET full_name = a.owner | MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN UPDATE SET full_name = a.owner
      DUAL_WRITE | MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN UPDATE SET full_name = a.owner | MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN UPDATE SET full_name = a.owner, display_name = a.owner
      NEW_ONLY   | MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN UPDATE SET full_name = a.owner | MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN UPDATE SET display_name = a.owner
      DUAL_WRITE | MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN UPDATE SET email = DEFAULT WHEN NOT MATCHED THEN DO NOTHING | MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN UPDATE SET email = DEFAULT, display_name = u.full_name WHEN NOT MATCHED THEN DO NOTHING
      READ_NEW   | MERGE INTO users USING accounts a ON users.full_name = a.owner WHEN NOT MATCHED AND a.owner IS NOT NULL THEN INSERT (id, display_name, email) VALUES (a.id, a.owner, DEFAULT) | MERGE INTO users USING accounts a ON users.display_name = a.owner WHEN NOT MATCHED AND a.owner IS NOT NULL THEN INSERT (id, full_name, email, display_name) VALUES (a.id, a.owner, DEFAULT, a.owner)
      COMPLETED  | MERGE INTO users USING accounts a ON users.full_name = a.owner WHEN NOT MATCHED THEN INSERT (id, full_name) VALUES (a.id, DEFAULT) | MERGE INTO users USING accounts a ON users.display_name = a.owner WHEN NOT MATCHED THEN INSERT (id, display_name) VALUES (a.id, DEFAULT)
      READ_NEW   | MERGE INTO users u USING (SELECT id, full_name FROM users WHERE id < ?) s ON u.id = s.id + 100 WHEN MATCHED AND CASE WHEN s.full_name IS NULL THEN true END THEN DELETE WHEN NOT MATCHED THEN INSERT DEFAULT VALUES | MERGE INTO users u USING (SELECT id, display_name AS full_name FROM users WHERE id < ?) s ON u.id = s.id + 100 WHEN MATCHED AND CASE WHEN s.full_name IS NULL THEN true END THEN DELETE WHEN NOT MATCHED THEN INSERT DEFAULT VALUES
      DUAL_WRITE | UPDATE users SET (email, full_name) = (SELECT owner, full_name FROM accounts WHERE accounts.id = users.id) WHERE id = ? | UPDATE users SET (email, full_name, display_name) = (SELECT cutover_once.v1, cutover_once.v2, cutover_once.v2 FROM (SELECT owner, full_name FROM accounts WHERE accounts.id = users.id) AS cutover_once(v1, v2)) WHERE id = ?
      PLANNED    | UPDATE users SET (email, full_name) = (SELECT owner, full_name FROM accounts WHERE accounts.id = users.id) WHERE id = ? | UPDATE users SET (email, full_name) = (SELECT owner, full_name FROM accounts WHERE accounts.id = users.id) WHERE id = ?
      DUAL_WRITE | UPDATE users SET (email) = (SELECT owner FROM accounts WHERE accounts.id = users.id) WHERE id = ? | UPDATE users SET (email) = (SELECT owner FROM accounts WHERE accounts.id = users.id), display_name = full_name WHERE id = ?
      READ_NEW   | UPDATE users u SET id = id, (display_name) = (SELECT max(a.owner) FROM accounts a), email = ? WHERE u.id = ? RETURNING full_name | UPDATE users u SET id = id, (full_name, display_name) = (SELECT cutover_once.v1, cutover_once.v1 FROM (SELECT max(a.owner) FROM accounts a) AS cutover_once(v1)), email = ? WHERE u.id = ? RETURNING display_name AS full_name
      COMPLETED  | UPDATE users SET (full_name, email) = (SELECT ?, upper(?)) WHERE id = ? | UPDATE users SET (display_name, email) = (SELECT ?, upper(?)) WHERE id = ?
      READ_NEW   | UPDATE users SET full_name[1] = ?, email = 'x' WHERE full_name[2] = ? | UPDATE users SET full_name[1] = ?, display_name[1] = ?, email = 'x' WHERE display_name[2] = ?
      NEW_ONLY   | UPDATE users SET full_name[1:2] = ? WHERE id = ? | UPDATE users SET display_name[1:2] = ? WHERE id = ?
      PLANNED    | UPDATE users SET display_name[1] = ? WHERE id = ? | UPDATE users SET full_name[1] = ? WHERE id = ?
      """)
  void rewrite_refusedWrites_areRewritten(Phase phase, String sql, String expected) throws Exception {
    Rewrite r = Fixtures.rewrite(sql, phase);
    RenameMatrixTest.checkInvariants(sql, r, phase);
    assertThat(r.sql()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      PLANNED    | MERGE INTO users u USING (VALUES (?, 'merge')) v(id, n) ON u.id = v.id WHEN MATCHED AND u.full_name <> v.n THEN UPDATE SET email = concat(v.n, '@m') WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT (id, full_name) VALUES (v.id, v.n)
      DUAL_WRITE | MERGE INTO users u USING (VALUES (?, 'merge')) v(id, n) ON u.id = v.id WHEN MATCHED AND u.full_name <> v.n THEN UPDATE SET email = concat(v.n, '@m'), display_name = u.full_name WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT (id, full_name, display_name) VALUES (v.id, v.n, v.n)
      READ_NEW   | MERGE INTO users u USING (VALUES (?, 'merge')) v(id, n) ON u.id = v.id WHEN MATCHED AND u.display_name <> v.n THEN UPDATE SET email = concat(v.n, '@m') WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT (id, full_name, display_name) VALUES (v.id, v.n, v.n)
      NEW_ONLY   | MERGE INTO users u USING (VALUES (?, 'merge')) v(id, n) ON u.id = v.id WHEN MATCHED AND u.display_name <> v.n THEN UPDATE SET email = concat(v.n, '@m') WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT (id, display_name) VALUES (v.id, v.n)
      COMPLETED  | MERGE INTO users u USING (VALUES (?, 'merge')) v(id, n) ON u.id = v.id WHEN MATCHED AND u.display_name <> v.n THEN UPDATE SET email = concat(v.n, '@m') WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT (id, display_name) VALUES (v.id, v.n)
      """)
  void merge_everyPhase_writesAndReadsThePhasesColumns(Phase phase, String expected) throws Exception {
    Rewrite r = Fixtures.rewrite(MERGE, phase);
    RenameMatrixTest.checkInvariants(MERGE, r, phase);
    assertThat(r.sql()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      DUAL_WRITE | MERGE INTO orders o USING (VALUES (?, ?::numeric)) v(id, a) ON o.id = v.id WHEN MATCHED AND o.amount_cents > 0 THEN UPDATE SET amount = v.a WHEN NOT MATCHED THEN INSERT (id, amount_cents) VALUES (v.id, 5) | MERGE INTO orders o USING (VALUES (?, ?::numeric)) v(id, a) ON o.id = v.id WHEN MATCHED AND CAST(((o.amount) * 100)::bigint AS bigint) > 0 THEN UPDATE SET amount = v.a, amount_cents = CAST(((CAST(COALESCE(v.a, CAST(NULL AS numeric(10,2))) AS numeric(10,2))) * 100)::bigint AS bigint) WHEN NOT MATCHED THEN INSERT (id, amount, amount_cents) VALUES (v.id, CAST((CAST(COALESCE(5, CAST(NULL AS bigint)) AS bigint)) / 100.0 AS numeric(10,2)), 5)
      NEW_ONLY   | UPDATE orders SET (note, amount) = (SELECT 'n', max(o.amount) FROM orders o) WHERE id = ? | UPDATE orders SET (note, amount_cents) = (SELECT cutover_once.v1, CAST(((CAST(COALESCE(cutover_once.v2, CAST(NULL AS numeric(10,2))) AS numeric(10,2))) * 100)::bigint AS bigint) FROM (SELECT 'n', max(CAST((o.amount_cents) / 100.0 AS numeric(10,2))) FROM orders o) AS cutover_once(v1, v2)) WHERE id = ?
      """)
  void typeChange_mergeAndRowFromSelect_convert(Phase phase, String sql, String expected) throws Exception {
    assertThat(TypeChangeRewriteTest.rewrite(sql, phase).sql()).isEqualTo(expected);
  }

  /** PostgreSQL labels {@code x[i]} (and a slice) with the column's name: kept when the column is renamed (ArrayElementRenameDifferentialTest found it). */
  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      PLANNED    | UPDATE users u SET email = ? WHERE u.id = ? RETURNING u.display_name[1] | UPDATE users u SET email = ? WHERE u.id = ? RETURNING u.full_name[1] AS display_name
      READ_NEW   | SELECT full_name[1:2], full_name[1]::text FROM users | SELECT display_name[1:2] AS full_name, display_name[1]::text AS full_name FROM users
      """)
  void subscriptedColumn_keepsItsLabel(Phase phase, String sql, String expected) throws Exception {
    assertThat(Fixtures.rewrite(sql, phase).sql()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      DUAL_WRITE | UPDATE users SET full_name[1] = ? WHERE id = ? | backfill has not reached
      READ_NEW   | UPDATE orders SET amount[1] = ? WHERE id = ?    | type change
      """)
  void subscriptedAssignment_whereTheColumnsMayDiffer_isRefused(Phase phase, String sql, String reason) {
    assertThatThrownBy(() -> {
      Rewrite r = sql.contains("orders") ? TypeChangeRewriteTest.rewrite(sql, phase) : Fixtures.rewrite(sql, phase);
      assertThat(r).as("refused").isNull();
    })
        .isInstanceOf(RewriteRefusedException.class)
        .hasMessageContaining("element or slice")
        .hasMessageContaining(reason);
  }
}
