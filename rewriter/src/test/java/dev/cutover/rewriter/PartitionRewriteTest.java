package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Partition;
import dev.cutover.migration.Phase;
import dev.cutover.rewriter.resolve.MigrationIndex;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A partition of a migrating table, named directly, is that table under another name: the
 * snapshot's pre-filter finds it, the index gives it the table's migrations, and statements on it
 * are rewritten as on the table. Without the partitions in the snapshot the same statements passed
 * through unchanged and wrote the old column alone.
 */
class PartitionRewriteTest {

  private static final ColumnMigration RENAME =
      ColumnMigration.rename("orders-memo", "public", "orders", "note", "memo", Phase.DUAL_WRITE, 3);
  private static final MigrationSnapshot SNAPSHOT = new MigrationSnapshot(3, List.of(RENAME), List.of(
      new Partition("public", "orders_2024", "public", "orders"),
      new Partition("public", "orders_2024_h0", "public", "orders"),
      new Partition("archive", "Orders 2019", "public", "orders")));
  private static final Catalog CATALOG = new MapCatalog()
      .with("public", "orders", "id", "note", "memo")
      .with("public", "orders_2024", "id", "note", "memo")
      .with("public", "orders_2024_h0", "id", "note", "memo")
      .with("archive", "Orders 2019", "id", "note", "memo");

  @Test
  void mayTouch_partitionNames_plainAndQuoted() {
    assertThat(SNAPSHOT.mayTouch("UPDATE orders_2024 SET note = ?")).isTrue();
    assertThat(SNAPSHOT.mayTouch("SELECT * FROM ORDERS_2024_H0")).isTrue();
    assertThat(SNAPSHOT.mayTouch("DELETE FROM archive.\"Orders 2019\"")).isTrue();
    assertThat(SNAPSHOT.mayTouch("UPDATE invoices SET note = ?")).isFalse();
    assertThat(new MigrationSnapshot(3, List.of(RENAME)).mayTouch("UPDATE orders_2024 SET note = ?"))
        .as("without the partitions").isFalse();
  }

  @Test
  void index_andIsTableOf_mapAPartitionToItsTable() {
    MigrationIndex index = new MigrationIndex(SNAPSHOT);
    assertThat(index.forTable("public", "orders_2024_h0")).containsExactly(RENAME);
    assertThat(index.forTable("archive", "Orders 2019")).containsExactly(RENAME);
    assertThat(index.forTableName("orders_2024")).containsExactly(RENAME);
    assertThat(index.forTable("public", "invoices")).isEmpty();
    assertThat(SNAPSHOT.isTableOf(RENAME, "public", "orders_2024")).isTrue();
    assertThat(SNAPSHOT.isTableOf(RENAME, "public", "orders")).isTrue();
    assertThat(SNAPSHOT.isTableOf(RENAME, "archive", "orders_2024")).isFalse();
    assertThat(SNAPSHOT).isNotEqualTo(new MigrationSnapshot(3, List.of(RENAME)));
  }

  @Test
  void statementsNamingAPartition_rewrittenAsOnTheTable() throws Exception {
    StatementRewriter rewriter = new StatementRewriter(false);
    assertThat(rewriter.rewrite("UPDATE orders_2024 SET note = ? WHERE id = ?", SNAPSHOT, CATALOG).sql())
        .isEqualTo("UPDATE orders_2024 SET note = ?, memo = ? WHERE id = ?");
    assertThat(rewriter.rewrite("INSERT INTO orders_2024_h0 (id, memo) VALUES (?, ?)", SNAPSHOT, CATALOG).sql())
        .isEqualTo("INSERT INTO orders_2024_h0 (id, note, memo) VALUES (?, ?, ?)");
    assertThat(rewriter.rewrite("SELECT memo FROM archive.\"Orders 2019\" WHERE id = 1", SNAPSHOT, CATALOG).sql())
        .isEqualTo("SELECT note AS memo FROM archive.\"Orders 2019\" WHERE id = 1");
  }
}
