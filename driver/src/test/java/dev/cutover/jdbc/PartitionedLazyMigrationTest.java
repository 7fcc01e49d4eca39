package dev.cutover.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.Phase;
import dev.cutover.testing.MigrationRows;
import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lazy migration of the rows a SELECT returns, and the rewrite of writes, on a partitioned table
 * in {@code dual_write} ({@code full_name} to {@code display_name}): read through the partitioned
 * table, through a partition, and through a leaf of a sub-partitioned partition. A partition named
 * directly is the migrating table under another name: before the driver knew its partitions, a
 * SELECT on one filled nothing and an UPDATE on one wrote the old column alone.
 */
class PartitionedLazyMigrationTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @BeforeAll
  static void setUp() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      dev.cutover.control.install.ControlSchemaInstaller.install(c, "cutover");
      st.execute("CREATE TABLE ev (id bigint, region text, full_name text, display_name text,"
          + " PRIMARY KEY (id, region)) PARTITION BY LIST (region)");
      st.execute("CREATE TABLE ev_a PARTITION OF ev FOR VALUES IN ('a')");
      st.execute("CREATE TABLE ev_b PARTITION OF ev FOR VALUES IN ('b') PARTITION BY HASH (id)");
      st.execute("CREATE TABLE ev_b0 PARTITION OF ev_b FOR VALUES WITH (MODULUS 2, REMAINDER 0)");
      st.execute("CREATE TABLE ev_b1 PARTITION OF ev_b FOR VALUES WITH (MODULUS 2, REMAINDER 1)");
      st.execute("INSERT INTO ev SELECT g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END, 'name ' || g, NULL"
          + " FROM generate_series(1, 1000) g");
      MigrationRows.insertRename(c, "cutover", "ev-display-name", "ev", "full_name", "display_name", Phase.DUAL_WRITE);
    }
  }

  /** A Cutover connection that migrates the rows it reads ({@code cutover.readTouch}, off by default). */
  private static Connection cutover() throws SQLException {
    java.util.Properties p = db.properties();
    p.setProperty("cutover.readTouch", "true");
    return java.sql.DriverManager.getConnection(db.cutoverUrl(), p);
  }

  private static long count(String sql) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Waits up to 15 s for {@code sql} to count {@code expected}; returns the last count. */
  private static long awaitCount(String sql, long expected) throws Exception {
    long n = -1;
    for (long deadline = System.nanoTime() + 15_000_000_000L; System.nanoTime() < deadline; Thread.sleep(100)) {
      n = count(sql);
      if (n == expected) {
        break;
      }
    }
    return n;
  }

  private static int readAll(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs).as(sql).isInstanceOf(TouchResultSet.class); // the hidden key columns were sent
      int n = 0;
      while (rs.next()) {
        n++;
      }
      return n;
    }
  }

  @Test
  void select_throughTheTableAPartitionAndASubPartition_rowsReturnedAreFilled() throws Exception {
    try (Connection c = cutover()) {
      assertThat(readAll(c, "SELECT full_name FROM ev WHERE id <= 100")).isEqualTo(100);
      assertThat(readAll(c, "SELECT display_name FROM ev_a WHERE id BETWEEN 201 AND 300")).isEqualTo(50);
      assertThat(readAll(c, "SELECT e.full_name FROM ev_b1 e WHERE e.id BETWEEN 401 AND 500")).isGreaterThan(10);
      assertThat(awaitCount("SELECT count(*) FROM ev WHERE id <= 100 AND display_name IS DISTINCT FROM full_name", 0))
          .isZero();
      assertThat(awaitCount("SELECT count(*) FROM ev_a WHERE id BETWEEN 201 AND 300"
          + " AND display_name IS DISTINCT FROM full_name", 0)).isZero();
      assertThat(awaitCount("SELECT count(*) FROM ev_b1 WHERE id BETWEEN 401 AND 500"
          + " AND display_name IS DISTINCT FROM full_name", 0)).isZero();
      // Rows not returned are left to the backfill.
      assertThat(count("SELECT count(*) FROM ev WHERE id BETWEEN 601 AND 700 AND display_name IS NULL")).isEqualTo(100);
    }
  }

  @Test
  void update_namingAPartition_writesBothColumns() throws Exception {
    try (Connection c = cutover(); Statement st = c.createStatement()) {
      assertThat(st.executeUpdate("UPDATE ev_b0 SET full_name = 'upd ' || id WHERE id BETWEEN 801 AND 900")).isPositive();
      assertThat(st.executeUpdate("UPDATE ev_a SET display_name = 'new ' || id WHERE id BETWEEN 801 AND 900"))
          .isEqualTo(50);
    }
    assertThat(count("SELECT count(*) FROM (SELECT * FROM ev_b0 UNION ALL SELECT * FROM ev_a) x"
        + " WHERE id BETWEEN 801 AND 900 AND display_name IS DISTINCT FROM full_name")).isZero();
    assertThat(count("SELECT count(*) FROM ev_b0 WHERE id BETWEEN 801 AND 900 AND display_name = 'upd ' || id"))
        .isPositive();
    assertThat(count("SELECT count(*) FROM ev_a WHERE id BETWEEN 801 AND 900 AND full_name = 'new ' || id"))
        .isEqualTo(50);
  }
}
