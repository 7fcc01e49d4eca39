package dev.cutover.it;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An application instance for {@link FencingTest}, in a JVM of its own so that it can be paused
 * ({@code kill -STOP}) or cut off: writer threads through a HikariCP pool of {@code jdbc:cutover:}
 * connections, each keeping a ledger of what it committed, on table {@code t (id, a, note)} whose
 * {@code a} is being renamed to {@code b}:
 * <ul>
 *   <li>{@code UPDATE t SET note = ?} on the shared rows (ids 1..shared, each writer its own): the
 *       statement that {@code dual_write} rewrites to also copy {@code a} into {@code b};
 *   <li>{@code UPDATE t SET a = ?} (the old name) on rows of its own, and now and then an {@code
 *       INSERT} of a new one.
 * </ul>
 * A statement that fails may or may not have committed (the connection broke): the ledger then
 * accepts the value before it and the one it tried, until the next success. When the stop file
 * appears it writes the ledger ({@code note|new <id> <value>...}, {@code ABSENT} for a row that may
 * not exist) and the failures by SQLState, and exits 0.
 *
 * <p>Arguments: URL, user, stop file, ledger file, writers, shared rows, first own id.
 */
public final class LedgerApplication {

  static final String ABSENT = "ABSENT";

  /** The values a row's column may hold now: the last one committed, and those tried since. */
  private static final Map<String, Set<String>> LEDGER = new ConcurrentHashMap<>();
  private static final Map<String, AtomicLong> FAILURES = new ConcurrentHashMap<>();
  private static final Map<String, String> FIRST_MESSAGE = new ConcurrentHashMap<>();
  private static final AtomicLong OK = new AtomicLong();
  private static final AtomicLong OK_AFTER_PAUSE = new AtomicLong();

  public static void main(String[] args) throws Exception {
    String url = args[0];
    Path stop = Path.of(args[2]);
    Path ledger = Path.of(args[3]);
    int writers = Integer.parseInt(args[4]);
    int shared = Integer.parseInt(args[5]);
    int firstOwn = Integer.parseInt(args[6]);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(args[1]);
    config.setMaximumPoolSize(writers);
    config.setConnectionTimeout(5_000);
    List<Thread> threads = new ArrayList<>();
    try (HikariDataSource pool = new HikariDataSource(config)) {
      for (int w = 0; w < writers; w++) {
        int writer = w;
        Thread t = new Thread(() -> write(pool, stop, writer, writers, shared, firstOwn + writer * 100_000), "writer-" + w);
        threads.add(t);
        t.start();
      }
      while (OK.get() < 50L * writers && !Files.exists(stop)) {
        Thread.sleep(10);
      }
      System.out.println("READY");
      System.out.flush();
      for (Thread t : threads) {
        t.join();
      }
    }
    List<String> lines = new ArrayList<>();
    new TreeMap<>(LEDGER).forEach((key, values) -> lines.add(key + " " + String.join(" ", values)));
    Files.write(ledger, lines);
    for (Map.Entry<String, AtomicLong> e : new TreeMap<>(FAILURES).entrySet()) {
      System.out.println("FAILED " + e.getKey() + " " + e.getValue() + " " + FIRST_MESSAGE.get(e.getKey()));
    }
    System.out.println("OK " + OK + " OK_AFTER_PAUSE " + OK_AFTER_PAUSE);
    System.out.flush();
    System.exit(0);
  }

  private static void write(HikariDataSource pool, Path stop, int writer, int writers, int shared, int firstOwn) {
    List<Integer> sharedRows = new ArrayList<>();
    for (int id = 1 + writer; id <= shared; id += writers) {
      sharedRows.add(id);
    }
    List<Integer> own = new ArrayList<>();
    long seq = 0;
    long last = System.nanoTime();
    boolean paused = false;
    while (!Files.exists(stop)) {
      seq++;
      String value = "w" + writer + "-" + seq;
      int sharedId = sharedRows.get((int) (seq % sharedRows.size()));
      long began = System.nanoTime();
      boolean pausedBefore = paused;
      boolean ok = update(pool, "UPDATE t SET note = ? WHERE id = ?", "note " + sharedId, sharedId, value);
      if (seq % 10 == 1 || own.isEmpty()) {
        int id = firstOwn + (int) seq; // a failed insert's id is never used again: it may or may not exist
        if (run(pool, "INSERT INTO t (id, a, note) VALUES (?, ?, 'own')", "new " + id, id, value, true)) {
          own.add(id);
        } else {
          ok = false;
        }
      } else {
        int id = own.get((int) (seq % own.size()));
        ok &= update(pool, "UPDATE t SET a = ? WHERE id = ?", "new " + id, id, value);
      }
      if (ok && pausedBefore) {
        OK_AFTER_PAUSE.incrementAndGet();
      }
      long now = System.nanoTime();
      // Stopped for a second, before or during this iteration (SIGSTOP, or blocked on a stalled network).
      paused |= began - last > 1_000_000_000L || now - began > 1_000_000_000L;
      last = now;
      sleep(2);
    }
  }

  private static boolean update(HikariDataSource pool, String sql, String key, int id, String value) {
    return run(pool, sql, key, id, value, false);
  }

  /** Runs one autocommit statement and keeps the ledger of {@code key}. */
  private static boolean run(HikariDataSource pool, String sql, String key, int id, String value, boolean insert) {
    Set<String> possible = LEDGER.computeIfAbsent(key, k -> new LinkedHashSet<>(insert ? List.of(ABSENT) : List.of()));
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      if (insert) {
        ps.setInt(1, id);
        ps.setString(2, value);
      } else {
        ps.setString(1, value);
        ps.setInt(2, id);
      }
      int rows = ps.executeUpdate();
      if (rows != 1) {
        throw new IllegalStateException(sql + " for id " + id + " changed " + rows + " rows");
      }
      synchronized (possible) {
        possible.clear();
        possible.add(value);
      }
      OK.incrementAndGet();
      return true;
    } catch (SQLException e) {
      synchronized (possible) {
        possible.add(value); // it may have committed before the connection broke
      }
      String state = String.valueOf(e.getSQLState());
      FAILURES.computeIfAbsent(state, s -> new AtomicLong()).incrementAndGet();
      FIRST_MESSAGE.putIfAbsent(state, String.valueOf(e.getMessage()).replace('\n', ' '));
      return false;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reads a ledger file: key ({@code note 12}, {@code new 100001}) to the values it may hold. */
  static Map<String, Set<String>> read(Path file) throws IOException {
    Map<String, Set<String>> result = new TreeMap<>();
    for (String line : Files.readAllLines(file)) {
      String[] parts = line.split(" ");
      result.put(parts[0] + " " + parts[1], new LinkedHashSet<>(List.of(parts).subList(2, parts.length)));
    }
    return result;
  }

  private LedgerApplication() {}
}
