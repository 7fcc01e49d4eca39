package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** NOT NULL and CHECK carried to the new column, the old NOT NULL in new_only, and completed's options. */
class SafeDdlTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() {
    cli = new Cli(db);
    assertThat(cli.run("init").exit()).isEqualTo(0);
  }

  static Path file(String id, String table, String from, String to) throws Exception {
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(f, "id: " + id + "\ntable: " + table + "\nrename: {from: " + from + ", to: " + to + "}\n");
    return f;
  }


  static String notNull(String table, String column) throws Exception {
    return cli.one("SELECT attnotnull FROM pg_attribute WHERE attrelid = '" + table + "'::regclass AND attname = '"
        + column + "'");
  }

  static String constraints(String table) throws Exception {
    return String.join(",", cli.query("SELECT conname || ':' || convalidated FROM pg_constraint WHERE conrelid = '"
        + table + "'::regclass AND contype = 'c' ORDER BY conname"));
  }

  @Test
  void notNullAndCheck_carriedAtTheRightPhases_andRestoredOnRollback() throws Exception {
    cli.sql("CREATE TABLE prices (id int PRIMARY KEY, amount int NOT NULL CHECK (amount > 0), note text)",
        "INSERT INTO prices SELECT g, g * 10, 'n' FROM generate_series(1, 20) g");
    Path f = file("prices-cost", "prices", "amount", "cost");

    Cli.Run dry = cli.ok("plan", "--dry-run", f.toString());
    assertThat(dry.out()).contains(
        "ALTER TABLE \"public\".\"prices\" ADD CONSTRAINT \"cost_cutover_not_null\" CHECK (\"cost\" IS NOT NULL) NOT VALID;",
        "ALTER TABLE \"public\".\"prices\" ADD CONSTRAINT \"prices_amount_check_cutover\" CHECK ((\"cost\" > 0)) NOT VALID;",
        "ALTER TABLE \"public\".\"prices\" VALIDATE CONSTRAINT \"cost_cutover_not_null\";",
        "ALTER TABLE \"public\".\"prices\" ALTER COLUMN \"cost\" SET NOT NULL;",
        "ALTER TABLE \"public\".\"prices\" DROP CONSTRAINT IF EXISTS \"cost_cutover_not_null\";",
        "ALTER TABLE \"public\".\"prices\" VALIDATE CONSTRAINT \"prices_amount_check_cutover\";",
        "ALTER TABLE \"public\".\"prices\" ALTER COLUMN \"amount\" DROP NOT NULL;",
        "new_only -> read_new: refill \"amount\" from \"cost\", then:",
        "ALTER TABLE \"public\".\"prices\" ADD CONSTRAINT \"amount_cutover_not_null\" CHECK (\"amount\" IS NOT NULL) NOT VALID;",
        "with --backup, first: CREATE TABLE \"public\".\"prices_amount_cutover_backup\" AS SELECT <primary key>, \"amount\"",
        "with --keep-old, instead of the drop: ALTER TABLE \"public\".\"prices\" RENAME COLUMN \"amount\" TO \"amount_deprecated\"");
    cli.ok("plan", f.toString());

    cli.ok("advance", "prices-cost");
    assertThat(notNull("prices", "cost")).isEqualTo("f");
    // The NOT NULL check waits for read_new: until every driver applied dual_write, an UPDATE of a
    // row the backfill has not reached leaves the new column NULL (InPlaceKeyTypeChangeTest saw it).
    assertThat(constraints("prices")).isEqualTo("prices_amount_check:true,prices_amount_check_cutover:false");
    cli.sql("UPDATE prices SET note = 'by a writer still in planned' WHERE id = 1");
    // The NOT VALID check copies hold for new rows at once.
    assertThatThrownBy(() -> cli.sql("INSERT INTO prices (id, amount, cost) VALUES (100, 5, -1)"))
        .isInstanceOf(SQLException.class).hasMessageContaining("prices_amount_check_cutover");

    cli.ok("backfill", "prices-cost");
    Cli.Run toReadNew = cli.ok("advance", "prices-cost");
    assertThat(toReadNew.out()).contains("ADD CONSTRAINT \"cost_cutover_not_null\"",
        "VALIDATE CONSTRAINT \"cost_cutover_not_null\"", "SET NOT NULL");
    assertThat(notNull("prices", "cost")).isEqualTo("t");
    assertThat(constraints("prices")).isEqualTo("prices_amount_check:true,prices_amount_check_cutover:true");

    cli.ok("advance", "prices-cost");
    assertThat(notNull("prices", "amount")).isEqualTo("f");
    // new_only: an application writing only the new name no longer trips the old column's NOT NULL.
    cli.sql("INSERT INTO prices (id, cost, note) VALUES (21, 210, 'new only')");

    Cli.Run back = cli.ok("rollback", "prices-cost");
    assertThat(back.out()).contains("ADD CONSTRAINT \"amount_cutover_not_null\"", "ALTER COLUMN \"amount\" SET NOT NULL");
    assertThat(notNull("prices", "amount")).isEqualTo("t");
    assertThat(cli.one("SELECT amount FROM prices WHERE id = 21")).isEqualTo("210");
    assertThat(constraints("prices")).isEqualTo("prices_amount_check:true,prices_amount_check_cutover:true");

    cli.ok("advance", "prices-cost");
    assertThat(notNull("prices", "amount")).isEqualTo("f");
    Cli.Run done = cli.ok("advance", "prices-cost", "--force", "--backup");
    assertThat(done.out()).contains("backed up \"public\".\"prices\".\"amount\" into \"public\".\"prices_amount_cutover_backup\"");
    assertThat(cli.columns("prices")).containsExactly("id", "note", "cost");
    assertThat(cli.columns("prices_amount_cutover_backup")).containsExactly("id", "amount");
    assertThat(cli.one("SELECT count(*) FROM prices_amount_cutover_backup")).isEqualTo("21");
    assertThat(cli.one("SELECT amount FROM prices_amount_cutover_backup WHERE id = 7")).isEqualTo("70");
    assertThat(notNull("prices", "cost")).isEqualTo("t");
    assertThat(constraints("prices")).isEqualTo("prices_amount_check_cutover:true");
  }

  @Test
  void completed_keepOld_renamesInsteadOfDropping_refusedWhenNameTaken() throws Exception {
    cli.sql("CREATE TABLE tags (id int PRIMARY KEY, label text NOT NULL, label_deprecated int)",
        "INSERT INTO tags VALUES (1, 'a', 0), (2, 'b', 0)");
    cli.ok("plan", file("tags-name", "tags", "label", "name").toString());
    cli.ok("advance", "tags-name");
    cli.ok("backfill", "tags-name");
    cli.ok("advance", "tags-name", "--to", "new_only");

    Cli.Run refused = cli.run("advance", "tags-name", "--force", "--keep-old");
    assertThat(refused.exit()).as(refused.all()).isEqualTo(1);
    assertThat(refused.err()).contains("\"label_deprecated\"", "has a column of that name");
    assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'tags-name'")).isEqualTo("new_only");
    assertThat(cli.columns("tags")).containsExactly("id", "label", "label_deprecated", "name");

    cli.sql("ALTER TABLE tags DROP COLUMN label_deprecated");
    Cli.Run kept = cli.ok("advance", "tags-name", "--force", "--keep-old");
    assertThat(kept.out()).contains("RENAME COLUMN \"label\" TO \"label_deprecated\"", "kept the old column as");
    assertThat(cli.columns("tags")).containsExactly("id", "label_deprecated", "name");
    assertThat(cli.query("SELECT label_deprecated FROM tags ORDER BY id")).containsExactly("a", "b");
    assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'tags-name'")).isEqualTo("completed");
  }

  @Test
  void readNew_checkCopyViolated_refusedWithExit3_phaseUnchanged() throws Exception {
    cli.sql("CREATE TABLE stock (id int PRIMARY KEY, qty int CHECK (qty >= 0))",
        "INSERT INTO stock VALUES (1, 1), (2, 2)");
    cli.ok("plan", file("stock-count", "stock", "qty", "count").toString());
    cli.ok("advance", "stock-count");
    cli.ok("backfill", "stock-count");
    // Bypass the check copy's NOT VALID state for old rows: both columns equal, both violate the copy
    // only because the original was made NOT VALID too.
    cli.sql("ALTER TABLE stock DROP CONSTRAINT stock_qty_check",
        "ALTER TABLE stock DROP CONSTRAINT stock_qty_check_cutover",
        "UPDATE stock SET qty = -1, count = -1 WHERE id = 2",
        "ALTER TABLE stock ADD CONSTRAINT stock_qty_check CHECK (qty >= 0) NOT VALID",
        "ALTER TABLE stock ADD CONSTRAINT stock_qty_check_cutover CHECK (count >= 0) NOT VALID");
    Cli.Run refused = cli.run("advance", "stock-count");
    assertThat(refused.exit()).as(refused.all()).isEqualTo(3);
    assertThat(refused.err()).contains("cannot validate check constraint \"stock_qty_check_cutover\"");
    assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'stock-count'")).isEqualTo("dual_write");
  }
}
