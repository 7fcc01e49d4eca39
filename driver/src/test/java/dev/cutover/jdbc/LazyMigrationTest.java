package dev.cutover.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.CutoverConnection;
import dev.cutover.control.ControlSchema;
import dev.cutover.migration.Phase;
import dev.cutover.runtime.CutoverRuntime;
import dev.cutover.runtime.LazyMigrator;
import dev.cutover.testing.MigrationRows;
import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lazy migration of the rows a SELECT returns ({@code cutover.readTouch}), against a real server:
 * table {@code users} is in {@code dual_write} (full_name to display_name) with the new column
 * still empty; {@code twin} has the same columns, read through plain pgjdbc.
 */
class LazyMigrationTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  static final int ROWS = 30_000;
  static final String ROLE = "cutover_touch_" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);

  @BeforeAll
  static void setUp() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      dev.cutover.control.install.ControlSchemaInstaller.install(c, "cutover");
      st.execute("CREATE TABLE users (id bigint PRIMARY KEY, full_name text, email text, display_name text)");
      st.execute("INSERT INTO users SELECT g, 'name ' || g, 'u' || g || '@x', NULL FROM generate_series(1, " + ROWS + ") g");
      st.execute("CREATE TABLE crowd (id bigint PRIMARY KEY, full_name text, display_name text)");
      st.execute("INSERT INTO crowd SELECT g, 'name ' || g, NULL FROM generate_series(1, " + ROWS + ") g");
      st.execute("CREATE TABLE twin (id bigint PRIMARY KEY, full_name text, email text, display_name text)");
      st.execute("INSERT INTO twin SELECT id, full_name, email, full_name FROM users");
      st.execute("CREATE TABLE pairs (a int, b text, v text, w text, PRIMARY KEY (a, b))");
      st.execute("INSERT INTO pairs SELECT g % 10, 'k' || g, 'v' || g, NULL FROM generate_series(1, 100) g");
      st.execute("CREATE TABLE busy (id int PRIMARY KEY, a text, b text)");
      st.execute("INSERT INTO busy SELECT g, 'a' || g, NULL FROM generate_series(1, 100) g");
      st.execute("CREATE TABLE busy_parts (id int PRIMARY KEY, a text, b text)");
      st.execute("INSERT INTO busy_parts SELECT g, 'a' || g, NULL FROM generate_series(1, 100) g");
      st.execute("CREATE TABLE later (id int PRIMARY KEY, a text, b text)");
      st.execute("INSERT INTO later SELECT g, 'a' || g, NULL FROM generate_series(1, 100) g");
      MigrationRows.insertRename(c, "cutover", "users-display-name", "users", "full_name", "display_name", Phase.DUAL_WRITE);
      MigrationRows.insertRename(c, "cutover", "crowd-display-name", "crowd", "full_name", "display_name",
          Phase.DUAL_WRITE);
      MigrationRows.insertRename(c, "cutover", "pairs-w", "pairs", "v", "w", Phase.DUAL_WRITE);
      MigrationRows.insertRename(c, "cutover", "later-b", "later", "a", "b", Phase.READ_NEW);
      MigrationRows.insertRename(c, "cutover", "busy-b", "busy", "a", "b", Phase.DUAL_WRITE);
      MigrationRows.insertRename(c, "cutover", "busy-parts-b", "busy_parts", "a", "b", Phase.DUAL_WRITE);
      // A type change text -> int whose up fails on one row (id 50).
      st.execute("CREATE TABLE codes (id bigint PRIMARY KEY, code text, code_num int)");
      st.execute("INSERT INTO codes SELECT g, CASE WHEN g = 50 THEN 'x50' ELSE g::text END, NULL"
          + " FROM generate_series(1, 100) g");
      MigrationRows.insertRename(c, "cutover", "codes-num", "codes", "code", "code_num", Phase.DUAL_WRITE);
      st.execute("UPDATE cutover.migrations SET up_expr = 'code::int', down_expr = 'code_num::text',"
          + " new_type = 'integer', old_type = 'text' WHERE id = 'codes-num'");
      st.execute("CREATE ROLE " + ROLE + " LOGIN CONNECTION LIMIT 3");
      st.execute("GRANT USAGE ON SCHEMA cutover TO " + ROLE);
      st.execute("GRANT SELECT ON ALL TABLES IN SCHEMA cutover TO " + ROLE);
      st.execute("GRANT INSERT, UPDATE, DELETE ON cutover.instances, cutover.name_usage TO " + ROLE);
      st.execute("GRANT SELECT, UPDATE ON crowd TO " + ROLE);
    }
  }

  @AfterAll
  static void dropRole() throws Exception {
    for (int i = 0; i < 20; i++) {
      try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
        st.execute("DROP OWNED BY " + ROLE);
        st.execute("DROP ROLE " + ROLE);
        return;
      } catch (SQLException e) {
        Thread.sleep(500); // its runtime's side connections linger a few seconds
      }
    }
  }

  private static Connection cutover(String... properties) throws SQLException {
    Properties p = db.properties();
    p.setProperty("cutover.readTouch", "true"); // off by default
    for (int i = 0; i < properties.length; i += 2) {
      p.setProperty(properties[i], properties[i + 1]);
    }
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

  private static int readAll(ResultSet rs) throws SQLException {
    int n = 0;
    while (rs.next()) {
      n++;
    }
    return n;
  }

  private static LazyMigrator migrator(Connection c) throws SQLException {
    return c.unwrap(ProxyConnection.class).runtime().lazyMigrator();
  }

  @Test
  void select_rowsItReturnsAreFilledInTheBackground() throws Exception {
    long unfilled = count("SELECT count(*) FROM users WHERE (id <= 100 OR id BETWEEN 201 AND 300) AND display_name IS NULL");
    try (Connection c = cutover()) {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT email FROM users WHERE id <= 100")) {
        assertThat(rs).isInstanceOf(TouchResultSet.class); // the hidden columns were sent
        assertThat(readAll(rs)).isEqualTo(100);
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT u.full_name FROM users u WHERE u.id BETWEEN ? AND ?")) {
        ps.setInt(1, 201);
        ps.setInt(2, 300);
        assertThat(ps.toString()).contains("\"cutover.key1\"").contains("BETWEEN ('201'::int4)");
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(readAll(rs)).isEqualTo(100);
        }
      }
      assertThat(awaitCount("SELECT count(*) FROM users WHERE (id <= 100 OR id BETWEEN 201 AND 300)"
          + " AND display_name IS DISTINCT FROM full_name", 0)).isZero();
      // Rows not returned are left to the backfill.
      assertThat(count("SELECT count(*) FROM users WHERE id BETWEEN 101 AND 200 AND display_name IS NULL")).isEqualTo(100);
      // Filled by this runtime's lazy migration (other tests may have filled a few of them before).
      assertThat(unfilled).isGreaterThan(150);
      assertThat(migrator(c).stats().filled()).isGreaterThanOrEqualTo(unfilled);

      // A composite key.
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT v FROM pairs WHERE a = 3")) {
        assertThat(readAll(rs)).isEqualTo(10);
      }
      assertThat(awaitCount("SELECT count(*) FROM pairs WHERE a = 3 AND w IS DISTINCT FROM v", 0)).isZero();
      assertThat(count("SELECT count(*) FROM pairs WHERE a <> 3 AND w IS NULL")).isEqualTo(90);
    }
  }

  /**
   * A row whose old value {@code up} cannot convert does not stop the lazy migration of the rows
   * read with it: the batch is split until the row is found, every other row is filled, the bad row
   * is left to the backfill (which stops on it with its key), and the application never sees it.
   */
  @Test
  void select_rowUpCannotConvert_otherRowsOfTheBatchStillFilled() throws Exception {
    try (Connection c = cutover()) {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, code FROM codes ORDER BY id")) {
        assertThat(rs).isInstanceOf(TouchResultSet.class);
        assertThat(readAll(rs)).isEqualTo(100);
      }
      assertThat(awaitCount("SELECT count(*) FROM codes WHERE code_num IS NULL", 1)).isEqualTo(1);
      assertThat(count("SELECT count(*) FROM codes WHERE code_num IS NULL AND id = 50")).isEqualTo(1);
      assertThat(count("SELECT count(*) FROM codes WHERE id <> 50 AND code_num IS DISTINCT FROM code::int")).isZero();
      LazyMigrator.Stats stats = migrator(c).stats();
      assertThat(stats.unconvertible()).as(stats.toString()).isEqualTo(1);
      // Read again: the known bad row is skipped, not split for again. (Read until its key is taken:
      // while the batch that found it is still finishing, the row is pending and not queued again.)
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (migrator(c).stats().discarded() <= stats.discarded() && System.nanoTime() < deadline) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT code FROM codes WHERE id = 50")) {
          assertThat(readAll(rs)).isEqualTo(1);
        }
        Thread.sleep(50);
      }
      assertThat(migrator(c).stats().unconvertible()).isEqualTo(1);
      assertThat(migrator(c).stats().discarded()).isGreaterThan(stats.discarded());
    }
  }

  @Test
  void touch_skipsRowsTheApplicationHoldsAndNeverOverwritesItsWrite() throws Exception {
    try (Connection writer = cutover(); Connection reader = cutover()) {
      writer.setAutoCommit(false);
      try (Statement st = writer.createStatement()) {
        // Dual-written by the driver: display_name too. Holds the row locked until commit.
        assertThat(st.executeUpdate("UPDATE users SET full_name = 'written' WHERE id = 1000")).isEqualTo(1);
      }
      try (Statement st = reader.createStatement();
          ResultSet rs = st.executeQuery("SELECT email FROM users WHERE id BETWEEN 1000 AND 1010")) {
        assertThat(readAll(rs)).isEqualTo(11);
      }
      // The other rows are filled while the writer still holds id 1000: the batch did not wait for it.
      assertThat(awaitCount("SELECT count(*) FROM users WHERE id BETWEEN 1001 AND 1010 AND display_name IS NULL", 0))
          .isZero();
      assertThat(count("SELECT count(*) FROM users WHERE id = 1000 AND display_name IS NULL")).isEqualTo(1);
      writer.commit();
      assertThat(count("SELECT count(*) FROM users WHERE id = 1000 AND full_name = 'written' AND display_name = 'written'"))
          .isEqualTo(1);
    }
  }

  @Test
  void resultSetAndMetadata_showNoExtraColumn_sameAsPlainPgjdbcOnTwin() throws Exception {
    List<String> queries = List.of(
        "SELECT * FROM %s WHERE id <= 3 ORDER BY id",
        "SELECT email, full_name AS n FROM %s x WHERE x.id = 2",
        "SELECT id FROM %s WHERE id < 4 ORDER BY 1",
        "SELECT t.email, t.id + 1 AS nxt FROM %s t ORDER BY t.id DESC LIMIT 2");
    try (Connection c = cutover(); Connection plain = db.plainConnection()) {
      for (String q : queries) {
        for (boolean prepared : new boolean[] {false, true}) {
          String mine = String.format(Locale.ROOT, q, "users");
          String theirs = String.format(Locale.ROOT, q, "twin");
          Statement st = prepared ? c.prepareStatement(mine) : c.createStatement();
          Statement pst = prepared ? plain.prepareStatement(theirs) : plain.createStatement();
          if (prepared) {
            assertMetaDataEqual(((PreparedStatement) st).getMetaData(), ((PreparedStatement) pst).getMetaData(), q);
          }
          try (st; pst;
              ResultSet rs = prepared ? ((PreparedStatement) st).executeQuery() : st.executeQuery(mine);
              ResultSet prs = prepared ? ((PreparedStatement) pst).executeQuery() : pst.executeQuery(theirs)) {
            assertThat(rs).as(q).isInstanceOf(TouchResultSet.class); // the hidden columns were sent
            ResultSetMetaData md = rs.getMetaData();
            assertMetaDataEqual(md, prs.getMetaData(), q);
            int n = md.getColumnCount();
            while (true) {
              boolean more = rs.next();
              assertThat(more).as(q).isEqualTo(prs.next());
              if (!more) {
                break;
              }
              for (int i = 1; i <= n; i++) {
                assertThat(rs.getObject(i)).as(q + " column " + i).isEqualTo(prs.getObject(i));
                assertThat(rs.getString(md.getColumnLabel(i))).isEqualTo(prs.getString(md.getColumnLabel(i)));
              }
              assertSameFailure(() -> rs.getObject(n + 1), () -> prs.getObject(n + 1));
              assertSameFailure(() -> rs.getString(n + 2), () -> prs.getString(n + 2));
              assertSameFailure(() -> rs.findColumn("cutover.key1"), () -> prs.findColumn("cutover.key1"));
              assertSameFailure(() -> rs.getBoolean("cutover.fill"), () -> prs.getBoolean("cutover.fill"));
            }
            assertSameFailure(() -> md.getColumnLabel(n + 1), () -> prs.getMetaData().getColumnLabel(n + 1));
            assertThat(rs.getStatement()).isSameAs(st);
          }
        }
      }
    }
  }

  private static void assertMetaDataEqual(ResultSetMetaData mine, ResultSetMetaData theirs, String q)
      throws SQLException {
    assertThat(mine.getColumnCount()).as(q).isEqualTo(theirs.getColumnCount());
    for (int i = 1; i <= mine.getColumnCount(); i++) {
      assertThat(mine.getColumnLabel(i)).as(q).isEqualTo(theirs.getColumnLabel(i));
      assertThat(mine.getColumnName(i)).as(q).isEqualTo(theirs.getColumnName(i));
      assertThat(mine.getColumnType(i)).as(q).isEqualTo(theirs.getColumnType(i));
      assertThat(mine.getColumnTypeName(i)).as(q).isEqualTo(theirs.getColumnTypeName(i));
      assertThat(mine.getColumnClassName(i)).as(q).isEqualTo(theirs.getColumnClassName(i));
    }
  }

  @FunctionalInterface
  interface SqlCall {
    Object call() throws SQLException;
  }

  private static void assertSameFailure(SqlCall mine, SqlCall theirs) {
    SQLException expected = null;
    try {
      theirs.call();
    } catch (SQLException e) {
      expected = e;
    }
    assertThat((Object) expected).as("plain pgjdbc fails here").isNotNull();
    String state = expected.getSQLState();
    assertThatThrownBy(mine::call).isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(state));
  }

  @Test
  void sidePoolCannotConnect_applicationNeverFails_fullQueueDropsWithoutBlocking() throws Exception {
    Properties p = new Properties();
    p.setProperty("user", ROLE);
    p.setProperty("password", "");
    p.setProperty("cutover.readTouch", "true");
    // The role may hold 3 connections: this one and the runtime's two side connections. The lazy
    // migration's pool then cannot connect at all ("too many connections for role").
    try (Connection c = java.sql.DriverManager.getConnection(db.cutoverUrl(), p)) {
      CutoverRuntime runtime = c.unwrap(ProxyConnection.class).runtime();
      c.unwrap(CutoverConnection.class).refreshMigrations(); // opens the polling side connection
      for (long deadline = System.nanoTime() + 10_000_000_000L;
          runtime.listenerBackendPid() == 0 && System.nanoTime() < deadline; Thread.sleep(50)) {
        // wait for the listener's connection
      }
      assertThat(runtime.listenerBackendPid()).isNotZero();
      long nullsBefore = count("SELECT count(*) FROM crowd WHERE display_name IS NULL");
      long started = System.nanoTime();
      for (int round = 0; round < 3; round++) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, full_name FROM crowd")) {
          assertThat(readAll(rs)).isEqualTo(ROWS);
        }
      }
      long millis = (System.nanoTime() - started) / 1_000_000;
      // Reading 90,000 rows never waited for the pool (whose connection attempts take up to a second each).
      assertThat(millis).isLessThan(10_000);
      try (Statement st = c.createStatement()) {
        assertThat(st.executeUpdate("UPDATE crowd SET full_name = 'x' WHERE id = 7")).isEqualTo(1);
      }
      LazyMigrator.Stats stats = migrator(c).stats();
      assertThat(stats.dropped()).as(stats.toString()).isPositive();
      assertThat(stats.queued() + stats.dropped()).as(stats.toString()).isGreaterThanOrEqualTo(nullsBefore - 10);
      assertThat(stats.queued()).as(stats.toString()).isLessThanOrEqualTo(LazyMigrator.DEFAULT_CAPACITY + 20_000L);
      assertThat(stats.filled()).isZero();
      for (long deadline = System.nanoTime() + 10_000_000_000L;
          migrator(c).stats().failedBatches() == 0 && System.nanoTime() < deadline; Thread.sleep(100)) {
        // the workers give up on a connection after a second
      }
      assertThat(migrator(c).stats().failedBatches()).isPositive();
      // Nothing was filled but the row the application updated (dual-written).
      assertThat(count("SELECT count(*) FROM crowd WHERE display_name IS NULL")).isEqualTo(ROWS - 1);
    }
  }

  @Test
  void execute_thenGetResultSet_hidesExactlyTheColumnsThatExecutionAdded() throws Exception {
    try (Connection c = cutover(); Statement st = c.createStatement()) {
      assertThat(st.execute("SELECT email, full_name FROM users WHERE id = 40")).isTrue();
      ResultSet touched = st.getResultSet();
      assertThat(touched).isInstanceOf(TouchResultSet.class);
      assertThat(touched.getMetaData().getColumnCount()).isEqualTo(2);
      assertThat(touched.next()).isTrue();
      assertThat(touched.getString(2)).isEqualTo("name 40");
      // Executed without hidden columns (generated keys asked for): nothing to hide afterwards.
      assertThat(st.execute("SELECT email, full_name FROM users WHERE id = 41", Statement.RETURN_GENERATED_KEYS))
          .isTrue();
      ResultSet plain = st.getResultSet();
      assertThat(plain).isNotInstanceOf(TouchResultSet.class);
      assertThat(plain.getMetaData().getColumnCount()).isEqualTo(2);
    }
  }

  /**
   * While a backfill of the table runs (its progress row moved lately and is not finished), rows
   * read are left to it; once it finishes, rows read are filled again.
   */
  @Test
  void backfillRunning_rowsReadLeftToIt_filledAgainOnceItFinished() throws Exception {
    try (Connection plain = db.plainConnection(); Statement st = plain.createStatement()) {
      st.execute("INSERT INTO cutover.backfill_state (migration_id, last_key, max_key, rows_done)"
          + " VALUES ('busy-b', '50', '100', 50)");
    }
    try (Connection c = cutover()) {
      LazyMigrator.Stats before = migrator(c).stats();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT a FROM busy")) {
        assertThat(readAll(rs)).isEqualTo(100);
      }
      // Every key is either taken and discarded (the batch that found the backfill running) or,
      // once the pause began, dropped at the offer.
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (leftToBackfill(c, before) < 100 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(leftToBackfill(c, before)).as(migrator(c).stats().toString()).isGreaterThanOrEqualTo(100);
      assertThat(migrator(c).stats().discarded()).isGreaterThan(before.discarded());
      // Read again during the pause: dropped before the key is read.
      long dropped = migrator(c).stats().dropped();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT a FROM busy WHERE id <= 10")) {
        assertThat(readAll(rs)).isEqualTo(10);
      }
      assertThat(migrator(c).stats().dropped()).isEqualTo(dropped + 10);
      assertThat(count("SELECT count(*) FROM busy WHERE b IS NULL")).isEqualTo(100);

      try (Connection plain = db.plainConnection(); Statement st = plain.createStatement()) {
        st.execute("UPDATE cutover.backfill_state SET finished_at = now() WHERE migration_id = 'busy-b'");
      }
      // After the pause (the next check), rows read are filled.
      Thread.sleep(LazyMigrator.BACKFILL_CHECK_NANOS / 1_000_000 + 200);
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT a FROM busy")) {
        assertThat(readAll(rs)).isEqualTo(100);
      }
      assertThat(awaitCount("SELECT count(*) FROM busy WHERE b IS DISTINCT FROM a", 0)).isZero();
    }
  }

  /** A partitioned table's backfill keeps one progress row per partition: it pauses the lazy migration too. */
  @Test
  void backfillOfAPartitionRunning_rowsReadLeftToIt() throws Exception {
    try (Connection plain = db.plainConnection(); Statement st = plain.createStatement()) {
      st.execute("INSERT INTO cutover.backfill_state (migration_id, last_key, max_key, rows_done)"
          + " VALUES ('busy-parts-b/\"public\".\"busy_parts_p1\"', '50', '100', 50)");
    }
    try (Connection c = cutover()) {
      LazyMigrator.Stats before = migrator(c).stats();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT a FROM busy_parts")) {
        assertThat(readAll(rs)).isEqualTo(100);
      }
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (leftToBackfill(c, before) < 100 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(leftToBackfill(c, before)).as(migrator(c).stats().toString()).isGreaterThanOrEqualTo(100);
      assertThat(count("SELECT count(*) FROM busy_parts WHERE b IS NULL")).isEqualTo(100);
    }
  }

  @Test
  void notActiveOutsideDualWrite() throws Exception {
    try (Connection c = cutover(); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT id, a FROM later WHERE id <= 50")) {
        assertThat(rs).isNotInstanceOf(TouchResultSet.class);
        assertThat(readAll(rs)).isEqualTo(50);
      }
      Thread.sleep(1000);
      assertThat(count("SELECT count(*) FROM later WHERE b IS NULL")).isEqualTo(100);
    }
  }

  @Test
  void readTouchFalse_disablesIt() throws Exception {
    try (Connection c = cutover("cutover.readTouch", "false"); Statement st = c.createStatement()) {
      assertOff(c, st);
    }
  }

  /** Off unless asked for: a connection without the property has no lazy migration. */
  @Test
  void readTouchUnset_off() throws Exception {
    Properties p = db.properties();
    p.setProperty("cutover.instance", "touch-default");
    try (Connection c = java.sql.DriverManager.getConnection(db.cutoverUrl(), p); Statement st = c.createStatement()) {
      assertOff(c, st);
    }
  }

  private static long leftToBackfill(Connection c, LazyMigrator.Stats before) throws SQLException {
    LazyMigrator.Stats now = migrator(c).stats();
    return now.discarded() - before.discarded() + now.dropped() - before.dropped();
  }

  private static void assertOff(Connection c, Statement st) throws Exception {
    assertThat(migrator(c)).isNull();
    try (ResultSet rs = st.executeQuery("SELECT email FROM users WHERE id BETWEEN 5001 AND 5100")) {
      assertThat(rs).isNotInstanceOf(TouchResultSet.class);
      assertThat(readAll(rs)).isEqualTo(100);
      assertThat(rs.getMetaData().getColumnCount()).isEqualTo(1);
    }
    Thread.sleep(1000);
    assertThat(count("SELECT count(*) FROM users WHERE id BETWEEN 5001 AND 5100 AND display_name IS NULL"))
        .isEqualTo(100);
  }
}
