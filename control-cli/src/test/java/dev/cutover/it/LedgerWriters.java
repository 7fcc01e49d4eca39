package dev.cutover.it;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.CutoverConnection;
import dev.cutover.testing.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * Application writers through the Cutover driver (HikariCP) that keep a ledger of what they
 * committed: each writer inserts rows in a key range of its own and updates rows it inserted,
 * mostly through the old column name (the application's code does not change during a rollback),
 * sometimes through the new one. Failed statements are counted by SQLState. At the end,
 * {@link #lostOrWrong} compares every row of the ledger with the table, read through plain pgjdbc.
 *
 * <p>With {@code readers}, each writer also checks, after every write, one query whose condition
 * names the migrating column (by its old or its new name: equality, range, {@code BETWEEN}, {@code
 * IN}, {@code IS [NOT] NULL}, a {@code JOIN ... ON}, and now and then an {@code UPDATE} or {@code
 * DELETE ... WHERE} on it), limited to its own key range: nobody else writes those rows, so its
 * ledger is exactly what the query must find, at any phase and while any phase change is under
 * way. (Reads by key alone never look at the column a phase reads conditions from: a condition
 * read from a stale old column went unnoticed here.) Wrong results are collected by
 * {@link #wrongReads}.
 */
final class LedgerWriters implements AutoCloseable {

  /**
   * The migrating column as the writers see it.
   *
   * @param oldName the column's name before the migration
   * @param newName its name after the migration
   * @param cents a type change from {@code numeric(10,2)} to {@code bigint} cents ({@code up} is
   *     {@code amount * 100}); otherwise a rename of a {@code text} column, or, with one name for
   *     both, an in-place type change of an {@code int} column to {@code bigint}
   * @param nullable whether the column takes NULL (writers then write some)
   */
  record Column(String oldName, String newName, boolean cents, boolean nullable) {

    static Column rename(String from, String to) {
      return new Column(from, to, false, false);
    }

    static Column cents(String from, String to) {
      return new Column(from, to, true, true);
    }

    /**
     * An in-place type change of an {@code int} column to {@code bigint} (one name; {@code up}
     * and {@code down} are casts, so a value means the same in every phase).
     */
    static Column inPlaceInteger(String name) {
      return new Column(name, name, false, true);
    }

    /** Whether values are integers bound as {@code long}: the in-place {@code int} to {@code bigint} change. */
    boolean integer() {
      return !cents && oldName.equals(newName);
    }

    /** Value {@code n} as bound through {@code name}. */
    Object bind(long n, String name) {
      if (integer()) {
        return n;
      }
      if (!cents) {
        return String.format("v%06d", n); // one length: text order is number order
      }
      return name.equals(oldName) ? BigDecimal.valueOf(n, 2) : (Object) n;
    }

    /** Value {@code n} as plain pgjdbc's {@code getString} reads it from column {@code name}. */
    String text(long n, String name) {
      return String.valueOf(bind(n, name) instanceof BigDecimal d ? d.toPlainString() : bind(n, name));
    }

    int sqlType(String name) {
      return integer() ? Types.BIGINT : !cents ? Types.VARCHAR : name.equals(oldName) ? Types.NUMERIC : Types.BIGINT;
    }
  }

  /** Values are 0 to this (exclusive): amounts up to 999.99, texts {@code v000000} to {@code v099999}. */
  private static final int VALUES = 100_000;

  private final TestDatabase db;
  private final String table;
  private final Column column;
  private final boolean readers;
  private final HikariDataSource pool;
  private final HikariDataSource readPool;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final List<Writer> writers = new ArrayList<>();
  private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();
  private final Map<String, AtomicLong> wrongByShape = new ConcurrentHashMap<>();
  private final List<String> wrongReads = Collections.synchronizedList(new ArrayList<>());

  /**
   * Starts {@code writers} threads; keys from {@code firstKey} upward, a million per writer.
   *
   * @param instance the driver instance name ({@code cutover.instance})
   * @param readers whether each writer checks a query with a condition on the column after each write
   */
  LedgerWriters(TestDatabase db, String table, Column column, int writers, int firstKey, String instance,
      boolean readers) {
    this(db, table, column, writers, firstKey, instance, readers, null);
  }

  /**
   * As above, the checked queries (and conditional writes) sent through another driver instance,
   * {@code readInstance}, that hears of phase changes only by polling, every second: for a while
   * after each phase change the writes and the reads come from instances in different phases.
   */
  LedgerWriters(TestDatabase db, String table, Column column, int writers, int firstKey, String instance,
      boolean readers, String readInstance) {
    this.db = db;
    this.table = table;
    this.column = column;
    this.readers = readers;
    pool = pool(db, "cutover.refreshMillis=100&cutover.instance=" + instance, writers);
    readPool = readInstance == null ? pool
        : pool(db, "cutover.refreshMillis=1000&cutover.notifications=poll&cutover.instance=" + readInstance, writers);
    for (int w = 0; w < writers; w++) {
      Writer writer = new Writer(firstKey + w * 1_000_000);
      this.writers.add(writer);
      Thread t = new Thread(writer, "ledger-writer-" + w);
      threads.add(t);
      t.start();
    }
  }

  private static HikariDataSource pool(TestDatabase db, String options, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.cutoverUrl() + "?" + options);
    config.setUsername(db.user());
    if (!db.password().isEmpty()) {
      config.setPassword(db.password());
    }
    config.setMaximumPoolSize(size);
    return new HikariDataSource(config);
  }

  /** One writer: its rows, what it last committed in each (thread-confined; read after {@link #close}). */
  private final class Writer implements Runnable {
    final int base;
    final Map<Integer, Long> ledger = new HashMap<>(); // a null value: the row holds NULL
    final Set<Integer> deleted = new HashSet<>();
    final List<Integer> keys = new ArrayList<>();
    int next;
    int lastKey = -1;
    Long lastValue; // the value the last write replaced in lastKey (a stale copy would still hold it)

    Writer(int base) {
      this.base = base;
      this.next = base;
    }

    @Override
    public void run() {
      while (running.get()) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (write(random) && readers) {
          read(random);
        }
      }
    }

    private String name(ThreadLocalRandom random) {
      return random.nextInt(3) == 0 ? column.newName() : column.oldName();
    }

    private Long value(ThreadLocalRandom random) {
      return column.nullable() && random.nextInt(8) == 0 ? null : (long) random.nextInt(VALUES);
    }

    private void bind(PreparedStatement ps, int index, Long n, String name) throws SQLException {
      if (n == null) {
        ps.setNull(index, column.sqlType(name));
      } else {
        ps.setObject(index, column.bind(n, name));
      }
    }

    private boolean write(ThreadLocalRandom random) {
      boolean insert = keys.isEmpty() || random.nextBoolean();
      int key = insert ? next : keys.get(random.nextInt(keys.size()));
      Long value = value(random);
      String name = name(random);
      String sql = insert
          ? "INSERT INTO " + table + " (id, " + name + ") VALUES (?, ?)"
          : "UPDATE " + table + " SET " + name + " = ? WHERE id = ?";
      try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setInt(insert ? 1 : 2, key);
        bind(ps, insert ? 2 : 1, value, name);
        int rows = ps.executeUpdate();
        if (rows == 1) {
          lastKey = key;
          lastValue = ledger.get(key);
          ledger.put(key, value);
          committed.incrementAndGet();
          if (insert) {
            keys.add(key);
            next++;
          }
          return true;
        }
        failed("rows=" + rows);
      } catch (SQLException e) {
        failed(String.valueOf(e.getSQLState()));
        if (insert) {
          next++; // a failed insert's key is not reused: whether it committed is not known for sure
        }
      }
      return false;
    }

    /** A value worth asking for: the one just written, the one it replaced, or any row's. */
    private Long probe(ThreadLocalRandom random) {
      int pick = random.nextInt(4);
      if (pick == 0 && lastKey >= 0 && ledger.containsKey(lastKey)) {
        return ledger.get(lastKey);
      }
      if (pick == 1 && lastValue != null) {
        return lastValue;
      }
      if (pick == 2 && !keys.isEmpty()) {
        return ledger.get(keys.get(random.nextInt(keys.size())));
      }
      return (long) random.nextInt(VALUES);
    }

    private long someValue(ThreadLocalRandom random) {
      Long v = probe(random);
      return v == null ? random.nextInt(VALUES) : v;
    }

    private void read(ThreadLocalRandom random) {
      String n = name(random);
      String c = n;
      String range = " WHERE id BETWEEN " + base + " AND " + (base + 999_999);
      int shape = random.nextInt(column.nullable() ? 10 : 9);
      switch (shape) {
        case 0, 1 -> {
          long v = someValue(random);
          check("=", n, "SELECT id FROM " + table + range + " AND " + c + " = ?", x -> x == v, List.of(v));
        }
        case 2 -> {
          long v = someValue(random);
          check(">=", n, "SELECT id FROM " + table + range + " AND " + c + " >= ?", x -> x >= v, List.of(v));
        }
        case 3 -> {
          long v = someValue(random);
          check("<", n, "SELECT id FROM " + table + range + " AND " + c + " < ?", x -> x < v, List.of(v));
        }
        case 4 -> {
          long a = someValue(random);
          long b = someValue(random);
          long lo = Math.min(a, b);
          long hi = Math.max(a, b);
          check("BETWEEN", n, "SELECT id FROM " + table + range + " AND " + c + " BETWEEN ? AND ?",
              x -> x >= lo && x <= hi, List.of(lo, hi));
        }
        case 5 -> {
          long a = someValue(random);
          long b = someValue(random);
          long d = someValue(random);
          check("IN", n, "SELECT id FROM " + table + range + " AND " + c + " IN (?, ?, ?)",
              x -> x == a || x == b || x == d, List.of(a, b, d));
        }
        case 6 -> {
          long v = someValue(random);
          check("JOIN ON", n, "SELECT a.id FROM " + table + " a JOIN " + table + " b ON b.id = a.id AND b." + c
              + " >= ?" + range.replace("id", "a.id"), x -> x >= v, List.of(v));
        }
        case 7 -> {
          // Sets the matching rows to another value through the same name: RETURNING says which.
          long v = someValue(random);
          long to = random.nextInt(VALUES);
          modify("UPDATE ... WHERE", n, "UPDATE " + table + " SET " + c + " = ?" + range + " AND " + c
              + " = ? RETURNING id", v, to);
        }
        case 8 -> {
          if (random.nextInt(4) == 0) {
            long v = someValue(random);
            modify("DELETE ... WHERE", n, "DELETE FROM " + table + range + " AND " + c + " = ? RETURNING id", v, null);
          } else {
            check("IS NOT NULL", n, "SELECT id FROM " + table + range + " AND " + c + " IS NOT NULL", x -> true,
                List.of());
          }
        }
        default -> checkNull(n, "SELECT id FROM " + table + range + " AND " + c + " IS NULL");
      }
    }

    /** Runs {@code sql} (parameters {@code values} as values of {@code name}); the ids must be the ledger's. */
    private void check(String shape, String name, String sql, LongPredicate matches, List<Long> values) {
      Set<Integer> expected = new TreeSet<>();
      ledger.forEach((k, v) -> {
        if (v != null && matches.test(v)) {
          expected.add(k);
        }
      });
      query(shape, name, sql, values, expected, false);
    }

    private void checkNull(String name, String sql) {
      Set<Integer> expected = new TreeSet<>();
      ledger.forEach((k, v) -> {
        if (v == null) {
          expected.add(k);
        }
      });
      query("IS NULL", name, sql, List.of(), expected, false);
    }

    /** An UPDATE (to {@code to}) or DELETE ({@code to} null) of the rows whose value is {@code v}. */
    private void modify(String shape, String name, String sql, long v, Long to) {
      Set<Integer> expected = new TreeSet<>();
      ledger.forEach((k, x) -> {
        if (x != null && x == v) {
          expected.add(k);
        }
      });
      List<Long> values = to == null ? List.of(v) : List.of(to, v);
      Set<Integer> hit = query(shape, name, sql, values, expected, true);
      if (hit == null) {
        return;
      }
      for (int k : hit) { // what the statement did, right or wrong, so the ledger stays true
        if (to == null) {
          ledger.remove(k);
          keys.remove(Integer.valueOf(k));
          deleted.add(k);
        } else {
          ledger.put(k, to);
        }
      }
      committed.incrementAndGet();
    }

    private Set<Integer> query(String shape, String name, String sql, List<Long> values, Set<Integer> expected,
        boolean write) {
      Set<Integer> actual = new TreeSet<>();
      try (Connection c = readPool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < values.size(); i++) {
          bind(ps, i + 1, values.get(i), name);
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            actual.add(rs.getInt(1));
          }
        }
        reads.incrementAndGet();
        if (!actual.equals(expected)) {
          Set<Integer> missing = new TreeSet<>(expected);
          missing.removeAll(actual);
          Set<Integer> extra = new TreeSet<>(actual);
          extra.removeAll(expected);
          String at = applied(c);
          wrongByShape.computeIfAbsent(shape + " via " + name + " at " + at, k -> new AtomicLong()).incrementAndGet();
          if (wrongReads.size() < 5) {
            wrongReads.add(sql + " " + values + " at " + at + ": " + missing.size() + " missing "
                + ledgerOf(missing) + ", " + extra.size() + " extra " + ledgerOf(extra));
          }
        }
        return actual;
      } catch (SQLException e) {
        failed(String.valueOf(e.getSQLState()));
        if (write) {
          running.set(false); // its effect is unknown: the ledger can no longer say what the rows hold
        }
        return null;
      }
    }

    /** The ledger's values of (at most ten of) {@code keys}. */
    private Map<Integer, Long> ledgerOf(Set<Integer> keys) {
      Map<Integer, Long> values = new TreeMap<>();
      keys.stream().limit(10).forEach(k -> values.put(k, ledger.get(k)));
      return values;
    }
  }

  /**
   * The phase the connection's driver has applied to this table now, and the one recorded, for a
   * failure message.
   */
  private String applied(Connection c) {
    try (Connection plain = db.plainConnection();
        PreparedStatement ps = plain.prepareStatement("SELECT phase, epoch FROM cutover.migrations WHERE table_name = ?")) {
      ps.setString(1, table);
      String recorded;
      try (ResultSet rs = ps.executeQuery()) {
        recorded = rs.next() ? rs.getString(1) + " epoch " + rs.getLong(2) : "none";
      }
      return c.unwrap(CutoverConnection.class).currentSnapshot().migrations().stream()
          .filter(m -> m.table().equals(table)).findFirst()
          .map(m -> m.phase().sqlName() + (m.oldStale() ? " (old column stale)" : "") + " epoch " + m.epoch())
          .orElse("no migration") + " (recorded: " + recorded + ")";
    } catch (SQLException e) {
      return "? (" + e.getMessage() + ")";
    }
  }

  private void failed(String key) {
    failures.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
  }

  /** Statements committed so far (writes, including conditional ones). */
  long committed() {
    return committed.get();
  }

  /** Queries checked against the ledger so far. */
  long reads() {
    return reads.get();
  }

  /** Failed statements by SQLState (and {@code rows=N} for an update that did not hit one row). */
  Map<String, Long> failures() {
    Map<String, Long> copy = new TreeMap<>();
    failures.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }

  /** Checked queries whose rows were not the ledger's, by shape, name used and phase applied just after. */
  Map<String, Long> wrongReadCounts() {
    Map<String, Long> copy = new TreeMap<>();
    wrongByShape.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }

  /** The first wrong results, each with its statement, the phase applied, and the rows missing and extra. */
  List<String> wrongReads() {
    synchronized (wrongReads) {
      return List.copyOf(wrongReads);
    }
  }

  /** Stops the writers (waits for them) and closes the pool. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(30_000);
    }
    pool.close();
    readPool.close();
  }

  /**
   * The keys whose row is missing or differs from the last value committed, read through
   * {@code readColumn} (the old or the new name as a physical column) with plain pgjdbc, and the
   * rows deleted that are still there (call after {@link #close}).
   */
  List<String> lostOrWrong(String readColumn) throws SQLException {
    List<String> wrong = new ArrayList<>();
    try (Connection c = db.plainConnection();
        PreparedStatement ps = c.prepareStatement("SELECT " + readColumn + " FROM " + table + " WHERE id = ?")) {
      for (Writer w : writers) {
        for (Map.Entry<Integer, Long> e : w.ledger.entrySet()) {
          ps.setInt(1, e.getKey());
          try (ResultSet rs = ps.executeQuery()) {
            String expected = e.getValue() == null ? null : column.text(e.getValue(), readColumn);
            String actual = rs.next() ? rs.getString(1) : "<missing>";
            if (!java.util.Objects.equals(expected, actual)) {
              wrong.add(e.getKey() + ": committed '" + expected + "', found '" + actual + "'");
            }
          }
        }
        for (int k : w.deleted) {
          ps.setInt(1, k);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              wrong.add(k + ": deleted, found '" + rs.getString(1) + "'");
            }
          }
        }
      }
    }
    return wrong;
  }
}
