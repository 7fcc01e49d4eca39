package dev.cutover.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.rewriter.Catalog;
import dev.cutover.rewriter.TableInfo;
import dev.cutover.runtime.RewriteEngine;
import dev.cutover.runtime.RewriteFunction;
import dev.cutover.runtime.StatementFilter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.reflect.Field;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jol.info.GraphLayout;

/**
 * Heap per cached rewritten statement: the rewrite cache ({@link RewriteEngine}, as the driver
 * builds it) filled with N distinct statements of {@link Workload}, each made distinct by a
 * leading comment as SQL commenters add, in {@code dual_write}. Two figures: the heap-used delta
 * after full collections (everything, Caffeine's nodes and sketch included) and the retained size
 * of the entries' keys and values by JOL (the payload alone).
 */
final class CacheMemory {

  /**
   * @param entries statements cached
   * @param heapBytesPerEntry heap-used delta / entries
   * @param payloadBytesPerEntry JOL retained size of keys and values / entries
   * @param heapBytesTotal heap-used delta for all entries
   * @param filterBytesPerEntry heap-used delta / entries of the hot path's pre-check memo ({@link
   *     StatementFilter}) holding the same texts, the texts themselves not counted (the application
   *     holds them; a text built anew for every call is retained by both caches, once)
   */
  record Result(int entries, double heapBytesPerEntry, double payloadBytesPerEntry, long heapBytesTotal,
      double filterBytesPerEntry) {}

  private final int entries;

  CacheMemory(int entries) {
    this.entries = entries;
  }

  Result run() throws Exception {
    // Before JOL initialises: records' field offsets are not available through Unsafe otherwise.
    System.setProperty("jol.magicFieldOffset", "true");
    MigrationSnapshot snapshot = new MigrationSnapshot(2, StubFixture.migrations(StubFixture.Mode.CACHE_HIT));
    Catalog catalog = (schema, table) -> {
      List<String> columns = StubFixture.TABLES.get(table);
      return columns == null || (schema != null && !schema.equals("public")) ? null
          : new TableInfo("public", table, columns);
    };
    List<String> sql = new ArrayList<>(entries);
    for (int i = 0; i < entries; i++) {
      sql.add("/* request " + i + " */ " + Workload.STATEMENTS.get(i % Workload.STATEMENTS.size()).sql());
    }
    RewriteEngine engine = new RewriteEngine(RewriteFunction.standard(), false, entries);
    fill(engine, List.of(sql.get(0)), snapshot, catalog); // classes, the rewriter's index: not per entry
    engine.invalidateAll();
    long before = usedAfterGc();
    fill(engine, sql, snapshot, catalog);
    long after = usedAfterGc();
    Map<?, ?> map = cacheOf(engine).asMap();
    if (map.size() < entries * 0.95) {
      throw new IllegalStateException("the cache kept " + map.size() + " of " + entries + " entries");
    }
    List<Object> roots = new ArrayList<>(map.size() * 2);
    map.forEach((k, v) -> {
      roots.add(k);
      roots.add(v);
    });
    // The snapshot is shared by every entry (and by the runtime): not part of an entry's cost.
    long payload = GraphLayout.parseInstance(roots.toArray()).subtract(GraphLayout.parseInstance(snapshot)).totalSize();
    StatementFilter filter = new StatementFilter(snapshot, entries);
    long beforeFilter = usedAfterGc();
    for (String s : sql) {
      filter.classify(s, snapshot);
    }
    long afterFilter = usedAfterGc();
    if (filter.classify(sql.get(0), snapshot) == 0) {
      throw new IllegalStateException("the pre-check missed a statement on the migrating table");
    }
    sql.clear();
    long heap = after - before;
    return new Result(map.size(), (double) heap / map.size(), (double) payload / map.size(), heap,
        (double) (afterFilter - beforeFilter) / entries);
  }

  private static void fill(RewriteEngine engine, List<String> sql, MigrationSnapshot snapshot, Catalog catalog)
      throws SQLException {
    for (String s : sql) {
      engine.rewrite(s, snapshot, "\"$user\", public", catalog);
    }
  }

  private static Cache<?, ?> cacheOf(RewriteEngine engine) throws ReflectiveOperationException {
    Field f = RewriteEngine.class.getDeclaredField("cache");
    f.setAccessible(true);
    return (Cache<?, ?>) f.get(engine);
  }

  private static long usedAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
