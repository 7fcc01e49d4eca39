package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.migration.Phase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MERGE on a migrating table: each action writes the phase's physical columns (converted for a type
 * change), each condition and value reads the phase's read column; what is not read is refused. The
 * corpus runs the same shapes against PostgreSQL at every phase.
 */
class MergeRewriteTest {

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      PLANNED    | MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN UPDATE SET full_name = a.owner | MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN UPDATE SET full_name = a.owner
      EXPLORE    | x | x
      """)
  void rewrite_merge(String phase, String sql, String expected) throws Exception {
    if (phase.equals("EXPLORE")) {
      for (Phase p : Phase.values()) {
        for (String s : new String[] {
            "MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN UPDATE SET full_name = a.owner",
            "MERGE INTO users u USING (VALUES (?, 'merge')) v(id, n) ON u.id = v.id WHEN MATCHED AND u.full_name <> v.n THEN UPDATE SET email = v.n || '@m' WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT (id, full_name) VALUES (v.id, v.n)",
            "MERGE INTO users AS u\nUSING accounts a\nON u.id = a.id\nWHEN NOT MATCHED AND a.full_name IS NOT NULL THEN\n  INSERT (id, display_name, email) VALUES (a.id, a.full_name, DEFAULT)\nWHEN MATCHED THEN\n  DO NOTHING",
            }) {
          try {
            System.out.println(p + ": " + Fixtures.rewrite(s, p).sql());
          } catch (RewriteRefusedException e) {
            System.out.println(p + ": REFUSED " + e.getMessage());
          }
          try {
            System.out.println(p + " tc: " + TypeChangeRewriteTest.rewrite(s.replace("users", "orders").replace("full_name", "amount").replace("display_name", "amount_cents"), p).sql());
          } catch (RewriteRefusedException e) {
            System.out.println(p + ": REFUSED " + e.getMessage());
          }
        }
      }
      return;
    }
    Rewrite r = Fixtures.rewrite(sql, Phase.valueOf(phase));
    RenameMatrixTest.checkInvariants(sql, r, Phase.valueOf(phase));
    assertThat(r.sql()).isEqualTo(expected);
  }
}
