package dev.cutover.benchmarks;

import dev.cutover.migration.MigrationSnapshot;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pass-through path's text pre-check alone: {@link MigrationSnapshot#mayTouch} of a workload
 * statement against one migration on a table the statement does not mention (one operation is
 * one statement). Not what the pass-through row of {@link RewritePathBenchmark} pays per statement:
 * the runtime's {@link dev.cutover.runtime.StatementFilter} remembers each text's answer per
 * snapshot, so a text the application sends again costs one map lookup. This scan (and the filter's
 * second one, for {@code search_path} changes) is paid by a text the filter has not seen under the
 * current snapshot: the first use of each text after a phase change, and every statement of an
 * application that inlines its values into ever new texts.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PreCheckBenchmark {

  private final MigrationSnapshot snapshot =
      new MigrationSnapshot(2, StubFixture.migrations(StubFixture.Mode.PASS_THROUGH));
  private final String[] sql = Workload.STATEMENTS.stream().map(Workload.Statement::sql).toArray(String[]::new);

  @Benchmark
  @OperationsPerInvocation(11) // Workload.STATEMENTS.size()
  public int mayTouch() {
    int touched = 0;
    for (String s : sql) {
      if (snapshot.mayTouch(s)) {
        touched++;
      }
    }
    return touched;
  }
}
