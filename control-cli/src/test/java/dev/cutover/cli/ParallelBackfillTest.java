package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill with several workers, while application writers change the rows it walks through the
 * Cutover driver (some holding row locks for a while, which the chunks skip and the final pass
 * waits for): every row ends with its new column equal to {@code up} of its old one, and every
 * row's old column holds what the writers last committed (a ledger), for a primary key, a
 * composite key and a table without a key (ctid page ranges).
 */
class ParallelBackfillTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() throws Exception {
    cli = new Cli(db);
    assertThat(cli.run("init").exit()).isEqualTo(0);
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void workers_underConcurrentWriters_primaryKey() throws Exception {
    scenario("pk", "id int PRIMARY KEY, a int, note text", "g, g, 'n'", 30_000, "--workers", "4", "--batch-size", "700");
  }

  /**
   * Writers that hold rows longer than a plain chunk waits for one: chunks fall back to locking
   * their rows first and skipping locked ones, and the final pass over those chunks' ranges waits.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void workers_underWritersHoldingRowsLong_skipThemAndThenWait() throws Exception {
    holdMillis = 150;
    try {
      Cli.Run run = scenario("pklong", "id int PRIMARY KEY, a int, note text", "g, g, 'n'", 20_000, "--workers",
          "2", "--batch-size", "1000");
      assertThat(run.out()).contains("rows locked by the application: chunks skip locked rows");
    } finally {
      holdMillis = 20;
    }
  }

  /** How long a writer that locks its row first holds it before updating it. */
  private static volatile int holdMillis = 20;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void workers_underConcurrentWriters_compositeKey() throws Exception {
    scenario("comp", "id int, region text, a int, PRIMARY KEY (region, id)", "g, 'r' || (g % 7), g", 30_000,
        "--workers", "3", "--batch-size", "500");
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void workers_underConcurrentWriters_noKey_walksCtidPageRanges() throws Exception {
    scenario("nokey", "id int, a int, note text", "g, g, 'n'", 10_000, "--workers", "3", "--batch-size", "400");
    assertThat(cli.one("SELECT count(*) FROM nokey")).as("no row duplicated or lost").isEqualTo("10000");
  }

  /**
   * Creates {@code table} with {@code rows} rows, changes {@code a}'s type (up: a * 10 as bigint),
   * runs writers through the driver and the backfill with {@code options}, then checks every row.
   */
  private static Cli.Run scenario(String table, String columns, String values, int rows, String... options)
      throws Exception {
    String id = table + "-t";
    cli.sql("CREATE TABLE " + table + " (" + columns + ")",
        "INSERT INTO " + table + " SELECT " + values + " FROM generate_series(1, " + rows + ") g",
        // The writers find their rows by id (not a key of every table here: a plain index).
        "CREATE INDEX ON " + table + " (id)",
        "ANALYZE " + table);
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(f, "id: " + id + "\ntable: " + table + "\nchangeType:\n  column: a\n  to: a_big\n"
        + "  type: bigint\n  up: \"(a * 10)::bigint\"\n  down: \"(a_big / 10)::int\"\n");
    assertThat(cli.run("plan", f.toString()).exit()).isEqualTo(0);
    Cli.Run adv = cli.run("advance", id);
    assertThat(adv.exit()).as(adv.all()).isEqualTo(0);

    int writers = 3;
    AtomicBoolean running = new AtomicBoolean(true);
    Map<Integer, Integer> ledger = new ConcurrentHashMap<>();
    AtomicLong commits = new AtomicLong();
    List<Throwable> errors = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      Thread t = new Thread(() -> {
        try (Connection c = db.cutoverConnection()) {
          while (running.get()) {
            // Each writer owns the ids congruent to it, so the ledger's last value is the row's.
            int key = writer + 1 + writers * ThreadLocalRandom.current().nextInt(rows / writers);
            int value = ThreadLocalRandom.current().nextInt(1_000_000);
            if (ThreadLocalRandom.current().nextInt(4) == 0) {
              // Holds the row locked for a while: chunks skip it, the final pass waits for it.
              c.setAutoCommit(false);
              try (PreparedStatement lock = c.prepareStatement("SELECT a FROM " + table + " WHERE id = ? FOR UPDATE");
                  PreparedStatement up = c.prepareStatement("UPDATE " + table + " SET a = ? WHERE id = ?")) {
                lock.setInt(1, key);
                lock.executeQuery().close();
                Thread.sleep(holdMillis);
                up.setInt(1, value);
                up.setInt(2, key);
                up.executeUpdate();
                c.commit();
              } finally {
                c.setAutoCommit(true);
              }
            } else {
              try (PreparedStatement up = c.prepareStatement("UPDATE " + table + " SET a = ? WHERE id = ?")) {
                up.setInt(1, value);
                up.setInt(2, key);
                up.executeUpdate();
              }
            }
            ledger.put(key, value);
            commits.incrementAndGet();
          }
        } catch (Throwable e) {
          synchronized (errors) {
            errors.add(e);
          }
        }
      }, "writer-" + w);
      t.start();
      threads.add(t);
    }
    long during;
    Cli.Run backfill;
    try {
      long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (commits.get() < 20 && errors.isEmpty() && System.nanoTime() < warm) {
        Thread.sleep(20); // the writers' drivers are up and writing
      }
      long before = commits.get();
      List<String> args = new ArrayList<>(List.of("backfill", id));
      args.addAll(List.of(options));
      args.addAll(List.of("--pause", "20ms")); // a longer window for the writers
      Connection holder = null;
      if (holdMillis > 20) {
        // One row near the start held for seconds, so a chunk surely meets a row the application
        // holds (the writers' own holds are brief and may miss a fast backfill).
        holder = db.plainConnection();
        holder.setAutoCommit(false);
        try (Statement st = holder.createStatement()) {
          st.executeQuery("SELECT a FROM " + table + " WHERE id = 100 FOR UPDATE").close();
        }
        Connection held = holder;
        Thread release = new Thread(() -> {
          try {
            Thread.sleep(3_000);
            held.commit();
          } catch (Exception e) {
            synchronized (errors) {
              errors.add(e);
            }
          }
        }, "holder");
        release.start();
        threads.add(release);
      }
      Cli.Run run;
      try {
        run = cli.run(args.toArray(new String[0]));
      } finally {
        if (holder != null) {
          for (Thread t : threads) {
            if (t.getName().equals("holder")) {
              t.join(10_000);
            }
          }
          holder.close();
        }
      }
      assertThat(run.exit()).as(run.all()).isEqualTo(0);
      assertThat(run.out()).contains("done");
      backfill = run;
      during = commits.get() - before;
      Thread.sleep(300); // writes after the backfill are dual-written
    } finally {
      running.set(false);
      for (Thread t : threads) {
        t.join(30_000);
      }
    }
    assertThat(errors).as("writers' errors").isEmpty();
    assertThat(during).as("writers committed while the backfill ran").isGreaterThan(0);

    assertThat(cli.one("SELECT count(*) FROM " + table + " WHERE a_big IS DISTINCT FROM (a * 10)::bigint"))
        .as("rows whose new column is not up(old)").isEqualTo("0");
    List<String> wrong = new ArrayList<>();
    try (Connection c = db.plainConnection();
        PreparedStatement ps = c.prepareStatement("SELECT a FROM " + table + " WHERE id = ?")) {
      for (Map.Entry<Integer, Integer> e : ledger.entrySet()) {
        ps.setInt(1, e.getKey());
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          if (rs.getInt(1) != e.getValue()) {
            wrong.add(e.getKey() + ": " + rs.getInt(1) + " instead of " + e.getValue());
          }
        }
      }
    }
    assertThat(wrong).as("rows whose committed write was lost").isEmpty();
    Cli.Run verify = cli.run("verify", id);
    assertThat(verify.exit()).as(verify.all()).isEqualTo(0);
    return backfill;
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void workers_chunksSizedByTime_checkpointCountsEveryRowOnce() throws Exception {
    cli.sql("CREATE TABLE timed (a int, b text, c int, PRIMARY KEY (a, b))",
        "INSERT INTO timed SELECT g / 10, 'k' || (g % 10), g FROM generate_series(1, 50000) g",
        "UPDATE timed SET c = NULL WHERE a % 50 = 0");
    Path f = dir.resolve("timed.yaml");
    Files.writeString(f, "id: timed-c\ntable: timed\nrename: {from: c, to: d}\n");
    assertThat(cli.run("plan", f.toString()).exit()).isEqualTo(0);
    assertThat(cli.run("advance", "timed-c").exit()).isEqualTo(0);
    long needFill = Long.parseLong(cli.one("SELECT count(*) FROM timed WHERE c IS NOT NULL"));
    Cli.Run run = cli.run("backfill", "timed-c", "--workers", "3", "--chunk-time", "50ms");
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
    assertThat(run.out()).contains(needFill + "/" + needFill, "done");
    assertThat(cli.one("SELECT rows_done FROM cutover.backfill_state WHERE migration_id = 'timed-c'"))
        .isEqualTo(String.valueOf(needFill));
    assertThat(cli.one("SELECT count(*) FROM timed WHERE d IS DISTINCT FROM c")).isEqualTo("0");
    assertThat(cli.run("verify", "timed-c").exit()).isEqualTo(0);
  }
}
