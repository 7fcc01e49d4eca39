package dev.cutover.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.CutoverConnection;
import dev.cutover.testing.TestDatabase;
import java.io.StringReader;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGResultSetMetaData;
import org.postgresql.PGStatement;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/** An application behind Cutover (and HikariCP, as users run it) sees what pgjdbc alone shows. */
class FidelityTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private static HikariDataSource pool;
  private static HikariDataSource batchRewritePool;

  @BeforeAll
  static void setUp() throws SQLException {
    pool = pool("");
    batchRewritePool = pool("?reWriteBatchedInserts=true");
  }

  private static HikariDataSource pool(String params) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.cutoverUrl() + params);
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(2);
    return new HikariDataSource(config);
  }

  @AfterAll
  static void tearDown() {
    pool.close();
    batchRewritePool.close();
  }

  @BeforeEach
  void createTable() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS items");
      st.execute("CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL, qty int)");
    }
  }

  private static List<String> names(Connection c) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT name FROM items ORDER BY id")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  @Test
  void unwrap_reachesPgjdbcObjects() throws SQLException {
    try (Connection c = pool.getConnection()) {
      assertThat(c.isWrapperFor(PGConnection.class)).isTrue();
      // PGConnection: pgjdbc's extensions with the COPY API guarded (CopyGuardTest); the concrete
      // classes reach the raw connection.
      assertThat(c.unwrap(PGConnection.class).getBackendPID()).isEqualTo(c.unwrap(BaseConnection.class).getBackendPID());
      assertThat(c.unwrap(org.postgresql.jdbc.PgConnection.class)).isInstanceOf(org.postgresql.jdbc.PgConnection.class);
      assertThat(c.isWrapperFor(BaseConnection.class)).isTrue();
      assertThat(c.unwrap(BaseConnection.class)).isNotNull();
      assertThat(c.unwrap(CutoverConnection.class)).isInstanceOf(ProxyConnection.class);
      assertThat(c.isWrapperFor(String.class)).isFalse();
      try (PreparedStatement ps = c.prepareStatement("SELECT 1")) {
        assertThat(ps.isWrapperFor(PGStatement.class)).isTrue();
        assertThat(ps.unwrap(PGStatement.class).getClass().getName()).isEqualTo("org.postgresql.jdbc.PgPreparedStatement");
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.isWrapperFor(org.postgresql.jdbc.PgResultSet.class)).isTrue();
          assertThat(rs.unwrap(org.postgresql.jdbc.PgResultSet.class)).isNotNull();
          assertThat(rs.getMetaData().unwrap(PGResultSetMetaData.class)).isNotNull();
        }
      }
    }
  }

  @Test
  void backReferences_returnCutoverObjects() throws SQLException {
    try (Connection raw = db.cutoverConnection()) {
      try (Statement st = raw.createStatement()) {
        assertThat(st.getConnection()).isSameAs(raw);
        ResultSet rs = st.executeQuery("SELECT 1");
        assertThat(rs.getStatement()).isSameAs(st);
        assertThat(st.getResultSet()).isSameAs(rs);
        assertThat(st.getMoreResults()).isFalse();
        assertThat(st.getResultSet()).isNull(); // never wraps null
      }
      try (PreparedStatement ps = raw.prepareStatement("SELECT ?::int")) {
        assertThat(ps.getConnection()).isSameAs(raw);
        ps.setInt(1, 7);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.getStatement()).isSameAs(ps);
        }
      }
      DatabaseMetaData md = raw.getMetaData();
      assertThat(md.getConnection()).isSameAs(raw);
      assertThat(md.unwrap(org.postgresql.jdbc.PgDatabaseMetaData.class)).isNotNull();
      assertThat(md.unwrap(DatabaseMetaData.class)).isSameAs(md);
      assertThat(md.isWrapperFor(DatabaseMetaData.class)).isTrue();
      assertThat(md.isWrapperFor(org.postgresql.jdbc.PgDatabaseMetaData.class)).isTrue();
      assertThat(md.isWrapperFor(Connection.class)).isFalse();
      assertThat(raw.getMetaData()).isSameAs(md).isEqualTo(md);
      assertThat(md.getDriverName()).isEqualTo("PostgreSQL JDBC Driver");
      assertThat(md.getURL()).startsWith("jdbc:postgresql:"); // pgjdbc's answer, as before
      try (ResultSet tables = md.getTables(null, null, "pg_class", null)) {
        assertThat(tables.next()).isTrue(); // metadata result sets are pgjdbc's own
        assertThat(tables.getString("TABLE_NAME")).isEqualTo("pg_class");
      }
    }
    DatabaseMetaData closed;
    try (Connection raw = db.cutoverConnection()) {
      closed = raw.getMetaData();
    }
    // pgjdbc's own exception, not an UndeclaredThrowableException from the proxy.
    assertThatThrownBy(() -> closed.getTables(null, null, "pg_class", null))
        .isInstanceOf(org.postgresql.util.PSQLException.class);
    // Through a pool, the pool's proxy stays on top, as with pgjdbc alone.
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      assertThat(st.getConnection()).isSameAs(c);
    }
  }

  @Test
  void statement_updateWithoutResult_getResultSetIsNull() throws SQLException {
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      assertThat(st.execute("INSERT INTO items (name) VALUES ('a')")).isFalse();
      assertThat(st.getResultSet()).isNull();
      assertThat(st.getUpdateCount()).isEqualTo(1);
    }
  }

  @Test
  void generatedKeys_returnGeneratedKeys() throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO items (name) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
      ps.setString(1, "a");
      assertThat(ps.executeUpdate()).isEqualTo(1);
      try (ResultSet keys = ps.getGeneratedKeys()) {
        assertThat(keys.next()).isTrue();
        assertThat(keys.getLong("id")).isEqualTo(1);
        assertThat(keys.getString("name")).isEqualTo("a");
        assertThat(keys.getStatement()).isSameAs(ps);
      }
    }
  }

  @Test
  void generatedKeys_columnNames() throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO items (name) VALUES (?)", new String[] {"id"})) {
      ps.setString(1, "a");
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        assertThat(keys.getMetaData().getColumnCount()).isEqualTo(1);
        assertThat(keys.next()).isTrue();
        assertThat(keys.getLong(1)).isEqualTo(1);
      }
    }
  }

  @Test
  void generatedKeys_columnIndexes_behaveAsPgjdbc() throws SQLException {
    String pgjdbcOutcome;
    try (Connection c = db.plainConnection()) {
      pgjdbcOutcome = outcomeOfColumnIndexes(c);
    }
    try (Connection c = pool.getConnection()) {
      assertThat(outcomeOfColumnIndexes(c)).isEqualTo(pgjdbcOutcome);
    }
  }

  /** pgjdbc does not support generated keys by column index; whatever it does, Cutover must do the same. */
  private static String outcomeOfColumnIndexes(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (name) VALUES (?)", new int[] {1})) {
      ps.setString(1, "x");
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        return "ok:" + keys.getMetaData().getColumnCount();
      }
    } catch (SQLException e) {
      return "error:" + e.getSQLState() + ":" + e.getMessage();
    }
  }

  @Test
  void generatedKeys_statementExecuteUpdate() throws SQLException {
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      st.executeUpdate("INSERT INTO items (name) VALUES ('s')", Statement.RETURN_GENERATED_KEYS);
      try (ResultSet keys = st.getGeneratedKeys()) {
        assertThat(keys.next()).isTrue();
        assertThat(keys.getLong("id")).isEqualTo(1);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void batch_preparedStatement_countsAsPgjdbc(boolean reWriteBatchedInserts) throws SQLException {
    int[] pgjdbcCounts;
    java.util.Properties p = db.properties();
    p.setProperty("reWriteBatchedInserts", Boolean.toString(reWriteBatchedInserts));
    try (Connection c = new org.postgresql.Driver().connect(db.plainUrl(), p)) {
      pgjdbcCounts = insertBatch(c);
      try (Statement st = c.createStatement()) {
        st.execute("TRUNCATE items RESTART IDENTITY");
      }
    }
    try (Connection c = (reWriteBatchedInserts ? batchRewritePool : pool).getConnection()) {
      int[] cutoverCounts = insertBatch(c);
      // The rewritten multi-row INSERT reports SUCCESS_NO_INFO: proof the parameter reached pgjdbc.
      assertThat(java.util.Arrays.stream(cutoverCounts).anyMatch(n -> n == Statement.SUCCESS_NO_INFO))
          .isEqualTo(reWriteBatchedInserts);
      assertThat(cutoverCounts).containsExactly(pgjdbcCounts);
      assertThat(names(c)).containsExactly("n0", "n1", "n2", "n3", "n4");
    }
  }

  private static int[] insertBatch(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (name, qty) VALUES (?, ?)")) {
      for (int i = 0; i < 5; i++) {
        ps.setString(1, "n" + i);
        ps.setInt(2, i);
        ps.addBatch();
      }
      int[] counts = ps.executeBatch();
      assertThat(counts).hasSize(5);
      return counts;
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void batch_statement(boolean reWriteBatchedInserts) throws SQLException {
    try (Connection c = (reWriteBatchedInserts ? batchRewritePool : pool).getConnection(); Statement st = c.createStatement()) {
      st.addBatch("INSERT INTO items (name) VALUES ('a')");
      st.addBatch("INSERT INTO items (name) VALUES ('b')");
      st.addBatch("UPDATE items SET qty = 1");
      assertThat(st.executeBatch()).containsExactly(1, 1, 2);
      assertThat(names(c)).containsExactly("a", "b");
    }
  }

  @Test
  void batch_clearBatchAndClearParameters() throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO items (name, qty) VALUES (?, ?)")) {
      ps.setString(1, "dropped");
      ps.setInt(2, 1);
      ps.addBatch();
      ps.clearBatch();
      ps.clearParameters();
      ps.setString(1, "kept");
      ps.setNull(2, Types.INTEGER);
      ps.addBatch();
      assertThat(ps.executeBatch()).containsExactly(1);
      assertThat(names(c)).containsExactly("kept");
    }
  }

  @Test
  void savepoints_rollbackToSavepoint() throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("INSERT INTO items (name) VALUES ('before')");
        Savepoint sp = c.setSavepoint("sp1");
        st.execute("INSERT INTO items (name) VALUES ('after')");
        c.rollback(sp);
        Savepoint unnamed = c.setSavepoint();
        c.releaseSavepoint(unnamed);
        c.commit();
      } finally {
        c.setAutoCommit(true);
      }
      assertThat(names(c)).containsExactly("before");
    }
  }

  @Test
  void callableStatement_callEscapeWithInAndOut() throws SQLException {
    try (Connection c = pool.getConnection()) {
      try (Statement st = c.createStatement()) {
        st.execute("CREATE OR REPLACE FUNCTION add_one(x int) RETURNS int LANGUAGE sql AS 'SELECT x + 1'");
        st.execute("CREATE OR REPLACE PROCEDURE add_item(n text) LANGUAGE sql AS $$INSERT INTO items (name) VALUES (n)$$");
      }
      try (CallableStatement cs = c.prepareCall("{? = call add_one(?)}")) {
        cs.registerOutParameter(1, Types.INTEGER);
        cs.setInt(2, 41);
        cs.execute();
        assertThat(cs.getInt(1)).isEqualTo(42);
        assertThat(cs.getConnection()).isSameAs(c);
      }
      try (CallableStatement cs = c.prepareCall("{call add_one(?)}")) {
        cs.setInt(1, 1);
        try (ResultSet rs = cs.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(2);
          assertThat(rs.getStatement()).isSameAs(cs);
        }
      }
      try (CallableStatement cs = c.prepareCall("call add_item(?)")) {
        cs.setString(1, "from procedure");
        cs.execute();
      }
      assertThat(names(c)).containsExactly("from procedure");
    }
  }

  @Test
  void copy_throughPgConnection() throws Exception {
    try (Connection c = pool.getConnection()) {
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      long rows = copy.copyIn("COPY items (name, qty) FROM STDIN WITH (FORMAT csv)", new StringReader("x,1\ny,2\n"));
      assertThat(rows).isEqualTo(2);
      assertThat(names(c)).containsExactly("x", "y");
      java.io.StringWriter out = new java.io.StringWriter();
      copy.copyOut("COPY (SELECT name FROM items ORDER BY id) TO STDOUT", out);
      assertThat(out.toString()).isEqualTo("x\ny\n");
    }
  }

  @Test
  void resultSetMetaData_labelsAndCounts() throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT id, name AS label, qty FROM items")) {
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        assertThat(md.getColumnCount()).isEqualTo(3);
        assertThat(md.getColumnLabel(2)).isEqualTo("label");
        assertThat(md.getColumnName(1)).isEqualTo("id");
        assertThat(md.getColumnType(3)).isEqualTo(Types.INTEGER);
      }
      assertThat(ps.getMetaData().getColumnLabel(2)).isEqualTo("label");
    }
  }

  @Test
  void preparedStatement_toStringShowsSqlWithValues() throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT name FROM items WHERE name = ?")) {
      ps.setString(1, "abc");
      assertThat(ps.toString()).contains("SELECT name FROM items WHERE name = ").contains("'abc'");
    }
  }

  @Test
  void preparedStatement_streamsAndNulls_bindLikePgjdbc() throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO items (name, qty) VALUES (?, ?)")) {
      ps.setCharacterStream(1, new StringReader("streamed"));
      ps.setObject(2, 5, Types.INTEGER);
      ps.executeUpdate();
      ps.setString(1, "again");
      ps.setNull(2, Types.INTEGER);
      ps.executeUpdate();
      assertThat(names(c)).containsExactly("streamed", "again");
    }
  }

  @Test
  void nativeSql_passesThroughPgjdbc() throws SQLException {
    try (Connection c = pool.getConnection()) {
      assertThat(c.nativeSQL("SELECT {fn ucase('a')}")).isEqualTo(db.plainConnection().nativeSQL("SELECT {fn ucase('a')}"));
    }
  }

  @Test
  void close_closesPgjdbcConnection() throws SQLException {
    Connection c = db.cutoverConnection();
    Connection pg = c.unwrap(BaseConnection.class);
    c.close();
    assertThat(c.isClosed()).isTrue();
    assertThat(pg.isClosed()).isTrue();
  }
}
