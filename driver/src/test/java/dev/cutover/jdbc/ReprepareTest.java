package dev.cutover.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.control.ControlSchema;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import dev.cutover.rewriter.Catalog;
import dev.cutover.rewriter.Rewrite;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.TableInfo;
import dev.cutover.runtime.CutoverRuntime;
import dev.cutover.runtime.NotificationMode;
import dev.cutover.runtime.RuntimeConfig;
import dev.cutover.testing.MigrationRows;
import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Phase changes reach statements already prepared: the driver's re-preparation, parameter
 * remapping, batch replay and refusal policy, driven by a small deterministic rewriter (the real one
 * is written elsewhere) against the real database.
 */
class ReprepareTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  static final String INSERT = "INSERT INTO people (id, full_name) VALUES (?, ?)";
  static final String DUAL_INSERT = "INSERT INTO people (id, full_name, display_name) VALUES (?, ?, ?)";
  static final String DELETE = "DELETE FROM people WHERE full_name = ?";
  static final String PLAIN_INSERT = "INSERT INTO people (id, full_name) VALUES (9, 'Zed')";
  static final String DUAL_PLAIN_INSERT = "INSERT INTO people (id, full_name, display_name) VALUES (9, 'Zed', 'Zed')";

  /** Rewrites {@link #INSERT} to write both columns while the migration writes both; refuses {@link #DELETE}. */
  static Rewrite fakeRewrite(String sql, MigrationSnapshot snapshot, Catalog catalog) throws RewriteRefusedException {
    ColumnMigration m = snapshot.migrations().isEmpty() ? null : snapshot.migrations().get(0);
    if (m == null || !m.phase().writesNew() || !snapshot.mayTouch(sql)) {
      return Rewrite.unchanged(sql, snapshot.epoch());
    }
    if (sql.equals(DELETE)) {
      throw new RewriteRefusedException(m.id(), "test refusal of DELETE");
    }
    TableInfo people = catalog.table(null, "people");
    if (sql.equals(INSERT) && people != null && people.columns().contains("display_name")) {
      return new Rewrite(DUAL_INSERT, new int[] {1, 2, 2}, Set.of(m.id()), Set.of(), snapshot.epoch());
    }
    if (sql.equals(PLAIN_INSERT) && people != null && people.columns().contains("display_name")) {
      return new Rewrite(DUAL_PLAIN_INSERT, null, Set.of(m.id()), Set.of(), snapshot.epoch());
    }
    return Rewrite.unchanged(sql, snapshot.epoch());
  }

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void install() throws SQLException {
    try (Connection c = db.plainConnection()) {
      dev.cutover.control.install.ControlSchemaInstaller.install(c, "cutover");
    }
  }

  @BeforeEach
  void createTable() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("DELETE FROM cutover.migrations");
      st.execute("DROP TABLE IF EXISTS people");
      st.execute("CREATE TABLE people (id int PRIMARY KEY, full_name text, display_name text)");
      MigrationRows.insertRename(c, "cutover", "people-display-name", "people", "full_name", "display_name", Phase.PLANNED);
    }
  }

  private static final java.util.concurrent.atomic.AtomicInteger INSTANCES = new java.util.concurrent.atomic.AtomicInteger();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private ProxyConnection connect(boolean passthrough, String pgParams) throws SQLException {
    Properties p = db.properties();
    RuntimeConfig config = new RuntimeConfig(db.plainUrl() + pgParams, p, db.user(), "cutover", 60_000, passthrough,
        // One name per runtime: a second live runtime under the same name may not heartbeat, and
        // without its heartbeat its lease refuses statements.
        100, true, "reprepare-test-" + INSTANCES.incrementAndGet(),
        // Neither a lease (its renewal reloads the phase) nor notifications (the phase change's NOTIFY
        // reloads it): the tests change the phase behind the driver's back and decide when it hears of
        // it (refreshMigrations). With either, a loaded full run reloaded in between.
        0, NotificationMode.POLL);
    CutoverRuntime runtime = new CutoverRuntime(config, ReprepareTest::fakeRewrite);
    Connection pg = new org.postgresql.Driver().connect(config.url(), config.pgPropertiesCopy());
    runtime.start(pg);
    ProxyConnection c = new ProxyConnection(pg, runtime, false);
    toClose.add(runtime);
    toClose.add(c);
    sleep(300);
    return c;
  }

  private static void advance(ProxyConnection c, Phase phase) throws SQLException {
    try (Connection admin = db.plainConnection()) {
      MigrationRows.setPhase(admin, "cutover", "people-display-name", phase);
    }
    c.refreshMigrations();
  }

  private static List<String> rows() throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, full_name, display_name FROM people ORDER BY id")) {
      while (rs.next()) {
        rows.add(rs.getInt(1) + ":" + rs.getString(2) + ":" + rs.getString(3));
      }
    }
    return rows;
  }

  @Test
  void execute_afterPhaseChange_runsNewPhaseRewrite() throws SQLException {
    ProxyConnection c = connect(false, "");
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setInt(1, 1);
      ps.setString(2, "Ada");
      ps.executeUpdate();
      advance(c, Phase.DUAL_WRITE);
      ps.setInt(1, 2);
      ps.setString(2, "Bob");
      ps.executeUpdate();
      assertThat(ps.toString()).contains("display_name");
      // Bindings survive a re-preparation: executing again without setting replays them.
      advance(c, Phase.PLANNED);
      try (Statement st = c.createStatement()) {
        st.execute("DELETE FROM people WHERE id = 2");
      }
      ps.executeUpdate();
    }
    assertThat(rows()).containsExactly("1:Ada:null", "2:Bob:null");
  }

  @Test
  void execute_boundBeforePhaseChange_replaysBindingsOnNewStatement() throws SQLException {
    ProxyConnection c = connect(false, "");
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setInt(1, 7);
      ps.setString(2, "Cy");
      advance(c, Phase.DUAL_WRITE);
      ps.executeUpdate();
    }
    assertThat(rows()).containsExactly("7:Cy:Cy");
  }

  @Test
  void execute_statementAfterAClosedOne_replaysOnlyItsOwnBindings() throws SQLException {
    ProxyConnection c = connect(false, "");
    PreparedStatement first = c.prepareStatement(INSERT);
    first.setInt(1, 1);
    first.setString(2, "first");
    first.close(); // its bindings go back to the connection, cleared
    try (PreparedStatement ps = c.prepareStatement(INSERT)) { // and come to this statement
      ps.setInt(1, 2);
      assertThatThrownBy(() -> first.setString(2, "late")).isInstanceOf(SQLException.class); // closed: recorded nowhere
      advance(c, Phase.DUAL_WRITE);
      // Re-prepared and replayed: parameter 2 was never bound on this statement, so pgjdbc refuses.
      assertThatThrownBy(ps::executeUpdate).isInstanceOf(SQLException.class);
      ps.setString(2, "second");
      ps.executeUpdate();
    }
    assertThat(rows()).containsExactly("2:second:second");
  }

  @Test
  void execute_twoStatementsOpenAtOnce_eachReplaysItsOwnBindings() throws SQLException {
    ProxyConnection c = connect(false, "");
    try (PreparedStatement a = c.prepareStatement(INSERT); PreparedStatement b = c.prepareStatement(INSERT)) {
      a.setInt(1, 1); // takes the connection's bindings
      b.setInt(1, 2); // they are taken: its own
      a.setString(2, "a");
      b.setString(2, "b");
      advance(c, Phase.DUAL_WRITE);
      a.executeUpdate();
      b.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT)) { // the connection's bindings again, cleared
      ps.setInt(1, 3);
      advance(c, Phase.PLANNED);
      assertThatThrownBy(ps::executeUpdate).isInstanceOf(SQLException.class); // parameter 2 never bound here
      ps.setString(2, "c");
      ps.executeUpdate();
    }
    assertThat(rows()).containsExactly("1:a:a", "2:b:b", "3:c:null");
  }

  @Test
  void executeBatch_phaseChangeMidBatch_replaysEveryRow() throws SQLException {
    for (String params : new String[] {"", "?reWriteBatchedInserts=true"}) {
      ProxyConnection c = connect(false, params);
      try (Statement st = c.createStatement()) {
        st.execute("DELETE FROM people");
      }
      advance(c, Phase.PLANNED);
      try (PreparedStatement ps = c.prepareStatement(INSERT)) {
        ps.setInt(1, 1);
        ps.setString(2, "a");
        ps.addBatch();
        ps.setInt(1, 2);
        ps.setString(2, "b");
        ps.addBatch();
        advance(c, Phase.DUAL_WRITE);
        ps.setInt(1, 3);
        ps.setString(2, "c");
        ps.addBatch();
        assertThat(ps.executeBatch()).hasSize(3);
      }
      assertThat(rows()).as(params).containsExactly("1:a:a", "2:b:b", "3:c:c");
    }
  }

  @Test
  void executeBatch_phaseChangeAfterLastRow_replaysBeforeExecuting() throws SQLException {
    ProxyConnection c = connect(false, "");
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setInt(1, 1);
      ps.setString(2, "a");
      ps.addBatch();
      advance(c, Phase.DUAL_WRITE);
      assertThat(ps.executeBatch()).containsExactly(1);
      // The batch is cleared after execution: a second executeBatch runs nothing.
      assertThat(ps.executeBatch()).isEmpty();
    }
    assertThat(rows()).containsExactly("1:a:a");
  }

  @Test
  void executeBatch_settersWithExtraArguments_replayedAfterPhaseChange() throws SQLException {
    ProxyConnection c = connect(false, "");
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setObject(1, "1", java.sql.Types.INTEGER); // extra argument: the target type
      ps.setCharacterStream(2, new java.io.StringReader("stream-value"), 6); // extra: a length
      ps.addBatch();
      ps.setInt(1, 2);
      ps.setCharacterStream(2, new java.io.StringReader("xyz"), 3);
      ps.setString(2, "plain"); // replaces the stream binding and its length
      ps.addBatch();
      advance(c, Phase.DUAL_WRITE); // re-prepared: every row replayed with its extra arguments
      assertThat(ps.executeBatch()).hasSize(2);
    }
    assertThat(rows()).containsExactly("1:stream:stream", "2:plain:plain");
  }

  @Test
  void setter_parameterMappedTwice_bindsBothIndexes() throws SQLException {
    ProxyConnection c = connect(false, "");
    advance(c, Phase.DUAL_WRITE);
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setInt(1, 1);
      ps.setObject(2, "obj");
      ps.executeUpdate();
      ps.clearParameters();
      ps.setInt(1, 2);
      assertThatThrownBy(ps::executeUpdate).isInstanceOf(SQLException.class); // parameter 2 unset, as pgjdbc
      assertThatThrownBy(() -> ps.setString(3, "x"))
          .isInstanceOf(SQLException.class).hasMessageContaining("out of range");
    }
    assertThat(rows()).containsExactly("1:obj:obj");
  }

  @Test
  void statement_refusedRewrite_rejectsWith0A000NamingMigration() throws SQLException {
    ProxyConnection c = connect(false, "");
    advance(c, Phase.DUAL_WRITE);
    assertThatThrownBy(() -> c.prepareStatement(DELETE))
        .isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("0A000"))
        .hasMessageContaining("people-display-name")
        .hasMessageContaining("test refusal of DELETE")
        .hasMessageContaining("cutover.onUnsupported");
    // A statement prepared before the phase change is refused at execution, never run as written.
    advance(c, Phase.PLANNED);
    PreparedStatement ps = c.prepareStatement(DELETE);
    advance(c, Phase.DUAL_WRITE);
    ps.setString(1, "x");
    assertThatThrownBy(ps::executeUpdate).isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("0A000"));
    assertThat(c.passthroughCount()).isZero();
  }

  @Test
  void statement_refusedRewrite_passthroughSendsAndCounts() throws SQLException {
    ProxyConnection c = connect(true, "");
    advance(c, Phase.DUAL_WRITE);
    try (PreparedStatement ps = c.prepareStatement(DELETE)) {
      ps.setString(1, "nobody");
      assertThat(ps.executeUpdate()).isZero();
      assertThat(ps.executeUpdate()).isZero();
    }
    // Counted once per statement text handed to the driver (here: one prepare), not per execution.
    assertThat(c.passthroughCount()).isEqualTo(1);
    try (PreparedStatement ps = c.prepareStatement(DELETE)) {
      assertThat(c.passthroughCount()).isEqualTo(2);
    }
  }

  @Test
  void prepare_afterSetSearchPath_resolvesTablesInNewPath() throws SQLException {
    try (Connection admin = db.plainConnection(); Statement st = admin.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS other CASCADE");
      st.execute("CREATE SCHEMA other");
      st.execute("CREATE TABLE other.people (id int PRIMARY KEY, full_name text)");
    }
    ProxyConnection c = connect(false, "");
    advance(c, Phase.DUAL_WRITE);
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      assertThat(ps.toString()).contains("display_name"); // public.people has the new column
    }
    try (Statement st = c.createStatement()) {
      st.execute("SET search_path = other, public");
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      // other.people has no display_name: the (fake) rewriter, seeing that table, leaves it alone.
      assertThat(ps.toString()).doesNotContain("display_name");
      ps.setInt(1, 1);
      ps.setString(2, "in other");
      ps.executeUpdate();
    }
    assertThat(rows()).isEmpty();
  }

  @Test
  void rewriteSql_hotPath_returnsTheApplicationsString() throws SQLException {
    ProxyConnection c = connect(false, "");
    String untouched = new String("SELECT 1 FROM other_table");
    assertThat(c.rewriteSql(untouched)).isSameAs(untouched);
    try (Statement st = c.createStatement()) {
      st.execute("DELETE FROM cutover.migrations");
    }
    c.refreshMigrations();
    assertThat(c.currentSnapshot().isEmpty()).isTrue();
    String touching = new String(INSERT);
    assertThat(c.rewriteSql(touching)).isSameAs(touching);
  }

  @Test
  void nameUsage_oldNameUsed_reportedAtHeartbeat() throws SQLException {
    ProxyConnection c = connect(false, "");
    advance(c, Phase.DUAL_WRITE);
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setInt(1, 1);
      ps.setString(2, "a");
      ps.executeUpdate();
    }
    c.refreshMigrations();
    try (Connection admin = db.plainConnection(); Statement st = admin.createStatement();
        ResultSet rs = st.executeQuery("SELECT migration_id, old_used_at IS NOT NULL, new_used_at IS NULL"
            + " FROM cutover.name_usage WHERE instance LIKE 'reprepare-test-%'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("people-display-name");
      assertThat(rs.getBoolean(2)).isTrue();
      assertThat(rs.getBoolean(3)).isTrue();
    }
  }

  /**
   * The column a rewrite names disappears and the phase moves back before this instance hears of it
   * (no NOTIFY, 60 s polling): in autocommit the statement fails with 42703 once, the driver loads
   * the new phase and runs it again, rewritten for that phase. (The real case: an in-place type
   * change renames its column into place at completed.)
   */
  @Test
  void execute_columnGoneBeforeSnapshotArrives_retriesOnceUnderNewPhase() throws SQLException {
    ProxyConnection c = connect(false, "");
    advance(c, Phase.DUAL_WRITE);
    try (PreparedStatement ps = c.prepareStatement(INSERT); Statement st = c.createStatement()) {
      ps.setInt(1, 1);
      ps.setString(2, "Ada");
      ps.executeUpdate();
      ps.setInt(1, 2);
      ps.setString(2, "Bob");
      c.refreshMigrations(); // the next reload (every heartbeat, 5 s) is well after the statement
      dropNewColumnBehindDriversBack();
      assertThat(ps.executeUpdate()).isEqualTo(1);
      assertThat(ps.toString()).doesNotContain("display_name");
    }
    assertThat(names()).containsExactly("1:Ada", "2:Bob");

    ProxyConnection plain = connect(false, "");
    advance(plain, Phase.PLANNED);
    try (Connection admin = db.plainConnection(); Statement st = admin.createStatement()) {
      st.execute("ALTER TABLE people ADD COLUMN display_name text");
    }
    advance(plain, Phase.DUAL_WRITE);
    try (Statement st = plain.createStatement()) {
      plain.refreshMigrations();
      dropNewColumnBehindDriversBack();
      assertThat(st.executeUpdate(PLAIN_INSERT)).isEqualTo(1);
    }
    assertThat(names()).containsExactly("1:Ada", "2:Bob", "9:Zed");
  }

  /** Inside a transaction the failure aborted it: no retry, the application sees the error. */
  @Test
  void execute_columnGoneInsideTransaction_failsWithoutRetry() throws SQLException {
    ProxyConnection c = connect(false, "");
    advance(c, Phase.DUAL_WRITE);
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setInt(1, 1);
      ps.setString(2, "Ada");
      c.refreshMigrations(); // the next reload (every heartbeat, 5 s) is well after the statement
      dropNewColumnBehindDriversBack();
      assertThatThrownBy(ps::executeUpdate).isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("42703");
      c.rollback();
    }
    assertThat(names()).isEmpty();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<String> names() throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, full_name FROM people ORDER BY id")) {
      while (rs.next()) {
        rows.add(rs.getInt(1) + ":" + rs.getString(2));
      }
    }
    return rows;
  }

  private static void dropNewColumnBehindDriversBack() throws SQLException {
    try (Connection admin = db.plainConnection(); Statement st = admin.createStatement()) {
      st.execute("ALTER TABLE people DROP COLUMN display_name");
      MigrationRows.setPhase(admin, "cutover", "people-display-name", Phase.PLANNED);
    }
  }
}
