package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.Phase;
import dev.cutover.rewriter.lex.Lexer;
import dev.cutover.rewriter.lex.Token;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression: {@code ON CONFLICT (...) DO --why\n UPDATE SET ...} was refused (the planner wrote its
 * {@code UPDATE x} between DO and UPDATE, which had to stay on one line) while the same without the
 * comment was rewritten. A comment, block or line, between any two tokens of a statement must give
 * the rewrite of the statement without it: the keyword pairs the planners read token by token
 * ({@code ON CONFLICT}, {@code DO UPDATE}, {@code DO NOTHING}, {@code ON CONSTRAINT}, {@code FOR
 * UPDATE OF ... SKIP LOCKED}, {@code RETURNING}, {@code INSERT INTO}, {@code UPDATE ... FROM},
 * {@code MERGE}'s {@code WHEN [NOT] MATCHED THEN}, {@code DECLARE ... CURSOR FOR}) included, and a
 * comment after the last token (nothing may be appended after a line comment).
 */
class CommentBetweenTokensTest {

  private static final String BLOCK = " /* c */ ";
  private static final String LINE = " -- c\n ";
  /** The same, touching both tokens ({@code =/*c*&#47;?}, {@code id--c}): the lexer must end the token before it. */
  private static final String BLOCK_TIGHT = "/*c*/";
  private static final String LINE_TIGHT = "--c\n";

  @ParameterizedTest
  @ValueSource(strings = {
      "INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.full_name"
          + " WHERE users.full_name IS DISTINCT FROM EXCLUDED.full_name RETURNING id, full_name",
      "INSERT INTO users AS u (id, display_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET display_name ="
          + " u.display_name || EXCLUDED.display_name",
      "INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (full_name) DO NOTHING RETURNING full_name",
      "INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT ON CONSTRAINT users_pkey DO UPDATE SET"
          + " full_name = ?",
      "SELECT u.full_name FROM users u WHERE u.id = ? FOR UPDATE OF u SKIP LOCKED",
      "SELECT full_name FROM users WHERE id = ? FOR NO KEY UPDATE NOWAIT",
      "UPDATE users SET full_name = ? FROM orders o WHERE o.user_id = users.id RETURNING users.full_name",
      "DELETE FROM users USING orders o WHERE o.user_id = users.id AND users.full_name = ? RETURNING full_name",
      "WITH w AS (UPDATE users SET display_name = ? WHERE id = ? RETURNING id) SELECT full_name FROM users"
          + " WHERE id IN (SELECT id FROM w)",
      "INSERT INTO users (id, full_name) SELECT id + 100, full_name FROM users WHERE id = ?",
      "MERGE INTO users u USING (VALUES (?, 'merge')) v(id, n) ON u.id = v.id WHEN MATCHED AND u.full_name <> v.n"
          + " THEN UPDATE SET email = concat(v.n, '@m') WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT"
          + " (id, full_name) VALUES (v.id, v.n)",
      "MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN UPDATE SET full_name = a.owner"
          + " WHEN NOT MATCHED THEN DO NOTHING",
      "DECLARE c CURSOR WITH HOLD FOR SELECT full_name FROM users ORDER BY id"})
  void aCommentBetweenAnyTwoTokens_rewritesAsWithout(String sql) throws Exception {
    List<Token> tokens = significant(sql);
    List<String> failures = new ArrayList<>();
    for (Phase phase : Phase.values()) {
      String want = Fixtures.rewrite(sql, phase).sql();
      for (int i = 0; i < tokens.size(); i++) { // (after the last one too: nothing may be appended after it)
        int at = tokens.get(i).end();
        for (String comment : new String[] {BLOCK, LINE, BLOCK_TIGHT, LINE_TIGHT}) {
          String commented = sql.substring(0, at) + comment + sql.substring(at);
          try {
            String got = Fixtures.rewrite(commented, phase).sql();
            if (!strip(got).equals(strip(want))) {
              failures.add(phase + ": " + commented + "\n  -> " + got + "\n  without: " + want);
            }
          } catch (RewriteRefusedException e) {
            failures.add(phase + ": " + commented + "\n  refused: " + e.getMessage());
          }
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void upsert_lineCommentBetweenDoAndUpdate_isRewritten() throws Exception {
    Rewrite r = Fixtures.rewrite("INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO -- why\n"
        + "UPDATE SET full_name = EXCLUDED.full_name", Phase.DUAL_WRITE);
    assertThat(r.sql()).isEqualTo("INSERT INTO users (id, full_name, display_name) VALUES (?, ?, ?) ON CONFLICT (id)"
        + " DO -- why\nUPDATE SET full_name = EXCLUDED.full_name, display_name = EXCLUDED.full_name");
    // A line break alone between them (refused before too), and lines that are all short (the
    // planner's own text goes on the last one long enough before SET).
    assertThat(Fixtures.rewrite("INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO\n UPDATE SET"
        + " full_name = ?", Phase.DUAL_WRITE).sql()).isEqualTo("INSERT INTO users (id, full_name, display_name) VALUES"
        + " (?, ?, ?) ON CONFLICT (id) DO\n UPDATE SET full_name = ?, display_name = ?");
    assertThat(Fixtures.rewrite("INSERT\nINTO\nusers\n(id,\nfull_name)\nVALUES\n(?,\n?)\nON\nCONFLICT\n(id)\nDO\n"
        + "UPDATE\nSET\nfull_name\n=\n?", Phase.DUAL_WRITE).sql()).endsWith("DO\nUPDATE\nSET\nfull_name\n=\n?,"
        + " display_name = ?");
  }

  /** The text without the inserted comments and without any whitespace. */
  private static String strip(String sql) {
    return sql.replace("/* c */", "").replace("-- c\n", "").replace("/*c*/", "").replace("--c\n", "")
        .replaceAll("\\s+", "");
  }

  private static List<Token> significant(String sql) {
    List<Token> out = new ArrayList<>();
    for (Token t : Lexer.lex(sql)) {
      if (!t.isTrivia()) {
        out.add(t);
      }
    }
    return out;
  }
}
