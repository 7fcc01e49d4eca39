package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.CutoverConnection;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import dev.cutover.testing.TestDatabase;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A type change advanced from read_new to new_only while two application instances run: between
 * the phase change and the last instance applying it, an instance already in new_only writes the
 * new column alone, and one still in read_new reads conditions on the old name from the old column
 * (for its index). A row the first one has committed must be found by the second.
 *
 * <p>It failed in every run (the instance still in read_new missed the row) until the advance marked
 * the old column stale, at an epoch of its own that every instance acknowledges, before recording
 * new_only.
 */
class NewOnlyAdvanceWindowTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  /** An application instance that hears of phase changes by polling, every two seconds. */
  private static Connection instance(String name) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", db.user());
    p.setProperty("password", db.password());
    return DriverManager.getConnection(db.cutoverUrl()
        + "?cutover.notifications=poll&cutover.refreshMillis=2000&cutover.instance=" + name, p);
  }

  private static ColumnMigration applied(Connection app) throws SQLException {
    return app.unwrap(CutoverConnection.class).currentSnapshot().migrations().stream()
        .filter(m -> m.table().equals("pay")).findFirst().orElseThrow();
  }

  @Test
  void conditionsOnTheOldName_findRowsAnInstanceInNewOnlyWrote_whileAnotherIsStillInReadNew() throws Exception {
    Cli cli = new Cli(db);
    cli.sql("CREATE TABLE pay (id int PRIMARY KEY, amount numeric(10,2))", "CREATE INDEX ON pay (amount)",
        "INSERT INTO pay SELECT g, g * 0.25 FROM generate_series(1, 100) g");
    cli.ok("init");
    Path f = dir.resolve("pay.yaml");
    Files.writeString(f, "id: pay\ntable: pay\nchangeType:\n  column: amount\n  to: amount_cents\n"
        + "  type: bigint\n  up: \"(amount * 100)::bigint\"\n  down: \"amount_cents / 100.0\"\n");
    cli.ok("plan", f.toString());
    cli.ok("advance", "pay");
    cli.ok("backfill", "pay");
    cli.ok("verify", "pay");
    cli.ok("advance", "pay", "--to", "read_new");
    try (Connection writer = instance("writer"); Connection reader = instance("reader");
        Connection plain = db.plainConnection()) {
      reader.unwrap(CutoverConnection.class).refreshMigrations();
      assertThat(applied(reader).phase()).isEqualTo(Phase.READ_NEW);
      AtomicReference<Phase> writerPhase = new AtomicReference<>();
      AtomicReference<Phase> readerPhase = new AtomicReference<>();
      AtomicReference<List<Integer>> seen = new AtomicReference<>();
      AtomicReference<List<Integer>> truth = new AtomicReference<>();
      Cli.Run run = cli.runWatching(line -> {
        if (!line.contains("read_new -> new_only") || seen.get() != null) {
          return;
        }
        try {
          // One instance hears of new_only first, and writes a payment: to the new column alone.
          writer.unwrap(CutoverConnection.class).refreshMigrations();
          writerPhase.set(applied(writer).phase());
          try (PreparedStatement ps = writer.prepareStatement("INSERT INTO pay (id, amount) VALUES (?, ?)")) {
            ps.setInt(1, 1001);
            ps.setBigDecimal(2, new BigDecimal("13.35"));
            ps.executeUpdate();
          }
          readerPhase.set(applied(reader).phase());
          seen.set(Cli.ids(reader, "SELECT id FROM pay WHERE amount >= ? ORDER BY id", new BigDecimal("13.35")));
          truth.set(Cli.ids(plain, "SELECT id FROM pay WHERE amount_cents >= 1335 ORDER BY id", null));
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      }, "advance", "pay", "--to", "new_only");
      assertThat(run.exit()).as(run.all()).isEqualTo(0);
      assertThat(writerPhase.get()).isEqualTo(Phase.NEW_ONLY);
      assertThat(readerPhase.get()).as("the reader had not applied new_only yet").isEqualTo(Phase.READ_NEW);
      assertThat(truth.get()).contains(1001);
      assertThat(seen.get()).as("rows the new column matches, read by the instance still in read_new")
          .isEqualTo(truth.get());
    }
  }
}
