package dev.cutover.benchmarks;

import dev.cutover.migration.MigrationSnapshot;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The cost of deciding that a statement touches no migrating table (the hot path's first check). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PassThroughBenchmark {

  private final String sql = "SELECT id, full_name, email FROM accounts WHERE id = ? AND tenant_id = ?";
  private final MigrationSnapshot empty = MigrationSnapshot.EMPTY;

  @Benchmark
  public boolean noMigration() {
    return empty.mayTouch(sql);
  }
}
