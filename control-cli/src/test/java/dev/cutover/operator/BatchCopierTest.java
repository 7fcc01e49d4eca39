package dev.cutover.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A chunk copied by one plain range UPDATE (no row locks taken first) while an application
 * transaction writes a row of the chunk and commits only after the chunk reached that row and waits
 * for it: the chunk must copy the value the application committed, or leave the row alone when the
 * application filled it itself, never write the value it read before waiting. Each case runs for a
 * primary key, a composite key and a table without a key (ctid pages).
 */
class BatchCopierTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private static final String[][] SHAPES = {
      {"pk", "id int PRIMARY KEY, a text, b text", "g, 'v' || g"},
      {"comp", "region text, id int, a text, b text, PRIMARY KEY (region, id)", "'r' || (g % 3), g, 'v' || g"},
      {"nokey", "id int, a text, b text", "g, 'v' || g"},
  };

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void plainChunk_waitsForAnApplicationWriteOfTheOldColumn_copiesTheCommittedValue() throws Exception {
    for (String[] shape : SHAPES) {
      String table = shape[0] + "_old";
      long rows = chunkAgainst(table, shape, "UPDATE " + table + " SET a = 'app' WHERE id = 7");
      assertThat(rows).as(table + ": rows the chunk updated").isEqualTo(20);
      assertThat(one("SELECT b FROM " + table + " WHERE id = 7")).as(table + ": the application's value, not v7")
          .isEqualTo("app");
      assertThat(one("SELECT count(*) FROM " + table + " WHERE b IS DISTINCT FROM a")).isEqualTo("0");
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void plainChunk_waitsForAnApplicationDualWrite_leavesTheRowAlone() throws Exception {
    for (String[] shape : SHAPES) {
      String table = shape[0] + "_dual";
      long rows = chunkAgainst(table, shape, "UPDATE " + table + " SET a = 'app', b = 'app' WHERE id = 7");
      assertThat(rows).as(table + ": the row the application filled is not written again").isEqualTo(19);
      assertThat(one("SELECT a || '/' || b FROM " + table + " WHERE id = 7")).isEqualTo("app/app");
      assertThat(one("SELECT count(*) FROM " + table + " WHERE b IS DISTINCT FROM a")).isEqualTo("0");
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void plainChunk_waitsForAnApplicationDelete_skipsTheRow() throws Exception {
    for (String[] shape : SHAPES) {
      String table = shape[0] + "_del";
      long rows = chunkAgainst(table, shape, "DELETE FROM " + table + " WHERE id = 7");
      assertThat(rows).as(table).isEqualTo(19);
      assertThat(one("SELECT count(*) FROM " + table)).isEqualTo("19");
      assertThat(one("SELECT count(*) FROM " + table + " WHERE b IS DISTINCT FROM a")).isEqualTo("0");
    }
  }

  /**
   * The progress bar's pending rows: counted on a table the statistics call small, estimated from a
   * sample of pages on a large one (here: "large" from 1,000 rows, a sample of 5,000 of 50,000).
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void pending_countedOnASmallTable_sampledOnALargeOne() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE sampled (id int PRIMARY KEY, a text, b text)");
      st.execute("INSERT INTO sampled SELECT g, 'v' || g, CASE WHEN g % 2 = 0 THEN 'v' || g END"
          + " FROM generate_series(1, 50000) g");
      st.execute("ANALYZE sampled");
      TableCatalog.Table t = TableCatalog.requireTable(c, "public", "sampled");
      BatchCopier copier = new BatchCopier(t, RowKey.of(c, t, Set.of("a", "b")), "b", "\"a\"");
      BatchCopier.Pending counted = copier.pending(c, "10000", "50000", t.oid(), 1_000_000, 5_000);
      assertThat(counted).isEqualTo(new BatchCopier.Pending(20_000, true));
      BatchCopier.Pending sampled = copier.pending(c, "10000", "50000", t.oid(), 1_000, 5_000);
      assertThat(sampled.exact()).isFalse();
      assertThat(sampled.rows()).as("an estimate of the 20,000 pending rows").isBetween(15_000L, 25_000L);
    }
  }

  /**
   * Creates {@code table} (20 rows, {@code b} empty), has an application transaction run {@code
   * write} and hold it, starts a plain chunk over the whole table, waits until the chunk waits for
   * the application's row lock, commits the application's transaction; returns the rows the chunk
   * updated.
   */
  private static long chunkAgainst(String table, String[] shape, String write) throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (" + shape[1] + ")");
      st.execute("INSERT INTO " + table + " SELECT " + shape[2] + " FROM generate_series(1, 20) g");
    }
    try (Connection app = db.plainConnection(); Connection backfill = db.plainConnection();
        Statement appSt = app.createStatement()) {
      TableCatalog.Table t = TableCatalog.requireTable(backfill, "public", table);
      BatchCopier copier = new BatchCopier(t, RowKey.of(backfill, t, Set.of("a", "b")), "b", "\"a\"");
      // A table without a key: a chunk of whole pages, as the planner cuts them (the row's new
      // version lands on the same page, after the last ctid present before the write).
      String max = copier.key().columns().equals(List.of("ctid")) ? "(1000,0)" : copier.maxKey(backfill);
      int pid;
      try (Statement st = backfill.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        pid = rs.getInt(1);
      }
      app.setAutoCommit(false);
      appSt.executeUpdate(write);
      CompletableFuture<Long> chunk = CompletableFuture.supplyAsync(() -> {
        try {
          backfill.setAutoCommit(false);
          try (Statement st = backfill.createStatement()) {
            st.execute("SET LOCAL lock_timeout = '30s'");
          }
          long n = copier.copyRange(backfill, null, max, false);
          backfill.commit();
          return n;
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!"Lock".equals(one("SELECT wait_event_type FROM pg_stat_activity WHERE pid = " + pid))) {
        assertThat(chunk).as("the chunk waits for the application's row").isNotDone();
        assertThat(System.nanoTime()).as("the chunk reached the locked row").isLessThan(until);
        Thread.sleep(10);
      }
      app.commit();
      return chunk.get(30, TimeUnit.SECONDS);
    }
  }

  private static String one(String sql) throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }
}
