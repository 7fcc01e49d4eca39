package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.migration.Phase;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Element and slice assignments ({@code SET tags[1] = ...}) to a renamed array column,
 * {@code posts.tags} to {@code labels}, through either name, against a twin that never migrates
 * ({@code labels} there is a generated copy of {@code tags}): at every phase forward and back, as
 * prepared and plain statements, and prepared before a phase change and executed after it. Where
 * both columns are written and may differ (dual_write: rows the backfill has not reached have no
 * new array) the statement is refused with 0A000 and changes nothing; everywhere else results and
 * the table must equal the twin's, and in read_new both columns must stay equal.
 */
class ArrayElementRenameDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  private static final String ID = "posts-labels";
  private static HikariDataSource cutover;
  private static HikariDataSource plain;
  private static final List<String> mismatches = new ArrayList<>();
  private static int refusals;

  /** A statement for Cutover, its twin form, and its parameters. */
  record Case(String sql, String twinSql, Supplier<Object[]> params) {}

  static final List<Case> WRITES = List.of(
      new Case("UPDATE posts SET tags[1] = ? WHERE id = ?", null, () -> new Object[] {"a", 1}),
      new Case("UPDATE posts SET labels[2] = ?, title = upper(title) WHERE id = ? RETURNING tags::text, labels::text, title",
          "UPDATE posts SET tags[2] = ?, title = upper(title) WHERE id = ? RETURNING tags::text, labels::text, title",
          () -> new Object[] {"b", 2}),
      new Case("UPDATE posts SET tags[2:3] = ARRAY['x', 'y'] WHERE id BETWEEN ? AND ?", null, () -> new Object[] {3, 5}),
      new Case("UPDATE posts p SET labels[?] = 'z' WHERE p.id = ? RETURNING p.labels[1]",
          "UPDATE posts p SET tags[?] = 'z' WHERE p.id = ? RETURNING p.labels[1]", () -> new Object[] {4, 6}),
      new Case("UPDATE posts SET title = 't', tags[1] = title WHERE id = ?", null, () -> new Object[] {7}));

  @BeforeAll
  static void setUp() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String schema : new String[] {"mig", "twin"}) {
        st.execute("CREATE SCHEMA " + schema);
        String generated = schema.equals("twin") ? ", labels text[] GENERATED ALWAYS AS (tags) STORED" : "";
        st.execute("CREATE TABLE " + schema + ".posts (id int PRIMARY KEY, tags text[], title text" + generated + ")");
        st.execute("INSERT INTO " + schema + ".posts (id, tags, title) SELECT g, CASE WHEN g % 4 = 0 THEN NULL"
            + " ELSE ARRAY['t' || g, 'u' || g] END, 'title ' || g FROM generate_series(1, 12) g");
      }
    }
    Differential.cli(db, "init");
    Path file = dir.resolve(ID + ".yaml");
    Files.writeString(file, "id: " + ID + "\ntable: mig.posts\nrename: {from: tags, to: labels}\n");
    Differential.cli(db, "plan", file.toString());
    cutover = TestPools.open(db, db.cutoverUrl() + "?currentSchema=mig&cutover.refreshMillis=100"
        + "&cutover.instance=array-elements", 2);
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
  void elementAssignment_everyPhaseAndAcrossChanges_matchesTwinOrIsRefusedWhereColumnsMayDiffer() throws Exception {
    check(Phase.PLANNED);
    move("advance", Phase.DUAL_WRITE);
    check(Phase.DUAL_WRITE);
    Differential.cli(db, "backfill", ID);
    check(Phase.DUAL_WRITE);
    move("advance", Phase.READ_NEW);
    check(Phase.READ_NEW);
    move("advance", Phase.NEW_ONLY);
    check(Phase.NEW_ONLY);
    move("rollback", Phase.READ_NEW);
    check(Phase.READ_NEW);
    move("rollback", Phase.DUAL_WRITE);
    check(Phase.DUAL_WRITE);
    move("advance", Phase.READ_NEW);
    move("advance", Phase.NEW_ONLY);
    move("advance", Phase.COMPLETED);
    check(Phase.COMPLETED);
    assertThat(mismatches).isEmpty();
    assertThat(refusals).as("refusals in dual_write (three visits, each case prepared and plain)").isEqualTo(6 * WRITES.size());
  }

  /** Every case, prepared and plain; refused in dual_write, equal to the twin elsewhere. */
  private static void check(Phase phase) throws Exception {
    for (boolean prepared : new boolean[] {true, false}) {
      try (Connection c = cutover.getConnection(); Connection t = plain.getConnection()) {
        for (Case k : WRITES) {
          Object[] params = k.params().get();
          TypeChangeDifferentialTest.Outcome got = TypeChangeDifferentialTest.run(c, k.sql(), params, prepared);
          if (phase == Phase.DUAL_WRITE) {
            if (got.sqlState() == null || !got.sqlState().startsWith("0A000")) {
              mismatches.add("[dual_write] not refused: " + k.sql() + " -> " + got);
            } else {
              refusals++;
            }
            compareTables(phase, k.sql());
            continue;
          }
          TypeChangeDifferentialTest.Outcome want = TypeChangeDifferentialTest.run(t,
              k.twinSql() == null ? k.sql() : k.twinSql(), params, prepared);
          if (!got.equals(want)) {
            mismatches.add("[" + phase.sqlName() + (prepared ? ", prepared] " : ", plain] ") + k.sql() + "\n    cutover "
                + got + "\n    twin    " + want);
          }
          compareTables(phase, k.sql());
        }
      }
    }
  }

  /** A phase change with each case prepared before it (outside dual_write) and executed after it. */
  private static void move(String verb, Phase to) throws Exception {
    String[] args = to == Phase.COMPLETED
        ? new String[] {verb, ID, "--to", to.sqlName(), "--force"}
        : new String[] {verb, ID, "--to", to.sqlName()};
    boolean across = to == Phase.NEW_ONLY || to == Phase.COMPLETED || verb.equals("rollback") && to == Phase.READ_NEW;
    if (!across) {
      Differential.cli(db, args);
      return;
    }
    try (Connection c = cutover.getConnection(); Connection t = plain.getConnection()) {
      List<PreparedStatement[]> open = new ArrayList<>();
      for (Case k : WRITES) {
        open.add(new PreparedStatement[] {c.prepareStatement(k.sql()),
            t.prepareStatement(k.twinSql() == null ? k.sql() : k.twinSql())});
      }
      Differential.cli(db, args);
      for (int i = 0; i < WRITES.size(); i++) {
        Case k = WRITES.get(i);
        Object[] params = k.params().get();
        List<Object> got = execute(open.get(i)[0], params);
        List<Object> want = execute(open.get(i)[1], params);
        if (!got.equals(want)) {
          mismatches.add("[prepared before " + verb + " to " + to.sqlName() + "] " + k.sql() + ": " + got + " != " + want);
        }
        open.get(i)[0].close();
        open.get(i)[1].close();
        compareTables(to, k.sql());
      }
    }
  }

  private static List<Object> execute(PreparedStatement ps, Object[] params) {
    try {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      List<Object> out = new ArrayList<>();
      if (ps.execute()) {
        out.addAll(TypeChangeDifferentialTest.rows(ps.getResultSet()));
      } else {
        out.add(ps.getUpdateCount());
      }
      return out;
    } catch (java.sql.SQLException e) {
      return List.of(e.getSQLState() + " " + e.getMessage());
    }
  }

  private static void compareTables(Phase phase, String after) throws Exception {
    String read = phase.readsNew() ? "labels" : "tags";
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      List<List<Object>> mig = TypeChangeDifferentialTest.rows(st.executeQuery(
          "SELECT id, " + read + "::text, title FROM mig.posts ORDER BY id"));
      List<List<Object>> twin = TypeChangeDifferentialTest.rows(st.executeQuery(
          "SELECT id, tags::text, title FROM twin.posts ORDER BY id"));
      if (!mig.equals(twin)) {
        mismatches.add("[" + phase.sqlName() + "] table contents differ after: " + after + "\n    " + mig + "\n    " + twin);
      }
      if (phase == Phase.READ_NEW) {
        List<List<Object>> differ = TypeChangeDifferentialTest.rows(st.executeQuery(
            "SELECT id FROM mig.posts WHERE tags IS DISTINCT FROM labels"));
        if (!differ.isEmpty()) {
          mismatches.add("[read_new] old and new columns differ in rows " + differ + " after: " + after);
        }
      }
    }
  }
}
