package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
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
 * Generated keys and updatable result sets through an in-place type change of the key ({@code
 * accounts.id int} to {@code bigint}, issue 11): at every phase and across each phase change,
 * through Cutover on the migrating table and through plain pgjdbc on a twin that never migrates,
 * whose {@code id} has the type the name has in that phase ({@code int} up to {@code dual_write},
 * {@code bigint} from {@code read_new} on): the same labels, order, JDBC types, values, update
 * counts and table contents.
 */
class JdbcPathsInPlaceTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  private static final String ID = "accounts-id-bigint";

  /** One use of a JDBC path on one connection; returns what the application saw, as text. */
  @FunctionalInterface
  interface Use {
    String on(Connection c) throws SQLException;
  }

  static final Map<String, Use> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("prepared RETURN_GENERATED_KEYS", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO accounts (balance, label) VALUES (?, ?)",
          Statement.RETURN_GENERATED_KEYS)) {
        ps.setInt(1, 3);
        ps.setString(2, "k");
        return ps.executeUpdate() + " " + keys(ps);
      }
    });
    KEYS.put("prepared column names", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO accounts (balance) VALUES (?)",
          new String[] {"label", "id"})) {
        ps.setInt(1, 4);
        return ps.executeUpdate() + " " + keys(ps);
      }
    });
    KEYS.put("prepared UPDATE RETURN_GENERATED_KEYS", c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET balance = balance + 1 WHERE id = ?",
          Statement.RETURN_GENERATED_KEYS)) {
        ps.setLong(1, 2);
        return ps.executeUpdate() + " " + keys(ps);
      }
    });
    KEYS.put("prepared batch", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO accounts (label) VALUES (?)",
          Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, "b1");
        ps.addBatch();
        ps.setString(1, "b2");
        ps.addBatch();
        return java.util.Arrays.toString(ps.executeBatch()) + " " + keys(ps);
      }
    });
    KEYS.put("plain RETURN_GENERATED_KEYS", c -> {
      try (Statement st = c.createStatement()) {
        return st.executeUpdate("INSERT INTO accounts (balance, label) VALUES (9, 'p')", Statement.RETURN_GENERATED_KEYS)
            + " " + keys(st);
      }
    });
    KEYS.put("plain column names", c -> {
      try (Statement st = c.createStatement()) {
        return st.execute("DELETE FROM accounts WHERE id = 3", new String[] {"id"}) + " " + keys(st);
      }
    });
  }

  /** Updatable result sets: pgjdbc's own UPDATE/INSERT/DELETE, keyed by the migrating key. */
  static final Map<String, Use> ROW_WRITES = new LinkedHashMap<>();

  static {
    ROW_WRITES.put("updateRow", c -> {
      try (Statement st = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
          ResultSet rs = st.executeQuery("SELECT id, balance FROM accounts WHERE id = 4")) {
        rs.next();
        rs.updateInt("balance", rs.getInt("balance") + 100);
        rs.updateRow();
        return "updated " + rs.getInt("balance");
      }
    });
    ROW_WRITES.put("insertRow", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, balance, label FROM accounts WHERE id = ?",
          ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE)) {
        ps.setInt(1, 5);
        try (ResultSet rs = ps.executeQuery()) {
          rs.moveToInsertRow();
          rs.updateInt("balance", 1);
          rs.updateString("label", "row");
          rs.insertRow();
          return "inserted";
        }
      }
    });
  }

  static String keys(Statement st) throws SQLException {
    try (ResultSet rs = st.getGeneratedKeys()) {
      return render(rs);
    }
  }

  /** Labels with their JDBC types, then the rows with their Java classes. */
  static String render(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<String> labels = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      labels.add(md.getColumnLabel(i) + " " + java.sql.JDBCType.valueOf(md.getColumnType(i)));
    }
    List<String> rows = new ArrayList<>();
    while (rs.next()) {
      List<String> row = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        Object v = rs.getObject(i);
        row.add(v == null ? "null" : v + ":" + v.getClass().getSimpleName());
      }
      rows.add(row.toString());
    }
    return labels + " " + rows;
  }

  static String outcome(Use use, Connection c) {
    try {
      return use.on(c);
    } catch (SQLException e) {
      return "error " + e.getSQLState() + ": " + e.getMessage();
    }
  }

  private final List<String> mismatches = new ArrayList<>();
  private HikariDataSource cutover;
  private HikariDataSource twin;

  private void compare(String where) throws SQLException {
    try (Connection c = cutover.getConnection(); Connection t = twin.getConnection()) {
      for (Map.Entry<String, Use> e : KEYS.entrySet()) {
        String got = outcome(e.getValue(), c);
        String want = outcome(e.getValue(), t);
        if (!got.equals(want)) {
          mismatches.add("[" + where + "] " + e.getKey() + "\n    cutover: " + got + "\n    pgjdbc:  " + want);
        }
      }
    }
    compareRowWrites(where);
    compareTables(where);
  }

  /** Allowed, and equal to pgjdbc's, only while planned; refused (0A000, nothing written) afterwards. */
  private void compareRowWrites(String where) throws SQLException {
    try (Connection c = cutover.getConnection(); Connection t = twin.getConnection()) {
      for (Map.Entry<String, Use> e : ROW_WRITES.entrySet()) {
        String got = outcome(e.getValue(), c);
        if (!where.equals("planned")) {
          if (!got.startsWith("error 0A000: Cutover refuses ResultSet.")) {
            mismatches.add("[" + where + "] " + e.getKey() + ": expected Cutover's refusal, got " + got);
          }
          continue;
        }
        String want = outcome(e.getValue(), t);
        if (!got.equals(want)) {
          mismatches.add("[" + where + "] " + e.getKey() + "\n    cutover: " + got + "\n    pgjdbc:  " + want);
        }
      }
    }
  }

  private void compareTables(String where) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      String column = physicalId(st);
      String got = one(st, contents(column, "public.accounts"));
      String want = one(st, contents("id", "twin.accounts"));
      if (!got.equals(want)) {
        mismatches.add("[" + where + "] table contents\n    cutover: " + got + "\n    pgjdbc:  " + want);
      }
    }
  }

  private static String contents(String id, String table) {
    return "SELECT coalesce(string_agg(concat_ws('|', " + id + ", balance, label), ',' ORDER BY " + id + "), '')"
        + " || ' seq ' || (SELECT last_value FROM " + table.replace("accounts", "accounts_id_seq") + ") FROM " + table;
  }

  /** The physical column that holds the current key. */
  private static String physicalId(Statement st) throws SQLException {
    String phase = one(st, "SELECT phase FROM cutover.migrations WHERE id = '" + ID + "'");
    return phase.equals("read_new") || phase.equals("new_only") ? "id__cutover_new" : "id";
  }

  /** Prepared before a phase change, executed after it. */
  private List<PreparedStatement[]> prepareAcross(Connection c, Connection t) throws SQLException {
    List<PreparedStatement[]> pairs = new ArrayList<>();
    String insert = "INSERT INTO accounts (balance, label) VALUES (?, 'across')";
    pairs.add(new PreparedStatement[] {c.prepareStatement(insert, Statement.RETURN_GENERATED_KEYS),
        t.prepareStatement(insert, Statement.RETURN_GENERATED_KEYS)});
    String update = "UPDATE accounts SET balance = ? WHERE id = 1";
    pairs.add(new PreparedStatement[] {c.prepareStatement(update, new String[] {"id", "balance"}),
        t.prepareStatement(update, new String[] {"id", "balance"})});
    return pairs;
  }

  private void runAcross(List<PreparedStatement[]> pairs, String where) throws SQLException {
    for (PreparedStatement[] pair : pairs) {
      String[] got = new String[2];
      for (int i = 0; i < 2; i++) {
        try {
          pair[i].setInt(1, 77);
          got[i] = pair[i].executeUpdate() + " " + keys(pair[i]);
        } catch (SQLException e) {
          got[i] = "error " + e.getSQLState() + ": " + e.getMessage();
        }
        pair[i].close();
      }
      if (!got[0].equals(got[1])) {
        mismatches.add("[" + where + "] prepared before the change\n    cutover: " + got[0] + "\n    pgjdbc:  " + got[1]);
      }
    }
    compareTables(where);
  }

  private void change(String where, String... args) throws Exception {
    try (Connection c = cutover.getConnection(); Connection t = twin.getConnection()) {
      List<PreparedStatement[]> pairs = prepareAcross(c, t);
      Differential.cli(db, args);
      if (where.startsWith("read_new")) {
        sql("ALTER TABLE twin.accounts ALTER COLUMN id TYPE bigint"); // the name's type from read_new on
      }
      c.unwrap(dev.cutover.CutoverConnection.class).refreshMigrations();
      runAcross(pairs, "across the change to " + where);
    }
    if (where.startsWith("read_new")) {
      // The twin's pooled sessions hold plans of the int column: fresh ones, as after a deployment.
      twin.close();
      twin = pool(db.plainUrl() + "?currentSchema=twin");
    }
  }

  @Test
  void generatedKeys_inPlaceKeyTypeChange_everyPhaseAndAcrossChanges_matchTwin() throws Exception {
    for (String schema : new String[] {"public", "twin"}) {
      sql("CREATE SCHEMA IF NOT EXISTS " + schema,
          "CREATE TABLE " + schema + ".accounts (id serial PRIMARY KEY, balance int NOT NULL DEFAULT 0, label text)",
          "INSERT INTO " + schema + ".accounts (balance, label) SELECT g, 'a' || g FROM generate_series(1, 20) g");
    }
    Differential.cli(db, "init");
    Path file = dir.resolve(ID + ".yaml");
    Files.writeString(file, "id: " + ID + "\ntable: accounts\nchangeType:\n  column: id\n  type: bigint\n"
        + "  up: id::bigint\n  down: id::int\n");
    Differential.cli(db, "plan", file.toString());
    cutover = pool(db.cutoverUrl() + "?cutover.refreshMillis=100&cutover.instance=in-place-keys&cutover.readTouch=true");
    twin = pool(db.plainUrl() + "?currentSchema=twin");
    try {
      compare("planned");
      change("dual_write", "advance", ID);
      compare("dual_write (before the backfill)");
      Differential.cli(db, "backfill", ID);
      Differential.cli(db, "verify", ID);
      compare("dual_write");
      change("read_new", "advance", ID);
      compare("read_new");
      change("new_only", "advance", ID);
      compare("new_only");
      change("completed", "advance", ID, "--force");
      compare("completed");
    } finally {
      cutover.close();
      twin.close();
    }
    assertThat(mismatches).as("through Cutover vs pgjdbc on the twin").isEmpty();
  }

  private static HikariDataSource pool(String url) {
    return TestPools.open(db, url, 2);
  }

  private static String one(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void sql(String... statements) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }
}
