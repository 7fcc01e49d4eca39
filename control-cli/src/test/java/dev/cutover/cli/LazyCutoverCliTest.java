package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lazy cut-over through the CLI (issue 4): {@code advance --lazy} enters read_new before the
 * backfill, new_only is refused (exit 3) until the backfill is verified and then clears the flag
 * (and validates what the lazy step deferred), a rollback clears it, {@code status} shows it, the
 * option's usage is checked, and a control schema of version 1 is upgraded on the way.
 */
class LazyCutoverCliTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() {
    cli = new Cli(db);
    assertThat(cli.run("init").exit()).isEqualTo(0);
  }

  static void plan(String id, String table, String body) throws Exception {
    cli.plan(dir, id, table, body);
  }


  /**
   * A Cutover connection with the lazy migration of rows read on (it is off by default). Every
   * test of the class connects with it, so that they share one runtime: a second configuration
   * would be a second instance, whose side connections linger after its test and get fenced.
   */
  static Connection touching() throws Exception {
    java.util.Properties p = db.properties();
    p.setProperty("cutover.readTouch", "true");
    return java.sql.DriverManager.getConnection(db.cutoverUrl(), p);
  }

  static String state(String id) throws Exception {
    return cli.one("SELECT phase || ' ' || CASE WHEN lazy THEN 't' ELSE 'f' END FROM cutover.migrations WHERE id = '" + id + "'");
  }

  /** The first column of every row of {@code sql} run through Cutover on {@code c}. */
  static List<String> read(Connection c, String sql) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }

  @Test
  void lazy_readNewBeforeBackfill_newOnlyRefusedUntilVerified_thenFlagCleared() throws Exception {
    cli.sql("CREATE TABLE people (id int PRIMARY KEY, full_name text NOT NULL, email text)",
        "INSERT INTO people SELECT g, 'P' || g, 'p' || g || '@x' FROM generate_series(1, 20) g");
    plan("people-dn", "people", "rename:\n  from: full_name\n  to: display_name\n");
    try (Connection app = touching()) {
      cli.ok("advance", "people-dn");
      // Half the rows reached by a (partial) backfill, the others not at all.
      cli.sql("UPDATE people SET display_name = full_name WHERE id % 2 = 0");

      Cli.Run lazy = cli.ok("advance", "people-dn", "--lazy");
      assertThat(lazy.out()).contains("dual_write -> read_new, lazily", "10 row(s) not backfilled yet",
          "COALESCE(display_name, full_name)");
      assertThat(state("people-dn")).isEqualTo("read_new t");
      assertThat(cli.one("SELECT detail FROM cutover.audit_log WHERE migration_id = 'people-dn' ORDER BY id DESC LIMIT 1"))
          .isEqualTo("advance --lazy (10 row(s) not backfilled yet)");
      // NOT NULL of the new column is deferred: rows not reached are still NULL there.
      assertThat(cli.one("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'people'::regclass"
          + " AND attname = 'display_name'")).isEqualTo("f");

      // Rows not backfilled read correctly through both names; writes reach both columns.
      assertThat(read(app, "SELECT display_name FROM people WHERE id IN (1, 2, 3) ORDER BY id"))
          .containsExactly("P1", "P2", "P3");
      assertThat(read(app, "SELECT full_name FROM people WHERE display_name = 'P5'")).containsExactly("P5");
      try (Statement st = app.createStatement()) {
        assertThat(st.executeUpdate("UPDATE people SET display_name = 'Q7' WHERE id = 7")).isEqualTo(1);
      }
      assertThat(cli.one("SELECT full_name || '/' || display_name FROM people WHERE id = 7")).isEqualTo("Q7/Q7");
      // The rows those reads returned (1, 3, 5) are filled in the background by the lazy migration,
      // which goes on while lazily cut over.
      long deadline = System.nanoTime() + 15_000_000_000L;
      while (!cli.one("SELECT count(display_name) FROM people WHERE id IN (1, 3, 5)").equals("3")
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(cli.query("SELECT display_name FROM people WHERE id IN (1, 3, 5) ORDER BY id"))
          .containsExactly("P1", "P3", "P5");

      Cli.Run status = cli.ok("status", "people-dn");
      assertThat(status.out()).contains("phase read_new (lazy)", "lazily cut over", "rows pending (new differs from old): 6");
      JsonNode json = new ObjectMapper().readTree(cli.ok("status", "people-dn", "--json").out());
      assertThat(json.at("/migrations/0/lazy").asBoolean()).isTrue();
      assertThat(json.at("/migrations/0/phase").asText()).isEqualTo("read_new");

      // new_only stops writing the old column: refused while rows are not backfilled.
      Cli.Run refused = cli.run("advance", "people-dn");
      assertThat(refused.exit()).as(refused.all()).isEqualTo(3);
      assertThat(refused.err()).contains("lazily cut over", "6 row(s)", "first keys: 9, 11, 13",
          "cutover backfill people-dn", "cutover verify people-dn");
      assertThat(state("people-dn")).isEqualTo("read_new t");
      Cli.Run refusedTo = cli.run("advance", "people-dn", "--to", "completed", "--force");
      assertThat(refusedTo.exit()).as(refusedTo.all()).isEqualTo(3);
      assertThat(state("people-dn")).isEqualTo("read_new t");

      cli.ok("backfill", "people-dn");
      cli.ok("verify", "people-dn");
      Cli.Run finish = cli.ok("advance", "people-dn");
      assertThat(finish.out()).contains("lazy cut-over finished", "read_new -> new_only");
      assertThat(state("people-dn")).isEqualTo("new_only f");
      // What the lazy step deferred ran now.
      assertThat(cli.one("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'people'::regclass"
          + " AND attname = 'display_name'")).isEqualTo("t");
      assertThat(read(app, "SELECT display_name FROM people WHERE id IN (1, 7) ORDER BY id"))
          .containsExactly("P1", "Q7");
      assertThat(cli.query("SELECT coalesce(from_phase, '-') || '>' || to_phase || ' ' || detail FROM cutover.audit_log"
          + " WHERE migration_id = 'people-dn' ORDER BY id")).containsExactly(
          "->planned plan " + dir.resolve("people-dn.yaml"),
          "planned>dual_write advance",
          "dual_write>read_new advance --lazy (10 row(s) not backfilled yet)",
          "read_new>read_new advance: lazy cut-over finished (backfill verified)",
          "read_new>new_only advance");
      assertThat(cli.ok("status", "people-dn").out()).doesNotContain("(lazy)");
    }
  }

  @Test
  void rollback_fromLazyReadNew_keepsEveryValue_andClearsTheFlag_afterUpgradingAVersion1Schema() throws Exception {
    // A control schema as version 1 left it: no lazy column, no version 2 (or 3) row.
    cli.sql("ALTER TABLE cutover.migrations DROP COLUMN IF EXISTS lazy",
        "ALTER TABLE cutover.migrations DROP COLUMN IF EXISTS old_stale",
        "DELETE FROM cutover.schema_version WHERE version >= 2");
    cli.sql("CREATE TABLE prices (id int PRIMARY KEY, amount numeric(10,2))",
        "INSERT INTO prices SELECT g, g * 1.25 FROM generate_series(1, 10) g");
    plan("prices-cents", "prices", "changeType:\n  column: amount\n  to: amount_cents\n  type: bigint\n"
        + "  up: \"(amount * 100)::bigint\"\n  down: \"amount_cents / 100.0\"\n");
    try (Connection app = touching()) {
      cli.ok("advance", "prices-cents");
      assertThat(cli.ok("status").out()).contains("prices-cents").doesNotContain("(lazy)");

      Cli.Run lazy = cli.ok("advance", "prices-cents", "--to", "read_new", "--lazy");
      assertThat(lazy.out()).contains("upgraded the control schema \"cutover\" to version 5", "lazily");
      assertThat(cli.query("SELECT version FROM cutover.schema_version ORDER BY version")).containsExactly("1", "2", "3", "4", "5");
      assertThat(cli.query("SELECT from_phase || '>' || to_phase || ' ' || detail FROM cutover.audit_log"
          + " WHERE migration_id = 'prices-cents' ORDER BY id")).contains(
          "dual_write>dual_write control schema upgraded to version 5 (lazy cut-over)",
          "dual_write>read_new advance --lazy (10 row(s) not backfilled yet)");
      assertThat(state("prices-cents")).isEqualTo("read_new t");
      assertThat(read(app, "SELECT amount_cents FROM prices WHERE id IN (1, 2) ORDER BY id")).containsExactly("125", "250");
      try (Statement st = app.createStatement()) {
        st.executeUpdate("UPDATE prices SET amount_cents = amount_cents + 1 WHERE id = 1");
        st.executeUpdate("INSERT INTO prices (id, amount_cents) VALUES (11, 1100)");
      }

      Cli.Run back = cli.ok("rollback", "prices-cents");
      assertThat(back.out()).contains("read_new (lazy) -> dual_write").doesNotContain("refilled", "fenced");
      assertThat(state("prices-cents")).isEqualTo("dual_write f");
      assertThat(read(app, "SELECT amount FROM prices WHERE id IN (1, 2, 11) ORDER BY id"))
          .containsExactly("1.26", "2.50", "11.00");
      assertThat(read(app, "SELECT amount_cents FROM prices WHERE id IN (1, 2, 11) ORDER BY id"))
          .containsExactly("126", "250", "1100");
      assertThat(cli.one("SELECT detail FROM cutover.audit_log WHERE migration_id = 'prices-cents' ORDER BY id DESC LIMIT 1"))
          .isEqualTo("rollback (lazy cut-over cleared)");

      // And forward again the ordinary way: the guard is back.
      assertThat(cli.run("advance", "prices-cents").exit()).isEqualTo(3);
      cli.ok("backfill", "prices-cents");
      cli.ok("advance", "prices-cents");
      assertThat(state("prices-cents")).isEqualTo("read_new f");
    }
  }

  @Test
  void lazyOption_usage() throws Exception {
    assertThat(cli.ok("advance", "--help").out()).contains("--lazy", "enter read_new before the backfill is verified");
    cli.sql("CREATE TABLE tags (id int PRIMARY KEY, label text)", "CREATE INDEX tags_label_idx ON tags (label)",
        "INSERT INTO tags VALUES (1, 'a')");
    plan("tags-name", "tags", "rename:\n  from: label\n  to: name\n");
    // From planned the next step is dual_write: --lazy does not apply to it.
    Cli.Run fromPlanned = cli.run("advance", "tags-name", "--lazy");
    assertThat(fromPlanned.exit()).isEqualTo(1);
    assertThat(fromPlanned.err()).contains("--lazy applies only to the step into read_new", "--to read_new --lazy");
    assertThat(state("tags-name")).isEqualTo("planned f");
    // ... nor past read_new.
    Cli.Run pastReadNew = cli.run("advance", "tags-name", "--to", "new_only", "--lazy");
    assertThat(pastReadNew.exit()).isEqualTo(1);
    assertThat(pastReadNew.err()).contains("the target is new_only");
    // --to read_new --lazy from planned takes both steps; again is a no-op.
    assertThat(cli.ok("advance", "tags-name", "--to", "read_new", "--lazy").out()).contains("planned -> dual_write",
        "dual_write -> read_new, lazily", "reads that filter or sort on \"name\" cannot use index(es) \"tags_label_idx\"");
    assertThat(cli.ok("advance", "tags-name", "--to", "read_new", "--lazy").out())
        .contains("already at read_new (lazily cut over)");
    Cli.Run onward = cli.run("advance", "tags-name", "--lazy");
    assertThat(onward.exit()).isEqualTo(1);
    assertThat(onward.err()).contains("is at read_new (lazily cut over) and the target is new_only");
    assertThat(state("tags-name")).isEqualTo("read_new t");
    // Once every row is backfilled, --lazy is not needed: `advance --to read_new` finishes it.
    cli.ok("backfill", "tags-name");
    assertThat(cli.ok("advance", "tags-name", "--to", "read_new").out()).contains("lazy cut-over finished");
    assertThat(state("tags-name")).isEqualTo("read_new f");
    Cli.Run again = cli.run("advance", "tags-name", "--lazy");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("is at read_new and the target is new_only");
    // A backfilled migration does not go lazy: --lazy then is an ordinary advance.
    cli.sql("CREATE TABLE notes (id int PRIMARY KEY, body text)", "INSERT INTO notes VALUES (1, 'x')");
    plan("notes-text", "notes", "rename:\n  from: body\n  to: text\n");
    cli.ok("advance", "notes-text");
    cli.ok("backfill", "notes-text");
    assertThat(cli.ok("advance", "notes-text", "--lazy").out()).contains("every row is backfilled already");
    assertThat(state("notes-text")).isEqualTo("read_new f");
  }

  @Test
  void lazy_ofAPrimaryKeyColumn_refused() throws Exception {
    cli.sql("CREATE TABLE keyed (id int PRIMARY KEY, v text)", "INSERT INTO keyed VALUES (1, 'a'), (2, 'b')");
    plan("keyed-id", "keyed", "changeType:\n  column: id\n  type: bigint\n  up: \"id::bigint\"\n  down: \"id::int\"\n");
    cli.ok("advance", "keyed-id");
    Cli.Run refused = cli.run("advance", "keyed-id", "--lazy");
    assertThat(refused.exit()).as(refused.all()).isEqualTo(3);
    assertThat(refused.err()).contains("in the primary key", "COALESCE(id__cutover_new, CAST((id)::bigint AS bigint))",
        "cutover backfill keyed-id");
    assertThat(state("keyed-id")).isEqualTo("dual_write f");
  }
}
