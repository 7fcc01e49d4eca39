package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hot path's pre-filter answers for its own snapshot only, remembered or not. */
class StatementFilterTest {

  private static MigrationSnapshot renaming(String table, long epoch) {
    return new MigrationSnapshot(epoch, List.of(
        ColumnMigration.rename(table + "-m", "public", table, "a", "b", Phase.DUAL_WRITE, epoch)));
  }

  @Test
  void classify_remembersPerText_andAnswersAnotherSnapshotByScanning() {
    MigrationSnapshot users = renaming("users", 1);
    MigrationSnapshot orders = renaming("orders", 2);
    StatementFilter filter = new StatementFilter(users, 100);
    String select = "SELECT a FROM orders WHERE id = ?";

    assertThat(filter.classify(select, users)).isZero();
    assertThat(filter.classify(select, users)).as("remembered").isZero();
    // A statement that read the newer snapshot before the runtime published its filter must not
    // get the old snapshot's remembered answer.
    assertThat(filter.classify(select, orders)).isEqualTo(StatementFilter.MAY_TOUCH);
    assertThat(filter.classify("select * from USERS", users)).isEqualTo(StatementFilter.MAY_TOUCH);
  }

  @Test
  void classify_searchPathChanges() {
    MigrationSnapshot users = renaming("users", 1);
    StatementFilter filter = new StatementFilter(users, 100);
    assertThat(filter.classify("SET search_path TO app, public", users))
        .isEqualTo(StatementFilter.MAY_CHANGE_SEARCH_PATH);
    assertThat(filter.classify("select set_config('search_path', 'x', false) from users", users))
        .isEqualTo(StatementFilter.MAY_TOUCH | StatementFilter.MAY_CHANGE_SEARCH_PATH);
    assertThat(filter.classify("DISCARD ALL", users)).isEqualTo(StatementFilter.MAY_CHANGE_SEARCH_PATH);
  }

  /** Regression: U&"..." and $$-glued spellings of the table passed the pre-check and were sent unchanged. */
  @Test
  void classify_everySpellingOfTheTableMayTouch() {
    MigrationSnapshot users = renaming("users", 1);
    StatementFilter filter = new StatementFilter(users, 100);
    for (String sql : List.of("SELECT a FROM U&\"\\0075sers\"", "SELECT a FROM U&\"!0075sers\" UESCAPE '!'",
        "DO $$UPDATE users SET a = 1$$", "DO $q$users$q$", "SELECT 1users", "SELECT a FROM\"USERS\"",
        "DO E'UPDATE \\x75sers SET a = 1'", "SELECT a FROM public.users/*c*/")) {
      assertThat(filter.classify(sql, users) & StatementFilter.MAY_TOUCH).as(sql).isEqualTo(StatementFilter.MAY_TOUCH);
    }
    assertThat(filter.classify("SELECT a FROM all_users", users)).isZero();
  }

  @Test
  void classify_withoutMemo_stillScans() {
    MigrationSnapshot users = renaming("users", 1);
    StatementFilter filter = new StatementFilter(users, 0);
    assertThat(filter.classify("UPDATE users SET a = 1", users)).isEqualTo(StatementFilter.MAY_TOUCH);
    assertThat(filter.classify("UPDATE accounts SET a = 1", users)).isZero();
  }

  @Test
  void classify_endlessDistinctTexts_memoStaysBoundedAndAnswersStayRight() {
    MigrationSnapshot users = renaming("users", 1);
    StatementFilter filter = new StatementFilter(users, 3);
    for (int i = 0; i < 100; i++) {
      for (int sighting = 0; sighting < 2; sighting++) {
        assertThat(filter.classify("UPDATE users SET a = " + i, users)).isEqualTo(StatementFilter.MAY_TOUCH);
        assertThat(filter.classify("UPDATE other SET a = " + i, users)).isZero();
      }
      assertThat(filter.remembered()).isBetween(1, 3);
    }
  }

  @Test
  void classify_remembersATextAtItsSecondSightingOnly() {
    MigrationSnapshot users = renaming("users", 1);
    StatementFilter filter = new StatementFilter(users, 100);
    for (int i = 0; i < 50; i++) {
      assertThat(filter.classify("SELECT * FROM users WHERE id = " + i, users)).isEqualTo(StatementFilter.MAY_TOUCH);
    }
    assertThat(filter.remembered()).as("texts seen once").isZero();
    assertThat(filter.classify("SELECT * FROM users WHERE id = 7", users)).isEqualTo(StatementFilter.MAY_TOUCH);
    assertThat(filter.remembered()).isEqualTo(1);
    assertThat(filter.classify("SELECT * FROM users WHERE id = 7", users)).as("answered from the memo")
        .isEqualTo(StatementFilter.MAY_TOUCH);
    assertThat(filter.remembered()).isEqualTo(1);
  }
}
