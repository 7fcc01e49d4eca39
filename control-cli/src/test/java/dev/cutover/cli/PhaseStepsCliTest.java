package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The phase changes as one plan: {@code --dry-run} of {@code advance} and {@code rollback} changes
 * nothing (the control rows, the tables' rows and their catalog are byte-for-byte the same), and
 * the statements it prints are exactly the ones the real command then runs or, when their effect is
 * there already, reports skipped, in the same order; for a rename, a type change and an in-place
 * type change, through every phase forward and back. A multi-step advance that would be refused
 * half-way is refused before its first step; several migrations move together.
 */
class PhaseStepsCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() {
    cli = new Cli(db);
    assertThat(cli.run("init").exit()).isEqualTo(0);
  }

  /** Everything a phase change could touch, as text: control rows, the tables' rows, columns, constraints, indexes. */
  static String fingerprint() throws Exception {
    StringBuilder rows = new StringBuilder();
    for (String table : List.of("items", "orders", "stock", "pev")) { // (the tables each test creates)
      if (cli.one("SELECT count(*) FROM pg_class WHERE relname = '" + table + "'"
          + " AND relnamespace = 'public'::regnamespace").equals("1")) {
        rows.append(" UNION ALL SELECT 'row " + table + " ' || t::text FROM " + table + " t");
      }
    }
    return String.join("\n", cli.query("SELECT x FROM ("
        + " SELECT 'migration ' || m::text AS x FROM cutover.migrations m"
        + " UNION ALL SELECT 'audit ' || a::text FROM cutover.audit_log a"
        + " UNION ALL SELECT 'backfill ' || b::text FROM cutover.backfill_state b"
        + " UNION ALL SELECT 'usage ' || u::text FROM cutover.name_usage u"
        + " UNION ALL SELECT 'epoch ' || last_value FROM cutover.epoch_seq"
        + " UNION ALL SELECT 'relation ' || c.relname || ' ' || c.relkind::text FROM pg_class c"
        + "   WHERE c.relnamespace = 'public'::regnamespace"
        + " UNION ALL SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid,"
        + "   a.atttypmod) || ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')"
        + "   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid"
        + "   AND d.adnum = a.attnum WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0"
        + "   AND NOT a.attisdropped"
        + " UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || convalidated || ' '"
        + "   || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
        + " UNION ALL SELECT 'index ' || i.indexrelid::regclass || ' ' || i.indisvalid || ' ' || pg_get_indexdef(i.indexrelid)"
        + "   FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace"
        + rows
        + ") s ORDER BY x"));
  }

  @Test
  void dryRun_changesNothing_andPrintsExactlyWhatTheRunThenExecutes() throws Exception {
    cli.sql("CREATE TABLE items (id int PRIMARY KEY, code text NOT NULL DEFAULT 'x' CHECK (length(code) < 50),"
            + " note text)",
        "CREATE INDEX items_code ON items (code)",
        "INSERT INTO items SELECT g, 'c' || g, 'n' FROM generate_series(1, 30) g",
        "CREATE TABLE orders (id int PRIMARY KEY, amount int NOT NULL CHECK (amount >= 0))",
        "CREATE INDEX orders_amount ON orders (amount)",
        "INSERT INTO orders SELECT g, g * 3 FROM generate_series(1, 30) g",
        "CREATE TABLE stock (id serial PRIMARY KEY, qty int NOT NULL DEFAULT 0)",
        "INSERT INTO stock (qty) SELECT g FROM generate_series(1, 30) g");
    plan("items-sku", "id: items-sku\ntable: items\nrename: {from: code, to: sku}\n");
    plan("orders-big", "id: orders-big\ntable: orders\nchangeType:\n  column: amount\n  to: amount_big\n"
        + "  type: bigint\n  up: \"amount::bigint\"\n  down: \"amount_big::int\"\n");
    plan("stock-id", "id: stock-id\ntable: stock\nchangeType:\n  column: id\n  type: bigint\n"
        + "  up: \"id::bigint\"\n  down: \"id::int\"\n");

    int executed = 0;
    for (String id : List.of("items-sku", "orders-big", "stock-id")) {
      executed += dryRunThenRun("advance", id);
      cli.ok("backfill", id);
      executed += dryRunThenRun("advance", id);
      executed += dryRunThenRun("advance", id);
      executed += dryRunThenRun("rollback", id);
      executed += dryRunThenRun("rollback", id);
      executed += dryRunThenRun("rollback", id);
      executed += dryRunThenRun("advance", id);
      cli.ok("backfill", id); // (the first one was forgotten with the new column)
      executed += dryRunThenRun("advance", id, "--to", "completed", "--force", "--backup");
      assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = '" + id + "'")).isEqualTo("completed");
    }
    assertThat(executed).as("statements run over the three walks").isGreaterThan(40);
    assertThat(cli.columns("items")).containsExactly("id", "note", "sku");
    assertThat(cli.columns("orders")).containsExactly("id", "amount_big");
    assertThat(cli.columns("stock")).containsExactly("qty", "id");
    assertThat(cli.one("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'stock'::regclass"
        + " AND attname = 'id'")).isEqualTo("bigint");
    assertThat(cli.one("SELECT count(*) FROM stock")).isEqualTo("30");
  }

  /**
   * A sub-partitioned table's in-place type change, forward, back and forward again: the index copy
   * put together partition by partition (ON ONLY, CONCURRENTLY per leaf, ATTACH) and the partition
   * guard are steps of the plan like any other, so the dry run prints exactly what the run executes.
   */
  @Test
  void partitionedTable_dryRunPrintsExactlyWhatTheRunThenExecutes() throws Exception {
    cli.sql("CREATE TABLE pev (id int NOT NULL, region text NOT NULL, code text NOT NULL CHECK (length(code) < 50),"
            + " PRIMARY KEY (id, region)) PARTITION BY LIST (region)",
        "CREATE TABLE pev_eu PARTITION OF pev FOR VALUES IN ('eu') PARTITION BY HASH (id)",
        "CREATE TABLE pev_eu0 PARTITION OF pev_eu FOR VALUES WITH (MODULUS 2, REMAINDER 0)",
        "CREATE TABLE pev_eu1 PARTITION OF pev_eu FOR VALUES WITH (MODULUS 2, REMAINDER 1)",
        "CREATE TABLE pev_us PARTITION OF pev FOR VALUES IN ('us')",
        "CREATE INDEX pev_code ON pev (code)",
        "INSERT INTO pev SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, 'c' || g FROM generate_series(1, 40) g");
    plan("pev-code", "id: pev-code\ntable: pev\nchangeType:\n  column: code\n  type: varchar(60)\n"
        + "  up: \"code::varchar(60)\"\n  down: \"code::text\"\n");

    int executed = dryRunThenRun("advance", "pev-code");
    assertThat(cli.one("SELECT count(*) FROM pg_class WHERE relname LIKE 'pev%cutover' AND relkind IN ('i', 'I')"))
        .as("the index copy: one per level").isEqualTo("5");
    cli.ok("backfill", "pev-code");
    executed += dryRunThenRun("advance", "pev-code");
    executed += dryRunThenRun("advance", "pev-code");
    executed += dryRunThenRun("rollback", "pev-code");
    executed += dryRunThenRun("rollback", "pev-code");
    executed += dryRunThenRun("rollback", "pev-code");
    executed += dryRunThenRun("advance", "pev-code");
    cli.ok("backfill", "pev-code");
    executed += dryRunThenRun("advance", "pev-code", "--to", "completed", "--force");
    assertThat(executed).isGreaterThan(15);
    assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'pev-code'")).isEqualTo("completed");
    assertThat(cli.one("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'pev_eu1'::regclass"
        + " AND attname = 'code'")).isEqualTo("character varying(60)");
    assertThat(cli.one("SELECT count(*) FROM pg_class WHERE relname LIKE 'pev%cutover%'")).isEqualTo("0");
    assertThat(cli.one("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'pev_code'::regclass"))
        .isEqualTo("true");
    assertThat(cli.one("SELECT count(*) FROM pev WHERE code = 'c' || id")).isEqualTo("40");
  }

  /**
   * Runs {@code args --dry-run --json}, checks nothing changed, then {@code args --json}, and checks
   * that the statements it ran, with the ones it skipped as done, are the planned ones in order.
   *
   * @return how many statements the real run executed
   */
  private static int dryRunThenRun(String... args) throws Exception {
    String before = fingerprint();
    Cli.Run dry = cli.run(concat(args, "--dry-run", "--json"));
    assertThat(dry.exit()).as(dry.all()).isZero();
    assertThat(fingerprint()).as("the dry run of %s changed nothing", String.join(" ", args)).isEqualTo(before);
    JsonNode plan = JSON.readTree(dry.out());
    assertThat(plan.get("dryRun").asBoolean()).isTrue();
    List<String> planned = new ArrayList<>();
    for (JsonNode step : plan.get("steps")) {
      for (JsonNode action : step.get("actions")) {
        for (JsonNode statement : action.get("statements")) {
          planned.add(statement.get("sql").asText());
        }
      }
    }
    assertThat(plan.get("steps")).as("steps of %s", String.join(" ", args)).isNotEmpty();

    Cli.Run real = cli.run(concat(args, "--json"));
    assertThat(real.exit()).as(real.all()).isZero();
    List<String> ranOrSkipped = new ArrayList<>();
    int ran = 0;
    for (String line : real.err().split("\n")) {
      if (!line.startsWith("{\"event\"")) {
        continue;
      }
      JsonNode event = JSON.readTree(line);
      String kind = event.get("event").asText();
      if (kind.equals("sql") || kind.equals("skipped")) {
        ranOrSkipped.add(event.get("sql").asText());
        ran += kind.equals("sql") ? 1 : 0;
      }
    }
    assertThat(ranOrSkipped).as("what %s ran or skipped as done, against its dry run\n%s", String.join(" ", args),
        real.all()).containsExactlyElementsOf(planned);
    return ran;
  }

  /**
   * A command that stopped half-way (here: the first statements of the plan ran, as a crashed
   * advance would have left them) is run again: the statements already done are reported skipped,
   * the rest run, and the result is the same as an uninterrupted run's.
   */
  @Test
  void rerunAfterACrash_skipsWhatRan_runsTheRest() throws Exception {
    cli.sql("CREATE TABLE crashed (id int PRIMARY KEY, code text NOT NULL CHECK (code <> 'bad'))",
        "CREATE UNIQUE INDEX crashed_code ON crashed (code)",
        "INSERT INTO crashed SELECT g, 'c' || g FROM generate_series(1, 10) g");
    plan("crashed-sku", "id: crashed-sku\ntable: crashed\nrename: {from: code, to: sku}\n");
    Cli.Run dry = cli.run("advance", "crashed-sku", "--dry-run", "--json");
    assertThat(dry.exit()).as(dry.all()).isZero();
    List<String> planned = new ArrayList<>();
    for (JsonNode action : JSON.readTree(dry.out()).get("steps").get(0).get("actions")) {
      for (JsonNode statement : action.get("statements")) {
        planned.add(statement.get("sql").asText());
      }
    }
    // ADD COLUMN, the check copy, CREATE INDEX CONCURRENTLY of the unique index's copy:
    assertThat(planned).hasSize(3);
    assertThat(planned.get(2)).startsWith("CREATE UNIQUE INDEX CONCURRENTLY \"crashed_code_cutover\"");
    cli.sql(planned.get(0), planned.get(1)); // the crash came after the first transaction

    Cli.Run rerun = cli.run("advance", "crashed-sku", "--json");
    assertThat(rerun.exit()).as(rerun.all()).isZero();
    List<String> skipped = new ArrayList<>();
    List<String> ran = new ArrayList<>();
    for (String line : rerun.err().split("\n")) {
      if (line.startsWith("{\"event\"")) {
        JsonNode event = JSON.readTree(line);
        if (event.get("event").asText().equals("skipped")) {
          skipped.add(event.get("sql").asText());
        } else if (event.get("event").asText().equals("sql")) {
          ran.add(event.get("sql").asText());
        }
      }
    }
    assertThat(skipped).containsExactly(planned.get(0), planned.get(1));
    assertThat(ran).containsExactly(planned.get(2));
    assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'crashed-sku'")).isEqualTo("dual_write");
    assertThat(cli.indexes("crashed")).contains("CREATE UNIQUE INDEX crashed_code_cutover ON public.crashed USING btree (sku)");
  }

  /** Under --json a DDL's lock waits report as events naming the blocking session; the refusal names it too. */
  @Test
  void lockWait_underJson_namesTheBlockerInEventsAndError() throws Exception {
    cli.sql("CREATE TABLE held (id int PRIMARY KEY, v text)", "INSERT INTO held VALUES (1, 'a')");
    plan("held-w", "id: held-w\ntable: held\nrename: {from: v, to: w}\n");
    try (java.sql.Connection blocker = db.plainConnection(); java.sql.Statement st = blocker.createStatement()) {
      st.execute("SET application_name = 'report-job'");
      blocker.setAutoCommit(false);
      st.executeQuery("SELECT v FROM held").close();
      Cli.Run run = cli.run("advance", "held-w", "--json", "--lock-timeout", "200ms", "--lock-retry-budget", "1s");
      assertThat(run.exit()).as(run.all()).isEqualTo(1);
      assertThat(JSON.readTree(run.out()).get("error").asText()).contains("blocked by pid", "'report-job'",
          "idle in transaction", "SELECT v FROM held");
      assertThat(run.err().lines().filter(l -> l.startsWith("{\"event\":\"note\"")).map(l -> {
        try {
          return JSON.readTree(l).get("message").asText();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      })).anyMatch(m -> m.startsWith("lock not available (attempt 1), blocked by pid") && m.contains("'report-job'"));
      blocker.rollback();
    }
    assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'held-w'")).isEqualTo("planned");
  }

  /**
   * The helpers a phase change calls (here the fence) report through the listener too: under
   * {@code --json} every line on stderr is an event, the fence's report a note among them.
   */
  @Test
  void fence_underJson_reportsAsANoteEvent_andEveryProgressLineIsJson() throws Exception {
    cli.sql("CREATE TABLE fenced (id int PRIMARY KEY, v text)", "INSERT INTO fenced VALUES (1, 'a')");
    plan("fenced-w", "id: fenced-w\ntable: fenced\nrename: {from: v, to: w}\n");
    java.util.Properties p = db.properties();
    p.setProperty("ApplicationName", dev.cutover.control.InstanceMarker.applicationName("app",
        dev.cutover.control.InstanceMarker.of("cutover", "never-heartbeated")));
    try (java.sql.Connection stale = new org.postgresql.Driver().connect(db.plainUrl(), p)) {
      Cli.Run run = cli.run("advance", "fenced-w", "--json");
      assertThat(run.exit()).as(run.all()).isEqualTo(0);
      List<String> lines = run.err().lines().filter(l -> !l.isBlank()).toList();
      assertThat(lines).isNotEmpty().allMatch(l -> l.startsWith("{\"event\":"));
      assertThat(lines.stream().map(l -> {
        try {
          return JSON.readTree(l);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }).filter(e -> e.get("event").asText().equals("note")).map(e -> e.get("message").asText()))
          .anyMatch(m -> m.startsWith("fenced an unregistered Cutover instance"));
      assertThat(stale.isValid(2)).isFalse();
    }
    assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'fenced-w'")).isEqualTo("dual_write");
  }

  @Test
  void multiStepAdvance_refusedHalfWay_isRefusedBeforeTheFirstStep() throws Exception {
    cli.sql("CREATE TABLE tags (id int PRIMARY KEY, label text NOT NULL)",
        "INSERT INTO tags VALUES (1, 'a'), (2, 'b')",
        "CREATE TABLE notes (id int PRIMARY KEY, body text)",
        "INSERT INTO notes VALUES (1, 'x')");
    plan("tags-name", "id: tags-name\ntable: tags\nrename: {from: label, to: name}\n");
    plan("notes-text", "id: notes-text\ntable: notes\nrename: {from: body, to: text}\n");
    cli.ok("advance", "tags-name");
    cli.ok("backfill", "tags-name");
    cli.sql("CREATE TABLE tags_label_cutover_backup (id int)");

    // --backup while the backup table exists: refused before read_new's NOT NULL or anything else.
    String before = tagsState();
    Cli.Run refused = cli.run("advance", "tags-name", "--to", "completed", "--backup", "--force");
    assertThat(refused.exit()).as(refused.all()).isEqualTo(1);
    assertThat(refused.err()).contains("\"public\".\"tags_label_cutover_backup\" exists already");
    assertThat(refused.out()).doesNotContain("ALTER TABLE");
    assertThat(tagsState()).isEqualTo(before);

    // From planned with rows to copy, read_new cannot be reached in one command: nothing is added.
    String notes = notesState();
    Cli.Run early = cli.run("advance", "notes-text", "--to", "read_new");
    assertThat(early.exit()).as(early.all()).isEqualTo(3);
    assertThat(early.err()).contains("cannot go from planned to read_new in one command", "nothing was changed");
    assertThat(notesState()).isEqualTo(notes);
    assertThat(cli.columns("notes")).containsExactly("id", "body");

    // Together: one refused refuses both, before either moves.
    Cli.Run both = cli.run("advance", "tags-name", "notes-text", "--to", "read_new");
    assertThat(both.exit()).as(both.all()).isEqualTo(3);
    assertThat(tagsState()).isEqualTo(before);
    assertThat(notesState()).isEqualTo(notes);

    cli.sql("DROP TABLE tags_label_cutover_backup");
    cli.ok("advance", "tags-name", "--to", "completed", "--backup", "--force");
    assertThat(cli.columns("tags_label_cutover_backup")).containsExactly("id", "label");
  }

  private static String tagsState() throws Exception {
    return String.join("\n", cli.query("SELECT x FROM (SELECT m::text AS x FROM cutover.migrations m WHERE id ="
        + " 'tags-name' UNION ALL SELECT count(*)::text FROM cutover.audit_log UNION ALL SELECT attname || attnotnull"
        + " FROM pg_attribute WHERE attrelid = 'tags'::regclass AND attnum > 0 AND NOT attisdropped"
        + " UNION ALL SELECT conname || convalidated FROM pg_constraint WHERE conrelid = 'tags'::regclass) s ORDER BY x"));
  }

  private static String notesState() throws Exception {
    return String.join("\n", cli.query("SELECT x FROM (SELECT m::text AS x FROM cutover.migrations m WHERE id ="
        + " 'notes-text' UNION ALL SELECT count(*)::text FROM cutover.audit_log UNION ALL SELECT attname"
        + " FROM pg_attribute WHERE attrelid = 'notes'::regclass AND attnum > 0 AND NOT attisdropped) s ORDER BY x"));
  }

  @Test
  void severalIds_moveTogether_stepByStep_andStatusListsThemAll() throws Exception {
    cli.sql("CREATE TABLE pairs (id int PRIMARY KEY, left_v int, right_v int)",
        "CREATE TABLE singles (id int PRIMARY KEY, v text)");
    plan("pairs-l", "id: pairs-l\ntable: pairs\nrename: {from: left_v, to: l}\n");
    plan("pairs-r", "id: pairs-r\ntable: pairs\nrename: {from: right_v, to: r}\n");
    plan("singles-v", "id: singles-v\ntable: singles\nrename: {from: v, to: w}\n");

    Cli.Run dry = cli.run("advance", "pairs-l", "pairs-r", "singles-v", "--to", "new_only", "--dry-run");
    assertThat(dry.exit()).as(dry.all()).isZero();
    assertThat(dry.out()).contains("dry run (nothing changed): 9 step(s)", "step 1: migration 'pairs-l' planned ->"
        + " dual_write", "step 2: migration 'pairs-r' planned -> dual_write", "step 4: migration 'pairs-l' dual_write -> read_new");
    assertThat(cli.columns("pairs")).containsExactly("id", "left_v", "right_v");

    Cli.Run run = cli.run("advance", "pairs-l", "pairs-r", "singles-v", "--to", "new_only", "--json");
    assertThat(run.exit()).as(run.all()).isZero();
    JsonNode result = JSON.readTree(run.out());
    assertThat(result.get("migrations")).hasSize(3);
    // One wait for the fleet before and one after each of the three rounds, each for all three
    // migrations: 6 waits, not one per migration and step (18).
    List<JsonNode> waits = run.err().lines().filter(l -> l.startsWith("{\"event\":\"acks\"")).map(l -> {
      try {
        return JSON.readTree(l);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).toList();
    assertThat(waits).hasSize(6);
    waits.forEach(w -> assertThat(w.get("migrations").toString()).isEqualTo("[\"pairs-l\",\"pairs-r\",\"singles-v\"]"));
    result.get("migrations").forEach(m -> assertThat(m.get("phase").asText()).isEqualTo("new_only"));
    // Round by round: every migration takes a step before any takes the next.
    assertThat(cli.query("SELECT migration_id || ' ' || from_phase || '->' || to_phase FROM cutover.audit_log"
        + " WHERE migration_id IN ('pairs-l', 'pairs-r', 'singles-v') AND from_phase IS NOT NULL ORDER BY id"))
        .containsExactly(
            "pairs-l planned->dual_write", "pairs-r planned->dual_write", "singles-v planned->dual_write",
            "pairs-l dual_write->read_new", "pairs-r dual_write->read_new", "singles-v dual_write->read_new",
            "pairs-l read_new->new_only", "pairs-r read_new->new_only", "singles-v read_new->new_only");
    assertThat(cli.columns("pairs")).containsExactly("id", "left_v", "right_v", "l", "r");

    Cli.Run status = cli.ok("status");
    assertThat(status.out()).contains("pairs-l ", "pairs-r ", "singles-v ");
    Cli.Run some = cli.ok("status", "pairs-r", "singles-v");
    assertThat(some.out()).contains("pairs-r ", "singles-v ").doesNotContain("pairs-l ");

    cli.ok("rollback", "pairs-l", "pairs-r", "singles-v", "--to", "planned");
    assertThat(cli.columns("pairs")).containsExactly("id", "left_v", "right_v");
    assertThat(cli.columns("singles")).containsExactly("id", "v");
  }

  private static void plan(String id, String body) throws Exception {
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(f, body);
    cli.ok("plan", f.toString());
  }

  private static String[] concat(String[] args, String... more) {
    return Stream.concat(Stream.of(args), Stream.of(more)).toArray(String[]::new);
  }
}
