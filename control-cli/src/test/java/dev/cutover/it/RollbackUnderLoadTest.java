package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rolling back from {@code new_only} while the application keeps updating rows through the new
 * column alone. Regression: the refill before the phase change chased those updates forever (the
 * demo hung at {@code rollback --to read_new}); it must finish, and once back in
 * {@code dual_write} the old column must equal the new one in every row.
 */
class RollbackUnderLoadTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  private static final int WRITERS = 4;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void rollback_fromNewOnlyUnderUpdateLoad_finishesAndLeavesColumnsEqual() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE users (id int PRIMARY KEY, full_name text)");
      st.execute("INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 2000) g");
    }
    Path file = dir.resolve("m.yaml");
    Files.writeString(file, "id: m\ntable: users\nrename:\n  from: full_name\n  to: display_name\n");
    RenameDifferentialTest.cli(db, "init");
    RenameDifferentialTest.cli(db, "plan", file.toString());
    RenameDifferentialTest.cli(db, "advance", "m");
    RenameDifferentialTest.cli(db, "backfill", "m");
    RenameDifferentialTest.cli(db, "advance", "m", "--to", "new_only");

    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.cutoverUrl() + "?cutover.refreshMillis=100&cutover.instance=writer");
    config.setUsername(db.user());
    config.setMaximumPoolSize(WRITERS);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong updates = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (HikariDataSource app = new HikariDataSource(config)) {
      AtomicInteger slices = new AtomicInteger();
      Runnable write = () -> {
        // Each writer its own slice of the keys: overlapping range updates deadlock with each other
        // (a sequential scan locks in physical order) on plain PostgreSQL too, which is not what
        // this test is about (it was flaky for that reason).
        int base = slices.getAndIncrement() * (2000 / WRITERS);
        while (running.get()) {
          try (Connection c = app.getConnection();
              PreparedStatement ps = c.prepareStatement("UPDATE users SET display_name = ? WHERE id BETWEEN ? AND ?")) {
            // Many rows per statement: far more stale rows a second than a refill batch repairs.
            int id = base + 1 + ThreadLocalRandom.current().nextInt(2000 / WRITERS - 300);
            ps.setString(1, "renamed " + updates.get());
            ps.setInt(2, id);
            ps.setInt(3, id + 300);
            ps.executeUpdate();
            updates.incrementAndGet();
          } catch (SQLException e) {
            failure.compareAndSet(null, e);
          }
        }
      };
      Thread[] writers = new Thread[WRITERS];
      for (int i = 0; i < WRITERS; i++) {
        writers[i] = new Thread(write, "writer-" + i);
        writers[i].start();
      }
      Thread.sleep(300);
      try {
        RenameDifferentialTest.cli(db, "rollback", "m", "--to", "read_new", "--batch-size", "10");
        RenameDifferentialTest.cli(db, "rollback", "m", "--to", "dual_write", "--batch-size", "10");
        Thread.sleep(300);
      } finally {
        running.set(false);
        for (Thread w : writers) {
          w.join(10_000);
        }
      }
    }
    assertThat(failure.get()).isNull();
    assertThat(updates.get()).isPositive();
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM users WHERE full_name IS DISTINCT FROM display_name")) {
      rs.next();
      assertThat(rs.getLong(1)).isZero();
    }
  }
}
