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
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A live rename from {@code planned} to {@code completed} of tables whose rows the backfill,
 * verify and refill cannot walk by a one-column primary key: a composite primary key, a unique
 * {@code NOT NULL} key only, and no key at all ({@code ctid}). Writers update their own rows through
 * the old and the new name and insert new rows, keeping a ledger of what they committed; at the end
 * every row holds what was last committed, and no statement failed. Before, the backfill refused
 * these tables ("supports single-column primary keys only") and the migration was stuck in
 * {@code dual_write}.
 */
class EveryTableShapeTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  private static final int ROWS = 3000;
  private static final int WRITERS = 3;

  @ParameterizedTest
  @ValueSource(strings = {"composite", "unique", "keyless"})
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void rename_fromPlannedToCompleted_underWrites_everyRowAsLastCommitted(String shape) throws Exception {
    String table = "t_" + shape;
    String ddl = switch (shape) {
      case "composite" -> "CREATE TABLE " + table + " (tenant int, id int, name text, PRIMARY KEY (tenant, id))";
      case "unique" -> "CREATE TABLE " + table + " (tenant int, id int NOT NULL UNIQUE, name text)";
      default -> "CREATE TABLE " + table + " (tenant int, id int, name text)";
    };
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute(ddl);
      st.execute("INSERT INTO " + table + " SELECT g % 3, g, 'seed ' || g FROM generate_series(1, " + ROWS + ") g");
    }
    String id = "m-" + shape;
    Path file = dir.resolve(id + ".yaml");
    Files.writeString(file, "id: " + id + "\ntable: " + table + "\nrename:\n  from: name\n  to: label\n");
    RenameDifferentialTest.cli(db, "init");
    RenameDifferentialTest.cli(db, "plan", file.toString());

    Map<Integer, String> seed = new HashMap<>();
    for (int i = 1; i <= ROWS; i++) {
      seed.put(i, "seed " + i);
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.cutoverUrl() + "?cutover.refreshMillis=100&cutover.instance=app-" + shape + "&cutover.readTouch=true");
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(WRITERS + 1);
    config.setExceptionOverrideClassName("dev.cutover.HikariRefusalOverride");
    AtomicInteger nextId = new AtomicInteger(ROWS);
    WriterLedger<String> writers = new WriterLedger<>(seed);
    try (HikariDataSource app = new HikariDataSource(config)) {
      for (int w = 0; w < WRITERS; w++) {
        int slice = w;
        writers.writer("writer-" + w, n -> {
          // Own rows only (id % WRITERS == slice): the ledger's last value per row is then exact.
          int row = 1 + slice + WRITERS * ThreadLocalRandom.current().nextInt(ROWS / WRITERS);
          String name = (n % 2 == 0) ? "name" : "label";
          String value = "w" + slice + " " + n;
          try (Connection c = app.getConnection();
              PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET " + name + " = ? WHERE id = ?")) {
            ps.setString(1, value);
            ps.setInt(2, row);
            assertThat(ps.executeUpdate()).isEqualTo(1);
            writers.committed(row, value);
          }
        });
      }
      writers.writer("inserter", n -> {
        int row = nextId.incrementAndGet();
        String name = (n % 2 == 0) ? "name" : "label";
        try (Connection c = app.getConnection();
            PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (tenant, id, " + name
                + ") VALUES (?, ?, ?)")) {
          ps.setInt(1, row % 3);
          ps.setInt(2, row);
          ps.setString(3, "inserted " + row);
          ps.executeUpdate();
          writers.committed(row, "inserted " + row);
        }
        Thread.sleep(2);
      });
      writers.start();
      try {
        Thread.sleep(300);
        RenameDifferentialTest.cli(db, "advance", id);
        RenameDifferentialTest.cli(db, "backfill", id, "--batch-size", "100");
        RenameDifferentialTest.cli(db, "verify", id);
        RenameDifferentialTest.cli(db, "advance", id);
        Thread.sleep(200);
        RenameDifferentialTest.cli(db, "advance", id);
        Thread.sleep(200);
        // Back to read_new: the refill walks the table by the same key.
        RenameDifferentialTest.cli(db, "rollback", id, "--batch-size", "100");
        RenameDifferentialTest.cli(db, "advance", id);
        RenameDifferentialTest.cli(db, "advance", id, "--force");
        Thread.sleep(300);
      } finally {
        writers.close();
      }
    }
    Map<Integer, String> actual = new HashMap<>();
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, label FROM " + table)) {
      while (rs.next()) {
        actual.put(rs.getInt(1), rs.getString(2));
      }
    }
    writers.assertEveryRowAsLastCommitted(actual, 100);
  }
}
