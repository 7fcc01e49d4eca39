package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlanCommandTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() throws Exception {
    cli = new Cli(db);
    cli.sql("CREATE TABLE users (id bigint PRIMARY KEY, full_name text, email text)",
        "CREATE SCHEMA app", "CREATE TABLE app.\"Accounts\" (id int PRIMARY KEY, \"Owner\" text)",
        "CREATE VIEW users_v AS SELECT id, email FROM users");
    assertThat(cli.run("init").exit()).isEqualTo(0);
  }

  static Path file(String name, String content) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, content);
    return f;
  }

  @Test
  void init_isIdempotent() throws Exception {
    Cli.Run again = cli.run("init");
    assertThat(again.exit()).isEqualTo(0);
    assertThat(again.out()).contains("control schema \"cutover\" is ready");
    // One row per version (1, the lazy cut-over's step 2, the guarded instances' 3, the backfill
    // control's 4), however often init runs.
    assertThat(cli.one("SELECT string_agg(version::text, ',' ORDER BY version) FROM cutover.schema_version"))
        .isEqualTo("1,2,3,4,5");
  }

  @Test
  void plan_registersRenameWithFoldedNamesEpochSpecAndAudit() throws Exception {
    Path f = file("good.yaml", "id: users-display-name\ntable: PUBLIC.Users\nrename:\n  from: Full_Name\n  to: display_name\n");
    Cli.Run run = cli.run("plan", f.toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
    assertThat(run.out()).contains("planned migration 'users-display-name'");
    assertThat(cli.one("SELECT table_schema || '.' || table_name || ':' || old_column || '>' || new_column || ':' || phase"
        + " FROM cutover.migrations WHERE id = 'users-display-name'"))
        .isEqualTo("public.users:full_name>display_name:planned");
    assertThat(Long.parseLong(cli.one("SELECT epoch FROM cutover.migrations WHERE id = 'users-display-name'")))
        .isPositive();
    assertThat(cli.one("SELECT spec->'rename'->>'from' FROM cutover.migrations WHERE id = 'users-display-name'"))
        .isEqualTo("Full_Name");
    assertThat(cli.one("SELECT coalesce(from_phase, '-') || '>' || to_phase || ':' || (actor = current_user)"
        + " FROM cutover.audit_log WHERE migration_id = 'users-display-name'")).isEqualTo("->planned:true");
    // The table is untouched by plan.
    assertThat(cli.columns("users")).containsExactly("id", "full_name", "email");

    Path dup = file("dup.yaml", "id: users-display-name\ntable: users\nrename: {from: email, to: mail}\n");
    Cli.Run again = cli.run("plan", dup.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains(dup.toString(), "field 'id'", "already exists");

    Path sameColumn = file("same.json", "{\"id\": \"other\", \"table\": \"users\", \"rename\": {\"from\": \"full_name\", \"to\": \"nm\"}}");
    Cli.Run conflict = cli.run("plan", sameColumn.toString());
    assertThat(conflict.exit()).isEqualTo(1);
    assertThat(conflict.err()).contains(sameColumn.toString(), "field 'rename.from'", "users-display-name", "not completed");
    assertThat(cli.one("SELECT count(*) FROM cutover.migrations WHERE id = 'other'")).isEqualTo("0");
  }

  @Test
  void plan_quotedNamesInOtherSchema() throws Exception {
    Path f = file("quoted.yaml", "id: accounts-owner\ntable: app.\"Accounts\"\nrename:\n  from: '\"Owner\"'\n  to: '\"OwnerName\"'\n");
    Cli.Run run = cli.run("plan", f.toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
    assertThat(cli.one("SELECT table_schema || '.' || table_name || ':' || old_column || '>' || new_column"
        + " FROM cutover.migrations WHERE id = 'accounts-owner'")).isEqualTo("app.Accounts:Owner>OwnerName");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "missing id|table: users\\nrename: {from: email, to: mail}|id|missing",
      "bad id|id: 'a b'\\ntable: users\\nrename: {from: email, to: mail}|id|not a valid id",
      "unknown field|id: x1\\ntable: users\\nrename: {from: email, to: mail}\\ncolour: red|colour|unknown field",
      "unknown nested field|id: x2\\ntable: users\\nrename: {from: email, to: mail, via: x}|rename.via|unknown field",
      "missing rename|id: x3\\ntable: users|rename|missing",
      "both kinds|id: x4\\ntable: users\\nrename: {from: email, to: mail}\\nchangeType: {column: email, type: int, up: a, down: b}|changeType|not both",
      "no such table|id: x5\\ntable: nosuch\\nrename: {from: email, to: mail}|table|does not exist",
      "no such schema|id: x6\\ntable: nosuch.users\\nrename: {from: email, to: mail}|table|does not exist",
      "view|id: x7\\ntable: users_v\\nrename: {from: email, to: mail}|table|not an ordinary table",
      "bad table name|id: x8\\ntable: 'a.b.c'\\nrename: {from: email, to: mail}|table|too many parts",
      "no such column|id: x9\\ntable: users\\nrename: {from: nosuch, to: mail}|rename.from|does not exist",
      "target exists|id: x10\\ntable: users\\nrename: {from: email, to: ID}|rename.to|already exists",
      "bad identifier|id: x11\\ntable: users\\nrename: {from: email, to: 'e-mail'}|rename.to|needs double quotes",
      "same name|id: x12\\ntable: users\\nrename: {from: email, to: EMAIL}|rename.to|same name",
      "missing to|id: x13\\ntable: users\\nrename: {from: email}|rename.to|missing",
      "type change|id: x14\\ntable: users\\nchangeType: {column: id, type: bigint, up: id, down: id}|changeType.type|is of type bigint already",
      "not yaml|id: [unclosed|<file>|not valid YAML",
  })
  void plan_badFile_namesFileFieldAndReason_changesNothing(String name, String content, String field, String reason)
      throws Exception {
    Path f = file(name.replace(' ', '_') + ".yaml", content.replace("\\n", "\n"));
    String migrationsBefore = cli.one("SELECT count(*) FROM cutover.migrations");
    String auditBefore = cli.one("SELECT count(*) FROM cutover.audit_log");
    Cli.Run run = cli.run("plan", f.toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(1);
    assertThat(run.err()).contains(f.toString(), reason);
    if (!field.equals("<file>")) {
      assertThat(run.err()).contains("field '" + field + "'");
    }
    assertThat(cli.one("SELECT count(*) FROM cutover.migrations")).isEqualTo(migrationsBefore);
    assertThat(cli.one("SELECT count(*) FROM cutover.audit_log")).isEqualTo(auditBefore);
    assertThat(cli.columns("users")).containsExactly("id", "full_name", "email");
  }

  @Test
  void plan_dryRun_printsDdlOfEveryPhase_changesNothing() throws Exception {
    cli.sql("CREATE TABLE items (id int PRIMARY KEY, code varchar(20) COLLATE \"C\" NOT NULL DEFAULT 'x',"
        + " made timestamptz DEFAULT clock_timestamp())",
        "CREATE UNIQUE INDEX items_code_key ON items (code)",
        "CREATE INDEX items_lower_code ON items (lower(code)) WHERE code <> ''");
    Path f = file("dry.yaml", "id: items-sku\ntable: items\nrename: {from: code, to: sku}\n");
    Cli.Run run = cli.run("plan", "--dry-run", f.toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
    assertThat(run.out())
        .contains("ALTER TABLE \"public\".\"items\" ADD COLUMN IF NOT EXISTS \"sku\" character varying(20) COLLATE"
            + " pg_catalog.\"C\";")
        // The default only once every instance writes both columns: existing rows keep an empty new column.
        .contains("-- once every instance has applied dual_write: ALTER TABLE \"public\".\"items\" ALTER COLUMN \"sku\""
            + " SET DEFAULT 'x'::character varying;")
        .contains("CREATE UNIQUE INDEX CONCURRENTLY \"items_code_key_cutover\" ON public.items USING btree (\"sku\");")
        .contains("CREATE INDEX CONCURRENTLY \"items_lower_code_cutover\" ON public.items USING btree (lower((\"sku\")::text))"
            + " WHERE ((\"sku\")::text <> ''::text);")
        .contains("ALTER TABLE \"public\".\"items\" DROP COLUMN IF EXISTS \"code\";")
        .contains("read_new:", "guard");
    assertThat(cli.one("SELECT count(*) FROM cutover.migrations WHERE id = 'items-sku'")).isEqualTo("0");

    Path volatileDefault = file("dry2.yaml", "id: items-created\ntable: items\nrename: {from: made, to: created}\n");
    Cli.Run run2 = cli.run("plan", "--dry-run", volatileDefault.toString());
    // A volatile default cannot give both columns one value for an INSERT that omits the column.
    assertThat(run2.exit()).as(run2.all()).isEqualTo(1);
    assertThat(run2.out()).contains("[refuse] volatile default: DEFAULT clock_timestamp()")
        .contains("ADD COLUMN IF NOT EXISTS \"created\" timestamp with time zone;");
  }

  @Test
  void plan_withoutInit_tellsToRunInit() throws Exception {
    Path f = file("noinit.yaml", "id: n1\ntable: users\nrename: {from: email, to: mail}\n");
    Cli.Run run = new Cli(db, db.cutoverUrl() + "?cutover.schema=elsewhere").run("plan", f.toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("\"elsewhere\" is not installed", "cutover init");
  }

  @Test
  void plan_badUsage_exits2() {
    assertThat(cli.run("plan").exit()).isEqualTo(2);
    assertThat(cli.run("advance", "x", "--wait", "soon").exit()).isEqualTo(2);
    assertThat(cli.run("advance", "x", "--to", "nowhere").exit()).isEqualTo(2);
    assertThat(new Cli(db, "jdbc:mysql://x/y").run("status").exit()).isEqualTo(2);
  }
}
