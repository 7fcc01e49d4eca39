package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.CutoverConnection;
import dev.cutover.migration.Phase;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDBC paths that reach a migrating table without the application writing the SQL (issue 11):
 * generated keys ({@code RETURN_GENERATED_KEYS}, column names, column indexes; prepared, plain,
 * batched, across phase changes inside open transactions), updatable result sets, and the old name
 * looked up in a result set. Through Cutover on {@code mig.users} (its {@code full_name} renamed
 * to {@code display_name}) and through plain pgjdbc on the twin that never migrates ({@link
 * TwinTables}), at every phase of {@link Differential#walk}: the same keys (labels, types, values,
 * order), update counts and table contents.
 */
class JdbcPathsRenameDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  /** One use of a JDBC path on one connection; returns what the application saw, as text. */
  @FunctionalInterface
  interface Use {
    String on(Connection c, int key) throws SQLException;
  }

  /** The generated-keys uses, each run on both sides with the same fresh key. */
  static final Map<String, Use> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("prepared RETURN_GENERATED_KEYS, old name", (c, k) -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (full_name, email) VALUES (?, ?)",
          Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, "n" + k);
        ps.setString(2, "k" + k + "@x");
        return ps.executeUpdate() + " " + keys(ps);
      }
    });
    KEYS.put("prepared RETURN_GENERATED_KEYS, new name", (c, k) -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (id, display_name) VALUES (?, ?)",
          Statement.RETURN_GENERATED_KEYS)) {
        ps.setInt(1, k);
        ps.setString(2, "d" + k);
        return ps.executeUpdate() + " " + keys(ps);
      }
    });
    KEYS.put("prepared column names, both names", (c, k) -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (id, full_name) VALUES (?, ?)",
          new String[] {"display_name", "id", "full_name"})) {
        ps.setInt(1, k);
        ps.setString(2, "c" + k);
        return ps.executeUpdate() + " " + keys(ps);
      }
    });
    KEYS.put("prepared UPDATE with column names", (c, k) -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE users SET full_name = full_name || ? WHERE id = ?",
          new String[] {"full_name"})) {
        ps.setString(1, "+");
        ps.setInt(2, 5);
        return ps.executeUpdate() + " " + keys(ps);
      }
    });
    KEYS.put("prepared DELETE RETURN_GENERATED_KEYS", (c, k) -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE id = ?", Statement.RETURN_GENERATED_KEYS)) {
        ps.setInt(1, 30);
        return ps.executeUpdate() + " " + keys(ps);
      }
    });
    KEYS.put("prepared batch RETURN_GENERATED_KEYS", (c, k) -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (id, full_name) VALUES (?, ?)",
          Statement.RETURN_GENERATED_KEYS)) {
        for (int i = 0; i < 2; i++) {
          ps.setInt(1, k * 10 + i);
          ps.setString(2, "b" + i);
          ps.addBatch();
        }
        return java.util.Arrays.toString(ps.executeBatch()) + " " + keys(ps);
      }
    });
    KEYS.put("prepared with its own RETURNING", (c, k) -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO users (id, full_name) VALUES (?, ?) RETURNING full_name", Statement.RETURN_GENERATED_KEYS)) {
        ps.setInt(1, k);
        ps.setString(2, "r" + k);
        return ps.executeUpdate() + " " + keys(ps);
      }
    });
    KEYS.put("prepared SELECT with RETURN_GENERATED_KEYS", (c, k) -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, full_name FROM users WHERE id = ?",
          Statement.RETURN_GENERATED_KEYS)) {
        ps.setInt(1, 2);
        try (ResultSet rs = ps.executeQuery()) {
          return render(rs);
        }
      }
    });
    KEYS.put("prepared column indexes", (c, k) -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (id, full_name) VALUES (?, ?)", new int[] {1})) {
        return "prepared";
      }
    });
    KEYS.put("plain executeUpdate RETURN_GENERATED_KEYS", (c, k) -> {
      try (Statement st = c.createStatement()) {
        return st.executeUpdate("INSERT INTO users (id, full_name) VALUES (" + k + ", 'p')",
            Statement.RETURN_GENERATED_KEYS) + " " + keys(st);
      }
    });
    KEYS.put("plain execute with column names", (c, k) -> {
      try (Statement st = c.createStatement()) {
        return st.execute("UPDATE users SET display_name = 'q' || id WHERE id = 6", new String[] {"id", "full_name"})
            + " " + st.getUpdateCount() + " " + keys(st);
      }
    });
    KEYS.put("plain executeLargeUpdate, WITH and DELETE", (c, k) -> {
      try (Statement st = c.createStatement()) {
        return st.executeLargeUpdate("WITH t AS (SELECT 31 AS v) DELETE FROM users u USING t WHERE u.id = t.v",
            Statement.RETURN_GENERATED_KEYS) + " " + keys(st);
      }
    });
    KEYS.put("plain execute, two statements", (c, k) -> {
      try (Statement st = c.createStatement()) {
        return st.execute("UPDATE users SET score = score + 1 WHERE id = 7; UPDATE users SET full_name = 'z' WHERE id = 8",
            Statement.RETURN_GENERATED_KEYS) + " " + keys(st);
      }
    });
    KEYS.put("plain column indexes", (c, k) -> {
      try (Statement st = c.createStatement()) {
        return st.executeUpdate("UPDATE users SET score = 1 WHERE id = 9", new int[] {1}) + "";
      }
    });
  }

  static String keys(Statement st) throws SQLException {
    try (ResultSet rs = st.getGeneratedKeys()) {
      return render(rs);
    }
  }

  /** Labels with their types, then the rows. */
  static String render(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<String> labels = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      labels.add(md.getColumnLabel(i) + " " + md.getColumnTypeName(i));
    }
    return labels + " " + Differential.rows(rs);
  }

  static String outcome(Use use, Connection c, int key) {
    try {
      return use.on(c, key);
    } catch (SQLException e) {
      return "error " + e.getSQLState() + ": " + e.getMessage();
    }
  }

  private final List<String> mismatches = new ArrayList<>();

  private void compareKeys(Differential d, Connection cutover, Connection twin, String where) {
    for (Map.Entry<String, Use> e : KEYS.entrySet()) {
      int key = d.ids.incrementAndGet();
      String got = outcome(e.getValue(), cutover, key);
      String want = outcome(e.getValue(), twin, key);
      if (!got.equals(want)) {
        mismatches.add("[" + where + "] " + e.getKey() + "\n    cutover: " + got + "\n    pgjdbc:  " + want);
      }
    }
  }

  /** An updatable result set's row operation; {@code newName}: the query reads the column by its new name. */
  record RowWrite(String name, boolean newName, Use use) {}

  static final List<RowWrite> ROW_WRITES = List.of(
      new RowWrite("updateRow, old name", false, (c, k) -> {
        try (Statement st = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
            ResultSet rs = st.executeQuery("SELECT id, full_name FROM users WHERE id = 4")) {
          rs.next();
          rs.updateString("full_name", "updated " + k);
          rs.updateRow();
          return rs.getString("full_name");
        }
      }),
      new RowWrite("insertRow, old name, prepared", false, (c, k) -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, full_name, email FROM users WHERE id = ?",
            ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE)) {
          ps.setInt(1, 1);
          try (ResultSet rs = ps.executeQuery()) {
            rs.moveToInsertRow();
            rs.updateInt("id", k);
            rs.updateString("full_name", "inserted " + k);
            rs.updateString("email", "i" + k + "@x");
            rs.insertRow();
            rs.moveToCurrentRow();
            return "inserted";
          }
        }
      }),
      new RowWrite("deleteRow, old name", false, (c, k) -> {
        try (Statement st = c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE);
            ResultSet rs = st.executeQuery("SELECT id, full_name FROM users WHERE id = 29")) {
          rs.next();
          rs.deleteRow();
          return "deleted";
        }
      }),
      new RowWrite("updateRow, new name", true, (c, k) -> {
        try (Statement st = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
            ResultSet rs = st.executeQuery("SELECT id, display_name FROM users WHERE id = 5")) {
          rs.next();
          rs.updateString("display_name", "updated " + k);
          rs.updateRow();
          return rs.getString("display_name");
        }
      }));

  /**
   * Cutover refuses row operations of updatable result sets on a migrating table (0A000, nothing
   * written) unless the migration is still planned and the query sent as written; then they must
   * do what pgjdbc does on the twin.
   */
  private void compareRowWrites(Differential d, Connection cutover, Connection twin, Phase phase, String where) {
    for (RowWrite w : ROW_WRITES) {
      int key = d.ids.incrementAndGet();
      String got = outcome(w.use(), cutover, key);
      if (phase != Phase.PLANNED || w.newName()) {
        if (!got.startsWith("error 0A000: Cutover refuses ResultSet.")) {
          mismatches.add("[" + where + "] " + w.name() + ": expected Cutover's refusal, got " + got);
        }
        continue;
      }
      String want = outcome(w.use(), twin, key);
      if (!got.equals(want)) {
        mismatches.add("[" + where + "] " + w.name() + "\n    cutover: " + got + "\n    pgjdbc:  " + want);
      }
    }
  }

  /** A {@code SELECT *} read through the old label counts as old-name use for the quiet-period guard. */
  private void checkLabelUse(Differential d, String where) throws SQLException {
    String instance = "label-watch";
    try (Connection admin = db.plainConnection(); Statement st = admin.createStatement()) {
      st.execute("DELETE FROM cutover.name_usage WHERE instance = '" + instance + "'");
    }
    try (Connection c = DriverManager.getConnection(db.cutoverUrl() + "?currentSchema=mig&cutover.instance=" + instance
        + "&cutover.refreshMillis=100&cutover.readTouch=false", db.properties())) {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM users WHERE id = 2")) {
        rs.next();
        rs.getString("FULL_NAME");
      }
      c.unwrap(CutoverConnection.class).refreshMigrations(); // writes the heartbeat and the names used
    }
    try (Connection admin = db.plainConnection(); Statement st = admin.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM cutover.name_usage WHERE instance = '" + instance
            + "' AND migration_id = '" + TwinTables.MIGRATION_ID + "' AND old_used_at IS NOT NULL")) {
      rs.next();
      if (rs.getInt(1) != 1) {
        mismatches.add("[" + where + "] rs.getString(\"FULL_NAME\") from SELECT * was not recorded as old-name use");
      }
    }
  }

  @Test
  void generatedKeysUpdatableResultSetsAndLabels_everyPhaseAndAcrossChanges_matchTwin() throws Exception {
    DifferentialReport report = new DifferentialReport("JDBC paths");
    try (Differential d = new Differential(db, dir, report, 5000, "jdbc-paths")) {
      d.walk(new Differential.Workload() {
        private final List<PreparedStatement[]> open = new ArrayList<>();

        @Override
        public void atPhase(Differential d, Phase phase, String where) throws Exception {
          try (Connection c = d.cutover.getConnection(); Connection t = d.plain.getConnection()) {
            compareKeys(d, c, t, where);
          }
          d.checkTables(null, null, "after the generated-keys uses at " + where);
          try (Connection c = d.cutover.getConnection(); Connection t = d.plain.getConnection()) {
            compareRowWrites(d, c, t, phase, where);
          }
          d.checkTables(null, null, "after the updatable result sets at " + where);
          if (phase != Phase.COMPLETED) {
            checkLabelUse(d, where);
          }
        }

        @Override
        public void beforeChange(Differential d, Differential.Session s, boolean ddlFirst) throws Exception {
          // Prepared before the change, run after it (and before it when the change allows).
          String sql = "INSERT INTO users (id, full_name, email) VALUES (?, ?, ?)";
          PreparedStatement[] pair = {s.cutover.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS),
              s.twin.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)};
          open.add(pair);
          if (!ddlFirst) {
            runAcross(d, pair, s.where);
          }
        }

        @Override
        public void afterChange(Differential d, Differential.Session s) throws Exception {
          for (PreparedStatement[] pair : open) {
            runAcross(d, pair, s.where);
            pair[0].close();
            pair[1].close();
          }
          open.clear();
        }

        private void runAcross(Differential d, PreparedStatement[] pair, String where) {
          int key = d.ids.incrementAndGet();
          String[] got = new String[2];
          for (int i = 0; i < 2; i++) {
            PreparedStatement ps = pair[i];
            try {
              ps.setInt(1, key);
              ps.setString(2, "across " + key);
              ps.setString(3, "a" + key + "@x");
              got[i] = ps.executeUpdate() + " " + keys(ps);
            } catch (SQLException e) {
              got[i] = "error " + e.getSQLState() + ": " + e.getMessage();
            }
          }
          if (!got[0].equals(got[1])) {
            mismatches.add("[" + where + "] prepared RETURN_GENERATED_KEYS across the change\n    cutover: " + got[0]
                + "\n    pgjdbc:  " + got[1]);
          }
        }
      });
    }
    assertThat(mismatches).as("generated keys through Cutover vs pgjdbc on the twin").isEmpty();
    assertThat(report.mismatches()).as("table contents").isEmpty();
  }
}
