package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.CutoverStatistics;
import dev.cutover.migration.Phase;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Statements an application builds with its values inlined, through Cutover on the migrating table
 * and through plain pgjdbc on the twin ({@link Differential}), at every phase and across every
 * phase change: each statement shape runs with several sets of constants, so that the rewrite
 * cache makes a template from the first text of a shape, checks it with the second and fills the
 * others in. Every literal form is here: numbers (negative, decimal, exponent), plain strings with
 * doubled quotes, {@code E'...'} with and without a backslash, dollar quotes, bit and hex strings,
 * {@code U&'...'}, casts, {@code TYPE 'literal'}, type modifiers, {@code IN} lists, {@code LIMIT},
 * {@code ORDER BY} ordinals, jsonb keys, a string that names the migrating table, and a constant
 * that keeps one value while the others change.
 */
class LiteralNormalisationDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  /** Makes each phase's inserted keys distinct. */
  private static int phaseSalt;

  /** Variants of each shape run at each phase: the first makes the template, the second checks it. */
  private static final int VARIANTS = 5;

  private static final List<IntFunction<String>> SHAPES = List.of(
      v -> "SELECT full_name FROM users WHERE id = " + (v + 1),
      v -> "SELECT id, display_name FROM users WHERE id IN (" + (v + 1) + ", " + (v + 7) + ", " + (v + 20)
          + ") ORDER BY id",
      v -> "SELECT full_name || 'it''s " + v + "' AS x, -" + v + ".5e1 AS y FROM users WHERE id = " + (v + 2),
      v -> "SELECT id FROM users WHERE full_name LIKE 'User " + v + "%' OR display_name = E'x" + v + "'"
          + " ORDER BY id",
      v -> "UPDATE users SET full_name = 'n" + v + "', score = score + " + v + " WHERE id = " + (v + 3),
      v -> "UPDATE users SET display_name = E'e\\\\" + v + "' WHERE id = " + (v + 4),
      v -> "UPDATE users SET full_name = $$d" + v + "$$ WHERE id = " + (v + 5) + " AND score >= 0",
      v -> "UPDATE users SET display_name = $q$w" + v + "$q$ || full_name WHERE id = " + (v + 6)
          + " RETURNING id, full_name, display_name",
      v -> "INSERT INTO users (id, full_name, email) VALUES (" + (900_000 + v * 100 + phaseSalt) + ", 'i" + v
          + "', 'e" + v + "-" + phaseSalt + "@x')",
      v -> "SELECT full_name, score::numeric(10," + (v % 3) + ") + " + v + ".25 AS s FROM users WHERE created_at"
          + " < TIMESTAMP '2024-01-0" + (v + 1) + "' + INTERVAL '" + v + " day' ORDER BY id LIMIT " + (v + 1),
      v -> "SELECT id, full_name, display_name FROM users ORDER BY " + (v % 2 + 2) + " DESC, 1 LIMIT 3",
      v -> "SELECT '" + v + "'::text AS t, full_name::varchar(" + (v + 3) + ") FROM users WHERE id = " + (v + 8),
      v -> "SELECT count(*) FROM users WHERE display_name <> U&'d\\0061t" + v + "' AND id < " + (v + 30),
      v -> "SELECT full_name, 'users' AS t FROM users WHERE id = " + (v + 9) + " AND 'users' <> 'x" + v + "'",
      v -> "SELECT B'1" + (v % 2) + "'::int AS b, X'1" + v + "'::int AS h, full_name FROM users WHERE id = " + (v + 10),
      v -> "SELECT profile->>'k" + v + "' AS p, full_name FROM users WHERE id = " + (v + 11),
      v -> "SELECT full_name FROM users WHERE team_id = 1 AND id = " + (v + 12),
      v -> "DELETE FROM users WHERE id = " + (800_000 + v) + " AND full_name = 'gone " + v + "'",
      v -> "SELECT u.full_name, o.amount FROM users u JOIN orders o ON o.user_id = u.id WHERE o.amount > " + v
          + "." + v + " AND u.id = " + (v + 13) + " ORDER BY o.id",
      v -> "SELECT CASE WHEN id = " + v + " THEN full_name ELSE 'other " + v + "' END AS c FROM users WHERE id < "
          + (v + 5) + " ORDER BY id");

  @Test
  void inlinedConstants_everyPhase_matchTwinAndShareRewrites() throws Exception {
    DifferentialReport report = new DifferentialReport("Inlined constants");
    List<Long> missesPerDualWriteVisit = new ArrayList<>();
    try (Differential d = new Differential(db, dir, report, 1000, "literals")) {
      d.walk(new Differential.Workload() {
        @Override
        public void atPhase(Differential d, Phase phase, String where) throws Exception {
          phaseSalt++;
          long misses = CutoverStatistics.cacheMisses();
          try (var c = d.cutover.getConnection(); var t = d.plain.getConnection()) {
            Differential.Session s = new Differential.Session(c, t, false, where);
            for (int v = 0; v < VARIANTS; v++) {
              for (int i = 0; i < SHAPES.size(); i++) {
                run(d, s, i, SHAPES.get(i).apply(v), v % 2 == 0);
              }
            }
          }
          if (phase == Phase.DUAL_WRITE) {
            missesPerDualWriteVisit.add(CutoverStatistics.cacheMisses() - misses);
          }
        }

        @Override
        public void beforeChange(Differential d, Differential.Session s, boolean ddlFirst) throws Exception {
          if (!ddlFirst) {
            for (int i = 0; i < SHAPES.size(); i++) {
              run(d, s, i, SHAPES.get(i).apply(VARIANTS + i), true);
            }
          }
        }

        @Override
        public void afterChange(Differential d, Differential.Session s) throws Exception {
          for (int i = 0; i < SHAPES.size(); i++) {
            run(d, s, i, SHAPES.get(i).apply(VARIANTS + 1 + i), false);
          }
        }
      });
    } finally {
      report.write("literal-normalisation");
    }
    assertThat(report.mismatches()).as("mismatches").isEmpty();
    assertThat(report.refusedWithoutMigratingTable()).isEmpty();
    // Each dual_write visit runs 100 distinct texts of 20 shapes; without shared rewrites every one
    // would be a miss. A shape costs two (template and check), a few more where a constant is kept
    // in the key or a value repeats (ORDER BY's ordinal takes two values, each a shape of its own).
    assertThat(missesPerDualWriteVisit).isNotEmpty().allSatisfy(m -> assertThat(m).isLessThan(SHAPES.size() * 3L));
  }

  private static void run(Differential d, Differential.Session s, int shape, String sql, boolean prepared)
      throws Exception {
    Differential.Case k = new Differential.Case("shape " + shape, "literals", sql, sql.contains("ORDER BY"), false);
    d.report.register(k.source(), k.category(), k.sql());
    d.run(k, s, new Object[][] {{}}, prepared, null);
  }
}
