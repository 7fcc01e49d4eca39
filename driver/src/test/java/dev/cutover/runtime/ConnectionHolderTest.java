package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The lazy migration's own connection: reused, replaced when it broke, closed when idle or closed. */
class ConnectionHolderTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private final AtomicInteger opened = new AtomicInteger();

  private ConnectionHolder holder(long idleCloseNanos) {
    return new ConnectionHolder(() -> {
      opened.incrementAndGet();
      return db.plainConnection();
    }, idleCloseNanos);
  }

  private static int pid(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      int pid = rs.getInt(1);
      c.rollback();
      return pid;
    }
  }

  private static void terminate(int pid) throws SQLException {
    try (Connection admin = db.plainConnection(); Statement st = admin.createStatement()) {
      st.execute("SELECT pg_terminate_backend(" + pid + ")");
    }
  }

  @Test
  void acquire_again_reusesTheConnectionInManualCommit() throws Exception {
    try (ConnectionHolder holder = holder(ConnectionHolder.IDLE_CLOSE_NANOS)) {
      Connection c = holder.acquire();
      assertThat(c.getAutoCommit()).isFalse();
      int pid = pid(c);
      holder.release();
      Thread.sleep(ConnectionHolder.VALIDATE_AFTER_NANOS / 1_000_000 + 100); // reuse after a check
      Connection again = holder.acquire();
      assertThat(again).isSameAs(c);
      assertThat(pid(again)).isEqualTo(pid);
      holder.release();
      assertThat(opened.get()).isEqualTo(1);
    }
  }

  @Test
  void failed_terminatedBackend_nextAcquireOpensANewConnection() throws Exception {
    try (ConnectionHolder holder = holder(ConnectionHolder.IDLE_CLOSE_NANOS)) {
      Connection c = holder.acquire();
      int pid = pid(c);
      terminate(pid);
      assertThatThrownBy(() -> pid(c)).isInstanceOf(SQLException.class);
      holder.failed();
      holder.release();
      assertThat(holder.isOpen()).isFalse();
      Connection fresh = holder.acquire();
      assertThat(fresh).isNotSameAs(c);
      assertThat(pid(fresh)).isNotEqualTo(pid);
      assertThat(opened.get()).isEqualTo(2);
    }
  }

  @Test
  void acquire_backendTerminatedWhileUnused_isCheckedAndReplaced() throws Exception {
    try (ConnectionHolder holder = holder(ConnectionHolder.IDLE_CLOSE_NANOS)) {
      Connection c = holder.acquire();
      int pid = pid(c);
      holder.release();
      terminate(pid);
      Thread.sleep(ConnectionHolder.VALIDATE_AFTER_NANOS / 1_000_000 + 100);
      Connection fresh = holder.acquire();
      assertThat(fresh).isNotSameAs(c);
      assertThat(c.isClosed()).isTrue();
      assertThat(pid(fresh)).isNotEqualTo(pid);
    }
  }

  @Test
  void closeIfIdle_unusedLongEnough_closesAndReopensOnNextAcquire() throws Exception {
    try (ConnectionHolder holder = holder(200_000_000L)) {
      Connection c = holder.acquire();
      holder.release();
      holder.closeIfIdle();
      assertThat(holder.isOpen()).as("used just now").isTrue();
      Thread.sleep(300);
      holder.closeIfIdle();
      assertThat(holder.isOpen()).isFalse();
      assertThat(c.isClosed()).isTrue();
      assertThat(holder.acquire().isClosed()).isFalse();
      assertThat(opened.get()).isEqualTo(2);
    }
  }

  @Test
  void close_closesTheConnectionAndRefusesLaterAcquisitions() throws Exception {
    ConnectionHolder holder = holder(ConnectionHolder.IDLE_CLOSE_NANOS);
    Connection c = holder.acquire();
    holder.close();
    assertThat(c.isClosed()).isTrue();
    assertThatThrownBy(holder::acquire).isInstanceOf(SQLException.class).hasMessageContaining("closed");
    assertThat(opened.get()).isEqualTo(1);
  }
}
