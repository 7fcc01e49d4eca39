package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Application writers for ledger tests: each runs its write in a loop on its own thread while the
 * test moves a migration, and records in the ledger the value it committed per row (each writer
 * owns its rows, so the last value recorded is exactly the last one committed). A failed statement
 * is kept, not thrown, so the test can say at the end which ones failed.
 *
 * @param <V> a row's value as the test compares it
 */
final class WriterLedger<V> implements AutoCloseable {

  /** One write of a writer's loop; {@code n} counts the loop's turns from 0. */
  interface Write {
    void run(long n) throws SQLException, InterruptedException;
  }

  private final Map<Integer, V> ledger = new ConcurrentHashMap<>();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong statements = new AtomicLong();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();

  /** Starts from what the table holds before any writer runs. */
  WriterLedger(Map<Integer, V> seed) {
    ledger.putAll(seed);
  }

  /** Adds a writer (started by {@link #start}); a write that returns normally counts as a statement. */
  void writer(String name, Write write) {
    threads.add(new Thread(() -> {
      long n = 0;
      while (running.get()) {
        try {
          write.run(n++);
          statements.incrementAndGet();
        } catch (SQLException | AssertionError e) {
          failures.add(e.toString());
        } catch (InterruptedException e) {
          return;
        }
      }
    }, name));
  }

  /** Records that {@code row} now holds {@code value}, committed. */
  void committed(int row, V value) {
    ledger.put(row, value);
  }

  void start() {
    threads.forEach(Thread::start);
  }

  /** Stops the writers and waits for them. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(10_000);
    }
  }

  /**
   * Asserts that no statement failed, that the writers did run ({@code minimumStatements}), and that
   * {@code actual} (read after {@link #close}) holds every row as last committed.
   */
  void assertEveryRowAsLastCommitted(Map<Integer, V> actual, long minimumStatements) {
    assertThat(failures).as("failed statements").isEmpty();
    assertThat(statements.get()).as("statements the writers committed").isGreaterThan(minimumStatements);
    assertThat(actual).as("every row as last committed").isEqualTo(new HashMap<>(ledger));
  }
}
