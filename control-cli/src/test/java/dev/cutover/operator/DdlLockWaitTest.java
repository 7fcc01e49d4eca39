package dev.cutover.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A DDL that waits behind an application's transaction: each retry's message, and the final
 * refusal, name the session that blocked it (pid, application name, state, how long its transaction
 * has been open, its query), so the operator knows whom to wait for or end.
 */
class DdlLockWaitTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void lockTimeoutRetries_nameTheBlockingSession() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int)");
      st.execute("INSERT INTO accounts VALUES (1, 10)");
    }
    StringWriter log = new StringWriter();
    DdlRunner ddl = new DdlRunner(Duration.ofMillis(300), Duration.ofSeconds(2), new PrintWriter(log, true),
        db::plainConnection);
    try (Connection blocker = db.plainConnection(); Statement st = blocker.createStatement();
        Connection c = db.plainConnection()) {
      st.execute("SET application_name = 'ledger-app'");
      int pid;
      try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        pid = rs.getInt(1);
      }
      blocker.setAutoCommit(false);
      st.executeQuery("SELECT balance FROM accounts WHERE id = 1 /* blocker */").close();

      assertThatThrownBy(() -> ddl.inTransaction(c, "ALTER TABLE accounts ADD COLUMN note text"))
          .isInstanceOf(OperatorException.class)
          .hasMessageContaining("blocked by pid " + pid + " (application 'ledger-app', idle in transaction,")
          .hasMessageContaining("SELECT balance FROM accounts WHERE id = 1 /* blocker */");
      assertThat(log.toString())
          .contains("lock not available (attempt 1), blocked by pid " + pid + " (application 'ledger-app', idle in"
              + " transaction, transaction ")
          .contains("old): SELECT balance FROM accounts WHERE id = 1 /* blocker */, retrying in");
      blocker.rollback();
    }
    // Once the blocker is gone the same DDL runs, and says nothing about blockers.
    StringWriter quiet = new StringWriter();
    DdlRunner again = new DdlRunner(Duration.ofMillis(300), Duration.ofSeconds(2), new PrintWriter(quiet, true),
        db::plainConnection);
    try (Connection c = db.plainConnection()) {
      again.inTransaction(c, "ALTER TABLE accounts ADD COLUMN note text");
    }
    assertThat(quiet.toString()).doesNotContain("blocked by");
  }
}
