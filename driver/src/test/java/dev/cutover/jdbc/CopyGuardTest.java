package dev.cutover.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.CutoverConnection;
import dev.cutover.control.ControlSchema;
import dev.cutover.migration.Phase;
import dev.cutover.testing.MigrationRows;
import dev.cutover.testing.TestDatabase;
import java.io.StringReader;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * COPY through {@code unwrap(PGConnection.class).getCopyAPI()} cannot write both columns of a
 * migrating pair, so it is refused on a migrating column rather than filling only one; on other
 * tables it runs as with pgjdbc alone.
 */
class CopyGuardTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @BeforeAll
  static void setUp() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      dev.cutover.control.install.ControlSchemaInstaller.install(c, "cutover");
      st.execute("CREATE TABLE people (id int PRIMARY KEY, full_name text, display_name text)");
      st.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)");
      MigrationRows.insertRename(c, "cutover", "people-display-name", "people", "full_name", "display_name",
          Phase.DUAL_WRITE);
    }
  }

  @Test
  void copyIn_migratingColumnInDualWrite_refusedWith0A000AndNothingWritten() throws Exception {
    try (Connection app = DriverManager.getConnection(db.cutoverUrl(), db.properties())) {
      app.unwrap(CutoverConnection.class).refreshMigrations();
      CopyManager copy = app.unwrap(PGConnection.class).getCopyAPI();
      assertThatThrownBy(() -> copy.copyIn("COPY people (id, full_name) FROM STDIN WITH (FORMAT csv)",
          new StringReader("1,Ann\n")))
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"))
          .hasMessageContaining("people-display-name");
      assertThatThrownBy(() -> copy.copyOut("COPY people TO STDOUT", new StringWriter()))
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"));
    }
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM people")) {
      rs.next();
      assertThat(rs.getLong(1)).isZero();
    }
  }

  @Test
  void copy_otherTable_runsAndEscapeHatchReachesRawConnection() throws Exception {
    try (Connection app = DriverManager.getConnection(db.cutoverUrl(), db.properties())) {
      app.unwrap(CutoverConnection.class).refreshMigrations();
      PGConnection pg = app.unwrap(PGConnection.class);
      assertThat(app.isWrapperFor(PGConnection.class)).isTrue();
      long rows = pg.getCopyAPI().copyIn("COPY notes (id, body) FROM STDIN WITH (FORMAT csv)", new StringReader("1,a\n2,b\n"));
      assertThat(rows).isEqualTo(2);
      StringWriter out = new StringWriter();
      pg.getCopyAPI().copyOut("COPY (SELECT body FROM notes ORDER BY id) TO STDOUT", out);
      assertThat(out.toString()).isEqualTo("a\nb\n");
      // Other extensions reach pgjdbc unchanged.
      assertThat(pg.escapeIdentifier("Mixed Case")).isEqualTo("\"Mixed Case\"");
      assertThat(pg.getBackendPID()).isPositive();
      // pgjdbc's concrete classes: the raw connection, the documented escape hatch.
      assertThat(app.unwrap(BaseConnection.class).getClass().getName()).startsWith("org.postgresql.");
    }
  }
}
