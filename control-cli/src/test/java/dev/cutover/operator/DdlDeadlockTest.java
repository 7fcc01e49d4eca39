package dev.cutover.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A deadlock between Cutover's DDL and an application transaction: the DDL's session must give up
 * (and retry), never the application's. Regression: with {@code --lock-timeout 1s} equal to
 * PostgreSQL's default {@code deadlock_timeout}, the application's transaction, which started
 * waiting first, ran the deadlock detector first and was cancelled (40P01).
 */
class DdlDeadlockTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void applicationWaitingOnTheDdl_isNeverTheDeadlockVictim() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("SHOW deadlock_timeout");
      st.execute("CREATE TABLE orders (id int PRIMARY KEY, amount int)");
      st.execute("CREATE TABLE stock (id int PRIMARY KEY, qty int)");
      st.execute("INSERT INTO orders VALUES (1, 10)");
      st.execute("INSERT INTO stock VALUES (1, 5)");
    }
    StringWriter log = new StringWriter();
    DdlRunner ddl = new DdlRunner(Duration.ofSeconds(1), Duration.ofSeconds(20), new PrintWriter(log, true));
    CountDownLatch appHoldsRow = new CountDownLatch(1);
    CountDownLatch ddlHoldsStock = new CountDownLatch(1);
    int[] appPid = new int[1];
    // The application: holds a row lock on orders, then needs stock, which the DDL holds.
    CompletableFuture<Void> app = CompletableFuture.runAsync(() -> {
      try (Connection a = db.plainConnection(); Statement st = a.createStatement()) {
        try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
          rs.next();
          appPid[0] = rs.getInt(1);
        }
        a.setAutoCommit(false);
        st.executeUpdate("UPDATE orders SET amount = amount + 1 WHERE id = 1");
        appHoldsRow.countDown();
        ddlHoldsStock.await();
        st.executeUpdate("UPDATE stock SET qty = qty - 1 WHERE id = 1");
        a.commit();
      } catch (SQLException | InterruptedException e) {
        throw new RuntimeException(e);
      }
    });
    appHoldsRow.await();
    int[] attempts = new int[1];
    try (Connection c = db.plainConnection()) {
      // The DDL: takes stock first, then (once the application waits for it) needs orders.
      ddl.inTransaction(c, tx -> {
        if (attempts[0]++ == 0) {
          ddlHoldsStock.countDown();
          awaitLockWait(tx, appPid[0]);
        }
        try (Statement st = tx.createStatement()) {
          st.execute("ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text");
        }
      }, "ALTER TABLE stock ADD COLUMN IF NOT EXISTS note text");
    }
    app.get(30, TimeUnit.SECONDS); // the application's transaction committed: no 40P01 there
    assertThat(attempts[0]).as("the DDL gave way and ran again").isGreaterThanOrEqualTo(2);
    assertThat(log.toString()).contains("lowered to 500ms");
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (SELECT amount FROM orders), (SELECT qty FROM stock)")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(11);
      assertThat(rs.getInt(2)).isEqualTo(4);
    }
  }

  private static void awaitLockWait(Connection c, int pid) throws SQLException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = ?")) {
      ps.setInt(1, pid);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getBoolean(1)) {
            return;
          }
        }
        DdlRunner.sleepMillis(10);
      }
    }
    throw new AssertionError("the application never waited for the DDL's lock");
  }
}
