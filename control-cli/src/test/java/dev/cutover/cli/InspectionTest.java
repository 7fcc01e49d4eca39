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

/** Plan-time inspection: what uses the column server-side is listed, and refused where it would break. */
class InspectionTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() {
    cli = new Cli(db);
    assertThat(cli.run("init").exit()).isEqualTo(0);
  }

  static Path file(String id, String table, String from) throws Exception {
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(f, "id: " + id + "\ntable: " + table + "\nrename: {from: " + from + ", to: " + from + "_new}\n");
    return f;
  }

  /** Each case: its own table {@code t_<case>} with column {@code c_<case>} and one object using it. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "view|CREATE VIEW v_view AS SELECT id, c_view FROM t_view|view",
      "matview|CREATE MATERIALIZED VIEW mv_matview AS SELECT c_matview FROM t_matview|materialized view",
      "rule|CREATE TABLE log_rule (v text); CREATE RULE r_rule AS ON UPDATE TO t_rule DO ALSO INSERT INTO log_rule VALUES (NEW.c_rule)|rule",
      "generated|ALTER TABLE t_generated ADD COLUMN g text GENERATED ALWAYS AS (upper(c_generated)) STORED|generated column",
      "multicheck|ALTER TABLE t_multicheck ADD CONSTRAINT two CHECK (c_multicheck <> other)|check constraint",
      "fkout|CREATE TABLE parent_fkout (code text PRIMARY KEY); ALTER TABLE t_fkout ADD FOREIGN KEY (c_fkout) REFERENCES parent_fkout|foreign key",
      "fkin|ALTER TABLE t_fkin ADD UNIQUE (c_fkin); CREATE TABLE child_fkin (x text REFERENCES t_fkin (c_fkin))|foreign key",
      "pk|ALTER TABLE t_pk DROP CONSTRAINT t_pk_pkey; ALTER TABLE t_pk ALTER c_pk SET NOT NULL; ALTER TABLE t_pk ADD PRIMARY KEY (id, c_pk)|primary key",
      "replident|ALTER TABLE t_replident ALTER c_replident SET NOT NULL; CREATE UNIQUE INDEX ri_replident ON t_replident (c_replident); ALTER TABLE t_replident REPLICA IDENTITY USING INDEX ri_replident|replica identity",
      "policy|CREATE POLICY p_policy ON t_policy USING (c_policy = current_user)|row-level security policy",
      "trigfn|CREATE FUNCTION f_trigfn() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.c_trigfn := upper(NEW.c_trigfn); RETURN NEW; END$$; CREATE TRIGGER tr_trigfn BEFORE INSERT ON t_trigfn FOR EACH ROW EXECUTE FUNCTION f_trigfn()|trigger",
      "trigcol|CREATE FUNCTION f_trigcol() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$; CREATE TRIGGER tr_trigcol BEFORE UPDATE OF c_trigcol ON t_trigcol FOR EACH ROW EXECUTE FUNCTION f_trigcol()|trigger",
      "function|CREATE FUNCTION f_function() RETURNS bigint LANGUAGE sql AS $$SELECT count(C_FUNCTION) FROM t_function$$|function",
      "atomic|CREATE FUNCTION f_atomic() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(c_atomic) FROM t_atomic; END|function",
      "procedure|CREATE PROCEDURE p_procedure() LANGUAGE plpgsql AS $$BEGIN UPDATE t_procedure SET c_procedure = 'x'; END$$|procedure",
      "publist|CREATE PUBLICATION pub_publist FOR TABLE t_publist (id, c_publist)|publication column list",
      "serial|ALTER TABLE t_serial DROP COLUMN c_serial; ALTER TABLE t_serial ADD COLUMN c_serial serial|owned sequence",
      "voldefault|ALTER TABLE t_voldefault ALTER COLUMN c_voldefault SET DEFAULT md5(random()::text)|volatile default",
  })
  void plan_objectThatWouldBreak_isRefusedNamingFileFieldAndObject(String name, String setup, String kind)
      throws Exception {
    cli.sql("CREATE TABLE t_" + name + " (id int PRIMARY KEY, c_" + name + " text, other text)");
    cli.sql(setup.split("; (?=CREATE|ALTER)"));
    Path f = file("m-" + name, "t_" + name, "c_" + name);
    String audit = cli.one("SELECT count(*) FROM cutover.audit_log");

    Cli.Run dry = cli.run("plan", "--dry-run", f.toString());
    assertThat(dry.exit()).as(dry.all()).isEqualTo(1);
    assertThat(dry.out()).contains("[refuse] " + kind + ":");

    Cli.Run run = cli.run("plan", f.toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(1);
    assertThat(run.err()).contains(f.toString(), "field 'rename.from'", kind, "would break");
    assertThat(cli.one("SELECT count(*) FROM cutover.migrations WHERE id = 'm-" + name + "'")).isEqualTo("0");
    assertThat(cli.one("SELECT count(*) FROM cutover.audit_log")).isEqualTo(audit);
    assertThat(cli.columns("t_" + name)).doesNotContain("c_" + name + "_new");
  }

  @Test
  void plan_safeFindings_areListedWithTheirStepsAndPlanned() throws Exception {
    cli.sql("CREATE TABLE t_safe (id int PRIMARY KEY, c_safe text CHECK (c_safe <> '') UNIQUE, other text)",
        "CREATE STATISTICS st_safe ON c_safe, other FROM t_safe",
        "CREATE PUBLICATION pub_safe FOR TABLE t_safe",
        "CREATE FUNCTION f_safe_trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.other := 'o'; RETURN NEW; END$$",
        "CREATE TRIGGER tr_safe BEFORE INSERT ON t_safe FOR EACH ROW EXECUTE FUNCTION f_safe_trg()",
        "CREATE FUNCTION f_safe_other(c_safe text) RETURNS text LANGUAGE sql AS $$SELECT upper(c_safe)$$",
        "CREATE VIEW v_safe AS SELECT id, other FROM t_safe",
        "GRANT UPDATE (c_safe) ON t_safe TO PUBLIC");
    Path f = file("m-safe", "t_safe", "c_safe");
    Cli.Run run = cli.run("plan", f.toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
    assertThat(run.out()).contains(
        "[manual] statistics object: statistics object st_safe: covers",
        "[manual] publication: \"pub_safe\": replicates",
        "[manual] trigger: \"tr_safe\"", "does not mention",
        "[manual] function: f_safe_other(text)",
        "[manual] column privileges",
        "[carried] check constraint: constraint t_safe_c_safe_check",
        "[carried] unique constraint")
        .doesNotContain("[refuse]", "v_safe");
    assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'm-safe'")).isEqualTo("planned");
  }

  @Test
  void plan_columnNothingUses_saysSo() throws Exception {
    cli.sql("CREATE TABLE t_plain (id int PRIMARY KEY, c_plain text)", "CREATE INDEX ON t_plain (c_plain)");
    Cli.Run run = cli.run("plan", "--dry-run", file("m-plain", "t_plain", "c_plain").toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
    assertThat(run.out()).contains("inspection: nothing in the database uses \"public\".\"t_plain\".\"c_plain\"");
  }
}
