package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression: a subscript, slice or field selection of a column read through an expression
 * ({@code CAST(...)} of a type change, {@code COALESCE(new, old)} of a lazy cut-over) was sent as
 * {@code CAST(...)[1]}, a syntax error (42601) in PostgreSQL, which takes {@code [..]} and {@code .f}
 * only after a name or a parenthesised expression. The expression is parenthesised there, and only
 * there. ({@code SubscriptedConversionDifferentialTest} runs these shapes against PostgreSQL.)
 */
class SubscriptedReadRewriteTest {

  static ColumnMigration scores(Phase phase, boolean lazy) {
    return new ColumnMigration("stats-big-scores", "public", "stats", "scores", "big_scores", "big_scores",
        "scores::bigint[]", "big_scores::int[]", "bigint[]", "integer[]", phase, phase.ordinal() + 1, "id")
        .withLazy(lazy);
  }

  static ColumnMigration tags(Phase phase, boolean lazy) {
    return ColumnMigration.rename("posts-labels", "public", "posts", "tags", "labels", phase, phase.ordinal() + 1)
        .withLazy(lazy);
  }

  static Rewrite rewrite(String sql, Phase phase, boolean lazy) throws RewriteRefusedException {
    MapCatalog catalog = switch (phase) {
      case PLANNED -> new MapCatalog().with("public", "stats", "id", "scores").with("public", "posts", "id", "tags");
      case COMPLETED -> new MapCatalog().with("public", "stats", "id", "big_scores")
          .with("public", "posts", "id", "labels");
      default -> new MapCatalog().with("public", "stats", "id", "scores", "big_scores")
          .with("public", "posts", "id", "tags", "labels");
    };
    MigrationSnapshot snapshot = new MigrationSnapshot(1, List.of(scores(phase, lazy), tags(phase, lazy)));
    return new StatementRewriter().rewrite(sql, snapshot, catalog);
  }

  @ParameterizedTest(name = "{0} lazy={1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      PLANNED    | false | SELECT big_scores[1] FROM stats                        | SELECT (CAST((scores)::bigint[] AS bigint[]))[1] AS big_scores FROM stats
      DUAL_WRITE | false | SELECT s.big_scores[2:3] FROM stats s WHERE s.big_scores[1] > ? | SELECT (CAST((s.scores)::bigint[] AS bigint[]))[2:3] AS big_scores FROM stats s WHERE (CAST((s.scores)::bigint[] AS bigint[]))[1] > ?
      READ_NEW   | false | SELECT scores[1] FROM stats ORDER BY scores[1]          | SELECT (CAST((big_scores)::int[] AS integer[]))[1] AS scores FROM stats ORDER BY (CAST((big_scores)::int[] AS integer[]))[1]
      READ_NEW   | false | SELECT id FROM stats WHERE scores[1] = ?                | SELECT id FROM stats WHERE scores[1] = ?
      NEW_ONLY   | false | SELECT id FROM stats WHERE scores [ 1 ] = ?             | SELECT id FROM stats WHERE (CAST((big_scores)::int[] AS integer[])) [ 1 ] = ?
      NEW_ONLY   | false | SELECT (s).scores[1] FROM stats s                       | SELECT (CAST(((s).big_scores)::int[] AS integer[]))[1] AS scores FROM stats s
      COMPLETED  | false | SELECT max(scores[1]), big_scores[1] FROM stats GROUP BY 2 | SELECT max((CAST((big_scores)::int[] AS integer[]))[1]), big_scores[1] FROM stats GROUP BY 2
      COMPLETED  | false | UPDATE stats SET id = id WHERE id = ? RETURNING scores[1] | UPDATE stats SET id = id WHERE id = ? RETURNING (CAST((big_scores)::int[] AS integer[]))[1] AS scores
      COMPLETED  | false | SELECT scores, scores::text FROM stats                  | SELECT CAST((big_scores)::int[] AS integer[]) AS scores, CAST((big_scores)::int[] AS integer[])::text AS scores FROM stats
      READ_NEW   | true  | SELECT labels[1], tags[2] FROM posts WHERE tags[1] = ?  | SELECT (COALESCE(labels, tags))[1] AS labels, (COALESCE(labels, tags))[2] AS tags FROM posts WHERE (COALESCE(labels, tags))[1] = ?
      READ_NEW   | true  | SELECT big_scores[1] FROM stats                         | SELECT (COALESCE(big_scores, CAST((scores)::bigint[] AS bigint[])))[1] AS big_scores FROM stats
      READ_NEW   | false | SELECT labels[1], tags[2] FROM posts                    | SELECT labels[1], labels[2] AS tags FROM posts
      DUAL_WRITE | false | SELECT labels[1] FROM posts p ORDER BY p.labels[1]      | SELECT tags[1] AS labels FROM posts p ORDER BY p.tags[1]
      """)
  void subscriptOfAConvertedRead_isParenthesised(Phase phase, boolean lazy, String sql, String expected)
      throws Exception {
    assertThat(rewrite(sql, phase, lazy).sql()).isEqualTo(expected);
  }

  /**
   * {@code SET col[i] = v} where the two columns may differ (dual_write, a lazy read_new) or hold
   * different types stays refused: the refusal says why the other column cannot simply be set to
   * the whole array after the assignment, and what to write instead.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"DUAL_WRITE", "READ_NEW lazy"})
  void elementAssignment_whereTheColumnsMayDiffer_refusedSayingWhy(String at) {
    Phase phase = Phase.valueOf(at.split(" ")[0]);
    boolean lazy = at.endsWith("lazy");
    assertThatThrownBy(() -> rewrite("UPDATE posts SET tags[1] = ? WHERE id = ?", phase, lazy))
        .isInstanceOf(RewriteRefusedException.class)
        .hasMessageContaining("a row the backfill has not reached has no new array to assign the element in")
        .hasMessageContaining("which the new column could be set to instead, is not something a SET item can read")
        .hasMessageContaining("assign the whole array (SET tags = ...)");
    for (Phase p : Phase.values()) {
      assertThatThrownBy(() -> rewrite("UPDATE stats SET big_scores[2] = ? WHERE id = ?", p, false))
          .isInstanceOf(RewriteRefusedException.class)
          .hasMessageContaining("or the whole array converted after the assignment, which no SET item can read")
          .hasMessageContaining("assign the whole array (SET big_scores = ...)");
    }
  }
}
