package dev.cutover.benchmarks;

import dev.cutover.runtime.RewriteEngine;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one statement costs through Cutover compared with the same calls straight on the driver:
 * {@code prepareStatement}, its {@code setX} calls, {@code executeQuery} (and reading the row) or
 * {@code executeUpdate}, and the closes, for each statement of {@link Workload}, on a {@link
 * dev.cutover.benchmarks.stub.StubConnection} so that no network or server time hides Cutover's own.
 * One operation is one statement (the average over the workload). Run with {@code -prof gc} for
 * the bytes allocated per statement.
 *
 * <p>{@code impl}: {@code baseline} the stub alone; {@code no_migration} Cutover with no migration;
 * {@code pass_through} Cutover with a migration on a table the statements do not mention; {@code
 * cache_hit} the statements' table in {@code dual_write}, rewrites cached; {@code cache_miss} the
 * same with the rewrite cache emptied before each statement (parse and rewrite every time; the
 * catalog cache stays warm, as it does between phase changes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class RewritePathBenchmark {

  @Param({"baseline", "no_migration", "pass_through", "cache_hit", "cache_miss"})
  public String impl;

  private StubFixture fixture;
  private Connection connection;
  private RewriteEngine engineToEmpty;
  private int n;

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    StubFixture.Mode mode = StubFixture.Mode.parse(impl);
    fixture = StubFixture.create(mode, 10_000);
    connection = fixture.connection();
    engineToEmpty = mode == StubFixture.Mode.CACHE_MISS ? fixture.runtime().engine() : null;
    runWorkload(); // a refusal fails the trial here
  }

  @TearDown(Level.Trial)
  public void tearDown() throws SQLException {
    fixture.close();
  }

  @Benchmark
  @OperationsPerInvocation(11) // Workload.STATEMENTS.size(), checked in setUp
  public long statement() throws SQLException {
    return runWorkload();
  }

  private long runWorkload() throws SQLException {
    if (Workload.STATEMENTS.size() != 11) {
      throw new IllegalStateException("@OperationsPerInvocation must be the number of statements");
    }
    return Workload.runAll(connection, engineToEmpty, ++n);
  }
}
