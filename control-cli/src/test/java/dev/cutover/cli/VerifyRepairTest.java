package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.CutoverConnection;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cutover verify} finds rows corrupted behind Cutover's back (plain SQL on the new column)
 * by their exact keys, and {@code --repair} rewrites exactly those rows without losing a
 * concurrent application write.
 */
class VerifyRepairTest {

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
  }

  private static List<String> firstKeys(Cli.Run run) throws Exception {
    List<String> keys = new ArrayList<>();
    JSON.readTree(run.out()).get("firstKeys").forEach(k -> keys.add(k.asText()));
    return keys;
  }

  @Test
  void wrongValuesAndNulls_inSeveralChunks_areFoundByKey_andRepaired() throws Exception {
    cli.sql("CREATE TABLE acct (id bigint PRIMARY KEY, a text)",
        "INSERT INTO acct SELECT g, 'v' || g FROM generate_series(1, 3000) g");
    dualWrite("acct-b", "acct", "rename: {from: a, to: b}");
    cli.ok("backfill", "acct-b");
    cli.ok("verify", "acct-b", "--range-rows", "500");

    // Behind Cutover's back: wrong values and NULLs in the new column, in four chunks of 500.
    cli.sql("UPDATE acct SET b = 'wrong' WHERE id IN (5, 1500, 2999)", "UPDATE acct SET b = NULL WHERE id IN (42, 2001)");
    Cli.Run found = cli.run("verify", "acct-b", "--range-rows", "500");
    assertThat(found.exit()).as(found.all()).isEqualTo(3);
    assertThat(found.err()).contains("MISMATCH, 5 of 3000 rows differ", "first keys: 5, 42, 1500, 2001, 2999");
    JsonNode json = JSON.readTree(cli.run("verify", "acct-b", "--range-rows", "500", "--json").out());
    assertThat(json.get("differing").asLong()).isEqualTo(5);
    assertThat(json.get("ranges").asLong()).isEqualTo(7); // 6 full chunks and the empty end
    List<Long> chunkDiffs = new ArrayList<>();
    json.get("mismatches").forEach(m -> chunkDiffs.add(m.get("differing").asLong()));
    assertThat(chunkDiffs).containsExactly(2L, 1L, 1L, 1L);

    Cli.Run repaired = cli.run("verify", "acct-b", "--range-rows", "500", "--repair");
    assertThat(repaired.exit()).as(repaired.all()).isEqualTo(0);
    assertThat(repaired.out()).contains("repaired 5 rows; 0 still differ");
    Cli.Run after = cli.ok("verify", "acct-b");
    assertThat(after.out()).contains("ok, 3000 rows");
    // The old column, the truth in dual_write, is untouched; the new one equals it again.
    assertThat(cli.one("SELECT count(*) FROM acct WHERE a = 'v' || id AND b = a")).isEqualTo("3000");
  }

  @Test
  void manyDifferingRows_countIsExact_firstKeysInKeyOrder_fromKeyResumes() throws Exception {
    cli.sql("CREATE TABLE many (id int PRIMARY KEY, a text)",
        "INSERT INTO many SELECT g, 'v' || g FROM generate_series(1, 5000) g");
    dualWrite("many-b", "many", "rename: {from: a, to: b}");
    cli.ok("backfill", "many-b");
    cli.sql("UPDATE many SET b = b || '!' WHERE id % 97 = 0");
    Cli.Run all = cli.run("verify", "many-b", "--range-rows", "700", "--json");
    assertThat(all.exit()).isEqualTo(3);
    assertThat(JSON.readTree(all.out()).get("differing").asLong()).isEqualTo(5000 / 97);
    assertThat(firstKeys(all)).containsExactlyElementsOf(
        IntStream.rangeClosed(1, 10).mapToObj(i -> String.valueOf(97 * i)).toList());

    // A run started after key 4000 sees only the rows after it.
    Cli.Run tail = cli.run("verify", "many-b", "--range-rows", "700", "--from-key", "4000", "--json");
    assertThat(JSON.readTree(tail.out()).get("rows").asLong()).isEqualTo(1000);
    assertThat(JSON.readTree(tail.out()).get("differing").asLong()).isEqualTo(5000 / 97 - 4000 / 97);
    assertThat(firstKeys(tail).get(0)).isEqualTo(String.valueOf(97 * (4000 / 97 + 1)));
    Cli.Run tailRepair = cli.run("verify", "many-b", "--from-key", "4000", "--repair", "--json");
    assertThat(tailRepair.exit()).isZero();
    assertThat(JSON.readTree(tailRepair.out()).get("repaired").asLong()).isEqualTo(5000 / 97 - 4000 / 97);
    // The rows before 4000 were left alone.
    assertThat(cli.one("SELECT count(*) FROM many WHERE b IS DISTINCT FROM a")).isEqualTo(String.valueOf(4000 / 97));
    cli.ok("verify", "many-b", "--repair");
    cli.ok("verify", "many-b");
    Cli.Run badKey = cli.run("verify", "many-b", "--from-key", "four");
    assertThat(badKey.exit()).isEqualTo(2);
    assertThat(badKey.err()).contains("--from-key 'four' is not a key", "primary key (\"id\")");
  }

  /** Before: verify compared with the type's =, for which 1.0 and 1.00 are equal; the application reads "1.0". */
  @Test
  void equalByTheTypeButNotTheSameValue_isADifference() throws Exception {
    cli.sql("CREATE TABLE amounts (id int PRIMARY KEY, a numeric)",
        "INSERT INTO amounts SELECT g, (g || '.00')::numeric FROM generate_series(1, 20) g");
    dualWrite("amounts-b", "amounts", "rename: {from: a, to: b}");
    cli.ok("backfill", "amounts-b");
    cli.ok("verify", "amounts-b");
    cli.sql("UPDATE amounts SET b = 7.0 WHERE id = 7");
    assertThat(cli.one("SELECT b = a FROM amounts WHERE id = 7")).isEqualTo("t");
    Cli.Run found = cli.run("verify", "amounts-b");
    assertThat(found.exit()).isEqualTo(3);
    assertThat(found.err()).contains("1 of 20 rows differ", "first keys: 7");
    cli.ok("verify", "amounts-b", "--repair");
    assertThat(cli.one("SELECT b::text FROM amounts WHERE id = 7")).isEqualTo("7.00");
  }

  @Test
  void typeChange_repairWritesUpOfOld() throws Exception {
    cli.sql("CREATE TABLE price (id int PRIMARY KEY, amount numeric(10,2))",
        "INSERT INTO price SELECT g, g / 100.0 FROM generate_series(1, 1200) g");
    dualWrite("price-c", "price", "changeType:\n  column: amount\n  to: amount_cents\n  type: bigint\n"
        + "  up: \"(amount * 100)::bigint\"\n  down: \"amount_cents / 100.0\"\n");
    cli.ok("backfill", "price-c");
    cli.ok("verify", "price-c", "--range-rows", "100");
    cli.sql("UPDATE price SET amount_cents = amount_cents + 1 WHERE id IN (3, 777)",
        "UPDATE price SET amount_cents = NULL WHERE id = 1200");
    Cli.Run found = cli.run("verify", "price-c", "--range-rows", "100");
    assertThat(found.exit()).isEqualTo(3);
    assertThat(found.err()).contains("3 of 1200 rows differ", "first keys: 3, 777, 1200");
    cli.ok("verify", "price-c", "--range-rows", "100", "--repair");
    cli.ok("verify", "price-c");
    assertThat(cli.one("SELECT count(*) FROM price WHERE amount_cents = (amount * 100)::bigint")).isEqualTo("1200");
  }

  @Test
  void compositeKey_keysAreRowLiterals_andRepaired() throws Exception {
    cli.sql("CREATE TABLE pair (region text, n int, v text, PRIMARY KEY (region, n))",
        "INSERT INTO pair SELECT r, g, r || g FROM unnest(ARRAY['east', 'north pole', 'west']) r,"
            + " generate_series(1, 400) g");
    dualWrite("pair-w", "pair", "rename: {from: v, to: w}");
    cli.ok("backfill", "pair-w");
    cli.sql("UPDATE pair SET w = 'bad' WHERE (region, n) IN (('east', 7), ('north pole', 250), ('west', 400))",
        "UPDATE pair SET w = NULL WHERE (region, n) = ('west', 1)");
    Cli.Run found = cli.run("verify", "pair-w", "--range-rows", "128", "--json");
    assertThat(found.exit()).isEqualTo(3);
    assertThat(firstKeys(found)).containsExactly("{east,7}", "{\"north pole\",250}", "{west,1}", "{west,400}");
    // Resume after a composite key as verify prints it.
    Cli.Run tail = cli.run("verify", "pair-w", "--from-key", "{\"north pole\",250}", "--json");
    assertThat(firstKeys(tail)).containsExactly("{west,1}", "{west,400}");

    Cli.Run repaired = cli.run("verify", "pair-w", "--range-rows", "128", "--repair");
    assertThat(repaired.exit()).as(repaired.all()).isZero();
    assertThat(repaired.out()).contains("repaired 4 rows; 0 still differ");
    cli.ok("verify", "pair-w");
    assertThat(cli.one("SELECT count(*) FROM pair WHERE w = region || n")).isEqualTo("1200");
  }

  @Test
  void keylessTable_walksByCtidRanges_findsAndRepairs() throws Exception {
    cli.sql("CREATE TABLE heap_only (v text, n int)",
        "INSERT INTO heap_only SELECT 'v' || g, g FROM generate_series(1, 5000) g", "ANALYZE heap_only");
    dualWrite("heap-w", "heap_only", "rename: {from: v, to: w}");
    cli.ok("backfill", "heap-w");
    cli.ok("verify", "heap-w", "--range-rows", "1000");
    cli.sql("UPDATE heap_only SET w = 'bad' WHERE n IN (1, 2500, 4999)", "UPDATE heap_only SET w = NULL WHERE n = 3000");
    List<String> ctids = cli.query("SELECT ctid::text FROM heap_only WHERE w IS DISTINCT FROM v ORDER BY ctid");
    assertThat(ctids).hasSize(4);
    Cli.Run found = cli.run("verify", "heap-w", "--range-rows", "1000", "--json");
    assertThat(found.exit()).isEqualTo(3);
    JsonNode json = JSON.readTree(found.out());
    assertThat(json.get("rows").asLong()).isEqualTo(5000);
    assertThat(json.get("ranges").asLong()).isGreaterThan(1);
    assertThat(firstKeys(found)).containsExactlyElementsOf(ctids);

    Cli.Run repaired = cli.run("verify", "heap-w", "--range-rows", "1000", "--repair");
    assertThat(repaired.exit()).as(repaired.all()).isZero();
    assertThat(repaired.out()).contains("repaired 4 rows; 0 still differ");
    assertThat(cli.ok("verify", "heap-w").out()).contains("ok, 5000 rows");
    assertThat(cli.one("SELECT count(*) FROM heap_only WHERE w = 'v' || n")).isEqualTo("5000");
  }

  @Test
  void unconvertibleRows_areReportedWithKeyAndError_andTheOthersStillRepaired() throws Exception {
    cli.sql("CREATE TABLE codes (id int PRIMARY KEY, code text)",
        "INSERT INTO codes SELECT g, g::text FROM generate_series(1, 2000) g");
    cli.plan(dir, "codes-n", "codes", "changeType:\n  column: code\n  to: code_n\n  type: int\n"
        + "  up: \"code::int\"\n  down: \"code_n::text\"\n");
    // Rows the plan's sample did not see, that up cannot convert.
    cli.sql("UPDATE codes SET code = 'x' || id WHERE id IN (150, 1733)");
    cli.ok("advance", "codes-n");
    cli.sql("UPDATE codes SET code_n = code::int WHERE code !~ 'x'",
        "UPDATE codes SET code_n = -1 WHERE id IN (10, 1500)");

    Cli.Run found = cli.run("verify", "codes-n", "--range-rows", "300");
    assertThat(found.exit()).as(found.all()).isEqualTo(1);
    assertThat(found.err()).contains("migration 'codes-n'", "cannot convert 2 row(s)", "key 150: 'x150'",
        "key 1733: 'x1733'", "invalid input syntax for type integer", "2 of 2000 rows differ", "first keys: 10, 1500");

    Cli.Run repaired = cli.run("verify", "codes-n", "--range-rows", "300", "--repair", "--json");
    assertThat(repaired.exit()).isEqualTo(1);
    JsonNode json = JSON.readTree(repaired.out());
    assertThat(json.get("repaired").asLong()).isEqualTo(2);
    assertThat(json.get("remaining").asLong()).isZero();
    assertThat(json.get("unconvertible").asLong()).isEqualTo(2);
    assertThat(json.get("conversionErrors").get(1).get("key").asText()).isEqualTo("1733");
    assertThat(cli.one("SELECT count(*) FROM codes WHERE code_n = code::int AND code !~ 'x'")).isEqualTo("1998");

    cli.sql("UPDATE codes SET code = '0' WHERE id IN (150, 1733)");
    Cli.Run clean = cli.run("verify", "codes-n", "--repair");
    assertThat(clean.exit()).as(clean.all()).isZero();
    cli.ok("verify", "codes-n");
  }

  @Test
  void readNew_repairIsRefused_verifyStillReports() throws Exception {
    cli.sql("CREATE TABLE rn (id int PRIMARY KEY, a text)", "INSERT INTO rn SELECT g, 'v' || g FROM generate_series(1, 50) g");
    dualWrite("rn-b", "rn", "rename: {from: a, to: b}");
    cli.ok("backfill", "rn-b");
    cli.ok("advance", "rn-b");
    assertThat(cli.one("SELECT phase FROM cutover.migrations WHERE id = 'rn-b'")).isEqualTo("read_new");
    cli.sql("UPDATE rn SET b = 'bad' WHERE id = 9");
    Cli.Run found = cli.run("verify", "rn-b");
    assertThat(found.exit()).isEqualTo(3);
    assertThat(found.err()).contains("first keys: 9");
    Cli.Run refused = cli.run("verify", "rn-b", "--repair");
    assertThat(refused.exit()).isEqualTo(3);
    assertThat(refused.err()).contains("refused", "read_new", "cutover rollback rn-b", "down(new)", "up(old)");
    assertThat(cli.one("SELECT b FROM rn WHERE id = 9")).isEqualTo("bad");
  }

  /**
   * The repair waits for a row an application transaction holds, then sees that transaction's dual
   * write: the row no longer differs and keeps the application's value.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void repair_waitsForAHeldRow_andKeepsTheApplicationsWrite() throws Exception {
    cli.sql("CREATE TABLE held (id int PRIMARY KEY, a text)", "INSERT INTO held SELECT g, 'v' || g FROM generate_series(1, 100) g");
    dualWrite("held-b", "held", "rename: {from: a, to: b}");
    cli.ok("backfill", "held-b");
    cli.sql("UPDATE held SET b = 'corrupt' WHERE id IN (7, 8)");
    try (Connection app = db.cutoverConnection()) {
      app.unwrap(CutoverConnection.class).refreshMigrations();
      app.setAutoCommit(false);
      try (Statement st = app.createStatement()) {
        assertThat(st.executeUpdate("UPDATE held SET a = 'app' WHERE id = 7")).isEqualTo(1);
      }
      Thread commit = new Thread(() -> {
        try {
          // Longer than the repair's lock_timeout: it also retries through a timed-out attempt.
          Thread.sleep(2500);
          app.commit();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      commit.start();
      Cli.Run repaired = cli.run("verify", "held-b", "--repair", "--json");
      commit.join();
      assertThat(repaired.exit()).as(repaired.all()).isZero();
      JsonNode json = JSON.readTree(repaired.out());
      assertThat(json.get("differing").asLong()).isEqualTo(2);
      // Row 8 was rewritten; row 7 was made consistent by the application's dual write.
      assertThat(json.get("repaired").asLong()).isEqualTo(1);
    }
    assertThat(cli.query("SELECT id || ':' || a || ':' || b FROM held WHERE id IN (7, 8) ORDER BY id"))
        .containsExactly("7:app:app", "8:v8:v8");
  }

  /**
   * Differential ledger: an application updates rows through the driver while verify --repair
   * rewrites corrupted ones; every committed write is in both columns afterwards.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void concurrentWriterThroughDriver_losesNoWriteDuringRepair() throws Exception {
    int n = 40_000;
    cli.sql("CREATE TABLE busy_acct (id int PRIMARY KEY, a text)",
        "INSERT INTO busy_acct SELECT g, 'v' || g FROM generate_series(1, " + n + ") g");
    dualWrite("busy-b", "busy_acct", "rename: {from: a, to: b}");
    cli.ok("backfill", "busy-b");
    cli.sql("UPDATE busy_acct SET b = 'corrupt' WHERE id % 7 = 0");

    Map<Integer, String> ledger = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong writes = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread writer = new Thread(() -> {
      try (Connection c = db.cutoverConnection()) {
        c.unwrap(CutoverConnection.class).refreshMigrations();
        try (PreparedStatement ps = c.prepareStatement("UPDATE busy_acct SET a = ? WHERE id = ?")) {
          long i = 0;
          while (!stop.get()) {
            // Mostly corrupted rows, which the repair is rewriting.
            int id = ThreadLocalRandom.current().nextInt(1, n / 7) * (i % 4 == 0 ? 1 : 7);
            String value = "w" + (i++);
            ps.setString(1, value);
            ps.setInt(2, id);
            assertThat(ps.executeUpdate()).isEqualTo(1);
            ledger.put(id, value);
            writes.incrementAndGet();
          }
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    writer.start();
    try {
      while (writes.get() < 100 && failure.get() == null) {
        Thread.sleep(10);
      }
      Cli.Run repaired = cli.run("verify", "busy-b", "--range-rows", "500", "--repair");
      assertThat(repaired.exit()).as(repaired.all()).isZero();
      assertThat(repaired.out()).contains("0 still differ");
    } finally {
      stop.set(true);
      writer.join();
    }
    assertThat(failure.get()).isNull();
    long during = writes.get();
    assertThat(during).isGreaterThan(100);
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, a, b FROM busy_acct")) {
      int checked = 0;
      while (rs.next()) {
        String expected = ledger.getOrDefault(rs.getInt(1), "v" + rs.getInt(1));
        assertThat(rs.getString(2)).as("old column of id %d", rs.getInt(1)).isEqualTo(expected);
        assertThat(rs.getString(3)).as("new column of id %d", rs.getInt(1)).isEqualTo(expected);
        checked++;
      }
      assertThat(checked).isEqualTo(n);
    }
    assertThat(cli.ok("verify", "busy-b").out()).contains("ok, " + n + " rows");
  }
}
