package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.it.TypeChangeDifferentialTest.Outcome;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subscripts, slices and field selections of a migrating array column read through a name whose
 * value Cutover computes ({@code CAST(...)} of a type change, {@code COALESCE(new, old)} of a lazy
 * cut-over): PostgreSQL takes {@code [1]} or {@code .f} only after a column name or a parenthesised
 * expression, so {@code CAST(...)[1]} was a syntax error (42601). {@code stats.scores int[]} becomes
 * {@code big_scores bigint[]} and {@code posts.tags} is renamed {@code labels}; the twins never
 * migrate (a generated column holds the new name). In select lists, WHERE, ORDER BY and RETURNING,
 * through either name, prepared and plain, at every phase including a lazily cut-over read_new.
 */
class SubscriptedConversionDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  private static final String STATS = "stats-big-scores";
  private static final String POSTS = "posts-labels";
  private static HikariDataSource cutover;
  private static HikariDataSource plain;
  private static final List<String> mismatches = new ArrayList<>();

  /** A statement (the same text on both sides) and its parameters. */
  record Case(String sql, Object... params) {}

  static final List<Case> CASES = List.of(
      new Case("SELECT id, scores[1], big_scores[2], scores[1:2]::text, big_scores[:1]::text FROM stats"
          + " WHERE scores[1] > ? ORDER BY big_scores[1] DESC, id", 3),
      new Case("SELECT s.big_scores[1] + s.scores[2] AS total, s.scores[array_length(s.scores, 1)] FROM stats s"
          + " WHERE s.big_scores[1] IS NOT NULL AND s.id < ? ORDER BY s.scores[1], s.id", 20),
      new Case("SELECT (s).big_scores[1], (s).scores[2] FROM stats s WHERE id = ?", 5),
      new Case("SELECT max(big_scores[1]), min(scores[2]) FROM stats WHERE id BETWEEN ? AND ?", 1, 12),
      new Case("UPDATE stats SET note = ? WHERE scores[1] = ? RETURNING id, scores[1], big_scores[2:]::text", "n", 7),
      new Case("UPDATE stats s SET note = ? WHERE s.big_scores[2] = ? RETURNING s.big_scores[1], s.scores[1:1]::text",
          "m", 16),
      new Case("SELECT id, labels[1], tags[2] FROM posts WHERE labels[1] LIKE ? ORDER BY tags[1], id", "t1%"),
      new Case("SELECT p.tags[1] || p.labels[2] AS both_tags FROM posts p WHERE p.tags[2] = ? ORDER BY p.labels[1]", "u3"),
      new Case("UPDATE posts SET title = ? WHERE id = ? RETURNING labels[1], tags[1:1]::text", "x", 6));

  @BeforeAll
  static void setUp() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String schema : new String[] {"mig", "twin"}) {
        boolean twin = schema.equals("twin");
        st.execute("CREATE SCHEMA " + schema);
        st.execute("CREATE TABLE " + schema + ".stats (id int PRIMARY KEY, scores int[], note text"
            + (twin ? ", big_scores bigint[] GENERATED ALWAYS AS (scores::bigint[]) STORED" : "") + ")");
        st.execute("INSERT INTO " + schema + ".stats (id, scores, note) SELECT g, CASE WHEN g % 5 = 0 THEN NULL"
            + " ELSE ARRAY[g, g * 2, g * 3] END, 'n' || g FROM generate_series(1, 15) g");
        st.execute("CREATE TABLE " + schema + ".posts (id int PRIMARY KEY, tags text[], title text"
            + (twin ? ", labels text[] GENERATED ALWAYS AS (tags) STORED" : "") + ")");
        st.execute("INSERT INTO " + schema + ".posts (id, tags, title) SELECT g, CASE WHEN g % 4 = 0 THEN NULL"
            + " ELSE ARRAY['t' || g, 'u' || g] END, 'title ' || g FROM generate_series(1, 12) g");
      }
    }
    Differential.cli(db, "init");
    Path stats = dir.resolve(STATS + ".yaml");
    Files.writeString(stats, "id: " + STATS + "\ntable: mig.stats\nchangeType:\n  column: scores\n  to: big_scores\n"
        + "  type: bigint[]\n  up: \"scores::bigint[]\"\n  down: \"big_scores::int[]\"\n");
    Path posts = dir.resolve(POSTS + ".yaml");
    Files.writeString(posts, "id: " + POSTS + "\ntable: mig.posts\nrename: {from: tags, to: labels}\n");
    Differential.cli(db, "plan", stats.toString());
    Differential.cli(db, "plan", posts.toString());
    cutover = TestPools.open(db, db.cutoverUrl() + "?currentSchema=mig&cutover.refreshMillis=100"
        + "&cutover.instance=subscripts&cutover.readTouch=false", 2);
    plain = TestPools.open(db, db.plainUrl() + "?currentSchema=twin", 2);
  }

  @AfterAll
  static void tearDown() {
    if (cutover != null) {
      cutover.close();
    }
    if (plain != null) {
      plain.close();
    }
  }

  @Test
  void subscriptedReadsThroughConvertedNames_matchTwinAtEveryPhase() throws Exception {
    check("planned");
    both("advance");
    // One row in three reached by the backfill: the rest have no new value yet.
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("UPDATE mig.stats SET big_scores = scores::bigint[] WHERE id % 3 = 0");
      st.execute("UPDATE mig.posts SET labels = tags WHERE id % 3 = 0");
    }
    check("dual_write");
    both("advance", "--to", "read_new", "--lazy");
    check("lazy read_new");
    for (String id : List.of(STATS, POSTS)) {
      Differential.cli(db, "backfill", id);
      Differential.cli(db, "verify", id);
      Differential.cli(db, "rollback", id);
      Differential.cli(db, "advance", id);
    }
    check("read_new");
    both("advance");
    check("new_only");
    both("advance", "--to", "completed", "--force");
    check("completed");
    assertThat(mismatches).isEmpty();
  }

  private static void both(String... args) {
    for (String id : List.of(STATS, POSTS)) {
      String[] full = new String[args.length + 1];
      full[0] = args[0];
      full[1] = id;
      System.arraycopy(args, 1, full, 2, args.length - 1);
      Differential.cli(db, full);
    }
  }

  private static void check(String where) throws Exception {
    for (boolean prepared : new boolean[] {true, false}) {
      try (Connection c = cutover.getConnection(); Connection t = plain.getConnection()) {
        for (Case k : CASES) {
          Outcome got = TypeChangeDifferentialTest.run(c, k.sql(), k.params(), prepared);
          Outcome want = TypeChangeDifferentialTest.run(t, k.sql(), k.params(), prepared);
          if (!got.equals(want)) {
            mismatches.add("[" + where + (prepared ? ", prepared] " : ", plain] ") + k.sql() + "\n    cutover " + got
                + "\n    twin    " + want);
          }
        }
      }
    }
  }
}
