package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rollback path with the application inserting and updating through the driver: not one
 * statement may fail, and every row must hold what was last committed. Regression: the new
 * column kept the {@code NOT NULL} (and the validated check copies) added at read_new, so after a
 * rollback to planned, where inserts no longer write it, every insert failed (23502).
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

  /** Runs {@code rollbacks} (each the arguments after {@code rollback NAME}) under load; checks the ledger. */
  private void rollBackUnderLoad(String name, String[]... rollbacks) throws Exception {
    LedgerWriters writers = new LedgerWriters(db, name, "full_name", 4, 1_000, "app-" + name);
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
    assertThat(writers.failures()).as("failed statements by SQLState").isEmpty();
    assertThat(writers.lostOrWrong("full_name")).isEmpty();
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
    LedgerWriters writers = new LedgerWriters(db, "walk", "full_name", 4, 1_000, "app-walk");
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
    assertThat(writers.failures()).as("failed statements by SQLState").isEmpty();
    assertThat(writers.lostOrWrong("full_name")).isEmpty();
    assertThat(phase("walk")).isEqualTo("planned");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void dualWriteToPlanned_noStatementFails() throws Exception {
    setUp("fromdual");
    advanceTo("fromdual", "dual_write");
    rollBackUnderLoad("fromdual", new String[0]);
  }
}
