package dev.cutover.benchmarks;

import dev.cutover.runtime.RewriteEngine;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/**
 * A profiling loop for the rewrite-cache miss: {@link RewritePathBenchmark}'s {@code cache_miss}
 * workload run for a while in one thread, printing each second the wall and this thread's CPU time
 * per statement and the bytes it allocated. Meant to run under a profiler or with JVM flags (JFR,
 * {@code -XX:+PrintCompilation}, {@code -Xlog:gc}, another collector): CPU time and bytes hold up on
 * a loaded machine where JMH's wall time does not, and a run long enough shows what changes after
 * warm-up (a thread's parser promoted to the old generation made a miss ~1.7 times slower before it
 * was replaced periodically).
 *
 * <p>{@code java -Xms1g -Xmx1g -cp benchmarks.jar dev.cutover.benchmarks.CacheMissLoop [seconds]}
 */
public final class CacheMissLoop {

  private CacheMissLoop() {}

  /** @param args the seconds to run (default 120) */
  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 120;
    try (StubFixture fixture = StubFixture.create(StubFixture.Mode.CACHE_MISS, 10_000)) {
      Connection connection = fixture.connection();
      RewriteEngine engine = fixture.runtime().engine();
      com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long thread = Thread.currentThread().getId();
      long sum = 0;
      int n = 0;
      long start = System.nanoTime();
      long end = start + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) {
        long t0 = System.nanoTime();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long bytes0 = threads.getThreadAllocatedBytes(thread);
        long statements = 0;
        while (System.nanoTime() - t0 < 1_000_000_000L) {
          sum += Workload.runAll(connection, engine, ++n);
          statements += Workload.STATEMENTS.size();
        }
        long t1 = System.nanoTime();
        long cpu1 = threads.getCurrentThreadCpuTime();
        long bytes1 = threads.getThreadAllocatedBytes(thread);
        System.out.printf(Locale.ROOT, "%6.1f s  wall %8.1f us  cpu %8.1f us  %8.0f B per statement%n",
            (t1 - start) / 1e9, (t1 - t0) / 1e3 / statements, (cpu1 - cpu0) / 1e3 / statements,
            (double) (bytes1 - bytes0) / statements);
      }
      System.out.println("checksum " + sum);
    }
  }

}
