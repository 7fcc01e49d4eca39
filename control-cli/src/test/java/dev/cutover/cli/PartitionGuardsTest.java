package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What plan refuses on a partitioned table, with the reason and the manual step (a partition key
 * column, a partition named instead of its partitioned table, a foreign partition), what its dry run
 * shows (the index copy put together partition by partition), and the refusal of advance, verify,
 * backfill and rollback once partitions were attached or detached after the plan.
 */
class PartitionGuardsTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() throws Exception {
    cli = new Cli(db);
    cli.sql("CREATE TABLE ev (id int NOT NULL, region text NOT NULL, day date NOT NULL, note text,"
            + " PRIMARY KEY (id, region, day)) PARTITION BY LIST (region)",
        "CREATE TABLE ev_eu PARTITION OF ev FOR VALUES IN ('eu') PARTITION BY RANGE (day)",
        "CREATE TABLE ev_eu_2024 PARTITION OF ev_eu FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        "CREATE TABLE ev_us PARTITION OF ev FOR VALUES IN ('us')",
        "CREATE INDEX ev_note ON ev (note)",
        "INSERT INTO ev VALUES (1, 'eu', '2024-05-01', 'a'), (2, 'us', '2024-05-01', 'b')");
    assertThat(cli.run("init").exit()).isEqualTo(0);
  }

  static Path file(String name, String content) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, content);
    return f;
  }

  @Test
  void plan_partitionKeyColumn_refusedWithTheManualWay() throws Exception {
    Cli.Run run = cli.run("plan", file("key.yaml", "id: k1\ntable: ev\nrename: {from: region, to: area}\n").toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(1);
    assertThat(run.all()).contains("partition key", "PARTITION BY LIST (region)", "cannot drop a partition key column",
        "create a new partitioned table");
    assertThat(cli.one("SELECT count(*) FROM cutover.migrations WHERE id = 'k1'")).isEqualTo("0");
  }

  @Test
  void plan_subPartitionKeyColumn_refused() throws Exception {
    Cli.Run run = cli.run("plan", file("subkey.yaml", "id: k2\ntable: ev\nchangeType: {column: day, to: day_ts, type:"
        + " timestamp, up: \"day::timestamp\", down: \"day_ts::date\"}\n").toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(1);
    assertThat(run.all()).contains("partition key", "\"public\".\"ev_eu\" PARTITION BY RANGE (day)");
  }

  @Test
  void plan_aPartition_refusedNamingWhatToPlanInstead() throws Exception {
    Cli.Run run = cli.run("plan", file("part.yaml", "id: k3\ntable: ev_us\nrename: {from: note, to: memo}\n").toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(1);
    assertThat(run.all()).contains("is a partition", "plan the migration on the partitioned table");
  }

  @Test
  void plan_foreignPartition_refused() throws Exception {
    cli.sql("CREATE EXTENSION IF NOT EXISTS postgres_fdw",
        "CREATE SERVER elsewhere FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'nowhere')",
        "CREATE TABLE fev (id int NOT NULL, region text NOT NULL, note text) PARTITION BY LIST (region)",
        "CREATE TABLE fev_eu PARTITION OF fev FOR VALUES IN ('eu')",
        "CREATE FOREIGN TABLE fev_us PARTITION OF fev FOR VALUES IN ('us') SERVER elsewhere");
    Cli.Run run = cli.run("plan", file("foreign.yaml", "id: k4\ntable: fev\nrename: {from: note, to: memo}\n").toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(1);
    assertThat(run.all()).contains("foreign partition", "\"public\".\"fev_us\"", "DETACH PARTITION");
  }

  @Test
  void planDryRun_showsTheIndexCopyPartitionByPartition() throws Exception {
    Cli.Run run = cli.run("plan", file("dry.yaml", "id: d1\ntable: ev\nrename: {from: note, to: memo}\n").toString(),
        "--dry-run");
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
    assertThat(run.out()).contains(
        "ALTER TABLE \"public\".\"ev\" ADD COLUMN IF NOT EXISTS \"memo\" text",
        "CREATE INDEX IF NOT EXISTS \"ev_note_cutover\" ON ONLY public.ev USING btree (\"memo\")",
        "CREATE INDEX IF NOT EXISTS \"ev_eu_note_idx_cutover\" ON ONLY public.ev_eu USING btree (\"memo\")",
        "CREATE INDEX CONCURRENTLY \"ev_eu_2024_note_idx_cutover\" ON public.ev_eu_2024 USING btree (\"memo\")",
        "CREATE INDEX CONCURRENTLY \"ev_us_note_idx_cutover\" ON public.ev_us USING btree (\"memo\")",
        "ALTER INDEX \"public\".\"ev_eu_note_idx_cutover\" ATTACH PARTITION \"public\".\"ev_eu_2024_note_idx_cutover\"",
        "ALTER INDEX \"public\".\"ev_note_cutover\" ATTACH PARTITION \"public\".\"ev_eu_note_idx_cutover\"");
    // attached bottom-up: the sub-partitioned level's index is complete before it joins the root's
    assertThat(run.out().indexOf("ATTACH PARTITION \"public\".\"ev_eu_2024_note_idx_cutover\""))
        .isLessThan(run.out().indexOf("ATTACH PARTITION \"public\".\"ev_eu_note_idx_cutover\""));
  }

  @Test
  void backfill_stoppedInAPartition_resumesThereAndSkipsTheFinishedOnes() throws Exception {
    cli.sql("CREATE TABLE rs (id int NOT NULL, region text NOT NULL, note text, PRIMARY KEY (id, region))"
            + " PARTITION BY LIST (region)",
        "CREATE TABLE rs_a PARTITION OF rs FOR VALUES IN ('a')",
        "CREATE TABLE rs_b PARTITION OF rs FOR VALUES IN ('b')",
        "INSERT INTO rs SELECT g, CASE WHEN g <= 300 THEN 'a' ELSE 'b' END, 'n' || g FROM generate_series(1, 600) g");
    cli.plan(dir, "rs-memo", "rs", "rename: {from: note, to: memo}\n");
    cli.ok("advance", "rs-memo");
    // --max-batches bounds the whole run: rs_a takes three batches and a fourth that finds nothing,
    // rs_b stops after its first
    Cli.Run first = cli.ok("backfill", "rs-memo", "--batch-size", "100", "--max-batches", "5");
    assertThat(first.out()).contains("partition \"public\".\"rs_a\"", "partition \"public\".\"rs_b\"",
        "stopped after 1 batches (100/300 rows)");
    assertThat(cli.one("SELECT count(*) FROM rs WHERE memo IS NOT NULL")).isEqualTo("400");
    assertThat(cli.one("SELECT last_key || ' of ' || max_key || ': ' || rows_done FROM cutover.backfill_state"
        + " WHERE migration_id = 'rs-memo'")).isEqualTo("\"public\".\"rs_a\" of 2 partitions: 300");

    Cli.Run resumed = cli.ok("backfill", "rs-memo", "--batch-size", "100");
    assertThat(resumed.out()).doesNotContain("partition \"public\".\"rs_a\"")
        .contains("resuming after key", "every partition of \"public\".\"rs\" is done: 600 rows copied (200 this run)");
    assertThat(cli.ok("status", "rs-memo").out()).contains("600 rows done, last key \"public\".\"rs_b\" of 2"
        + " partitions, finished");
    cli.ok("verify", "rs-memo");
  }

  @Test
  void lazyCutOver_ofAPartitionedTable_thenBackfilledAndFinished() throws Exception {
    cli.sql("CREATE TABLE lz (id int NOT NULL, region text NOT NULL, note text NOT NULL) PARTITION BY LIST (region)",
        "CREATE TABLE lz_a PARTITION OF lz FOR VALUES IN ('a')",
        "CREATE TABLE lz_b PARTITION OF lz FOR VALUES IN ('b') PARTITION BY HASH (id)",
        "CREATE TABLE lz_b0 PARTITION OF lz_b FOR VALUES WITH (MODULUS 2, REMAINDER 0)",
        "CREATE TABLE lz_b1 PARTITION OF lz_b FOR VALUES WITH (MODULUS 2, REMAINDER 1)",
        "INSERT INTO lz SELECT g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END, 'n' || g FROM generate_series(1, 200) g");
    cli.plan(dir, "lz-memo", "lz", "rename: {from: note, to: memo}\n");
    Cli.Run lazy = cli.ok("advance", "lz-memo", "--to", "read_new", "--lazy");
    assertThat(lazy.out()).contains("lazily", "200 row(s) not backfilled yet");
    Cli.Run early = cli.run("advance", "lz-memo");
    assertThat(early.exit()).as(early.all()).isEqualTo(3);
    assertThat(early.all()).contains("200 row(s) of \"public\".\"lz\" still have \"memo\" different");
    cli.ok("backfill", "lz-memo");
    cli.ok("verify", "lz-memo");
    cli.ok("advance", "lz-memo");
    assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'lz-memo'")).isEqualTo("new_only");
    // the NOT NULL reached the new column of every table of the tree
    assertThat(cli.one("SELECT count(*) FROM pg_attribute a JOIN pg_class k ON k.oid = a.attrelid"
        + " WHERE k.relname LIKE 'lz%' AND a.attname = 'memo' AND a.attnotnull")).isEqualTo("5");
  }

  @Test
  void partitionsChangedAfterThePlan_advanceVerifyBackfillRollbackRefused_untilUndone() throws Exception {
    cli.sql("CREATE TABLE lg (id int NOT NULL, region text NOT NULL, note text) PARTITION BY LIST (region)",
        "CREATE TABLE lg_eu PARTITION OF lg FOR VALUES IN ('eu')",
        "CREATE TABLE lg_us PARTITION OF lg FOR VALUES IN ('us')",
        "CREATE INDEX ON lg (note)",
        "INSERT INTO lg SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, 'n' || g FROM generate_series(1, 50) g");
    cli.plan(dir, "lg-memo", "lg", "rename: {from: note, to: memo}\n");
    cli.ok("advance", "lg-memo");
    assertThat(cli.query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'lg_note_idx_cutover'::regclass"))
        .containsExactly("true");

    // A partition created while the migration runs (it gets both columns): every command refuses.
    cli.sql("CREATE TABLE lg_ap PARTITION OF lg FOR VALUES IN ('ap')");
    for (String[] command : new String[][] {{"advance", "lg-memo"}, {"verify", "lg-memo"}, {"backfill", "lg-memo"}}) {
      Cli.Run run = cli.run(command);
      assertThat(run.exit()).as(String.join(" ", command) + "\n" + run.all()).isEqualTo(3);
      assertThat(run.all()).contains("partitions of \"public\".\"lg\" changed since it was planned",
          "attached or created: \"public\".\"lg_ap\"", "DETACH PARTITION");
    }
    assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'lg-memo'")).isEqualTo("dual_write");

    // Undone; then a partition detached: refused again, naming it.
    cli.sql("DROP TABLE lg_ap", "ALTER TABLE lg DETACH PARTITION lg_us");
    Cli.Run detached = cli.run("verify", "lg-memo");
    assertThat(detached.exit()).as(detached.all()).isEqualTo(3);
    assertThat(detached.all()).contains("detached or dropped: \"public\".\"lg_us\"");

    // Attached back (it kept the new column): the migration goes on.
    cli.sql("ALTER TABLE lg ATTACH PARTITION lg_us FOR VALUES IN ('us')");
    cli.ok("backfill", "lg-memo");
    cli.ok("verify", "lg-memo");

    // A row written behind the driver's back: verify names it by its partition and its ctid there.
    cli.sql("UPDATE lg_us SET memo = 'behind' WHERE id = 7");
    Cli.Run differs = cli.run("verify", "lg-memo");
    assertThat(differs.exit()).as(differs.all()).isEqualTo(3);
    assertThat(differs.all()).contains("1 of 50 rows differ", "first keys: \"public\".\"lg_us\": (0,",
        "keys (\"public\".\"lg_us\": start, \"public\".\"lg_us\": end]: 25 rows, 1 differ");
    cli.ok("backfill", "lg-memo");
    cli.ok("verify", "lg-memo");
    cli.ok("advance", "lg-memo");
    assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'lg-memo'")).isEqualTo("read_new");

    // From read_new a rollback refills the old column from the new one: refused while a partition
    // whose new column nobody filled is attached.
    cli.sql("CREATE TABLE lg_ap (LIKE lg)", "INSERT INTO lg_ap VALUES (900, 'ap', 'kept', NULL)",
        "ALTER TABLE lg ATTACH PARTITION lg_ap FOR VALUES IN ('ap')");
    Cli.Run refill = cli.run("rollback", "lg-memo");
    assertThat(refill.exit()).as(refill.all()).isEqualTo(3);
    assertThat(refill.all()).contains("attached or created: \"public\".\"lg_ap\"");
    assertThat(cli.one("SELECT note FROM lg WHERE id = 900")).isEqualTo("kept");
    cli.sql("ALTER TABLE lg DETACH PARTITION lg_ap", "DROP TABLE lg_ap");

    // All the way back: the new column, its index copies and its NOT NULL leave every partition.
    cli.ok("rollback", "lg-memo", "--to", "planned");
    assertThat(cli.one("SELECT count(*) FROM pg_attribute a JOIN pg_class k ON k.oid = a.attrelid"
        + " WHERE k.relname LIKE 'lg%' AND a.attname = 'memo' AND NOT a.attisdropped")).isEqualTo("0");
    assertThat(cli.one("SELECT count(*) FROM pg_class WHERE relname LIKE 'lg%cutover%'")).isEqualTo("0");
    assertThat(cli.one("SELECT count(*) FROM lg WHERE note = 'n' || id")).isEqualTo("50");
  }

  /**
   * The index copy of a partitioned table is part of the dual_write step: the dry run of advance
   * prints its statements and the partition guard, and an advance after a crash half-way through
   * the copy runs only what is missing.
   */
  @Test
  void advance_dryRunShowsTheCopyAndTheGuard_aRunAfterACrashRunsOnlyWhatIsMissing() throws Exception {
    cli.sql("CREATE TABLE cr (id int NOT NULL, region text NOT NULL, note text, PRIMARY KEY (id, region))"
            + " PARTITION BY LIST (region)",
        "CREATE TABLE cr_a PARTITION OF cr FOR VALUES IN ('a')",
        "CREATE TABLE cr_b PARTITION OF cr FOR VALUES IN ('b')",
        "CREATE INDEX cr_note ON cr (note)",
        "INSERT INTO cr SELECT g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END, 'n' || g FROM generate_series(1, 100) g");
    cli.plan(dir, "cr-memo", "cr", "rename: {from: note, to: memo}\n");
    Cli.Run dry = cli.ok("advance", "cr-memo", "--dry-run");
    assertThat(dry.out()).contains("before: the partitions are those of the plan",
        "CREATE INDEX IF NOT EXISTS \"cr_note_cutover\" ON ONLY public.cr USING btree (\"memo\")",
        "CREATE INDEX CONCURRENTLY \"cr_a_note_idx_cutover\" ON public.cr_a USING btree (\"memo\")",
        "CREATE INDEX CONCURRENTLY \"cr_b_note_idx_cutover\" ON public.cr_b USING btree (\"memo\")",
        "ALTER INDEX \"public\".\"cr_note_cutover\" ATTACH PARTITION \"public\".\"cr_a_note_idx_cutover\"",
        "ALTER INDEX \"public\".\"cr_note_cutover\" ATTACH PARTITION \"public\".\"cr_b_note_idx_cutover\"",
        "after: index \"cr_note_cutover\" of the partitioned table is valid");
    assertThat(cli.one("SELECT count(*) FROM pg_class WHERE relname LIKE 'cr%cutover'")).isEqualTo("0");

    // What a crashed advance left: the column, the root's ON ONLY copy, one leaf's copy (unattached).
    cli.sql("ALTER TABLE cr ADD COLUMN memo text", "CREATE INDEX cr_note_cutover ON ONLY cr (memo)",
        "CREATE INDEX cr_a_note_idx_cutover ON cr_a (memo)");
    Cli.Run run = cli.ok("advance", "cr-memo");
    assertThat(run.out()).doesNotContain("ON ONLY", "CREATE INDEX CONCURRENTLY \"cr_a_note_idx_cutover\"")
        .contains("CREATE INDEX CONCURRENTLY \"cr_b_note_idx_cutover\"",
            "ATTACH PARTITION \"public\".\"cr_a_note_idx_cutover\"",
            "ATTACH PARTITION \"public\".\"cr_b_note_idx_cutover\"");
    assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'cr-memo'")).isEqualTo("dual_write");
    assertThat(cli.one("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'cr_note_cutover'::regclass"))
        .isEqualTo("true");
    assertThat(cli.one("SELECT count(*) FROM pg_inherits WHERE inhparent = 'cr_note_cutover'::regclass"))
        .isEqualTo("2");
  }

  /**
   * verify goes partition by partition through the per-table walk: keys and the resume point name
   * the partition, --from-key in that form skips what is before it, and --repair rewrites the rows
   * that differ in every partition.
   */
  @Test
  void verify_fromKeyAndRepair_partitionByPartition() throws Exception {
    cli.sql("CREATE TABLE vr (id int NOT NULL, region text NOT NULL, note text, PRIMARY KEY (id, region))"
            + " PARTITION BY LIST (region)",
        "CREATE TABLE vr_a PARTITION OF vr FOR VALUES IN ('a')",
        "CREATE TABLE vr_b PARTITION OF vr FOR VALUES IN ('b')",
        "INSERT INTO vr SELECT g, CASE WHEN g <= 50 THEN 'a' ELSE 'b' END, 'n' || g FROM generate_series(1, 100) g");
    cli.plan(dir, "vr-memo", "vr", "rename: {from: note, to: memo}\n");
    cli.ok("advance", "vr-memo");
    cli.ok("backfill", "vr-memo");
    cli.ok("verify", "vr-memo");
    cli.sql("UPDATE vr SET memo = 'behind' WHERE id IN (10, 60, 90)");

    Cli.Run all = cli.run("verify", "vr-memo");
    assertThat(all.exit()).as(all.all()).isEqualTo(3);
    assertThat(all.all()).contains("3 of 100 rows differ", "\"public\".\"vr_a\": {10,a}",
        "\"public\".\"vr_b\": {60,b}", "\"public\".\"vr_b\": {90,b}");

    Cli.Run from = cli.run("verify", "vr-memo", "--from-key", "\"public\".\"vr_b\": {70,b}");
    assertThat(from.exit()).as(from.all()).isEqualTo(3);
    assertThat(from.all()).contains("1 of 30 rows differ", "\"public\".\"vr_b\": {90,b}")
        .doesNotContain("{10,a}", "{60,b}");
    Cli.Run bare = cli.run("verify", "vr-memo", "--from-key", "{70,b}");
    assertThat(bare.exit()).as(bare.all()).isEqualTo(2);
    assertThat(bare.all()).contains("is partitioned", "\"public\".\"vr_a\": <key>");

    cli.ok("verify", "vr-memo", "--repair");
    assertThat(cli.one("SELECT count(*) FROM vr WHERE memo IS DISTINCT FROM note")).isEqualTo("0");
    cli.ok("verify", "vr-memo");
  }
}
