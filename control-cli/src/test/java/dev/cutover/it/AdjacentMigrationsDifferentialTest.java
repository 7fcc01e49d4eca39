package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two migrations of two adjacent columns of one table ({@code first_name} renamed to
 * {@code given_name}, and {@code last_name} renamed to {@code family_name} or, as a type change,
 * {@code points int} becoming {@code points_big bigint}), walked together from
 * {@code planned} to {@code completed}: at every phase, {@code SELECT *} (bare, qualified, in a
 * join) through Cutover returns the labels and values that the twin, which never migrates, returns.
 * The twin carries the new names as generated columns at the end, where Cutover appends them.
 *
 * <p>This broke at {@code completed}: both old columns were gone, the second one's recorded place
 * ("after {@code first_name}") named a column no longer in the catalog, and {@code last_name}
 * moved to the end of the row.
 */
class AdjacentMigrationsDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  private static final List<String> QUERIES = List.of(
      "SELECT * FROM people ORDER BY id",
      "SELECT p.* FROM people p ORDER BY p.id",
      "SELECT * FROM people p JOIN badges b ON b.person_id = p.id ORDER BY p.id",
      "SELECT b.*, p.* FROM badges b JOIN people p ON b.person_id = p.id ORDER BY p.id",
      "SELECT * FROM (SELECT * FROM people WHERE id < 3) s ORDER BY id");

  @BeforeAll
  static void init() {
    Differential.cli(db, "init");
  }

  // One instance name for both variants: the second pool is the same application instance again,
  // so no instance of the first variant is left for the phase changes to wait for.
  @ParameterizedTest
  @ValueSource(strings = {"rename", "type_change"})
  void selectStar_twoAdjacentColumnsMigrating_everyPhase_matchesTwin(String second) throws Exception {
    boolean rename = second.equals("rename");
    String col = rename ? "last_name" : "points";
    String newCol = rename ? "family_name" : "points_big";
    String mig = "mig_" + second;
    String twin = "twin_" + second;
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String schema : List.of(mig, twin)) {
        st.execute("CREATE SCHEMA " + schema);
        String generated = schema.equals(twin)
            ? ", given_name text GENERATED ALWAYS AS (first_name) STORED, " + newCol
                + (rename ? " text GENERATED ALWAYS AS (last_name)" : " bigint GENERATED ALWAYS AS (points::bigint)")
                + " STORED" : "";
        st.execute("CREATE TABLE " + schema + ".people (id int PRIMARY KEY, first_name text, " + col
            + (rename ? " text" : " int") + ", email text" + generated + ")");
        st.execute("INSERT INTO " + schema + ".people (id, first_name, " + col + ", email) VALUES"
            + (rename ? " (1, 'Ada', 'Lovelace', 'ada@x'), (2, 'Alan', 'Turing', 'alan@x'), (3, 'Grace', NULL, 'grace@x')"
                : " (1, 'Ada', 10, 'ada@x'), (2, 'Alan', 20, 'alan@x'), (3, 'Grace', NULL, 'grace@x')"));
        st.execute("CREATE TABLE " + schema + ".badges (person_id int, badge text)");
        st.execute("INSERT INTO " + schema + ".badges VALUES (1, 'gold'), (2, 'silver')");
      }
    }
    Path first = dir.resolve("a-given.yaml");
    Files.writeString(first, "id: a-given-" + second + "\ntable: " + mig + ".people\nrename:\n  from: first_name\n"
        + "  to: given_name\n");
    Path other = dir.resolve("b-second.yaml");
    Files.writeString(other, "id: b-" + second + "\ntable: " + mig + ".people\n" + (rename
        ? "rename:\n  from: last_name\n  to: family_name\n"
        : "changeType:\n  column: points\n  to: points_big\n  type: bigint\n  up: \"points::bigint\"\n"
            + "  down: \"points_big::int\"\n"));
    Differential.cli(db, "plan", first.toString());
    Differential.cli(db, "plan", other.toString());
    List<String> ids = List.of("a-given-" + second, "b-" + second);
    List<String> mismatches = new ArrayList<>();
    try (HikariDataSource cutover = TestPools.open(db, db.cutoverUrl() + "?currentSchema=" + mig
        + "&cutover.refreshMillis=100&cutover.instance=adjacent", 2);
        HikariDataSource plain = TestPools.open(db, db.plainUrl() + "?currentSchema=" + twin, 2)) {
      compare(cutover, plain, "planned", mismatches);
      for (String id : ids) {
        Differential.cli(db, "advance", id);
      }
      compare(cutover, plain, "dual_write", mismatches);
      for (String id : ids) {
        Differential.cli(db, "backfill", id);
        Differential.cli(db, "advance", id);
      }
      compare(cutover, plain, "read_new", mismatches);
      for (String id : ids) {
        Differential.cli(db, "advance", id);
      }
      compare(cutover, plain, "new_only", mismatches);
      Differential.cli(db, "advance", ids.get(0));
      compare(cutover, plain, "first completed", mismatches);
      Differential.cli(db, "advance", ids.get(1));
      compare(cutover, plain, "both completed", mismatches);
    }
    assertThat(mismatches).isEmpty();
  }

  /** Runs every query on both sides (after the driver saw the phase change) and records each difference. */
  private static void compare(HikariDataSource cutover, HikariDataSource plain, String phase, List<String> mismatches)
      throws Exception {
    Thread.sleep(300); // the driver's refresh is 100 ms
    try (Connection c = cutover.getConnection(); Connection t = plain.getConnection()) {
      for (String sql : QUERIES) {
        List<String> got = rows(c, sql);
        List<String> want = rows(t, sql);
        if (!got.equals(want)) {
          mismatches.add(phase + ": " + sql + "\n  cutover: " + got + "\n  twin:    " + want);
        }
      }
    }
  }

  /** The labels, then each row, as text. */
  private static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      List<String> labels = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        labels.add(md.getColumnLabel(i));
      }
      out.add(String.join(",", labels));
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.add(rs.getString(i));
        }
        out.add(String.join(",", row));
      }
    }
    return out;
  }
}
