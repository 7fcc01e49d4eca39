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

class PhaseLifecycleTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() {
    cli = new Cli(db);
    assertThat(cli.run("init").exit()).isEqualTo(0);
  }

  static void plan(String id, String table, String from, String to) throws Exception {
    cli.plan(dir, id, table, "rename:\n  from: " + from + "\n  to: " + to + "\n");
  }


  static String phase(String id) throws Exception {
    return cli.one("SELECT phase FROM cutover.migrations WHERE id = '" + id + "'");
  }

  @Test
  void advance_throughEveryPhase_runsDdlAndAudits() throws Exception {
    cli.sql("CREATE TABLE people (id bigint PRIMARY KEY, full_name varchar(40) NOT NULL DEFAULT 'anon', email text)",
        "CREATE INDEX people_name_idx ON people (full_name)",
        "CREATE UNIQUE INDEX people_name_email_key ON people (email, full_name)",
        "CREATE INDEX people_email_idx ON people (email)",
        "INSERT INTO people VALUES (1, 'Ada', 'a@x'), (2, 'Bob', 'b@x'), (3, 'Cy', 'c@x')");
    plan("people-dn", "people", "full_name", "display_name");

    Cli.Run toDual = cli.ok("advance", "people-dn");
    assertThat(toDual.out()).contains("planned -> dual_write");
    assertThat(phase("people-dn")).isEqualTo("dual_write");
    assertThat(cli.columns("people")).containsExactly("id", "full_name", "email", "display_name");
    assertThat(cli.one("SELECT format_type(atttypid, atttypmod) || ' ' || attnotnull || ' ' ||"
        + " pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid"
        + " AND d.adnum = a.attnum WHERE attrelid = 'people'::regclass AND attname = 'display_name'"))
        .isEqualTo("character varying(40) false 'anon'::character varying");
    assertThat(cli.indexes("people")).contains(
        "CREATE INDEX people_name_idx_cutover ON public.people USING btree (display_name)",
        "CREATE UNIQUE INDEX people_name_email_key_cutover ON public.people USING btree (email, display_name)");
    assertThat(cli.indexes("people")).noneMatch(i -> i.contains("people_email_idx_cutover"));
    assertThat(cli.one("SELECT bool_and(indisvalid) FROM pg_index WHERE indrelid = 'people'::regclass")).isEqualTo("t");

    // The new column is NULL for existing rows: the guard refuses read_new until the backfill ran.
    Cli.Run refused = cli.run("advance", "people-dn");
    assertThat(refused.exit()).isEqualTo(3);
    assertThat(refused.err()).contains("3 row(s)", "first keys: 1, 2, 3", "cutover backfill people-dn", "verify");
    assertThat(phase("people-dn")).isEqualTo("dual_write");

    cli.ok("backfill", "people-dn");
    assertThat(cli.query("SELECT display_name FROM people ORDER BY id")).containsExactly("Ada", "Bob", "Cy");
    cli.ok("verify", "people-dn");

    cli.ok("advance", "people-dn", "--to", "new_only");
    assertThat(phase("people-dn")).isEqualTo("new_only");
    assertThat(cli.columns("people")).containsExactly("id", "full_name", "email", "display_name");

    Cli.Run done = cli.ok("advance", "people-dn");
    assertThat(done.out()).contains("DROP COLUMN IF EXISTS \"full_name\"", "new_only -> completed");
    assertThat(cli.columns("people")).containsExactly("id", "email", "display_name");
    assertThat(cli.indexes("people")).containsExactlyInAnyOrder(
        "CREATE UNIQUE INDEX people_pkey ON public.people USING btree (id)",
        "CREATE INDEX people_email_idx ON public.people USING btree (email)",
        "CREATE INDEX people_name_idx_cutover ON public.people USING btree (display_name)",
        "CREATE UNIQUE INDEX people_name_email_key_cutover ON public.people USING btree (email, display_name)");
    assertThat(cli.query("SELECT coalesce(from_phase, '-') || '>' || to_phase FROM cutover.audit_log"
        + " WHERE migration_id = 'people-dn' ORDER BY id"))
        .containsExactly("->planned", "planned>dual_write", "dual_write>read_new", "read_new>new_only", "new_only>completed");
    // Every phase change took a new, larger epoch.
    assertThat(Long.parseLong(cli.one("SELECT epoch FROM cutover.migrations WHERE id = 'people-dn'")))
        .isGreaterThanOrEqualTo(5);

    Cli.Run past = cli.run("advance", "people-dn");
    assertThat(past.exit()).isEqualTo(1);
    assertThat(past.err()).contains("completed");
    Cli.Run back = cli.run("rollback", "people-dn");
    assertThat(back.exit()).isEqualTo(1);
    assertThat(back.err()).contains("cannot be rolled back", "\"full_name\" was dropped");
    // A new migration of the same column name is allowed once the first completed.
    assertThat(cli.run("status", "people-dn").out()).contains("phase completed");
  }

  @Test
  void rollback_fromEveryPhase() throws Exception {
    cli.sql("CREATE TABLE accounts (id int PRIMARY KEY, owner text)",
        "CREATE INDEX accounts_owner_idx ON accounts (lower(owner))",
        "INSERT INTO accounts SELECT g, 'o' || g FROM generate_series(1, 50) g");
    plan("acc-holder", "accounts", "owner", "holder");
    cli.ok("advance", "acc-holder");
    cli.ok("backfill", "acc-holder", "--batch-size", "7");
    cli.ok("advance", "acc-holder", "--to", "new_only");

    // In new_only the application writes only the new column: the old one goes stale.
    cli.sql("UPDATE accounts SET holder = 'changed' WHERE id = 1", "INSERT INTO accounts (id, holder) VALUES (51, 'fresh')");

    Cli.Run r1 = cli.ok("rollback", "acc-holder", "--batch-size", "10");
    assertThat(r1.out()).contains("new_only -> read_new");
    assertThat(phase("acc-holder")).isEqualTo("read_new");
    assertThat(cli.query("SELECT owner FROM accounts WHERE id IN (1, 51) ORDER BY id")).containsExactly("changed", "fresh");
    assertThat(cli.one("SELECT count(*) FROM accounts WHERE owner IS DISTINCT FROM holder")).isEqualTo("0");

    cli.ok("rollback", "acc-holder");
    assertThat(phase("acc-holder")).isEqualTo("dual_write");
    assertThat(cli.columns("accounts")).containsExactly("id", "owner", "holder");

    Cli.Run r3 = cli.ok("rollback", "acc-holder");
    assertThat(r3.out()).contains("dual_write -> planned", "DROP COLUMN IF EXISTS \"holder\"");
    assertThat(phase("acc-holder")).isEqualTo("planned");
    assertThat(cli.columns("accounts")).containsExactly("id", "owner");
    assertThat(cli.indexes("accounts")).noneMatch(i -> i.contains("cutover"));
    assertThat(cli.one("SELECT count(*) FROM cutover.backfill_state WHERE migration_id = 'acc-holder'")).isEqualTo("0");

    Cli.Run nothing = cli.run("rollback", "acc-holder");
    assertThat(nothing.exit()).isEqualTo(1);
    assertThat(nothing.err()).contains("nothing to roll back");
    assertThat(cli.query("SELECT from_phase || '>' || to_phase FROM cutover.audit_log"
        + " WHERE migration_id = 'acc-holder' AND from_phase IS NOT NULL ORDER BY id")).containsExactly(
        "planned>dual_write", "dual_write>read_new", "read_new>new_only",
        "new_only>read_new", "read_new>dual_write", "dual_write>planned");

    // And forward again after a full rollback, then straight back with --to.
    cli.ok("advance", "acc-holder");
    assertThat(cli.columns("accounts")).containsExactly("id", "owner", "holder");
    cli.ok("backfill", "acc-holder");
    cli.ok("advance", "acc-holder");
    cli.ok("rollback", "acc-holder", "--to", "planned");
    assertThat(phase("acc-holder")).isEqualTo("planned");
    assertThat(cli.columns("accounts")).containsExactly("id", "owner");
  }

  @Test
  void advance_dropsInvalidLeftoverIndexAndRebuildsIt() throws Exception {
    cli.sql("CREATE TABLE codes (id int PRIMARY KEY, code text, dup text)",
        "CREATE UNIQUE INDEX codes_code_key ON codes (code)",
        "INSERT INTO codes VALUES (1, 'a', 'same'), (2, 'b', 'same')");
    // A failed CONCURRENTLY build leaves an INVALID index behind under the copy's name.
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE UNIQUE INDEX CONCURRENTLY codes_code_key_cutover ON codes (dup)");
    } catch (java.sql.SQLException expected) {
      assertThat(expected.getSQLState()).isEqualTo("23505");
    }
    assertThat(cli.one("SELECT indisvalid FROM pg_index WHERE indexrelid = 'codes_code_key_cutover'::regclass")).isEqualTo("f");
    plan("codes-sku", "codes", "code", "sku");
    Cli.Run run = cli.ok("advance", "codes-sku");
    assertThat(run.out()).contains("invalid leftover");
    assertThat(cli.indexes("codes")).contains("CREATE UNIQUE INDEX codes_code_key_cutover ON public.codes USING btree (sku)");
    assertThat(cli.one("SELECT indisvalid FROM pg_index WHERE indexrelid = 'codes_code_key_cutover'::regclass")).isEqualTo("t");
    // Running the step again after a crash is harmless: the DDL is idempotent.
    cli.sql("UPDATE cutover.migrations SET phase = 'planned' WHERE id = 'codes-sku'");
    cli.ok("advance", "codes-sku");
    assertThat(run.out()).doesNotContain("ERROR");
    assertThat(cli.columns("codes")).containsExactly("id", "code", "dup", "sku");
  }

  @Test
  void status_showsPhaseBackfillInstancesAndOldNameUse() throws Exception {
    cli.sql("CREATE TABLE notes (id int PRIMARY KEY, body text)",
        "INSERT INTO notes SELECT g, 'n' || g FROM generate_series(1, 5) g");
    plan("notes-text", "notes", "body", "text_body");
    cli.ok("advance", "notes-text");
    cli.sql("INSERT INTO cutover.instances (instance, applied_epoch) VALUES ('app-7', 999)",
        "INSERT INTO cutover.name_usage (instance, migration_id, old_used_at) VALUES ('app-7', 'notes-text', now())");
    Cli.Run text = cli.ok("status", "notes-text");
    assertThat(text.out()).contains("notes-text", "public.notes.body -> text_body", "phase dual_write",
        "rows pending (new differs from old): 5", "app-7", "applied epoch 999", "old name used by app-7");
    Cli.Run json = cli.ok("status", "notes-text", "--json");
    var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
    assertThat(tree.at("/migrations/0/phase").asText()).isEqualTo("dual_write");
    assertThat(tree.at("/migrations/0/rowsPending").asLong()).isEqualTo(5);
    assertThat(tree.at("/instances/0/instance").asText()).isEqualTo("app-7");
    assertThat(tree.at("/instances/0/live").asBoolean()).isTrue();
    assertThat(tree.at("/migrations/0/oldNameUse/0/instance").asText()).isEqualTo("app-7");
    // The last audit entries: who, when, from, to.
    String actor = cli.one("SELECT current_user");
    assertThat(text.out()).contains("recent changes:", actor + "  - -> planned", actor + "  planned -> dual_write");
    assertThat(tree.at("/migrations/0/recentChanges/1/fromPhase").asText()).isEqualTo("planned");
    assertThat(tree.at("/migrations/0/recentChanges/1/toPhase").asText()).isEqualTo("dual_write");
    assertThat(tree.at("/migrations/0/recentChanges/1/actor").asText()).isEqualTo(actor);
    assertThat(tree.at("/migrations/0/recentChanges/1/at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(tree.at("/migrations/0/recentChanges/1/epoch").asLong()).isEqualTo(tree.at("/migrations/0/epoch").asLong());
    cli.sql("DELETE FROM cutover.name_usage", "DELETE FROM cutover.instances");
  }
}
