package dev.cutover;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.runtime.CutoverRuntime;
import dev.cutover.runtime.RuntimeRegistry;
import java.util.Comparator;
import java.util.List;

/**
 * What the driver in this class loader applies now, for health checks and metrics: one
 * {@link RuntimeStatus} per database and control schema that has an open connection (or had one a few
 * seconds ago), each with its migrations as last read.
 *
 * <p>Reading it is cheap and takes no connection: it copies what the runtimes already hold.
 */
public final class CutoverStatus {

  private CutoverStatus() {}

  /**
   * One migration as this process applies it.
   *
   * @param id the migration's id
   * @param table the table, schema-qualified
   * @param oldColumn the column's old name
   * @param newColumn the column's new name
   * @param phase the phase, as the CLI names it ({@code dual_write}, ...)
   * @param epoch the epoch of the migration's last phase change
   */
  public record Migration(String id, String table, String oldColumn, String newColumn, String phase, long epoch) {}

  /**
   * One runtime: a database (URL without the {@code cutover:} part) and a control schema.
   *
   * @param url the PostgreSQL URL, without its parameters (they may hold a password)
   * @param controlSchema the control schema it reads
   * @param instance the instance name it heartbeats under
   * @param epoch the epoch of the snapshot it applies
   * @param refreshAgeMillis how long ago it last read the migrations
   * @param migrations the migrations it applies, by id
   */
  public record RuntimeStatus(String url, String controlSchema, String instance, long epoch, long refreshAgeMillis,
      List<Migration> migrations) {}

  /** The runtimes of this class loader now, by URL and control schema. */
  public static List<RuntimeStatus> runtimes() {
    return RuntimeRegistry.running().stream()
        .map(CutoverStatus::of)
        .sorted(Comparator.comparing(RuntimeStatus::url).thenComparing(RuntimeStatus::controlSchema))
        .toList();
  }

  private static RuntimeStatus of(CutoverRuntime runtime) {
    var snapshot = runtime.snapshot();
    List<Migration> migrations = snapshot.migrations().stream()
        .map(CutoverStatus::of)
        .sorted(Comparator.comparing(Migration::id))
        .toList();
    var config = runtime.config();
    String url = config.url();
    int query = url.indexOf('?');
    return new RuntimeStatus(query < 0 ? url : url.substring(0, query), config.schema(), config.instance(),
        snapshot.epoch(), runtime.refreshAgeMillis(), migrations);
  }

  private static Migration of(ColumnMigration m) {
    return new Migration(m.id(), m.schema() + "." + m.table(), m.oldColumn(), m.newColumn(),
        m.phase().sqlName(), m.epoch());
  }
}
