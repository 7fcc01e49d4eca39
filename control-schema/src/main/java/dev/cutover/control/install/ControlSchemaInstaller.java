package dev.cutover.control.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Installs the control schema, or upgrades an existing one, to the newest version this build
 * knows. The operator's tool ({@code cutover init}) does this; the driver only reads the schema and
 * writes its heartbeat, so the DDL lives here, outside the driver's jar.
 */
public final class ControlSchemaInstaller {

  /**
   * The DDL of each version, in order: the first creates the schema, each later one upgrades the one
   * before. Every script is idempotent, so all of them run every time.
   */
  private static final String[] SCRIPTS = {"schema-v1.sql", "schema-v2.sql", "schema-v3.sql", "schema-v4.sql",
      "schema-v5.sql"};

  /** The version the scripts install. */
  public static final int VERSION = SCRIPTS.length;

  private ControlSchemaInstaller() {}

  /**
   * Creates the control schema {@code schema} if it is missing, or upgrades it to {@link #VERSION}.
   * Idempotent; runs in one transaction, serialised with concurrent installs.
   *
   * @param schema the schema name ({@code cutover.schema}), unquoted as PostgreSQL stores it
   */
  public static void install(Connection connection, String schema) throws SQLException {
    StringBuilder all = new StringBuilder();
    for (String script : SCRIPTS) {
      all.append(loadDdl(script)).append('\n');
    }
    String ddl = all.toString().replace("${schema}", '"' + schema.replace("\"", "\"\"") + '"');
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

  private static String loadDdl(String script) {
    try (InputStream in = ControlSchemaInstaller.class.getResourceAsStream("/dev/cutover/control/" + script)) {
      if (in == null) {
        throw new IllegalStateException(script + " missing from the cutover-control-schema jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
