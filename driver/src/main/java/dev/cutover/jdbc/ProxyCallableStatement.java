package dev.cutover.jdbc;

import dev.cutover.CutoverSQLException;
import dev.cutover.CutoverSqlState;
import dev.cutover.CutoverStatistics.RefusalKind;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.rewriter.Rewrite;
import dev.cutover.runtime.Telemetry;
import java.sql.CallableStatement;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLType;
import java.util.ArrayList;
import java.util.List;

/**
 * A callable statement. {@code {call ...}} escapes and named setters pass through untouched; out
 * parameters are recorded so that a re-preparation after a phase change registers them again. A
 * rewrite that moves parameters cannot keep out-parameter indexes meaningful, so it is refused.
 */
public final class ProxyCallableStatement extends DelegatingCallableStatement {

  /** One recorded {@code registerOutParameter} call. */
  @FunctionalInterface
  private interface OutRegistration {
    void apply(CallableStatement cs) throws SQLException;
  }

  private final List<OutRegistration> outRegistrations = new ArrayList<>();

  ProxyCallableStatement(
      ProxyConnection connection,
      CallableStatement delegate,
      String sql,
      Rewrite rewrite,
      MigrationSnapshot snapshot,
      Preparer preparer) {
    super(connection, delegate, sql, rewrite, snapshot, preparer);
  }

  /** Refuses a rewrite that moves parameters: out-parameter indexes would no longer match. */
  static void checkSupported(Rewrite rewrite) throws SQLException {
    if (rewrite != null && rewrite.parameterMap() != null) {
      Telemetry.refused(RefusalKind.CALLABLE_PARAMETERS);
      throw new CutoverSQLException(
          "Cutover cannot rewrite a CallableStatement whose parameters move (a call that writes a migrating"
              + " column): use a PreparedStatement for it.",
          CutoverSqlState.FEATURE_NOT_SUPPORTED);
    }
  }

  @Override
  void beforeReprepare(Rewrite next) throws SQLException {
    checkSupported(next);
  }

  @Override
  void replayExtra(PreparedStatement fresh) throws SQLException {
    CallableStatement cs = (CallableStatement) fresh;
    for (OutRegistration r : outRegistrations) {
      r.apply(cs);
    }
  }

  private void register(OutRegistration registration) throws SQLException {
    registration.apply(callableDelegate());
    outRegistrations.add(registration);
  }

  @Override
  public void registerOutParameter(int i, int sqlType) throws SQLException {
    register(cs -> cs.registerOutParameter(i, sqlType));
  }

  @Override
  public void registerOutParameter(int i, int sqlType, int scale) throws SQLException {
    register(cs -> cs.registerOutParameter(i, sqlType, scale));
  }

  @Override
  public void registerOutParameter(int i, int sqlType, String typeName) throws SQLException {
    register(cs -> cs.registerOutParameter(i, sqlType, typeName));
  }

  @Override
  public void registerOutParameter(int i, SQLType sqlType) throws SQLException {
    register(cs -> cs.registerOutParameter(i, sqlType));
  }

  @Override
  public void registerOutParameter(int i, SQLType sqlType, int scale) throws SQLException {
    register(cs -> cs.registerOutParameter(i, sqlType, scale));
  }

  @Override
  public void registerOutParameter(int i, SQLType sqlType, String typeName) throws SQLException {
    register(cs -> cs.registerOutParameter(i, sqlType, typeName));
  }
}
