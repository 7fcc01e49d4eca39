package dev.cutover.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * How an application prepared a statement (plain, with generated keys, a result-set type...), kept
 * so that a re-preparation after a phase change asks pgjdbc for exactly the same kind of statement.
 */
@FunctionalInterface
interface Preparer {

  /** Prepares {@code sql} on the pgjdbc connection the way the application asked. */
  PreparedStatement prepare(Connection pg, String sql) throws SQLException;

  /** {@code prepareStatement(sql)}, shared because it is the common case. */
  Preparer PLAIN = Connection::prepareStatement;

  /** {@code prepareCall(sql)}. */
  Preparer CALL = Connection::prepareCall;
}
