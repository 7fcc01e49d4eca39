package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Statements that name a partition of a migrating table directly (a leaf, a sub-partitioned
 * partition, a leaf of it), run through Cutover on {@code mig.orders}, whose {@code note} is renamed
 * to {@code memo}, and through plain pgjdbc on {@code twin.orders}, which has both columns kept equal
 * by a trigger. At every phase of the walk (forward, a rollback from new_only with its refill, and
 * forward to completed) each statement's result, labels and update count must be equal, and so must
 * the tables' contents read through both names. Before partitions were known to the driver, an
 * {@code UPDATE orders_2023 SET note = ...} went through unchanged and wrote the old column alone:
 * verify found the rows differing and, from read_new, reads of {@code memo} lost the write.
 */
class PartitionDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  /** {@code %d} is the visit's number, so that each visit writes values of its own. */
  private static final List<String> STATEMENTS = List.of(
      "SELECT id, note FROM orders_2023 ORDER BY id",
      "SELECT id, memo, note AS n FROM orders_2024_h0 ORDER BY id",
      "UPDATE orders_2023 SET note = 'a%d-' || id WHERE id %% 5 = 0",
      "UPDATE orders_2024 SET memo = 'b%d-' || id WHERE id %% 7 = 0",
      "UPDATE orders_2024_h1 SET note = coalesce(note, '') || '!' WHERE id %% 3 = 0 RETURNING id, memo",
      "UPDATE orders_2024 o SET memo = upper(o.note) WHERE o.id %% 11 = %d RETURNING o.note",
      "INSERT INTO orders_2024 (id, placed, note) VALUES (1000 + %d, '2024-06-01', 'c%d') RETURNING id, memo",
      "INSERT INTO orders_2023 (id, placed, memo) VALUES (2000 + %d, '2023-06-01', 'd%d') RETURNING note",
      "DELETE FROM orders_2023 WHERE id %% 13 = %d RETURNING id, memo",
      "SELECT count(*), max(memo), min(note) FROM orders_2024 WHERE memo LIKE 'b%%' OR note LIKE 'c%%'",
      "SELECT p.id, p.memo FROM orders_2024_h0 p JOIN orders_2023 q ON q.id = p.id - 1 ORDER BY 1",
      "UPDATE orders_2023 SET memo = NULL WHERE id = 2000 + %d",
      "SELECT id, note, memo FROM orders ORDER BY id");

  @Test
  void statementsNamingPartitions_everyPhase_matchTwin() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String schema : List.of("mig", "twin")) {
        st.execute("CREATE SCHEMA " + schema);
        st.execute("SET search_path = " + schema);
        st.execute("CREATE TABLE orders (id int NOT NULL, placed date NOT NULL, note text"
            + (schema.equals("twin") ? ", memo text" : "") + ", PRIMARY KEY (id, placed)) PARTITION BY RANGE (placed)");
        st.execute("CREATE TABLE orders_2023 PARTITION OF orders FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')");
        st.execute("CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
            + " PARTITION BY HASH (id)");
        st.execute("CREATE TABLE orders_2024_h0 PARTITION OF orders_2024 FOR VALUES WITH (MODULUS 2, REMAINDER 0)");
        st.execute("CREATE TABLE orders_2024_h1 PARTITION OF orders_2024 FOR VALUES WITH (MODULUS 2, REMAINDER 1)");
        st.execute("CREATE INDEX ON orders (note)");
        if (schema.equals("twin")) {
          st.execute("""
              CREATE FUNCTION sync_memo() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN
                IF TG_OP = 'INSERT' THEN
                  IF NEW.note IS NULL THEN
                    NEW.note := NEW.memo;
                  END IF;
                  NEW.memo := NEW.note;
                ELSIF NEW.memo IS DISTINCT FROM OLD.memo THEN
                  NEW.note := NEW.memo;
                ELSE
                  NEW.memo := NEW.note;
                END IF;
                RETURN NEW;
              END $$""");
          st.execute("CREATE TRIGGER sync_memo BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION sync_memo()");
        }
        st.execute("INSERT INTO orders (id, placed, note) SELECT g, CASE WHEN g % 2 = 0 THEN date '2023-03-01'"
            + " ELSE date '2024-03-01' END, 'seed ' || g FROM generate_series(1, 200) g");
      }
    }
    Path file = dir.resolve("orders-memo.yaml");
    Files.writeString(file, "id: orders-memo\ntable: mig.orders\nrename:\n  from: note\n  to: memo\n");
    Differential.cli(db, "init");
    Differential.cli(db, "plan", file.toString());
    List<String> mismatches = new ArrayList<>();
    try (Connection cut = DriverManager.getConnection(db.cutoverUrl()
            + "?currentSchema=mig&cutover.refreshMillis=100&cutover.instance=partition-diff", db.properties());
        Connection twin = DriverManager.getConnection(db.plainUrl() + "?currentSchema=twin", db.properties())) {
      int visit = 0;
      visit = runAll(cut, twin, visit, "planned", mismatches);
      Differential.cli(db, "advance", "orders-memo");
      visit = runAll(cut, twin, visit, "dual_write", mismatches);
      Differential.cli(db, "backfill", "orders-memo");
      Differential.cli(db, "verify", "orders-memo");
      visit = runAll(cut, twin, visit, "dual_write backfilled", mismatches);
      Differential.cli(db, "verify", "orders-memo");
      Differential.cli(db, "advance", "orders-memo");
      visit = runAll(cut, twin, visit, "read_new", mismatches);
      Differential.cli(db, "advance", "orders-memo");
      visit = runAll(cut, twin, visit, "new_only", mismatches);
      Differential.cli(db, "rollback", "orders-memo");
      visit = runAll(cut, twin, visit, "read_new after the rollback", mismatches);
      Differential.cli(db, "advance", "orders-memo");
      visit = runAll(cut, twin, visit, "new_only again", mismatches);
      Differential.cli(db, "advance", "orders-memo", "--force");
      runAll(cut, twin, visit, "completed", mismatches);
    }
    assertThat(mismatches).as("statements whose outcome differs from the twin's").isEmpty();
    // The statements did write: the table is not the seed any more, on both sides alike.
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM mig.orders m JOIN twin.orders t USING (id, placed)"
            + " WHERE m.memo IS NOT DISTINCT FROM t.memo AND m.memo IS DISTINCT FROM 'seed ' || id")) {
      rs.next();
      assertThat(rs.getInt(1)).as("rows written through partitions, equal on both sides").isGreaterThan(20);
    }
  }

  private static int runAll(Connection cut, Connection twin, int visit, String phase, List<String> mismatches)
      throws SQLException {
    for (String template : STATEMENTS) {
      visit++;
      String sql = template.replace("%d", String.valueOf(visit)).replace("%%", "%");
      String expected = outcome(twin, sql);
      String actual = outcome(cut, sql);
      if (!expected.equals(actual)) {
        mismatches.add(phase + ": " + sql + "\n  twin:    " + expected + "\n  cutover: " + actual);
      }
    }
    return visit;
  }

  /**
   * Labels, rows (or the update count) of {@code sql}, or its SQLState. The rows are sorted: none of
   * the statements orders them ({@code RETURNING} cannot), and the migrated table's rows lie in
   * another physical order than the twin's (the backfill and the dual writes move them), so the
   * order they come back in differed between the two in some runs.
   */
  private static String outcome(Connection c, String sql) {
    try (Statement st = c.createStatement()) {
      boolean rows = st.execute(sql);
      if (!rows) {
        return "count " + st.getUpdateCount();
      }
      StringBuilder b = new StringBuilder();
      List<String> lines = new ArrayList<>();
      try (ResultSet rs = st.getResultSet()) {
        ResultSetMetaData md = rs.getMetaData();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          b.append(md.getColumnLabel(i)).append(i < md.getColumnCount() ? "," : "|");
        }
        while (rs.next()) {
          StringBuilder line = new StringBuilder();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            line.append(rs.getString(i)).append(i < md.getColumnCount() ? "," : ";");
          }
          lines.add(line.toString());
        }
      }
      lines.sort(null);
      lines.forEach(b::append);
      return b.toString();
    } catch (SQLException e) {
      return "error " + e.getSQLState() + " " + e.getMessage();
    }
  }
}
