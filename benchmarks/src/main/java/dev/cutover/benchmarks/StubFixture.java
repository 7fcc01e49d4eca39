package dev.cutover.benchmarks;

import dev.cutover.benchmarks.stub.RowsResultSet;
import dev.cutover.benchmarks.stub.StubConnection;
import dev.cutover.jdbc.ProxyConnection;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import dev.cutover.runtime.CutoverRuntime;
import dev.cutover.runtime.RewriteFunction;
import dev.cutover.runtime.RuntimeConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cutover's real wrapper and runtime over a {@link StubConnection}: no server, no network, so a
 * benchmark measures what Cutover adds. The runtime is the production one, built without {@link
 * CutoverRuntime#start} (so it neither polls nor listens); its snapshot is loaded once through
 * {@link CutoverRuntime#reloadOn}, from control-schema rows the stub returns. No seam in the
 * driver is needed.
 */
public final class StubFixture implements AutoCloseable {

  /** Which implementation a benchmark drives. */
  public enum Mode {
    /** The stub connection itself: no Cutover. */
    BASELINE,
    /** Cutover, no migration registered. */
    NO_MIGRATION,
    /** Cutover, a migration on a table the statements do not mention. */
    PASS_THROUGH,
    /** Cutover, the statements' table migrating ({@code dual_write}), rewrites cached. */
    CACHE_HIT,
    /** Same, with the rewrite cache emptied before every statement. */
    CACHE_MISS;

    /** Parses a {@code @Param} value such as {@code cache_hit}. */
    public static Mode parse(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  /** Physical tables and their columns as the catalog returns them in {@code dual_write}. */
  static final Map<String, List<String>> TABLES = Map.of(
      "users", List.of("id", "tenant_id", "email", "full_name", "created_at", "updated_at", "version", "display_name"),
      "orders", List.of("id", "user_id", "total", "status", "created_at"),
      "invoices", List.of("id", "order_id", "amount", "reference"),
      "accounts", List.of("id", "tenant_id", "email", "holder", "balance", "version", "holder_name"));

  private static final Pattern REGCLASS = Pattern.compile("to_regclass\\('(.*)'\\)");

  private final Connection connection;
  private final CutoverRuntime runtime;

  private StubFixture(Connection connection, CutoverRuntime runtime) {
    this.connection = connection;
    this.runtime = runtime;
  }

  /** The migrations registered for {@code mode}. */
  static List<ColumnMigration> migrations(Mode mode) {
    return switch (mode) {
      case BASELINE, NO_MIGRATION -> List.of();
      case PASS_THROUGH -> List.of(
          ColumnMigration.rename("invoices-ref", "public", "invoices", "reference", "external_ref", Phase.DUAL_WRITE, 2)
              .withOldColumnAfter("amount"));
      case CACHE_HIT, CACHE_MISS -> List.of(
          ColumnMigration.rename("users-display-name", "public", "users", "full_name", "display_name", Phase.DUAL_WRITE, 2)
              .withOldColumnAfter("email"));
    };
  }

  /**
   * Builds the connection for {@code mode} and runs every statement of the workload once (a
   * refused statement fails here, not in the middle of a measurement).
   *
   * @param cacheSize {@code cutover.cacheSize}
   */
  public static StubFixture create(Mode mode, int cacheSize) throws SQLException {
    return create(migrations(mode), mode != Mode.BASELINE, cacheSize, sql -> null);
  }

  /**
   * Builds a connection with {@code migrations} registered ({@code cutover}) or the stub alone.
   *
   * @param statements answers the benchmarked texts a {@code Statement} sends (the stub passes them to
   *     its responder) and null for any other text (Cutover's own queries, answered here)
   */
  static StubFixture create(List<ColumnMigration> migrations, boolean cutover, int cacheSize,
      Function<String, ResultSet> statements) throws SQLException {
    System.setProperty("org.slf4j.simpleLogger.log.dev.cutover.runtime", "error"); // no side connection to a stub
    StubConnection stub = new StubConnection(sql -> {
      ResultSet rs = statements.apply(sql);
      return rs != null ? rs : respond(sql, migrations);
    });
    if (!cutover) {
      return new StubFixture(stub, null);
    }
    // No lease (0): a stub writes no heartbeat to confirm one; the check costs a volatile read either way.
    RuntimeConfig config = new RuntimeConfig("jdbc:stub:bench", new Properties(), "bench", "cutover", 1000,
        false, cacheSize, true, "bench", 0);
    CutoverRuntime runtime = new CutoverRuntime(config, RewriteFunction.standard());
    runtime.reloadOn(stub);
    if (runtime.snapshot().migrations().size() != migrations.size()) {
      throw new IllegalStateException("the stub's migrations did not load: " + runtime.snapshot());
    }
    return new StubFixture(new ProxyConnection(stub, runtime, false), runtime);
  }

  /** The connection the benchmark uses. */
  public Connection connection() {
    return connection;
  }

  /** The runtime, or {@code null} for the baseline. */
  public CutoverRuntime runtime() {
    return runtime;
  }

  /** The snapshot in use ({@link MigrationSnapshot#EMPTY} for the baseline). */
  public MigrationSnapshot snapshot() {
    return runtime == null ? MigrationSnapshot.EMPTY : runtime.snapshot();
  }

  @Override
  public void close() throws SQLException {
    connection.close();
    if (runtime != null) {
      runtime.close();
    }
  }

  /** Answers the queries of ControlSchema, MigrationStore and CatalogCache. */
  static ResultSet respond(String sql, List<ColumnMigration> migrations) {
    if (sql.contains("schema_version") && sql.contains("to_regclass")) {
      return RowsResultSet.of(Boolean.TRUE);
    }
    if (sql.contains("max(version)")) {
      return RowsResultSet.of(dev.cutover.control.ControlSchema.VERSION);
    }
    if (sql.contains(".migrations")) {
      List<Object[]> rows = new ArrayList<>();
      for (ColumnMigration m : migrations) {
        rows.add(new Object[] {m.id(), m.schema(), m.table(), m.oldColumn(), m.newColumn(), m.physicalNewColumn(),
            m.up(), m.down(), m.newType(), m.phase().name().toLowerCase(Locale.ROOT), m.epoch(), m.oldColumnAfter(), m.oldType(),
            m.lazy(), m.oldStale(), false}); // not a partitioned table
      }
      return new RowsResultSet(rows);
    }
    if (sql.contains("current_setting('search_path')")) {
      return RowsResultSet.of("\"$user\", public");
    }
    Matcher m = REGCLASS.matcher(sql);
    if (m.find()) {
      String[] parts = m.group(1).replace("\"", "").split("\\.");
      String table = parts[parts.length - 1];
      List<String> columns = TABLES.get(table);
      if (columns == null || (parts.length == 2 && !parts[0].equals("public"))) {
        return new RowsResultSet(List.of());
      }
      String[] key = columns.contains("id") ? new String[] {"id"} : new String[0];
      return RowsResultSet.of("public", table, "r", columns.toArray(new String[0]), key);
    }
    return null;
  }
}
