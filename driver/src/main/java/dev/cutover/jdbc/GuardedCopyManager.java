package dev.cutover.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.sql.SQLException;
import org.postgresql.copy.CopyDual;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.ByteStreamWriter;

/**
 * pgjdbc's COPY API as reached through {@code unwrap(PGConnection.class).getCopyAPI()}, with every
 * COPY statement checked by the rewriter first. {@code COPY} cannot write two columns from one
 * input column, so a COPY that touches a migrating column is refused ({@code 0A000}, or sent as
 * written under {@code cutover.onUnsupported=passthrough}) instead of silently filling only one of
 * them; COPY on any other table runs untouched.
 */
final class GuardedCopyManager extends CopyManager {

  private final ProxyConnection connection;

  GuardedCopyManager(ProxyConnection connection) throws SQLException {
    super(connection.pg());
    this.connection = connection;
  }

  private String checked(String sql) throws SQLException {
    return connection.rewriteSql(sql);
  }

  @Override
  public CopyIn copyIn(String sql) throws SQLException {
    return super.copyIn(checked(sql));
  }

  @Override
  public org.postgresql.copy.CopyOut copyOut(String sql) throws SQLException {
    return super.copyOut(checked(sql));
  }

  @Override
  public CopyDual copyDual(String sql) throws SQLException {
    return super.copyDual(checked(sql));
  }

  @Override
  public long copyOut(String sql, Writer to) throws SQLException, IOException {
    return super.copyOut(checked(sql), to);
  }

  @Override
  public long copyOut(String sql, OutputStream to) throws SQLException, IOException {
    return super.copyOut(checked(sql), to);
  }

  @Override
  public long copyIn(String sql, Reader from) throws SQLException, IOException {
    return super.copyIn(checked(sql), from);
  }

  @Override
  public long copyIn(String sql, Reader from, int bufferSize) throws SQLException, IOException {
    return super.copyIn(checked(sql), from, bufferSize);
  }

  @Override
  public long copyIn(String sql, InputStream from) throws SQLException, IOException {
    return super.copyIn(checked(sql), from);
  }

  @Override
  public long copyIn(String sql, InputStream from, int bufferSize) throws SQLException, IOException {
    return super.copyIn(checked(sql), from, bufferSize);
  }

  @Override
  public long copyIn(String sql, ByteStreamWriter from) throws SQLException, IOException {
    return super.copyIn(checked(sql), from);
  }
}
