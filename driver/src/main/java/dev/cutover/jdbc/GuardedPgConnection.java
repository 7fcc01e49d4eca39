package dev.cutover.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.postgresql.PGConnection;

/**
 * What {@code unwrap(PGConnection.class)} returns: pgjdbc's connection extensions (large objects,
 * notifications, data types, ...) unchanged, except {@code getCopyAPI()}, whose COPY statements
 * are checked like any other statement ({@link GuardedCopyManager}). {@code unwrap} to pgjdbc's
 * concrete classes ({@code BaseConnection}, {@code PgConnection}) still reaches the raw connection,
 * the deliberate escape hatch.
 */
final class GuardedPgConnection implements InvocationHandler {

  private final ProxyConnection connection;
  private final PGConnection pg;

  private GuardedPgConnection(ProxyConnection connection, PGConnection pg) {
    this.connection = connection;
    this.pg = pg;
  }

  /** A {@code PGConnection} over {@code pg} whose COPY API is guarded. */
  static PGConnection of(ProxyConnection connection, PGConnection pg) {
    return (PGConnection) Proxy.newProxyInstance(
        PGConnection.class.getClassLoader(), new Class<?>[] {PGConnection.class},
        new GuardedPgConnection(connection, pg));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    switch (method.getName()) {
      case "getCopyAPI" -> {
        if (method.getParameterCount() == 0) {
          return new GuardedCopyManager(connection);
        }
      }
      case "equals" -> {
        if (method.getParameterCount() == 1) {
          return proxy == args[0];
        }
      }
      case "hashCode" -> {
        if (method.getParameterCount() == 0) {
          return System.identityHashCode(proxy);
        }
      }
      case "toString" -> {
        if (method.getParameterCount() == 0) {
          return "Cutover(" + pg + ")";
        }
      }
      default -> { }
    }
    try {
      return method.invoke(pg, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
