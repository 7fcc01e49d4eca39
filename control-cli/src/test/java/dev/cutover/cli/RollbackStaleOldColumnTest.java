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
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A type change rolled back from new_only to read_new: rows written in new_only have an empty or
 * out-of-date old column until the rollback's second refill reaches them, and instances that have
 * not applied read_new yet keep writing such rows after its first. read_new reads the new column;
 * a condition on the old name must find exactly the rows the new column says, at every moment of
 * the rollback. (Conditions on the old name read the old column in read_new, for its index; the
 * Spring Boot example's test lost a payment it had just written from {@code WHERE amount >= ?}
 * when a request straddled the rollback.)
 */
class RollbackStaleOldColumnTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  // One table per test (the database is the class's): the test's migration id.
  private String table;

  /** What the new column says: the rows read_new must find. */
  private String truth() {
    return "SELECT id FROM " + table + " WHERE amount_cents / 100.0 >= 13.35 ORDER BY id";
  }

  /** What the application sends. */
  private String app() {
    return "SELECT id FROM " + table + " WHERE amount >= ? ORDER BY id";
  }

  private Cli toNewOnly(String id) throws Exception {
    table = id.replace('-', '_');
    Cli cli = new Cli(db);
    cli.sql("CREATE TABLE " + table + " (id int PRIMARY KEY, amount numeric(10,2))",
        "CREATE INDEX ON " + table + " (amount)",
        "INSERT INTO " + table + " SELECT g, g * 0.25 FROM generate_series(1, 100) g");
    cli.ok("init");
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(f, "id: " + id + "\ntable: " + table + "\nchangeType:\n  column: amount\n  to: amount_cents\n"
        + "  type: bigint\n  up: \"(amount * 100)::bigint\"\n  down: \"amount_cents / 100.0\"\n");
    cli.ok("plan", f.toString());
    cli.ok("advance", id);
    cli.ok("backfill", id);
    cli.ok("verify", id);
    cli.ok("advance", id, "--to", "new_only");
    return cli;
  }

  /** This test's migration as the application's driver applies it now. */
  private ColumnMigration applied(Connection app) throws SQLException {
    app.unwrap(CutoverConnection.class).refreshMigrations();
    return app.unwrap(CutoverConnection.class).currentSnapshot().migrations().stream()
        .filter(m -> m.table().equals(table)).findFirst().orElseThrow();
  }

  @Test
  void conditionsOnTheOldName_followTheNewColumn_whileTheRollbackRefillsTheOldOne() throws Exception {
    Cli cli = toNewOnly("payments-cents");
    try (Connection app = db.cutoverConnection(); Connection plain = db.plainConnection()) {
      assertThat(applied(app).phase()).isEqualTo(Phase.NEW_ONLY);
      try (PreparedStatement ps = app.prepareStatement("INSERT INTO " + table + " (id, amount) VALUES (?, ?)")) {
        ps.setInt(1, 1001);
        ps.setBigDecimal(2, new BigDecimal("13.35"));
        ps.executeUpdate();
      }
      assertThat(cli.one("SELECT amount IS NULL FROM " + table + " WHERE id = 1001")).isEqualTo("t");

      AtomicReference<List<Integer>> during = new AtomicReference<>();
      AtomicReference<List<Integer>> truthDuring = new AtomicReference<>();
      AtomicReference<ColumnMigration> appliedDuring = new AtomicReference<>();
      Cli.Run back = cli.runWatching(line -> {
        if (!line.contains("new_only -> read_new")) {
          return;
        }
        try {
          // After the rollback's first walk: an instance still in new_only inserts a row and updates
          // another, both through the new column alone.
          try (var st = plain.createStatement()) {
            st.executeUpdate("INSERT INTO " + table + " (id, amount_cents) VALUES (1002, 1335)");
            st.executeUpdate("UPDATE " + table + " SET amount_cents = 2000 WHERE id = 5");
          }
          appliedDuring.set(applied(app));
          during.set(Cli.ids(app, app(), new BigDecimal("13.35")));
          truthDuring.set(Cli.ids(plain, truth(), null));
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      }, "rollback", "payments-cents");
      assertThat(back.exit()).as(back.all()).isEqualTo(0);

      assertThat(appliedDuring.get()).as("the hook ran at read_new").isNotNull();
      assertThat(appliedDuring.get().phase()).isEqualTo(Phase.READ_NEW);
      assertThat(appliedDuring.get().oldStale()).isTrue();
      assertThat(truthDuring.get()).contains(5, 1001, 1002);
      assertThat(during.get()).as("rows the new column matches, in the middle of the rollback")
          .isEqualTo(truthDuring.get());

      // Refilled until clean, the flag is cleared at a new epoch: the old column (and its index) again.
      ColumnMigration after = applied(app);
      assertThat(after.phase()).isEqualTo(Phase.READ_NEW);
      assertThat(after.oldStale()).isFalse();
      assertThat(after.epoch()).isGreaterThan(appliedDuring.get().epoch());
      assertThat(back.out()).contains("conditions on it read it, and its indexes, again");
      assertThat(cli.one("SELECT count(*) FROM " + table + " WHERE amount IS DISTINCT FROM amount_cents / 100.0"))
          .isEqualTo("0");
      assertThat(Cli.ids(app, app(), new BigDecimal("13.35"))).isEqualTo(Cli.ids(plain, truth(), null));
    }
  }

  @Test
  void aRollbackStoppedBeforeItsRefillWasClean_isFinishedByRollbackToReadNew() throws Exception {
    Cli cli = toNewOnly("stopped-cents");
    cli.ok("rollback", "stopped-cents");
    // What a rollback that stopped right after recording read_new leaves: the flag set, stale rows.
    cli.sql("UPDATE cutover.migrations SET old_stale = true, epoch = nextval('cutover.epoch_seq')"
        + " WHERE id = 'stopped-cents'", "UPDATE " + table + " SET amount_cents = 2000 WHERE id = 5",
        "INSERT INTO " + table + " (id, amount_cents) VALUES (1002, 1335)");
    try (Connection app = db.cutoverConnection(); Connection plain = db.plainConnection()) {
      assertThat(applied(app).oldStale()).isTrue();
      assertThat(Cli.ids(app, app(), new BigDecimal("13.35"))).isEqualTo(Cli.ids(plain, truth(), null)).contains(5, 1002);
      Cli.Run status = cli.ok("status", "stopped-cents");
      assertThat(status.out()).contains("is marked stale", "cutover rollback stopped-cents --to read_new");

      Cli.Run finish = cli.ok("rollback", "stopped-cents", "--to", "read_new");
      assertThat(finish.out()).contains("conditions on it read it, and its indexes, again");
      assertThat(applied(app).oldStale()).isFalse();
      assertThat(applied(app).phase()).isEqualTo(Phase.READ_NEW);
      assertThat(cli.one("SELECT count(*) FROM " + table + " WHERE amount IS DISTINCT FROM amount_cents / 100.0"))
          .isEqualTo("0");
      assertThat(Cli.ids(app, app(), new BigDecimal("13.35"))).isEqualTo(Cli.ids(plain, truth(), null));
      assertThat(cli.ok("status", "stopped-cents").out()).doesNotContain("is marked stale");
    }
  }

  @Test
  void aRollbackFromNewOnly_upgradesAVersion4ControlSchemaFirst() throws Exception {
    Cli cli = toNewOnly("old-schema-cents");
    // A control schema as version 4 left it (its drivers read no flag).
    cli.sql("ALTER TABLE cutover.migrations DROP COLUMN old_stale", "DELETE FROM cutover.schema_version WHERE version >= 5");
    Cli.Run back = cli.ok("rollback", "old-schema-cents");
    assertThat(back.out()).contains("upgraded the control schema \"cutover\" to version 5");
    assertThat(cli.query("SELECT version FROM cutover.schema_version ORDER BY version")).endsWith("5");
    assertThat(cli.query("SELECT from_phase || '>' || to_phase || ' ' || detail FROM cutover.audit_log"
        + " WHERE migration_id = 'old-schema-cents' ORDER BY id")).contains(
        "new_only>new_only control schema upgraded to version 5 (the stale old column flag)");
    assertThat(cli.one("SELECT phase || ' ' || old_stale FROM cutover.migrations WHERE id = 'old-schema-cents'"))
        .isEqualTo("read_new false");
  }
}
