package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rollback path with the application inserting and updating through the driver: not one
 * statement may fail, every row must hold what was last committed, and every query whose condition
 * names the migrating column (by either name) must find exactly the rows the ledger says, at every
 * moment of every phase change. Regressions: the new column kept the {@code NOT NULL} (and the
 * validated check copies) added at read_new, so after a rollback to planned, where inserts no longer
 * write it, every insert failed (23502); back in read_new from new_only, a condition on a type
 * change's old name read the old column before the rollback had refilled it, and missed (or wrongly
 * matched) rows written in new_only.
 */
class RollbackPathsUnderLoadTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  /** Creates table {@code name} (NOT NULL and a CHECK on the migrated column) and plans migration {@code name}. */
  private void setUp(String name) throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + name + " (id int PRIMARY KEY, full_name text NOT NULL CHECK (full_name <> ''),"
          + " note text)");
      st.execute("INSERT INTO " + name + " SELECT g, 'user ' || g FROM generate_series(1, 500) g");
    }
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, "id: " + name + "\ntable: " + name + "\nrename:\n  from: full_name\n  to: display_name\n");
    Differential.cli(db, "init");
    Differential.cli(db, "plan", file.toString());
  }

  private void advanceTo(String name, String phase) {
    Differential.cli(db, "advance", name);
    Differential.cli(db, "backfill", name);
    Differential.cli(db, "advance", name, "--to", phase);
  }

  /** The rename's writers, each checking queries with conditions on either name against its ledger. */
  private static LedgerWriters writers(String name) {
    return new LedgerWriters(db, name, LedgerWriters.Column.rename("full_name", "display_name"), 4, 1_000,
        "app-" + name, true);
  }

  /** No statement failed, every row is as last committed, and every checked query found the ledger's rows. */
  private static void assertLedger(LedgerWriters writers, String readColumn) throws SQLException {
    System.out.printf("ledger: %d writes committed, %d queries checked, wrong: %s%n", writers.committed(),
        writers.reads(), writers.wrongReadCounts());
    assertThat(writers.failures()).as("failed statements by SQLState").isEmpty();
    assertThat(writers.wrongReadCounts()).as("wrong query results by shape (first ones: %s)", writers.wrongReads())
        .isEmpty();
    assertThat(writers.reads()).as("queries checked").isPositive();
    assertThat(writers.lostOrWrong(readColumn)).isEmpty();
  }

  /** Runs {@code rollbacks} (each the arguments after {@code rollback NAME}) under load; checks the ledger. */
  private void rollBackUnderLoad(String name, String[]... rollbacks) throws Exception {
    LedgerWriters writers = writers(name);
    long during;
    try {
      awaitCommits(writers, 20);
      for (String[] args : rollbacks) {
        String[] all = new String[args.length + 2];
        all[0] = "rollback";
        all[1] = name;
        System.arraycopy(args, 0, all, 2, args.length);
        Differential.cli(db, all);
        Thread.sleep(300);
      }
      during = writers.committed();
      awaitCommits(writers, during + 20); // and at planned, once the new column is gone
    } finally {
      writers.close();
    }
    assertLedger(writers, "full_name");
    assertThat(phase(name)).isEqualTo("planned");
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT count(*) FROM pg_attribute WHERE attrelid = '" + name
            + "'::regclass AND attname = 'display_name' AND NOT attisdropped")) {
      rs.next();
      assertThat(rs.getInt(1)).as("the new column is dropped at planned").isZero();
    }
  }

  private static void awaitCommits(LedgerWriters writers, long count) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (writers.committed() < count && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(writers.committed()).as("statements committed").isGreaterThanOrEqualTo(count);
  }

  private String phase(String name) throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT phase FROM cutover.migrations WHERE id = '" + name + "'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void eachSingleStep_fromNewOnly_noStatementFails() throws Exception {
    setUp("steps");
    advanceTo("steps", "new_only");
    rollBackUnderLoad("steps", new String[0], new String[0], new String[0]);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void newOnlyToPlanned_inOneCommand_noStatementFails() throws Exception {
    setUp("whole");
    advanceTo("whole", "new_only");
    rollBackUnderLoad("whole", new String[] {"--to", "planned"});
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void readNewToPlanned_inOneCommand_noStatementFails() throws Exception {
    setUp("fromread");
    advanceTo("fromread", "read_new");
    rollBackUnderLoad("fromread", new String[] {"--to", "planned"});
  }

  /** The whole walk forward and back with the writers running, as a control for the rollbacks above. */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void forwardToNewOnlyAndBack_noStatementFails() throws Exception {
    setUp("walk");
    LedgerWriters writers = writers("walk");
    try {
      awaitCommits(writers, 20);
      for (String[] args : new String[][] {{"advance", "walk"}, {"backfill", "walk"}, {"advance", "walk"},
          {"advance", "walk"}, {"rollback", "walk", "--to", "planned"}}) {
        Differential.cli(db, args);
        long now = writers.committed();
        awaitCommits(writers, now + 10);
      }
    } finally {
      writers.close();
    }
    assertLedger(writers, "full_name");
    assertThat(phase("walk")).isEqualTo("planned");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void dualWriteToPlanned_noStatementFails() throws Exception {
    setUp("fromdual");
    advanceTo("fromdual", "dual_write");
    rollBackUnderLoad("fromdual", new String[0]);
  }

  /**
   * A type change ({@code numeric(10,2)} to {@code bigint} cents, the old column indexed) walked to
   * new_only and back to planned one step at a time, with the writers checking conditions on
   * {@code amount} and {@code amount_cents} all along. Small refill batches over rows ahead of the
   * writers' keep each refill walking for a while: rows the writers change in new_only behind the
   * first walk stay stale in the old column through the acknowledgement wait and most of the second
   * walk, and the writers query them the whole time.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void typeChange_toNewOnlyAndBackStepByStep_conditionsFindTheLedgersRows() throws Exception {
    typeChangeUnderLoad("cents", 4, 3_000, 20, null);
  }

  /**
   * The same with the queries sent through a second driver instance that polls for phase changes
   * every second, so that writes and reads come from instances in different phases for a while
   * after each change.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void typeChange_toNewOnlyAndBackStepByStep_readsThroughAnotherInstance() throws Exception {
    typeChangeUnderLoad("cents_two", 4, 3_000, 20, "readers-cents_two");
  }

  /** The same, longer: eight writers, more rows to refill, and ten times the writes at each stop. */
  @Test
  @Tag("chaos")
  @Timeout(value = 600, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void typeChange_toNewOnlyAndBackStepByStep_long() throws Exception {
    typeChangeUnderLoad("cents_long", 8, 20_000, 2_000, null);
  }

  /**
   * A type change cut over lazily, with the queries through a second instance that polls every
   * second: to dual_write and a backfill, then every other row's new column emptied again (as if
   * the backfill had not reached it: the lazy read takes {@code up(old)} there), lazily to read_new,
   * back to dual_write, lazily forward again, the backfill, then on to new_only (which ends the lazy
   * cut-over and marks the old column stale first) and back to planned step by step. (Without the
   * first backfill the lazy cut-over is refused, rightly: rows the writers' instance filled in
   * dual_write and the readers' instance, still in planned, then updated through the old column
   * alone have a filled new column that differs.)
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void typeChange_lazyCutOver_readsThroughAnotherInstance() throws Exception {
    String id = "cents_lazy";
    underLoad(id, "CREATE TABLE " + id + " (id int PRIMARY KEY, amount numeric(10,2), note text)",
        "CREATE INDEX ON " + id + " (amount)",
        "INSERT INTO " + id + " SELECT g, (g % 4000) * 0.25 FROM generate_series(1, 3000) g",
        "changeType:\n  column: amount\n  to: amount_cents\n  type: bigint\n  up: \"(amount * 100)::bigint\"\n"
            + "  down: \"amount_cents / 100.0\"\n",
        LedgerWriters.Column.cents("amount", "amount_cents"), 4, 20, "readers-" + id, "planned", "amount",
        new String[][] {{"advance", id}, {"backfill", id},
            {"sql", "UPDATE " + id + " SET amount_cents = NULL WHERE id % 2 = 0"},
            {"advance", id, "--to", "read_new", "--lazy"}, {"rollback", id},
            {"advance", id, "--lazy"}, {"backfill", id}, {"advance", id}, {"rollback", id, "--batch-size", "10"},
            {"rollback", id, "--batch-size", "10"}, {"rollback", id}});
  }

  /**
   * An in-place type change ({@code int} to {@code bigint}, one name, the column indexed) walked to
   * new_only, back to read_new, forward again and on to completed (where the new column takes the
   * name in the same transaction as the old one goes), with the queries through a second instance
   * that polls every second.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void inPlaceTypeChange_toCompletedAndBackOnTheWay_readsThroughAnotherInstance() throws Exception {
    String id = "ints";
    underLoad(id, "CREATE TABLE " + id + " (id int PRIMARY KEY, amount int, note text)",
        "CREATE INDEX ON " + id + " (amount)",
        "INSERT INTO " + id + " SELECT g, g % 4000 FROM generate_series(1, 3000) g",
        "changeType:\n  column: amount\n  type: bigint\n  up: amount::bigint\n  down: amount::int\n",
        LedgerWriters.Column.inPlaceInteger("amount"), 4, 20, "readers-" + id, "completed", "amount",
        new String[][] {{"advance", id}, {"backfill", id}, {"advance", id}, {"advance", id},
            {"rollback", id, "--batch-size", "10"}, {"rollback", id}, {"advance", id}, {"advance", id},
            {"advance", id, "--force"}});
  }

  /**
   * Type change {@code id} of table {@code id} ({@code rows} rows, keyed below the writers' rows)
   * walked to new_only and back to planned under {@code writerCount} writers, at least {@code commits}
   * of their statements committed after each command; their queries through driver instance
   * {@code readInstance} ({@code null}: the writers' own).
   */
  private void typeChangeUnderLoad(String id, int writerCount, int rows, long commits, String readInstance)
      throws Exception {
    underLoad(id, "CREATE TABLE " + id + " (id int PRIMARY KEY, amount numeric(10,2), note text)",
        "CREATE INDEX ON " + id + " (amount)",
        "INSERT INTO " + id + " SELECT g, (g % 4000) * 0.25 FROM generate_series(1, " + rows + ") g",
        "changeType:\n  column: amount\n  to: amount_cents\n  type: bigint\n  up: \"(amount * 100)::bigint\"\n"
            + "  down: \"amount_cents / 100.0\"\n",
        LedgerWriters.Column.cents("amount", "amount_cents"), writerCount, commits, readInstance, "planned", "amount",
        new String[][] {{"advance", id}, {"backfill", id}, {"advance", id}, {"advance", id},
            {"rollback", id, "--batch-size", "10"}, {"rollback", id, "--batch-size", "10"}, {"rollback", id}});
  }

  /**
   * Migration {@code id} of table {@code id} (made by {@code createTable}, {@code createIndex} and
   * {@code seed}; {@code spec} the migration file's lines after its id and table) walked through
   * {@code walk} under {@code writerCount} writers of {@code column}, at least {@code commits} of
   * their statements committed after each command ({@code {"sql", statement}}: a statement run
   * through plain pgjdbc instead); their queries through driver instance {@code readInstance}
   * ({@code null}: the writers' own). It must end at {@code phase}, every row's {@code readColumn}
   * as last committed.
   */
  private void underLoad(String id, String createTable, String createIndex, String seed, String spec,
      LedgerWriters.Column column, int writerCount, long commits, String readInstance, String phase,
      String readColumn, String[][] walk) throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute(createTable);
      st.execute(createIndex);
      st.execute(seed);
    }
    Path file = dir.resolve(id + ".yaml");
    Files.writeString(file, "id: " + id + "\ntable: " + id + "\n" + spec);
    Differential.cli(db, "init");
    Differential.cli(db, "plan", file.toString());
    LedgerWriters writers = new LedgerWriters(db, id, column, writerCount, 100_000, "app-" + id, true, readInstance);
    try {
      awaitCommits(writers, commits);
      for (String[] args : walk) {
        if (args[0].equals("sql")) {
          try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
            st.execute(args[1]);
          }
        } else {
          Differential.cli(db, args);
        }
        long now = writers.committed();
        awaitCommits(writers, now + commits);
      }
    } finally {
      writers.close();
    }
    assertLedger(writers, readColumn);
    assertThat(phase(id)).isEqualTo(phase);
  }
}
