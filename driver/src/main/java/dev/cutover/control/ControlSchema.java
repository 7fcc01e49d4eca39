package dev.cutover.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The control schema: installs it and checks its version.
 *
 * <p>Owned here so that the driver (which reads it) and the CLI (which writes it) agree on one
 * definition.
 */
public final class ControlSchema {

  /** The version this build installs and understands. */
  public static final int VERSION = 3;

  /** The first version with {@code migrations.lazy} (the lazy cut-over, {@code advance --lazy}). */
  public static final int LAZY_VERSION = 2;

  /**
   * The first version whose instance rows are guarded: written through {@code instance_heartbeat()}
   * with the driver's secret token, server-side times, epochs checked, the writing backend recorded.
   */
  public static final int GUARDED_INSTANCES_VERSION = 3;

  /**
   * The DDL of each version, in order: the first creates the schema, each later one upgrades the one
   * before. Every script is idempotent, so all of them run every time.
   */
  private static final String[] SCRIPTS = {"schema-v1.sql", "schema-v2.sql", "schema-v3.sql"};

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
   * Creates the control schema if it is missing, or upgrades an existing one to {@link #VERSION}.
   * Idempotent; runs in one transaction.
   */
  public void install(Connection connection) throws SQLException {
    StringBuilder all = new StringBuilder();
    for (String script : SCRIPTS) {
      all.append(loadDdl(script)).append('\n');
    }
    String ddl = all.toString().replace("${schema}", quoteIdent(schema));
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement st = connection.createStatement()) {
      // Serialise concurrent `cutover init`s.
      st.execute("SELECT pg_advisory_xact_lock(hashtext('cutover.init'))");
      st.execute(ddl);
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
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

  /**
   * The expression that reads {@code migrations.lazy} in a schema of version {@code version}:
   * {@code false} before the column existed, so that this build still reads (and the driver still
   * follows) a control schema that has not been upgraded yet.
   */
  public static String lazyColumn(int version) {
    return version >= LAZY_VERSION ? "lazy" : "false";
  }

  private static String loadDdl(String script) {
    try (InputStream in = ControlSchema.class.getResourceAsStream(script)) {
      if (in == null) {
        throw new IllegalStateException(script + " missing from the Cutover driver jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
