package dev.cutover.control;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The control schema as the driver reads it: its name, its version, and how a version's columns
 * are read. Installing it is the CLI's (the {@code cutover-control-schema} module's installer).
 */
public final class ControlSchema {

  /** The version this build installs and understands. */
  public static final int VERSION = 5;

  /** The first version with {@code migrations.lazy} (the lazy cut-over, {@code advance --lazy}). */
  public static final int LAZY_VERSION = 2;

  /**
   * The first version whose instance rows are guarded: written through {@code instance_heartbeat()}
   * with the driver's secret token, server-side times, epochs checked, the writing backend recorded.
   */
  public static final int GUARDED_INSTANCES_VERSION = 3;

  /**
   * The first version with {@code backfill_control}: a running backfill's settings, which {@code
   * cutover tune} changes, and its reported state. The driver never reads it.
   */
  public static final int BACKFILL_CONTROL_VERSION = 4;

  /**
   * The first version with {@code migrations.old_stale}: read_new back from new_only, until the
   * rollback's refill has made the old column whole again.
   */
  public static final int OLD_STALE_VERSION = 5;

  private final String schema;

  /** @param schema the schema name ({@code cutover.schema}), unquoted as PostgreSQL stores it */
  public ControlSchema(String schema) {
    this.schema = schema;
  }

  /** The schema name, unquoted. */
  public String name() {
    return schema;
  }

  /** {@code "schema".table}, quoted for splicing into SQL. */
  public String qualify(String table) {
    return quoteIdent(schema) + "." + table;
  }

  /**
   * The installed version, or 0 when the control schema is absent.
   */
  public int installedVersion(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT to_regclass('" + quoteIdent(schema).replace("'", "''") + ".schema_version') IS NOT NULL")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return 0;
      }
    }
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT max(version) FROM " + qualify("schema_version"))) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Quotes an identifier for PostgreSQL. */
  public static String quoteIdent(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
