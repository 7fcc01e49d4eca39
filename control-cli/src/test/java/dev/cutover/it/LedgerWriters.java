package dev.cutover.it;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Application writers through the Cutover driver (HikariCP) that keep a ledger of what they
 * committed: each writer inserts rows in a key range of its own and updates rows it inserted,
 * through the old column name {@code column} (the application's code does not change during a
 * rollback). Failed statements are counted by SQLState. At the end, {@link #lostOrWrong} compares
 * every row of the ledger with the table, read through plain pgjdbc.
 */
final class LedgerWriters implements AutoCloseable {

  private final TestDatabase db;
  private final String table;
  private final String column;
  private final HikariDataSource pool;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final List<Map<Integer, String>> ledgers = new ArrayList<>();
  private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
  private final AtomicLong committed = new AtomicLong();

  /**
   * Starts {@code writers} threads; keys from {@code firstKey} upward, a million per writer.
   *
   * @param instance the driver instance name ({@code cutover.instance})
   */
  LedgerWriters(TestDatabase db, String table, String column, int writers, int firstKey, String instance) {
    this.db = db;
    this.table = table;
    this.column = column;
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.cutoverUrl() + "?cutover.refreshMillis=100&cutover.instance=" + instance);
    config.setUsername(db.user());
    if (!db.password().isEmpty()) {
      config.setPassword(db.password());
    }
    config.setMaximumPoolSize(writers);
    pool = new HikariDataSource(config);
    for (int w = 0; w < writers; w++) {
      Map<Integer, String> ledger = new ConcurrentHashMap<>();
      ledgers.add(ledger);
      int base = firstKey + w * 1_000_000;
      Thread t = new Thread(() -> write(ledger, base), "ledger-writer-" + w);
      threads.add(t);
      t.start();
    }
  }

  private void write(Map<Integer, String> ledger, int base) {
    int next = base;
    long n = 0;
    List<Integer> keys = new ArrayList<>(); // the keys of the rows this writer inserted
    while (running.get()) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      boolean insert = keys.isEmpty() || random.nextBoolean();
      int key = insert ? next : keys.get(random.nextInt(keys.size()));
      String value = Thread.currentThread().getName() + " #" + n++;
      String sql = insert
          ? "INSERT INTO " + table + " (id, " + column + ") VALUES (?, ?)"
          : "UPDATE " + table + " SET " + column + " = ? WHERE id = ?";
      try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setInt(insert ? 1 : 2, key);
        ps.setString(insert ? 2 : 1, value);
        int rows = ps.executeUpdate();
        if (rows == 1) {
          ledger.put(key, value);
          committed.incrementAndGet();
          if (insert) {
            keys.add(key);
            next++;
          }
        } else {
          failures.computeIfAbsent("rows=" + rows, k -> new AtomicLong()).incrementAndGet();
        }
      } catch (SQLException e) {
        failures.computeIfAbsent(String.valueOf(e.getSQLState()), k -> new AtomicLong()).incrementAndGet();
        if (insert) {
          next++; // a failed insert's key is not reused: whether it committed is not known for sure
        }
      }
    }
  }

  /** Statements committed so far. */
  long committed() {
    return committed.get();
  }

  /** Failed statements by SQLState (and {@code rows=N} for an update that did not hit one row). */
  Map<String, Long> failures() {
    Map<String, Long> copy = new TreeMap<>();
    failures.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }

  /** Stops the writers (waits for them) and closes the pool. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(30_000);
    }
    pool.close();
  }

  /**
   * The keys whose row is missing or differs from the last value committed, read through
   * {@code readColumn} with plain pgjdbc (call after {@link #close}).
   */
  List<String> lostOrWrong(String readColumn) throws SQLException {
    List<String> wrong = new ArrayList<>();
    try (Connection c = db.plainConnection();
        PreparedStatement ps = c.prepareStatement("SELECT " + readColumn + " FROM " + table + " WHERE id = ?")) {
      for (Map<Integer, String> ledger : ledgers) {
        for (Map.Entry<Integer, String> e : ledger.entrySet()) {
          ps.setInt(1, e.getKey());
          try (ResultSet rs = ps.executeQuery()) {
            String actual = rs.next() ? rs.getString(1) : "<missing>";
            if (!e.getValue().equals(actual)) {
              wrong.add(e.getKey() + ": committed '" + e.getValue() + "', found '" + actual + "'");
            }
          }
        }
      }
    }
    return wrong;
  }
}
