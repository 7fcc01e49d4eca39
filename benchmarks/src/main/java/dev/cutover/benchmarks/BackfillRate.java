package dev.cutover.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * {@code cutover backfill} (default settings: batches of 1000, no pause) against the physical
 * limit, one bulk {@code UPDATE t SET new = old}, on two identical freshly loaded tables.
 */
final class BackfillRate {

  /**
   * @param rows rows in each table
   * @param bulkSeconds the bulk UPDATE's duration
   * @param backfillSeconds the backfill command's duration (the {@code dual_write} DDL before it excluded)
   */
  record Result(long rows, double bulkSeconds, double backfillSeconds) {
    double bulkRowsPerSecond() {
      return rows / bulkSeconds;
    }

    double backfillRowsPerSecond() {
      return rows / backfillSeconds;
    }

    double ratio() {
      return backfillRowsPerSecond() / bulkRowsPerSecond();
    }
  }

  private final BenchDatabase db;
  private final int rows;

  BackfillRate(BenchDatabase db, int rows) {
    this.db = db;
    this.rows = rows;
  }

  /** Needs the control schema installed (the end-to-end run does it). */
  Result run() throws Exception {
    for (String t : new String[] {"bf_bulk", "bf_cutover"}) {
      db.execute("CREATE TABLE " + t + " (id bigint PRIMARY KEY, tenant_id int NOT NULL, old_col text, note text)",
          "INSERT INTO " + t + " SELECT i, i % 8, 'value ' || i, 'note' FROM generate_series(1, " + rows + ") i",
          "VACUUM ANALYZE " + t);
    }
    db.execute("ALTER TABLE bf_bulk ADD COLUMN new_col text", "CHECKPOINT");
    long start = System.nanoTime();
    db.execute("UPDATE bf_bulk SET new_col = old_col");
    double bulk = (System.nanoTime() - start) / 1e9;

    Path file = Files.createTempFile("bf", ".yaml");
    try {
      Files.writeString(file, "id: bf-new-col\ntable: public.bf_cutover\nrename:\n  from: old_col\n  to: new_col\n");
      db.cutover("plan", file.toString());
      db.cutover("advance", "bf-new-col");
    } finally {
      Files.deleteIfExists(file);
    }
    db.execute("CHECKPOINT");
    start = System.nanoTime();
    db.cutover("backfill", "bf-new-col");
    double backfill = (System.nanoTime() - start) / 1e9;
    checkFilled();
    return new Result(rows, bulk, backfill);
  }

  private void checkFilled() throws SQLException {
    try (var c = db.connect(); var st = c.createStatement();
        var rs = st.executeQuery("SELECT count(*) FROM bf_cutover WHERE new_col IS DISTINCT FROM old_col")) {
      rs.next();
      if (rs.getLong(1) != 0) {
        throw new IllegalStateException("the backfill left " + rs.getLong(1) + " rows unfilled");
      }
    }
  }
}
