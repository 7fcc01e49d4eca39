package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * {@code cutover demo}, the README's first command, end to end. Also the regression test of a hang:
 * the refill before {@code rollback --to read_new} chased the workers' new-only updates forever
 * (the demo stalled there in two runs out of three).
 */
class DemoCommandTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void demo_walksForwardBackAndForward_withNoFailedStatement() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CutoverCommand.commandLine()
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute("demo", "--url", db.plainUrl(), "--user", db.user(), "--database", db.name() + "_demo");
    assertThat(code).as("out:\n%s\nerr:\n%s", out, err).isZero();
    assertThat(out.toString())
        .contains("planned -> dual_write", "dual_write -> read_new", "read_new -> new_only",
            "new_only -> read_new", "read_new -> dual_write", "dual_write -> planned", "new_only -> completed")
        .containsPattern("== done: [0-9,]+ statements through Cutover, 0 failed ==")
        .contains("id: cutover-demo-display-name", "rename:")
        // What the application wrote and what PostgreSQL received, at read_new (a v1 statement).
        .contains("app:  SELECT full_name FROM cutover_demo.users WHERE id = ?")
        .containsPattern("sent: SELECT \"?display_name\"? AS \"?full_name\"? FROM cutover_demo.users WHERE id = [$]1");
    // Its own database is gone afterwards, the test's database untouched.
    assertThat(databases()).doesNotContain(db.name() + "_demo").contains(db.name());
  }

  @Test
  void demo_databaseItDidNotCreate_refusedWithNothingChanged() throws Exception {
    String other = db.name() + "_mine";
    try (Connection c = DriverManager.getConnection(db.plainUrl(), db.user(), db.password());
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + other);
    }
    try {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = CutoverCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
          .execute("demo", "--url", db.plainUrl(), "--user", db.user(), "--database", other);
      assertThat(code).isEqualTo(2);
      assertThat(err.toString()).contains("exists and was not created by the demo", "nothing was changed");
      assertThat(databases()).contains(other);
    } finally {
      try (Connection c = DriverManager.getConnection(db.plainUrl(), db.user(), db.password());
          Statement st = c.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS " + other);
      }
    }
  }

  @Test
  void withDatabase_replacesOnlyTheDatabase() {
    assertThat(DemoCommand.withDatabase("jdbc:postgresql://h:5432/postgres?ssl=false", "cutover_demo"))
        .isEqualTo("jdbc:postgresql://h:5432/cutover_demo?ssl=false");
    assertThat(DemoCommand.withDatabase("jdbc:postgresql://h1,h2:6432/app", "d")).isEqualTo("jdbc:postgresql://h1,h2:6432/d");
    assertThat(DemoCommand.withDatabase("jdbc:postgresql://h", "d")).isEqualTo("jdbc:postgresql://h/d");
    assertThat(DemoCommand.withDatabase("jdbc:postgresql:app?x=1", "d")).isEqualTo("jdbc:postgresql:d?x=1");
  }

  private static java.util.List<String> databases() throws Exception {
    java.util.List<String> names = new java.util.ArrayList<>();
    try (Connection c = DriverManager.getConnection(db.plainUrl(), db.user(), db.password());
        Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT datname FROM pg_database")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }
}
