package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single-column CHECK that a NULL fails ({@code CHECK (col IS NOT NULL)}, the usual way to add a
 * NOT NULL without a long lock) cannot be copied onto the new column at dual_write: rows the
 * backfill has not reached have it NULL, and so do the inserts of drivers still at planned.
 * Regression: the copy was added NOT VALID at dual_write, and from then on every update of such a
 * row (of any column) and every insert of a driver not yet at dual_write failed (23514). It is now
 * added and validated on the advance to read_new, with the other constraints.
 */
class NullRejectingCheckTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() throws Exception {
    cli = new Cli(db);
    cli.ok("init");
  }

  @Test
  void plan_refusesACheckThatANullFails() throws Exception {
    cli.sql("CREATE TABLE staff (id int PRIMARY KEY, full_name text CONSTRAINT staff_name_present"
        + " CHECK (full_name IS NOT NULL), CONSTRAINT staff_name_short CHECK (length(full_name) < 50))");
    java.nio.file.Files.writeString(dir.resolve("staff.yaml"),
        "id: staff-dn\ntable: staff\nrename: {from: full_name, to: display_name}\n");
    Cli.Run run = cli.run("plan", dir.resolve("staff.yaml").toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(1);
    assertThat(run.err()).contains("\"staff_name_present\"", "a NULL in \"full_name\" fails it", "SET NOT NULL")
        .doesNotContain("staff_name_short:");
  }

  /** A migration planned by an earlier version, or a check added after the plan. */
  @Test
  void nullRejectingCheck_isCarriedAtReadNew_notAtDualWrite() throws Exception {
    cli.sql("CREATE TABLE people (id int PRIMARY KEY, full_name text, note text,"
            + " CONSTRAINT full_name_short CHECK (length(full_name) < 50))",
        "INSERT INTO people SELECT g, 'p' || g FROM generate_series(1, 10) g");
    cli.plan(dir, "people-dn", "people", "rename: {from: full_name, to: display_name}\n");
    cli.sql("ALTER TABLE people ADD CONSTRAINT full_name_present CHECK (full_name IS NOT NULL)");
    cli.ok("advance", "people-dn");
    try (Connection app = db.cutoverConnection(); Statement st = app.createStatement()) {
      // Not backfilled yet: an update of another column, through the driver at dual_write.
      st.executeUpdate("UPDATE people SET note = 'seen' WHERE id = 1");
      st.executeUpdate("INSERT INTO people (id, full_name) VALUES (11, 'p11')");
    }
    // What a driver still at planned sends: the old column only.
    cli.sql("INSERT INTO people (id, full_name) VALUES (12, 'p12')", "UPDATE people SET note = 'x' WHERE id = 2");
    // The check a NULL passes is copied at dual_write as before.
    assertThat(cli.query("SELECT conname FROM pg_constraint WHERE conrelid = 'people'::regclass AND contype = 'c'"
        + " ORDER BY conname")).contains("full_name_short_cutover").doesNotContain("full_name_present_cutover");

    cli.ok("backfill", "people-dn");
    cli.ok("advance", "people-dn");
    assertThat(cli.query("SELECT conname || ' ' || convalidated FROM pg_constraint WHERE conrelid = 'people'::regclass"
        + " AND conname LIKE '%cutover' ORDER BY conname"))
        .containsExactly("full_name_present_cutover true", "full_name_short_cutover true");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(
        () -> cli.sql("INSERT INTO people (id, full_name, display_name) VALUES (13, 'p13', NULL)")))
        .as("the copy holds at read_new").hasMessageContaining("full_name_present_cutover");
  }
}
