package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.control.ControlSchema;
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
import org.postgresql.PGConnection;

/**
 * HikariCP evicts a connection on SQLState 0A000; Cutover's refusals carry 0A000 but leave the
 * connection and its transaction intact, which {@link HikariRefusalOverride} tells the pool.
 */
class HikariRefusalOverrideTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private static final String REFUSED = "TRUNCATE people"; // DDL on a migrating table: refused

  @BeforeAll
  static void setUp() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      dev.cutover.control.install.ControlSchemaInstaller.install(c, "cutover");
      st.execute("CREATE TABLE people (id int PRIMARY KEY, full_name text, display_name text)");
      MigrationRows.insertRename(c, "cutover", "people-display-name", "people", "full_name", "display_name",
          Phase.DUAL_WRITE);
    }
  }

  private static HikariDataSource pool(boolean override) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.cutoverUrl());
    config.setDataSourceProperties(db.properties());
    config.setMaximumPoolSize(1);
    if (override) {
      config.setExceptionOverrideClassName(HikariRefusalOverride.class.getName());
    }
    return new HikariDataSource(config);
  }

  /** The backend of the pool's one connection before and after a refused statement inside a transaction. */
  private static int[] pidsAroundRefusal(HikariDataSource pool) throws SQLException {
    int before = -1;
    try (Connection c = pool.getConnection()) {
      c.unwrap(CutoverConnection.class).refreshMigrations();
      before = c.unwrap(PGConnection.class).getBackendPID();
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("INSERT INTO people (id, full_name) VALUES (" + before + ", 'kept')");
        assertThatThrownBy(() -> st.execute(REFUSED))
            .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"));
      }
      if (!c.isClosed()) {
        c.commit();
      }
    } catch (SQLException e) {
      // without the override the pool closed the connection under the transaction
    }
    try (Connection c = pool.getConnection()) {
      return new int[] {before, c.unwrap(PGConnection.class).getBackendPID()};
    }
  }

  private static long committed(int id) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM people WHERE id = " + id + " AND display_name = 'kept'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void refusal_withOverride_keepsConnectionAndTransaction() throws SQLException {
    try (HikariDataSource pool = pool(true)) {
      int[] pids = pidsAroundRefusal(pool);
      assertThat(pids[1]).isEqualTo(pids[0]);
      assertThat(committed(pids[0])).isEqualTo(1);
    }
  }

  @Test
  void refusal_withoutOverride_hikariEvictsTheConnection() throws SQLException {
    // What the override is for: HikariCP's own rule closes the physical connection.
    try (HikariDataSource pool = pool(false)) {
      int[] pids = pidsAroundRefusal(pool);
      assertThat(pids[1]).isNotEqualTo(pids[0]);
      assertThat(committed(pids[0])).isZero();
    }
  }

  @Test
  void adjudicate_onlyCutoverNonConnectionErrorsKept() {
    HikariRefusalOverride o = new HikariRefusalOverride();
    assertThat(o.adjudicate(new CutoverSQLException("refused", CutoverSqlState.FEATURE_NOT_SUPPORTED)))
        .isEqualTo(com.zaxxer.hikari.SQLExceptionOverride.Override.DO_NOT_EVICT);
    assertThat(o.adjudicate(new CutoverSQLException("no", CutoverSqlState.CONNECTION_UNABLE_TO_CONNECT)))
        .isEqualTo(com.zaxxer.hikari.SQLExceptionOverride.Override.CONTINUE_EVICT);
    assertThat(o.adjudicate(new SQLException("server", "0A000")))
        .isEqualTo(com.zaxxer.hikari.SQLExceptionOverride.Override.CONTINUE_EVICT);
  }
}
