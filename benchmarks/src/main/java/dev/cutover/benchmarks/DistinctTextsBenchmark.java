package dev.cutover.benchmarks;

import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.rewriter.Catalog;
import dev.cutover.rewriter.TableInfo;
import dev.cutover.runtime.RewriteEngine;
import dev.cutover.runtime.RewriteFunction;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The rewrite cache under more distinct texts than it holds: an application that inlines its
 * values sends 50,000 distinct texts (10,000 values in each of five statement shapes on the
 * migrating table, in {@code dual_write}) round-robin through a cache of the default 10,000
 * entries. One operation is one statement's rewrite lookup ({@link RewriteEngine#rewrite}), the
 * wrapper's own cost not included. {@code normalize=false} is the cache keyed by the exact text
 * alone (as before constant shapes): nearly every lookup then parses and rewrites.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class DistinctTextsBenchmark {

  private static final List<String> SHAPES = List.of(
      "SELECT id, email, full_name, created_at FROM users WHERE id = %d",
      "UPDATE users SET full_name = 'name %d', version = version + 1 WHERE id = %d",
      "SELECT u.id, u.full_name FROM users u WHERE u.tenant_id = 7 AND u.id IN (%d, %d, 3)",
      "INSERT INTO users (tenant_id, email, full_name) VALUES (1, 'u%d@example.com', 'User %d')",
      "SELECT o.id, o.total, u.full_name FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id = %d"
          + " AND o.status = 'open' LIMIT 10");

  @Param({"50000"})
  public int texts;

  @Param({"true", "false"})
  public boolean normalize;

  private String[] sql;
  private RewriteEngine engine;
  private MigrationSnapshot snapshot;
  private Catalog catalog;
  private int next;

  @Setup
  public void setUp() throws SQLException {
    snapshot = new MigrationSnapshot(2, StubFixture.migrations(StubFixture.Mode.CACHE_HIT));
    catalog = (schema, table) -> {
      List<String> columns = StubFixture.TABLES.get(table);
      return columns == null || (schema != null && !schema.equals("public")) ? null
          : new TableInfo("public", table, columns, columns.contains("id") ? List.of("id") : List.of());
    };
    sql = new String[texts];
    for (int i = 0; i < texts; i++) {
      int value = 1000 + i / SHAPES.size();
      sql[i] = String.format(SHAPES.get(i % SHAPES.size()), value, value);
    }
    engine = new RewriteEngine(RewriteFunction.standard(), false, 10_000, normalize);
    for (String s : sql) {
      engine.rewrite(s, snapshot, "public", catalog); // a refusal fails the trial here
    }
  }

  @Benchmark
  public String lookup() throws SQLException {
    String s = sql[next];
    next = next + 1 == sql.length ? 0 : next + 1;
    return engine.rewrite(s, snapshot, "public", catalog).sql();
  }
}
