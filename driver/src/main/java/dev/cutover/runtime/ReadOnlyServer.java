package dev.cutover.runtime;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;

/**
 * Whether a connection can write: not on a hot standby, and not read-only. Used to keep the lazy
 * migration off connections that cannot (or must not) write, and to let a runtime on a standby
 * confirm its phase without a heartbeat.
 *
 * <p>Implementation notes: PostgreSQL 14 and later report {@code in_hot_standby} and {@code
 * default_transaction_read_only} to the client whenever they change (pgjdbc keeps them), so the
 * checks on a connection cost no round trip; {@link #inRecovery} asks {@code pg_is_in_recovery()}
 * on older servers. A transaction made read-only with SQL ({@code BEGIN READ ONLY}, {@code SET
 * TRANSACTION READ ONLY}) is not seen by {@link #refusesWrites}: that would take a query per
 * statement.
 */
public final class ReadOnlyServer {

  private ReadOnlyServer() {}

  /**
   * Whether {@code c} is read-only ({@link Connection#setReadOnly}, pgjdbc's {@code readOnly}
   * property), on a server in hot standby, or in a session whose {@code default_transaction_read_only}
   * is on (as far as the server reports it). No round trip.
   */
  public static boolean refusesWrites(Connection c) throws SQLException {
    if (c.isReadOnly()) {
      return true;
    }
    PGConnection pg = c.unwrap(PGConnection.class);
    return "on".equals(pg.getParameterStatus("in_hot_standby"))
        || "on".equals(pg.getParameterStatus("default_transaction_read_only"));
  }

  /** Whether the server of {@code c} is in recovery (a standby); a query only before PostgreSQL 14. */
  static boolean inRecovery(Connection c) throws SQLException {
    String hot = c.unwrap(PGConnection.class).getParameterStatus("in_hot_standby");
    if (hot != null) {
      return "on".equals(hot);
    }
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_is_in_recovery()")) {
      return rs.next() && rs.getBoolean(1);
    }
  }
}
