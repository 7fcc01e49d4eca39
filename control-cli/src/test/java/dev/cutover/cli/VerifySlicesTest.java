package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cutover verify --workers N} cuts the key range into slices walked at once: a difference on
 * the first row, the last row, a split key itself and the key right after it is found and repaired
 * with 1, 2 and 3 workers, whichever way the split keys were estimated (statistics, min/max of an
 * integer key, a sample), for one-column and composite keys and for a table without a key.
 */
class VerifySlicesTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();

  static Cli cli;

  @BeforeAll
  static void setUp() {
    cli = new Cli(db);
    cli.ok("init");
  }

  private static void dualWrite(String id, String table, String body) throws Exception {
    cli.plan(dir, id, table, body);
    cli.ok("advance", id);
    cli.ok("backfill", id);
  }

  private static List<String> list(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(k -> out.add(k.asText()));
    return out;
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  /**
   * For 1, 2 and 3 workers: the split keys of a clean run; then the first and last rows, each split
   * key and the key after it are corrupted (the first to NULL, the others to a wrong value), found
   * exactly (count and keys in key order), repaired, and clean again.
   *
   * @param keyText the key as verify prints it, in SQL over the table's columns
   * @param order the key's ORDER BY
   */
  private static void edgesFoundAndRepaired(String id, String table, String keyText, String order, String newCol,
      int rangeRows, int expectedSlicesWith3) throws Exception {
    // (aliased: an output column named like a key column would be what ORDER BY sorts, as text)
    List<String> keys = cli.query("SELECT " + keyText + " AS k FROM " + table + " ORDER BY " + order);
    for (int workers = 1; workers <= 3; workers++) {
      String[] args = {"verify", id, "--workers", String.valueOf(workers), "--range-rows", String.valueOf(rangeRows)};
      Cli.Run clean = cli.run(concat(args, "--json"));
      assertThat(clean.exit()).as(clean.all()).isZero();
      List<String> splits = list(JSON.readTree(clean.out()).get("splitKeys"));
      assertThat(splits).as("%d workers", workers).hasSize(workers == 3 ? expectedSlicesWith3 - 1 : workers - 1);
      assertThat(splits).isSortedAccordingTo(Comparator.comparingInt(keys::indexOf));

      Set<String> corrupt = new LinkedHashSet<>();
      corrupt.add(keys.get(0));
      corrupt.add(keys.get(keys.size() - 1));
      for (String s : splits) {
        assertThat(keys).contains(s);
        corrupt.add(s);
        corrupt.add(keys.get(keys.indexOf(s) + 1));
      }
      List<String> expected = corrupt.stream().sorted(Comparator.comparingInt(keys::indexOf)).toList();
      for (String k : corrupt) {
        cli.sql("UPDATE " + table + " SET " + newCol + " = " + (k.equals(keys.get(0)) ? "NULL" : "'bad'") + " WHERE "
            + keyText + " = " + literal(k));
      }

      Cli.Run found = cli.run(concat(args, "--json"));
      assertThat(found.exit()).as(found.all()).isEqualTo(3);
      JsonNode json = JSON.readTree(found.out());
      assertThat(json.get("rows").asLong()).isEqualTo(keys.size());
      assertThat(json.get("differing").asLong()).isEqualTo(expected.size());
      assertThat(list(json.get("firstKeys"))).as("%d workers", workers).containsExactlyElementsOf(expected);
      assertThat(list(json.get("splitKeys"))).isEqualTo(splits);

      Cli.Run repaired = cli.run(concat(args, "--repair", "--json"));
      assertThat(repaired.exit()).as(repaired.all()).isZero();
      assertThat(JSON.readTree(repaired.out()).get("repaired").asLong()).isEqualTo(expected.size());
      assertThat(cli.ok(args).out()).contains("ok, " + keys.size() + " rows");
    }
  }

  private static String[] concat(String[] args, String... more) {
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }

  /** Split keys from pg_stats.histogram_bounds (the table is analysed). */
  @Test
  void integerKey_withStatistics() throws Exception {
    cli.sql("CREATE TABLE s_hist (id int PRIMARY KEY, a text) WITH (autovacuum_enabled = false)",
        "INSERT INTO s_hist SELECT g, 'v' || g FROM generate_series(1, 1000) g");
    dualWrite("s-hist", "s_hist", "rename: {from: a, to: b}");
    cli.sql("ANALYZE s_hist");
    // The statistics' bounds at a third and two thirds of the rows.
    List<String> bounds = cli.query("SELECT unnest(histogram_bounds::text::int[]) FROM pg_stats WHERE tablename = 's_hist'"
        + " AND attname = 'id'");
    Cli.Run three = cli.run("verify", "s-hist", "--workers", "3", "--range-rows", "100", "--json");
    assertThat(list(JSON.readTree(three.out()).get("splitKeys")))
        .containsExactly(bounds.get(bounds.size() / 3 - 1), bounds.get(2 * bounds.size() / 3 - 1));
    edgesFoundAndRepaired("s-hist", "s_hist", "id::text", "id", "b", 100, 3);
  }

  /** No statistics: split keys evenly between min and max of the integer key. */
  @Test
  void integerKey_withoutStatistics() throws Exception {
    cli.sql("CREATE TABLE s_even (id bigint PRIMARY KEY, a text) WITH (autovacuum_enabled = false)",
        "INSERT INTO s_even SELECT g * 3, 'v' || g FROM generate_series(1, 700) g");
    dualWrite("s-even", "s_even", "rename: {from: a, to: b}");
    assertThat(cli.one("SELECT count(*) FROM pg_stats WHERE tablename = 's_even'")).isEqualTo("0");
    // Keys 3..2100: a third and two thirds of the way, each down to an existing key (a multiple of 3).
    Cli.Run three = cli.run("verify", "s-even", "--workers", "3", "--range-rows", "64", "--json");
    assertThat(list(JSON.readTree(three.out()).get("splitKeys"))).containsExactly("702", "1401");
    edgesFoundAndRepaired("s-even", "s_even", "id::text", "id", "b", 64, 3);
  }

  /** No statistics, a text key: split keys from a sample. */
  @Test
  void textKey_withoutStatistics_sampled() throws Exception {
    cli.sql("CREATE TABLE s_text (code text PRIMARY KEY, a text) WITH (autovacuum_enabled = false)",
        "INSERT INTO s_text SELECT 'c' || lpad(g::text, 5, '0'), 'v' || g FROM generate_series(1, 900) g");
    dualWrite("s-text", "s_text", "rename: {from: a, to: b}");
    edgesFoundAndRepaired("s-text", "s_text", "code", "code", "b", 100, 3);
  }

  /** A composite key whose first column has three values (all in the statistics' common values). */
  @Test
  void compositeKey() throws Exception {
    cli.sql("CREATE TABLE s_pair (region text, n int, v text, PRIMARY KEY (region, n)) WITH (autovacuum_enabled = false)",
        "INSERT INTO s_pair SELECT r, g, r || g FROM unnest(ARRAY['east', 'north pole', 'west']) r,"
            + " generate_series(1, 400) g");
    dualWrite("s-pair", "s_pair", "rename: {from: v, to: w}");
    cli.sql("ANALYZE s_pair");
    edgesFoundAndRepaired("s-pair", "s_pair", "ARRAY[region::text, n::text]::text", "region, n", "w", 128, 3);
  }

  /** A composite key with a histogram on its first column. */
  @Test
  void compositeKey_withHistogramOnFirstColumn() throws Exception {
    cli.sql("CREATE TABLE s_pair2 (a int, b int, v text, PRIMARY KEY (a, b)) WITH (autovacuum_enabled = false)",
        "INSERT INTO s_pair2 SELECT g / 4, g % 4, 'v' || g FROM generate_series(1, 1200) g");
    dualWrite("s-pair2", "s_pair2", "rename: {from: v, to: w}");
    cli.sql("ANALYZE s_pair2");
    edgesFoundAndRepaired("s-pair2", "s_pair2", "ARRAY[a::text, b::text]::text", "a, b", "w", 100, 3);
  }

  /** A table without a key: slices of pages. */
  @Test
  void keylessTable_slicedByPages() throws Exception {
    cli.sql("CREATE TABLE s_heap (v text, n int) WITH (autovacuum_enabled = false)",
        "INSERT INTO s_heap SELECT 'v' || g, g FROM generate_series(1, 3000) g", "ANALYZE s_heap");
    dualWrite("s-heap", "s_heap", "rename: {from: v, to: w}");
    // Compacted, with room on every page: the updates below keep their rows on their pages.
    cli.sql("ALTER TABLE s_heap SET (fillfactor = 50)", "VACUUM FULL s_heap", "ANALYZE s_heap");
    int pages = Integer.parseInt(cli.one("SELECT pg_relation_size('s_heap') / 8192"));
    assertThat(pages).isGreaterThan(6);
    Cli.Run clean = cli.run("verify", "s-heap", "--workers", "3", "--range-rows", "500", "--json");
    assertThat(clean.exit()).as(clean.all()).isZero();
    List<String> splits = list(JSON.readTree(clean.out()).get("splitKeys"));
    assertThat(splits).hasSize(2);
    // The first row, the last row, the first and last rows of each slice.
    Set<String> ctids = new LinkedHashSet<>();
    ctids.add(cli.one("SELECT min(ctid)::text FROM s_heap"));
    ctids.add(cli.one("SELECT max(ctid)::text FROM s_heap"));
    for (String s : splits) {
      ctids.add(cli.one("SELECT max(ctid)::text FROM s_heap WHERE ctid <= " + literal(s) + "::tid"));
      ctids.add(cli.one("SELECT min(ctid)::text FROM s_heap WHERE ctid > " + literal(s) + "::tid"));
    }
    assertThat(ctids).hasSize(6);
    for (String t : ctids) {
      cli.sql("UPDATE s_heap SET w = 'bad' WHERE ctid = " + literal(t) + "::tid");
    }
    // (an update gives the row a new place, on the same page: the new places, in ctid order)
    List<String> moved = cli.query("SELECT ctid::text FROM s_heap WHERE w IS DISTINCT FROM v ORDER BY ctid");
    assertThat(moved.stream().map(t -> t.substring(0, t.indexOf(','))).toList())
        .containsExactlyElementsOf(ctids.stream().sorted(Comparator.comparingLong(t -> Long.parseLong(
            t.substring(1, t.indexOf(','))))).map(t -> t.substring(0, t.indexOf(','))).toList());
    for (int workers = 1; workers <= 3; workers++) {
      Cli.Run found = cli.run("verify", "s-heap", "--workers", String.valueOf(workers), "--range-rows", "500", "--json");
      assertThat(found.exit()).as(found.all()).isEqualTo(3);
      JsonNode json = JSON.readTree(found.out());
      assertThat(json.get("rows").asLong()).isEqualTo(3000);
      assertThat(json.get("differing").asLong()).isEqualTo(6);
      assertThat(list(json.get("firstKeys"))).containsExactlyElementsOf(moved);
      assertThat(list(json.get("splitKeys"))).hasSize(workers - 1);
    }
    Cli.Run repaired = cli.run("verify", "s-heap", "--workers", "3", "--range-rows", "500", "--repair", "--json");
    assertThat(repaired.exit()).as(repaired.all()).isZero();
    assertThat(JSON.readTree(repaired.out()).get("repaired").asLong()).isEqualTo(6);
    assertThat(cli.ok("verify", "s-heap", "--workers", "3").out()).contains("ok, 3000 rows");
    assertThat(cli.one("SELECT count(*) FROM s_heap WHERE w = 'v' || n")).isEqualTo("3000");
  }

  /** Each leaf partition is sliced by its own key; keys and split keys name their partition. */
  @Test
  void partitionedTable_eachLeafSliced() throws Exception {
    cli.sql("CREATE TABLE s_part (id int NOT NULL, region text NOT NULL, note text, PRIMARY KEY (id, region))"
            + " PARTITION BY LIST (region)",
        "CREATE TABLE s_part_a PARTITION OF s_part FOR VALUES IN ('a') WITH (autovacuum_enabled = false)",
        "CREATE TABLE s_part_b PARTITION OF s_part FOR VALUES IN ('b') WITH (autovacuum_enabled = false)",
        "INSERT INTO s_part SELECT g, CASE WHEN g <= 600 THEN 'a' ELSE 'b' END, 'n' || g FROM generate_series(1, 1200) g");
    dualWrite("s-part", "s_part", "rename: {from: note, to: memo}\n");
    cli.sql("ANALYZE s_part_a", "ANALYZE s_part_b");
    Cli.Run clean = cli.run("verify", "s-part", "--workers", "2", "--range-rows", "100", "--json");
    assertThat(clean.exit()).as(clean.all()).isZero();
    List<String> splits = list(JSON.readTree(clean.out()).get("splitKeys"));
    assertThat(splits).hasSize(2);
    assertThat(splits.get(0)).startsWith("\"public\".\"s_part_a\": {");
    assertThat(splits.get(1)).startsWith("\"public\".\"s_part_b\": {");
    List<String> corrupt = new ArrayList<>();
    for (String s : splits) {
      String k = s.substring(s.indexOf(": ") + 2);
      corrupt.add(k);
      cli.sql("UPDATE s_part SET memo = 'bad' WHERE ARRAY[id::text, region]::text = " + literal(k));
    }
    cli.sql("UPDATE s_part SET memo = NULL WHERE id IN (1, 600, 601, 1200)");
    Cli.Run found = cli.run("verify", "s-part", "--workers", "2", "--range-rows", "100", "--json");
    assertThat(found.exit()).as(found.all()).isEqualTo(3);
    JsonNode json = JSON.readTree(found.out());
    assertThat(json.get("rows").asLong()).isEqualTo(1200);
    assertThat(list(json.get("firstKeys"))).containsExactly("\"public\".\"s_part_a\": {1,a}",
        "\"public\".\"s_part_a\": " + corrupt.get(0), "\"public\".\"s_part_a\": {600,a}",
        "\"public\".\"s_part_b\": {601,b}", "\"public\".\"s_part_b\": " + corrupt.get(1),
        "\"public\".\"s_part_b\": {1200,b}");
    Cli.Run repaired = cli.run("verify", "s-part", "--workers", "2", "--range-rows", "100", "--repair", "--json");
    assertThat(repaired.exit()).as(repaired.all()).isZero();
    assertThat(JSON.readTree(repaired.out()).get("repaired").asLong()).isEqualTo(6);
    assertThat(cli.one("SELECT count(*) FROM s_part WHERE memo = note")).isEqualTo("1200");
  }

  @Test
  void emptyTable_andATableSmallerThanTheSlices() throws Exception {
    cli.sql("CREATE TABLE s_empty (id int PRIMARY KEY, a text)");
    dualWrite("s-empty", "s_empty", "rename: {from: a, to: b}");
    Cli.Run empty = cli.run("verify", "s-empty", "--workers", "3", "--range-rows", "1", "--repair", "--json");
    assertThat(empty.exit()).as(empty.all()).isZero();
    assertThat(JSON.readTree(empty.out()).get("rows").asLong()).isZero();
    assertThat(cli.ok("verify", "s-empty", "--workers", "3").out()).contains("ok, 0 rows");

    cli.sql("CREATE TABLE s_two (id int PRIMARY KEY, a text) WITH (autovacuum_enabled = false)",
        "INSERT INTO s_two VALUES (1, 'x'), (2, 'y')");
    dualWrite("s-two", "s_two", "rename: {from: a, to: b}");
    cli.sql("UPDATE s_two SET b = 'bad'");
    Cli.Run found = cli.run("verify", "s-two", "--workers", "3", "--range-rows", "1", "--json");
    assertThat(found.exit()).as(found.all()).isEqualTo(3);
    JsonNode json = JSON.readTree(found.out());
    assertThat(list(json.get("splitKeys"))).containsExactly("1");
    assertThat(list(json.get("firstKeys"))).containsExactly("1", "2");
    Cli.Run repaired = cli.run("verify", "s-two", "--workers", "3", "--range-rows", "1", "--repair", "--json");
    assertThat(repaired.exit()).as(repaired.all()).isZero();
    assertThat(JSON.readTree(repaired.out()).get("repaired").asLong()).isEqualTo(2);
    assertThat(cli.query("SELECT b FROM s_two ORDER BY id")).containsExactly("x", "y");
  }

  /** NULL on either side: NULL = NULL matches; NULL against a value differs, both ways. */
  @Test
  void nullValues_inOldAndNew_comparedInEverySlice() throws Exception {
    cli.sql("CREATE TABLE s_null (id int PRIMARY KEY, a text) WITH (autovacuum_enabled = false)",
        "INSERT INTO s_null SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'v' || g END FROM generate_series(1, 600) g");
    dualWrite("s-null", "s_null", "rename: {from: a, to: b}");
    cli.sql("ANALYZE s_null");
    Cli.Run clean = cli.run("verify", "s-null", "--workers", "2", "--range-rows", "50", "--json");
    assertThat(clean.exit()).as(clean.all()).isZero();
    assertThat(list(JSON.readTree(clean.out()).get("splitKeys"))).hasSize(1);
    int split = Integer.parseInt(list(JSON.readTree(clean.out()).get("splitKeys")).get(0));
    assertThat(split).isBetween(100, 500);
    // old NULL, new a value (in both slices); old a value, new NULL (in both slices).
    cli.sql("UPDATE s_null SET b = 'x' WHERE id IN (10, 590)", "UPDATE s_null SET b = NULL WHERE id IN (7, 599)");
    Cli.Run found = cli.run("verify", "s-null", "--workers", "2", "--range-rows", "50", "--json");
    assertThat(found.exit()).as(found.all()).isEqualTo(3);
    assertThat(list(JSON.readTree(found.out()).get("firstKeys"))).containsExactly("7", "10", "590", "599");
    cli.ok("verify", "s-null", "--workers", "2", "--range-rows", "50", "--repair");
    assertThat(cli.one("SELECT count(*) FROM s_null WHERE b IS NOT DISTINCT FROM a")).isEqualTo("600");
    assertThat(cli.one("SELECT count(*) FROM s_null WHERE b IS NULL")).isEqualTo("60");
  }

  /**
   * A slice that stops (an error that is not a data error) makes the run name the key below which
   * every slice finished; resuming there checks the rest. {@code --from-key} with several workers
   * slices only the rows after the key.
   */
  @Test
  void aStoppedSlice_namesTheResumeKey_andFromKeyResumes() throws Exception {
    cli.sql("CREATE FUNCTION s_strict(t text) RETURNS int LANGUAGE plpgsql IMMUTABLE AS"
            + " $$ BEGIN IF t = 'stop' THEN RAISE EXCEPTION 'stop here'; END IF; RETURN t::int; END $$",
        "CREATE TABLE s_stop (id int PRIMARY KEY, code text) WITH (autovacuum_enabled = false)",
        "INSERT INTO s_stop SELECT g, g::text FROM generate_series(1, 1000) g");
    dualWrite("s-stop", "s_stop", "changeType:\n  column: code\n  to: code_n\n  type: int\n"
        + "  up: \"s_strict(code)\"\n  down: \"code_n::text\"\n");
    cli.sql("ANALYZE s_stop");
    Cli.Run clean = cli.run("verify", "s-stop", "--workers", "2", "--range-rows", "100", "--json");
    assertThat(clean.exit()).as(clean.all()).isZero();
    int split = Integer.parseInt(list(JSON.readTree(clean.out()).get("splitKeys")).get(0));
    assertThat(split).isGreaterThan(300);
    // A row in the first slice's third chunk stops that slice; the second slice stops too.
    cli.sql("UPDATE s_stop SET code = 'stop' WHERE id = 250", "UPDATE s_stop SET code_n = -1 WHERE id IN (150, 900)");
    Cli.Run stopped = cli.run("verify", "s-stop", "--workers", "2", "--range-rows", "100", "--repair");
    assertThat(stopped.exit()).as(stopped.all()).isNotZero();
    assertThat(stopped.err()).contains("stop here", "every slice finished up to key 200",
        "cutover verify s-stop --repair --from-key '200'");
    // Row 150 was before the stop: repaired. (Row 900 may have been: the second slice ran meanwhile.)
    assertThat(cli.one("SELECT code_n FROM s_stop WHERE id = 150")).isEqualTo("150");
    cli.sql("UPDATE s_stop SET code_n = -1 WHERE id = 900");

    cli.sql("UPDATE s_stop SET code = '250' WHERE id = 250");
    Cli.Run resumed = cli.run("verify", "s-stop", "--workers", "2", "--range-rows", "100", "--repair", "--from-key",
        "200", "--json");
    assertThat(resumed.exit()).as(resumed.all()).isZero();
    JsonNode json = JSON.readTree(resumed.out());
    assertThat(json.get("rows").asLong()).isEqualTo(800);
    assertThat(json.get("differing").asLong()).isEqualTo(1);
    assertThat(list(json.get("firstKeys"))).containsExactly("900");
    assertThat(list(json.get("splitKeys"))).hasSize(1);
    assertThat(Integer.parseInt(list(json.get("splitKeys")).get(0))).isBetween(201, 999);
    assertThat(cli.ok("verify", "s-stop", "--workers", "2").out()).contains("ok, 1000 rows");
  }
}
