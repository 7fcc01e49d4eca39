package dev.cutover.it;

import static dev.cutover.it.JdbcPathsInPlaceTest.keys;
import static dev.cutover.it.JdbcPathsInPlaceTest.outcome;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.CutoverConnection;
import dev.cutover.it.JdbcPathsInPlaceTest.Use;
import dev.cutover.testing.TestDatabase;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
 * Generated keys, updatable result sets and labels through a type change to a new name ({@code
 * orders.amount numeric(10,2)} to {@code amount_cents bigint}, issue 11), at every phase and across
 * each change: through Cutover on the migrating table and through plain pgjdbc on a twin that
 * never migrates and carries {@code amount_cents} as a stored generated column {@code up(amount)}
 * (the shape Cutover promises for {@code *}).
 */
class JdbcPathsTypeChangeTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  private static final String ID = "orders-amount-cents";

  static final Map<String, Use> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("prepared RETURN_GENERATED_KEYS", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (amount, note) VALUES (?, ?)",
          Statement.RETURN_GENERATED_KEYS)) {
        ps.setBigDecimal(1, new BigDecimal("12.34"));
        ps.setString(2, "k");
        return ps.executeUpdate() + " " + keys(ps);
      }
    });
    KEYS.put("prepared column names, both names", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (amount) VALUES (?)",
          new String[] {"amount_cents", "id", "amount"})) {
        ps.setBigDecimal(1, new BigDecimal("0.07"));
        return ps.executeUpdate() + " " + keys(ps);
      }
    });
    KEYS.put("prepared UPDATE with column names", c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE orders SET amount = amount + ? WHERE id = ?",
          new String[] {"amount", "amount_cents"})) {
        ps.setBigDecimal(1, BigDecimal.ONE);
        ps.setInt(2, 2);
        return ps.executeUpdate() + " " + keys(ps);
      }
    });
    KEYS.put("prepared batch", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (amount) VALUES (?)",
          Statement.RETURN_GENERATED_KEYS)) {
        ps.setBigDecimal(1, new BigDecimal("1.50"));
        ps.addBatch();
        ps.setBigDecimal(1, new BigDecimal("2.25"));
        ps.addBatch();
        return java.util.Arrays.toString(ps.executeBatch()) + " " + keys(ps);
      }
    });
    KEYS.put("plain RETURN_GENERATED_KEYS", c -> {
      try (Statement st = c.createStatement()) {
        return st.executeUpdate("INSERT INTO orders (amount, note) VALUES (3.30, 'p')", Statement.RETURN_GENERATED_KEYS)
            + " " + keys(st);
      }
    });
    KEYS.put("plain DELETE with column names", c -> {
      try (Statement st = c.createStatement()) {
        return st.execute("DELETE FROM orders WHERE id = 3", new String[] {"amount_cents"}) + " " + keys(st);
      }
    });
  }

  static final Map<String, Use> ROW_WRITES = new LinkedHashMap<>();

  static {
    ROW_WRITES.put("updateRow, old name", c -> {
      try (Statement st = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
          ResultSet rs = st.executeQuery("SELECT id, amount FROM orders WHERE id = 4")) {
        rs.next();
        rs.updateBigDecimal("amount", rs.getBigDecimal("amount").add(BigDecimal.TEN));
        rs.updateRow();
        return "updated " + rs.getBigDecimal("amount");
      }
    });
    ROW_WRITES.put("insertRow, old name", c -> {
      try (Statement st = c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE);
          ResultSet rs = st.executeQuery("SELECT id, amount, note FROM orders WHERE id = 5")) {
        rs.moveToInsertRow();
        rs.updateBigDecimal("amount", new BigDecimal("4.44"));
        rs.updateString("note", "row");
        rs.insertRow();
        return "inserted";
      }
    });
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
    compareTables(where);
    if (!where.equals("completed")) {
      checkLabelUse(where);
    }
  }

  private void compareTables(String where) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      String phase = one(st, "SELECT phase FROM cutover.migrations WHERE id = '" + ID + "'");
      String amount = phase.equals("planned") || phase.equals("dual_write") ? "amount"
          : "CAST(amount_cents / 100.0 AS numeric(10,2))";
      String got = one(st, contents(amount, "public.orders"));
      String want = one(st, contents("amount", "twin.orders"));
      if (!got.equals(want)) {
        mismatches.add("[" + where + "] table contents\n    cutover: " + got + "\n    pgjdbc:  " + want);
      }
    }
  }

  private static String contents(String amount, String table) {
    return "SELECT coalesce(string_agg(concat_ws('|', id, " + amount + ", note), ',' ORDER BY id), '')"
        + " || ' seq ' || (SELECT last_value FROM " + table.replace("orders", "orders_id_seq") + ") FROM " + table;
  }

  /** {@code getBigDecimal("amount")} from {@code SELECT *} counts as old-name use. */
  private void checkLabelUse(String where) throws SQLException {
    String instance = "tc-label-watch";
    try (Connection admin = db.plainConnection(); Statement st = admin.createStatement()) {
      st.execute("DELETE FROM cutover.name_usage WHERE instance = '" + instance + "'");
    }
    try (Connection c = DriverManager.getConnection(db.cutoverUrl() + "?cutover.instance=" + instance
        + "&cutover.refreshMillis=100&cutover.readTouch=false", db.properties())) {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM orders WHERE id = 1")) {
        rs.next();
        rs.getBigDecimal("amount");
      }
      c.unwrap(CutoverConnection.class).refreshMigrations();
    }
    try (Connection admin = db.plainConnection(); Statement st = admin.createStatement()) {
      String used = one(st, "SELECT count(*) FROM cutover.name_usage WHERE instance = '" + instance
          + "' AND migration_id = '" + ID + "' AND old_used_at IS NOT NULL");
      if (!used.equals("1")) {
        mismatches.add("[" + where + "] getBigDecimal(\"amount\") from SELECT * was not recorded as old-name use");
      }
    }
  }

  private void change(String where, String... args) throws Exception {
    String insert = "INSERT INTO orders (amount, note) VALUES (?, 'across')";
    try (Connection c = cutover.getConnection(); Connection t = twin.getConnection();
        PreparedStatement pc = c.prepareStatement(insert, new String[] {"id", "amount_cents"});
        PreparedStatement pt = t.prepareStatement(insert, new String[] {"id", "amount_cents"})) {
      Differential.cli(db, args);
      c.unwrap(CutoverConnection.class).refreshMigrations();
      String[] got = new String[2];
      PreparedStatement[] pair = {pc, pt};
      for (int i = 0; i < 2; i++) {
        try {
          pair[i].setBigDecimal(1, new BigDecimal("9.99"));
          got[i] = pair[i].executeUpdate() + " " + keys(pair[i]);
        } catch (SQLException e) {
          got[i] = "error " + e.getSQLState() + ": " + e.getMessage();
        }
      }
      if (!got[0].equals(got[1])) {
        mismatches.add("[across the change to " + where + "] prepared before the change\n    cutover: " + got[0]
            + "\n    pgjdbc:  " + got[1]);
      }
    }
    compareTables("across the change to " + where);
  }

  @Test
  void jdbcPaths_typeChangeToNewName_everyPhaseAndAcrossChanges_matchTwin() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA twin");
      for (String schema : new String[] {"public", "twin"}) {
        String generated = schema.equals("twin")
            ? ", amount_cents bigint GENERATED ALWAYS AS ((amount * 100)::bigint) STORED" : "";
        st.execute("CREATE TABLE " + schema + ".orders (id serial PRIMARY KEY, amount numeric(10,2) NOT NULL DEFAULT 0,"
            + " note text" + generated + ")");
        st.execute("INSERT INTO " + schema + ".orders (amount, note) SELECT g * 1.25, 'n' || g FROM generate_series(1, 20) g");
      }
    }
    Differential.cli(db, "init");
    Path file = dir.resolve(ID + ".yaml");
    Files.writeString(file, "id: " + ID + "\ntable: orders\nchangeType:\n  column: amount\n  to: amount_cents\n"
        + "  type: bigint\n  up: \"(amount * 100)::bigint\"\n  down: \"amount_cents / 100.0\"\n");
    Differential.cli(db, "plan", file.toString());
    cutover = pool(db.cutoverUrl() + "?cutover.refreshMillis=100&cutover.instance=type-change-keys&cutover.readTouch=true");
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
}
