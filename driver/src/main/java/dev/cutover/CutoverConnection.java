package dev.cutover;

import dev.cutover.migration.MigrationSnapshot;
import java.sql.SQLException;

/**
 * What a Cutover connection offers beyond JDBC, reached with
 * {@code connection.unwrap(CutoverConnection.class)} (also through a pool's proxy, e.g. HikariCP's).
 *
 * <p>Tests and operators use it to make a phase change visible at once instead of waiting for the
 * next poll ({@code cutover.refreshMillis}).
 */
public interface CutoverConnection {

  /**
   * Re-reads the migrations from the control schema now (on the runtime's own connection), writes
   * this instance's heartbeat, and returns the epoch now applied.
   *
   * @throws SQLException when the control schema cannot be read; the previous snapshot stays in use
   */
  long refreshMigrations() throws SQLException;

  /** The epoch of the migrations this driver instance currently applies (0: none registered). */
  long currentEpoch();

  /** The migrations this driver instance currently applies. */
  MigrationSnapshot currentSnapshot();

  /**
   * How many statement texts handed to the driver (a prepare, or an execute of a text) were sent
   * unrewritten because {@code cutover.onUnsupported=passthrough}, since this runtime started (one
   * runtime per URL, user, control schema and Cutover settings).
   */
  long passthroughCount();
}
