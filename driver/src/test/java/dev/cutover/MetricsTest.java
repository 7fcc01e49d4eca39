package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.control.ControlSchema;
import dev.cutover.migration.Phase;
import dev.cutover.testing.MigrationRows;
import dev.cutover.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import org.slf4j.simple.LogLevels;

/**
 * The driver's counters move as statements are rewritten, sent unchanged, passed through and
 * refused, and Micrometer reads them; a statement that names no migrating table counts nothing;
 * the {@code dev.cutover.rewrite} logger prints each distinct rewrite once. The counters are
 * process-wide, so every check compares with the value before.
 */
class MetricsTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeAll
  static void setUp() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      dev.cutover.control.install.ControlSchemaInstaller.install(c, "cutover");
      st.execute("CREATE TABLE users (id bigint PRIMARY KEY, full_name text, display_name text)");
      st.execute("CREATE TABLE other (id bigint PRIMARY KEY, note text)");
      MigrationRows.insertRename(c, "cutover", "users-display-name", "users", "full_name", "display_name",
          Phase.DUAL_WRITE);
    }
    CutoverMetrics.bindTo(registry);
  }

  private static Connection connect(String instance, String onUnsupported) throws SQLException {
    Properties p = db.properties();
    p.setProperty("cutover.instance", instance);
    p.setProperty("cutover.onUnsupported", onUnsupported);
    return DriverManager.getConnection(db.cutoverUrl(), p);
  }

  private static double statements(String outcome, String reason) {
    return registry.get("cutover.statements").tags("outcome", outcome, "reason", reason).functionCounter().count();
  }

  private static double cache(String result) {
    return registry.get("cutover.rewrite.cache").tag("result", result).functionCounter().count();
  }

  /** Every statement counter and the cache counters, in one array, to compare before and after. */
  private static double[] all() {
    return registry.get("cutover.statements").functionCounters().stream()
        .mapToDouble(c -> c.count()).toArray();
  }

  @Test
  void countersFollowWhatTheDriverDoes() throws SQLException {
    try (Connection app = connect("metrics-reject", "reject"); Statement st = app.createStatement()) {
      // Nothing migrates in "other": the hot path counts nothing.
      double[] before = all();
      double hits = cache("hit");
      double misses = cache("miss");
      st.execute("INSERT INTO other (id, note) VALUES (1, 'x')");
      st.execute("SELECT 1");
      assertThat(all()).containsExactly(before);
      assertThat(cache("hit")).isEqualTo(hits);
      assertThat(cache("miss")).isEqualTo(misses);

      // A write of the old name at dual_write is rewritten (it writes both columns): a miss, then a hit.
      double rewritten = statements("rewritten", "none");
      st.execute("INSERT INTO users (id, full_name) VALUES (1, 'Ada')");
      assertThat(statements("rewritten", "none")).isEqualTo(rewritten + 1);
      assertThat(cache("miss")).isEqualTo(misses + 1);
      st.executeUpdate("UPDATE users SET full_name = 'Ada L' WHERE id = 1");
      st.executeUpdate("UPDATE users SET full_name = 'Ada L' WHERE id = 1");
      assertThat(statements("rewritten", "none")).isEqualTo(rewritten + 3);
      assertThat(cache("miss")).isEqualTo(misses + 2);
      assertThat(cache("hit")).isEqualTo(hits + 1);

      // Names the table but no migrating column: looked at, sent as written.
      assertThat(app.nativeSQL("DELETE FROM users WHERE id = -1")).isEqualTo("DELETE FROM users WHERE id = -1");
      double unchanged = statements("unchanged", "none");
      st.execute("DELETE FROM users WHERE id = -1");
      assertThat(statements("unchanged", "none")).isEqualTo(unchanged + 1);

      // Sets both names of one column: refused, counted by kind, nothing written.
      double refused = statements("refused", "unsupported_statement");
      assertThatThrownBy(() -> st.execute("INSERT INTO users (id, full_name, display_name) VALUES (2, 'a', 'b')"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("0A000"));
      assertThat(statements("refused", "unsupported_statement")).isEqualTo(refused + 1);

      // The phase per migration and the lease's age.
      assertThat(registry.get("cutover.migration.phase")
          .tags("schema", "cutover", "migration", "users-display-name", "table", "public.users").gauge().value())
          .isEqualTo(Phase.DUAL_WRITE.ordinal());
      double leaseAge = registry.get("cutover.lease.age").gauge().value();
      assertThat(leaseAge).isBetween(0.0, 30.0);
      assertThat(registry.get("cutover.lazy.queue.size").gauge().value()).isGreaterThanOrEqualTo(0.0);
      assertThat(CutoverStatistics.migrations()).anySatisfy(m -> {
        assertThat(m.id()).isEqualTo("users-display-name");
        assertThat(m.phase()).isEqualTo("dual_write");
      });
    }
  }

  /** Reading the old name at dual_write is recorded as a use of the name, but the text is sent as written. */
  @Test
  void oldNameReadAtDualWrite_withoutReadTouch_isUnchanged() throws SQLException {
    Properties p = db.properties();
    p.setProperty("cutover.instance", "metrics-no-touch");
    p.setProperty("cutover.readTouch", "false");
    try (Connection app = DriverManager.getConnection(db.cutoverUrl(), p); Statement st = app.createStatement()) {
      double unchanged = statements("unchanged", "none");
      double rewritten = statements("rewritten", "none");
      st.execute("SELECT full_name FROM users WHERE id = -1");
      assertThat(statements("unchanged", "none")).isEqualTo(unchanged + 1);
      assertThat(statements("rewritten", "none")).isEqualTo(rewritten);
    }
  }

  @Test
  void passthroughIsCountedApart() throws SQLException {
    try (Connection app = connect("metrics-passthrough", "passthrough"); Statement st = app.createStatement()) {
      double passed = statements("passed_through", "unsupported_statement");
      double refused = statements("refused", "unsupported_statement");
      st.execute("INSERT INTO users (id, full_name, display_name) VALUES (3, 'c', 'c')");
      assertThat(statements("passed_through", "unsupported_statement")).isEqualTo(passed + 1);
      assertThat(statements("refused", "unsupported_statement")).isEqualTo(refused);
      assertThat(CutoverStatistics.passedThrough()).isEqualTo((long) passed + 1);
    }
  }

  @Test
  void debugLoggerPrintsEachDistinctRewriteOnce() throws SQLException {
    Runnable restore = LogLevels.debug(LoggerFactory.getLogger("dev.cutover.rewrite"));
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (Connection app = connect("metrics-log", "reject"); Statement st = app.createStatement()) {
      for (int i = 0; i < 3; i++) {
        st.executeUpdate("UPDATE users SET full_name = 'logged' WHERE id = 42");
        st.execute("SELECT 1 FROM other WHERE note = 'not logged'");
        try {
          st.execute("INSERT INTO users (id, full_name, display_name) VALUES (43, 'x', 'y')");
        } catch (SQLException expected) {
          // refused each time; logged once
        }
      }
    } finally {
      System.setErr(err);
      restore.run();
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    System.out.print(log); // the sample in docs/observability.md comes from here
    String sent = "sent by the application: UPDATE users SET full_name = 'logged' WHERE id = 42";
    assertThat(log.split(java.util.regex.Pattern.quote(sent), -1)).hasSize(2);
    assertThat(log).contains("sent to PostgreSQL:").contains("display_name");
    assertThat(log.split(java.util.regex.Pattern.quote("refuses a statement"), -1)).hasSize(2);
    assertThat(log).contains("sets both").doesNotContain("not logged");
  }
}
