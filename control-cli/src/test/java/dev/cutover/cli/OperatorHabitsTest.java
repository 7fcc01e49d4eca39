package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.operator.ConnectionSettings;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What an operator types: cancel, confirmation before completed, connection options after the
 * command, {@code --json} on every command and on errors, the password from the environment.
 */
class OperatorHabitsTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void setUp() {
    cli = new Cli(db);
    cli.ok("init");
  }

  private static String phase(String id) throws Exception {
    return cli.one("SELECT coalesce((SELECT phase FROM cutover.migrations WHERE id = '" + id + "'), 'none')");
  }

  @Test
  void cancel_planned_removesItAndTheColumnCanBePlannedAgain() throws Exception {
    cli.sql("CREATE TABLE c1 (id int PRIMARY KEY, a text)");
    cli.plan(dir, "c1-a", "c1", "rename:\n  from: a\n  to: b\n");

    Cli.Run again = cli.run("plan", dir.resolve("c1-a.yaml").toString());
    assertThat(again.exit()).isEqualTo(1);

    Cli.Run rollback = cli.run("rollback", "c1-a");
    assertThat(rollback.exit()).isEqualTo(1);
    assertThat(rollback.err()).contains("nothing to roll back", "cutover cancel c1-a");

    Cli.Run cancel = cli.ok("cancel", "c1-a");
    assertThat(cancel.out()).contains("migration 'c1-a' cancelled");
    assertThat(phase("c1-a")).isEqualTo("none");
    assertThat(cli.one("SELECT to_phase || ' ' || detail FROM cutover.audit_log WHERE migration_id = 'c1-a'"
        + " ORDER BY id DESC LIMIT 1")).isEqualTo("cancelled cancel");

    cli.plan(dir, "c1-a", "c1", "rename:\n  from: a\n  to: c\n");
    assertThat(phase("c1-a")).isEqualTo("planned");
  }

  @Test
  void cancel_afterPlanned_refusedWithNothingChanged() throws Exception {
    cli.sql("CREATE TABLE c2 (id int PRIMARY KEY, a text)", "INSERT INTO c2 VALUES (1, 'x')");
    cli.plan(dir, "c2-a", "c2", "rename:\n  from: a\n  to: b\n");
    cli.ok("advance", "c2-a");

    Cli.Run cancel = cli.run("cancel", "c2-a");
    assertThat(cancel.exit()).isEqualTo(1);
    assertThat(cancel.err()).contains("is at dual_write", "cutover rollback c2-a --to planned");
    assertThat(phase("c2-a")).isEqualTo("dual_write");

    cli.ok("rollback", "c2-a");
    cli.ok("cancel", "c2-a");
    assertThat(cli.columns("c2")).containsExactly("id", "a");
    assertThat(cli.run("cancel", "c2-a").err()).contains("no migration with id 'c2-a'");
  }

  @Test
  void advance_toCompletedWithoutTerminalOrYes_exit2AndNothingChanged() throws Exception {
    cli.sql("CREATE TABLE c3 (id int PRIMARY KEY, a text)", "INSERT INTO c3 VALUES (1, 'x')");
    cli.plan(dir, "c3-a", "c3", "rename:\n  from: a\n  to: b\n");
    cli.ok("advance", "c3-a");
    cli.ok("backfill", "c3-a");

    // From dual_write straight to completed: refused before the first step, so nothing moves.
    Cli.Run refused = cli.runAsTyped("advance", "c3-a", "--to", "completed", "--force");
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err()).contains("drops the column \"public\".\"c3\".\"a\" and its data", "--yes", "nothing was changed");
    assertThat(phase("c3-a")).isEqualTo("dual_write");
    assertThat(cli.columns("c3")).containsExactly("id", "a", "b");

    // A single step from new_only is asked about too.
    cli.runAsTyped("advance", "c3-a", "--to", "new_only");
    assertThat(phase("c3-a")).isEqualTo("new_only");
    assertThat(cli.runAsTyped("advance", "c3-a", "--force").exit()).isEqualTo(2);
    assertThat(phase("c3-a")).isEqualTo("new_only");

    cli.runAsTyped("advance", "c3-a", "--force", "--yes");
    assertThat(phase("c3-a")).isEqualTo("completed");
    assertThat(cli.columns("c3")).containsExactly("id", "b");
  }

  @Test
  void advance_backupTableExists_refusedBeforeTheFirstStep() throws Exception {
    cli.sql("CREATE TABLE c4 (id int PRIMARY KEY, a text)", "INSERT INTO c4 VALUES (1, 'x')",
        "CREATE TABLE c4_a_cutover_backup (x int)");
    cli.plan(dir, "c4-a", "c4", "rename:\n  from: a\n  to: b\n");
    cli.ok("advance", "c4-a");
    cli.ok("backfill", "c4-a");

    Cli.Run refused = cli.run("advance", "c4-a", "--to", "completed", "--backup", "--force");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("c4_a_cutover_backup", "exists already");
    assertThat(phase("c4-a")).isEqualTo("dual_write");
  }

  @Test
  void connectionOptions_afterTheCommand() throws Exception {
    Cli.Run run = cli.runBare("status", "--url", db.plainUrl(), "--user", db.user());
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
    assertThat(run.out()).contains("instances:");
  }

  @Test
  void json_everyCommandPrintsOneObject_errorsToo() throws Exception {
    cli.sql("CREATE TABLE c5 (id int PRIMARY KEY, a text)", "INSERT INTO c5 VALUES (1, 'x')");
    cli.plan(dir, "c5-a", "c5", "rename:\n  from: a\n  to: b\n");

    JsonNode advanced = JSON.readTree(cli.ok("advance", "c5-a", "--json").out());
    assertThat(advanced.get("id").asText()).isEqualTo("c5-a");
    assertThat(advanced.get("phase").asText()).isEqualTo("dual_write");
    assertThat(advanced.get("epoch").asLong()).isPositive();

    JsonNode backfilled = JSON.readTree(cli.ok("backfill", "c5-a", "--json").out());
    assertThat(backfilled.get("finished").asBoolean()).isTrue();

    JsonNode verified = JSON.readTree(cli.ok("verify", "c5-a", "--json").out());
    assertThat(verified.get("clean").asBoolean()).isTrue();
    assertThat(verified.get("rows").asLong()).isEqualTo(1);

    Cli.Run mismatch = cli.runAsTyped("--json", "verify", "c5-a");
    assertThat(mismatch.exit()).isZero();
    cli.sql("UPDATE c5 SET b = 'y'");
    Cli.Run differs = cli.run("verify", "c5-a", "--json");
    assertThat(differs.exit()).isEqualTo(3);
    assertThat(JSON.readTree(differs.out()).get("firstKeys").get(0).asText()).isEqualTo("1");

    Cli.Run error = cli.run("advance", "no-such", "--json");
    assertThat(error.exit()).isEqualTo(1);
    JsonNode e = JSON.readTree(error.out());
    assertThat(e.get("error").asText()).contains("no-such");
    assertThat(e.get("exitCode").asInt()).isEqualTo(1);

    Cli.Run usage = cli.run("advance", "x", "--json", "--no-such-option");
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(JSON.readTree(usage.out()).get("error").asText()).contains("--no-such-option");

    JsonNode rolledBack = JSON.readTree(cli.ok("rollback", "c5-a", "--json").out());
    assertThat(rolledBack.get("phase").asText()).isEqualTo("planned");
    JsonNode cancelled = JSON.readTree(cli.ok("cancel", "c5-a", "--json").out());
    assertThat(cancelled.get("cancelled").asBoolean()).isTrue();
    JsonNode planned = JSON.readTree(cli.ok("plan", dir.resolve("c5-a.yaml").toString(), "--dry-run", "--json").out());
    assertThat(planned.get("dryRun").asBoolean()).isTrue();
    assertThat(planned.get("ddl").get("dual_write").get(0).asText()).contains("ADD COLUMN");
    JsonNode init = JSON.readTree(cli.ok("init", "--json").out());
    assertThat(init.get("exitCode").asInt()).isZero();
  }

  @Test
  void password_fromPgpasswordWhenNotGiven() {
    CutoverCommand top = new CutoverCommand();
    new CommandLine(top).parseArgs("--url", "jdbc:postgresql://h/db", "status");
    ConnectionSettings fromEnv = top.settings(Map.of("PGPASSWORD", "s3cret"));
    assertThat(fromEnv.password()).isEqualTo("s3cret");
    assertThat(top.settings(Map.of()).password()).isNull();

    CutoverCommand given = new CutoverCommand();
    new CommandLine(given).parseArgs("status", "--password", "typed", "--url", "jdbc:postgresql://h/db");
    assertThat(given.settings(Map.of("PGPASSWORD", "s3cret")).password()).isEqualTo("typed");
    assertThat(given.settings(Map.of("CUTOVER_URL", "jdbc:postgresql://other/db")).url()).contains("//h/db");
  }

  @Test
  void unconvertibleRow_statusShowsIt_verifyAndAdvanceNameTheRow() throws Exception {
    cli.sql("CREATE TABLE c6 (id int PRIMARY KEY, code text)", "INSERT INTO c6 VALUES (1, '10'), (2, '20')");
    cli.sql("CREATE TABLE c7 (id int PRIMARY KEY, a text)");
    java.nio.file.Files.writeString(dir.resolve("c6-code.yaml"), "id: c6-code\ntable: c6\nchangeType:\n"
        + "  column: code\n  to: code_n\n  type: integer\n  up: \"code::integer\"\n  down: \"code_n::text\"\n");
    cli.ok("plan", dir.resolve("c6-code.yaml").toString());
    cli.plan(dir, "c7-a", "c7", "rename:\n  from: a\n  to: b\n");
    cli.sql("INSERT INTO c6 VALUES (3, 'x3')");
    cli.ok("advance", "c6-code");
    cli.ok("advance", "c7-a");

    // Before: status (every migration) and verify failed with a bare 22P02 naming nothing.
    Cli.Run status = cli.ok("status");
    assertThat(status.out()).contains("c6-code", "rows pending: unknown", "key 3", "'x3'", "c7-a");
    JsonNode json = JSON.readTree(cli.ok("status", "c6-code", "--json").out());
    assertThat(json.get("migrations").get(0).get("conversionError").asText()).contains("key 3");

    Cli.Run verify = cli.run("verify", "c6-code");
    assertThat(verify.exit()).isEqualTo(1);
    assertThat(verify.err()).contains("migration 'c6-code'", "key 3", "'x3'", "invalid input syntax");

    Cli.Run advance = cli.run("advance", "c6-code");
    assertThat(advance.exit()).isEqualTo(1);
    assertThat(advance.err()).contains("migration 'c6-code'", "key 3");
    assertThat(phase("c6-code")).isEqualTo("dual_write");
  }

  @Test
  void status_rollbackToPlannedNotFinished_saysTheNewColumnIsStillThere() throws Exception {
    cli.sql("CREATE TABLE c8 (id int PRIMARY KEY, a text)", "INSERT INTO c8 VALUES (1, 'x')");
    cli.plan(dir, "c8-a", "c8", "rename:\n  from: a\n  to: b\n");
    cli.ok("advance", "c8-a");
    // An application transaction open since dual_write: the rollback cannot drop the new column yet.
    try (java.sql.Connection app = java.sql.DriverManager.getConnection(db.cutoverUrl()
        + "?cutover.refreshMillis=100&cutover.instance=c8-app", db.user(), db.password())) {
      app.setAutoCommit(false);
      try (java.sql.Statement st = app.createStatement()) {
        st.executeQuery("SELECT b FROM c8").close();
      }
      Cli.Run rollback = cli.run("rollback", "c8-a", "--wait", "1s");
      assertThat(rollback.exit()).as(rollback.all()).isEqualTo(3);
      assertThat(phase("c8-a")).isEqualTo("planned");
      assertThat(cli.columns("c8")).containsExactly("id", "a", "b");
      assertThat(cli.ok("status", "c8-a").out()).contains("note: the rollback to planned has not dropped the new"
          + " column \"b\"", "cutover rollback c8-a");
      app.commit();
    }
    cli.ok("rollback", "c8-a");
    assertThat(cli.columns("c8")).containsExactly("id", "a");
    assertThat(cli.ok("status", "c8-a").out()).doesNotContain("note:");
  }

  @Test
  void rollback_completedWithKeepOld_saysWhereTheOldColumnIs() throws Exception {
    cli.sql("CREATE TABLE c9 (id int PRIMARY KEY, a text)", "INSERT INTO c9 VALUES (1, 'x')");
    cli.plan(dir, "c9-a", "c9", "rename:\n  from: a\n  to: b\n");
    cli.ok("advance", "c9-a");
    cli.ok("backfill", "c9-a");
    cli.ok("advance", "c9-a", "--to", "completed", "--keep-old", "--force");
    Cli.Run rollback = cli.run("rollback", "c9-a");
    assertThat(rollback.exit()).isEqualTo(1);
    assertThat(rollback.err()).contains("kept as \"public\".\"c9\".\"a_deprecated\"").doesNotContain("was dropped");
  }

  @Test
  void planCheckAll_rowBeyondTheSample_refusedNamingItAndNothingRegistered() throws Exception {
    cli.sql("CREATE TABLE c10 (id int PRIMARY KEY, code text)",
        "INSERT INTO c10 SELECT g, g::text FROM generate_series(1, 1500) g",
        "UPDATE c10 SET code = 'x1400' WHERE id = 1400");
    java.nio.file.Path f = dir.resolve("c10-code.yaml");
    java.nio.file.Files.writeString(f, "id: c10-code\ntable: c10\nchangeType:\n"
        + "  column: code\n  to: code_n\n  type: integer\n  up: \"code::integer\"\n  down: \"code_n::text\"\n");
    Cli.Run checked = cli.run("plan", f.toString(), "--check-all");
    assertThat(checked.exit()).isEqualTo(1);
    assertThat(checked.err()).contains("key 1400", "'x1400'", "invalid input syntax");
    assertThat(phase("c10-code")).isEqualTo("none");

    cli.sql("UPDATE c10 SET code = '1400' WHERE id = 1400");
    assertThat(cli.ok("plan", f.toString(), "--check-all").out()).contains("up converts every one of the 1500 rows");
    assertThat(phase("c10-code")).isEqualTo("planned");
  }
}
