package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several migrations moved together ({@code advance ID1 ID2 ID3}, {@code rollback ID1 ID2 ID3}):
 * two columns of one table (a rename and a type change) and a column of a second table, through
 * every phase forward, back to planned and forward to completed, with a live Cutover instance that
 * acknowledges each round. At every phase the same statements run through Cutover on the migrating
 * tables ({@code mig}) and through plain pgjdbc on twins that never migrate ({@code twin}); every
 * result, every update count and the tables' contents must be equal, and while both columns are
 * written they must agree row by row.
 */
class SeveralMigrationsDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  private static final String[] IDS = {"a-x", "a-y", "b-v"};

  private int next = 100;

  @Test
  void twoColumnsOfOneTable_andASecondTable_everyPhaseTogether_matchTwin() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String s : List.of("mig", "twin")) {
        st.execute("CREATE SCHEMA " + s);
        st.execute("CREATE TABLE " + s + ".a (id int PRIMARY KEY, x int NOT NULL, y int, z text)");
        st.execute("CREATE INDEX ON " + s + ".a (x)");
        st.execute("CREATE TABLE " + s + ".b (id int PRIMARY KEY, v text CHECK (v <> ''))");
        st.execute("INSERT INTO " + s + ".a SELECT g, g * 2, CASE WHEN g % 4 = 0 THEN NULL ELSE g * 3 END, 'z' || g"
            + " FROM generate_series(1, 40) g");
        st.execute("INSERT INTO " + s + ".b SELECT g, 'v' || g FROM generate_series(1, 40) g");
      }
    }
    Differential.cli(db, "init");
    plan("a-x", "id: a-x\ntable: mig.a\nrename: {from: x, to: xr}\n");
    plan("a-y", "id: a-y\ntable: mig.a\nchangeType:\n  column: y\n  to: yb\n  type: bigint\n  up: \"y::bigint\"\n"
        + "  down: \"yb::int\"\n");
    plan("b-v", "id: b-v\ntable: mig.b\nrename: {from: v, to: w}\n");

    try (Connection cutover = DriverManager.getConnection(db.cutoverUrl()
            + "?currentSchema=mig&cutover.refreshMillis=100", db.properties());
        Connection twin = DriverManager.getConnection(db.plainUrl() + "?currentSchema=twin", db.properties())) {
      compare(cutover, twin, "planned", false);
      move("advance");
      compare(cutover, twin, "dual_write", true);
      for (String id : IDS) {
        Differential.cli(db, "backfill", id);
      }
      compareColumns();
      move("advance");
      compare(cutover, twin, "read_new", true);
      compareColumns();
      move("advance");
      compare(cutover, twin, "new_only", true);
      move("rollback");
      compare(cutover, twin, "read_new", true);
      compareColumns();
      move("rollback");
      compare(cutover, twin, "dual_write", true);
      compareColumns();
      move("rollback");
      compare(cutover, twin, "planned", false);
      assertThat(columns("a")).containsExactly("id", "x", "y", "z");
      move("advance");
      compare(cutover, twin, "dual_write", true);
      for (String id : IDS) {
        Differential.cli(db, "backfill", id);
      }
      List<String> args = new ArrayList<>(List.of("advance"));
      args.addAll(List.of(IDS));
      args.addAll(List.of("--to", "completed", "--force", "--wait", "60s"));
      Differential.cli(db, args.toArray(String[]::new));
      assertThat(phases()).containsExactly("completed", "completed", "completed");
      // The Cutover connection's instance took part: it acknowledged the last round's epoch.
      assertThat(query("SELECT count(*) FROM cutover.instances WHERE applied_epoch >= (SELECT max(epoch) FROM"
          + " cutover.migrations)")).containsExactly("1");
      compare(cutover, twin, "completed", true);
      assertThat(columns("a")).containsExactly("id", "z", "xr", "yb");
      assertThat(columns("b")).containsExactly("id", "w");
    }
    // Every round moved the three migrations one step each before any took the next.
    assertThat(audit()).startsWith("a-x planned->dual_write", "a-y planned->dual_write", "b-v planned->dual_write",
        "a-x dual_write->read_new", "a-y dual_write->read_new", "b-v dual_write->read_new");
  }

  private void move(String command) throws Exception {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(List.of(IDS));
    args.addAll(List.of("--wait", "60s"));
    List<String> before = phases();
    Differential.cli(db, args.toArray(String[]::new));
    List<String> after = phases();
    assertThat(after).as("%s moved all three together from %s", command, before).doesNotContainAnyElementsOf(before);
    assertThat(after.stream().distinct().count()).isEqualTo(1);
  }

  /** The same statements on both sides; the Cutover side names the new columns from dual_write on. */
  private void compare(Connection cutover, Connection twin, String phase, boolean newNames) throws Exception {
    String x = newNames ? "xr" : "x";
    String y = newNames ? "yb" : "y";
    String v = newNames ? "w" : "v";
    int k = next++;
    List<String[]> statements = List.of(
        new String[] {"INSERT INTO a (id, %x, %y, z) VALUES (" + k + ", " + (k * 2) + ", " + (k * 3) + ", 'z" + k + "')"},
        new String[] {"INSERT INTO a (id, %x, z) VALUES (" + (k + 1000) + ", 7, 'only x')"},
        new String[] {"UPDATE a SET %x = %x + 1, %y = %y * 2 WHERE id % 3 = " + (k % 3)},
        new String[] {"UPDATE a SET %y = NULL WHERE id = " + (k % 40 + 1)},
        new String[] {"DELETE FROM a WHERE id = " + (k % 40 + 2)},
        new String[] {"INSERT INTO b (id, %v) VALUES (" + k + ", 'v" + k + "')"},
        new String[] {"UPDATE b SET %v = %v || '!' WHERE id % 2 = " + (k % 2)},
        new String[] {"INSERT INTO b (id, %v) VALUES (" + (k + 2000) + ", '')"}, // the CHECK refuses it on both sides
        new String[] {"SELECT id, %x, %y, z FROM a WHERE %x > 20 ORDER BY id"},
        new String[] {"SELECT count(*), sum(%x), sum(%y) FROM a"},
        new String[] {"SELECT b.id, b.%v, a.%y FROM b JOIN a ON a.id = b.id WHERE b.%v LIKE '%!' ORDER BY b.id"});
    for (String[] s : statements) {
      String sql = s[0];
      String onCutover = sql.replace("%x", x).replace("%y", y).replace("%v", v);
      String onTwin = sql.replace("%x", "x").replace("%y", "y").replace("%v", "v");
      assertThat(run(cutover, onCutover)).as("at %s: %s", phase, onCutover).isEqualTo(run(twin, onTwin));
    }
    assertThat(run(cutover, "SELECT id, " + x + ", " + y + ", z FROM a ORDER BY id"))
        .as("table a at %s", phase).isEqualTo(run(twin, "SELECT id, x, y, z FROM a ORDER BY id"));
    assertThat(run(cutover, "SELECT id, " + v + " FROM b ORDER BY id"))
        .as("table b at %s", phase).isEqualTo(run(twin, "SELECT id, v FROM b ORDER BY id"));
  }

  /** While both columns are written (and backfilled), they agree in every row. */
  private static void compareColumns() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM mig.a WHERE x IS DISTINCT FROM xr"
            + " OR y::bigint IS DISTINCT FROM yb), (SELECT count(*) FROM mig.b WHERE v IS DISTINCT FROM w)")) {
      rs.next();
      assertThat(rs.getLong(1)).as("rows of mig.a whose columns differ").isZero();
      assertThat(rs.getLong(2)).as("rows of mig.b whose columns differ").isZero();
    }
  }

  /** Rows as text, an update count, or the error's SQLState. */
  private static List<String> run(Connection c, String sql) {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement()) {
      if (st.execute(sql)) {
        try (ResultSet rs = st.getResultSet()) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= n; i++) {
              row.append(i > 1 ? "|" : "").append(rs.getString(i));
            }
            out.add(row.toString());
          }
        }
      } else {
        out.add("updated " + st.getUpdateCount());
      }
    } catch (java.sql.SQLException e) {
      out.add("error " + e.getSQLState());
    }
    return out;
  }

  private static List<String> phases() throws Exception {
    return query("SELECT phase FROM cutover.migrations ORDER BY id");
  }

  private static List<String> columns(String table) throws Exception {
    return query("SELECT attname FROM pg_attribute WHERE attrelid = 'mig." + table + "'::regclass AND attnum > 0"
        + " AND NOT attisdropped ORDER BY attnum");
  }

  private static List<String> audit() throws Exception {
    return query("SELECT migration_id || ' ' || from_phase || '->' || to_phase FROM cutover.audit_log"
        + " WHERE from_phase IS NOT NULL AND from_phase <> to_phase ORDER BY id");
  }

  private static List<String> query(String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = db.plainConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static void plan(String id, String body) throws Exception {
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(f, body);
    Differential.cli(db, "plan", f.toString());
  }
}
