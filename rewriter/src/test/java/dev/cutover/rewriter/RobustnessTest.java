package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.cutover.migration.Phase;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Arbitrary token soup never escapes as anything but a rewrite or a refusal (never a {@link RewriterBugException}). */
class RobustnessTest {

  private static final List<String> PIECES = List.of(
      "SELECT", "INSERT INTO", "UPDATE", "DELETE FROM", "users", "u", "full_name", "display_name", "email", "*",
      "FROM", "WHERE", "SET", "VALUES", "(", ")", ",", "=", "?", "??", "$1", "'x'", "E'\\''", "$$a b$$",
      "/* c */", "-- c\n", "\"Full_Name\"", ";", "{fn", "}", "ON CONFLICT", "DO UPDATE", "RETURNING", "AS",
      "JOIN", "ON", "UNION", "ORDER BY", "GROUP BY", "::text", "interval '1 day'", ".", "||", "upper(", "1",
      "WITH", "FOR UPDATE", "(SELECT", "excluded.", "NULL", "\n", "\t", "é",
      // Issue 11's shapes: field selection, whole rows, alias lists, row types, composite targets.
      "(u).", "(full_name).", "u.*", "to_jsonb(u)", "AS u(a, b)", "u(a)", "::users", "contact.full_name", "ONLY");

  @Test
  void rewrite_randomTokenSoup_rewritesOrRefuses() {
    Random random = new Random(42);
    for (Phase phase : Phase.values()) {
      for (int n = 0; n < 1500; n++) {
        StringBuilder sql = new StringBuilder();
        int length = 2 + random.nextInt(14);
        for (int i = 0; i < length; i++) {
          sql.append(PIECES.get(random.nextInt(PIECES.size()))).append(random.nextBoolean() ? " " : "");
        }
        try {
          Rewrite r = Fixtures.rewrite(sql.toString(), phase);
          assertThat(r.sql()).isNotNull();
        } catch (RewriteRefusedException expected) {
          assertThat(expected.migrationId()).isEqualTo(Fixtures.ID);
        } catch (RewriterBugException | Error e) {
          fail("unexpected " + e + " for: " + sql, e);
        }
      }
    }
  }
}
