package dev.cutover;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;

/**
 * Keeps HikariCP from closing a pooled connection because Cutover refused a statement.
 *
 * <p>HikariCP treats SQLState {@code 0A000} as a broken connection and evicts it, but Cutover's
 * refusals ({@code 0A000}, see {@code cutover.onUnsupported}) are raised before anything reaches the
 * server: the connection, and any transaction open on it, are intact. Without this override every
 * refused statement costs a physical connection and the application's open transaction. Configure
 * it on the pool:
 *
 * <pre>{@code
 * config.setExceptionOverrideClassName("dev.cutover.HikariRefusalOverride");
 * }</pre>
 *
 * <p>Only Cutover's own exceptions are judged (except its connection failures, {@code 08xxx});
 * everything pgjdbc or the server raises is left to HikariCP's usual rules.
 */
public final class HikariRefusalOverride implements SQLExceptionOverride {

  /** Used by HikariCP through {@code exceptionOverrideClassName}. */
  public HikariRefusalOverride() {}

  @java.lang.Override // the simple name is HikariCP's inherited Override enum here
  public SQLExceptionOverride.Override adjudicate(SQLException e) {
    if (e instanceof CutoverSQLException && e.getSQLState() != null && !e.getSQLState().startsWith("08")) {
      return SQLExceptionOverride.Override.DO_NOT_EVICT;
    }
    return SQLExceptionOverride.Override.CONTINUE_EVICT;
  }
}
