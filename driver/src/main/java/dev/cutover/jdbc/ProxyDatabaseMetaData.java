package dev.cutover.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.DatabaseMetaData;

/**
 * pgjdbc's metadata whose {@code getConnection()} is the Cutover connection, as a JDK dynamic proxy:
 * every other method is pgjdbc's own, so there is nothing to generate. Its result sets come
 * straight from pgjdbc (metadata queries are never rewritten). {@code unwrap} and {@code
 * isWrapperFor} answer as every Cutover wrapper does: the proxy for its own interfaces, otherwise
 * pgjdbc's metadata.
 */
final class ProxyDatabaseMetaData implements InvocationHandler {

  private final ProxyConnection connection;
  private final DatabaseMetaData delegate;

  private ProxyDatabaseMetaData(ProxyConnection connection, DatabaseMetaData delegate) {
    this.connection = connection;
    this.delegate = delegate;
  }

  /** A {@code DatabaseMetaData} over pgjdbc's {@code delegate} whose connection is {@code connection}. */
  static DatabaseMetaData of(ProxyConnection connection, DatabaseMetaData delegate) {
    return (DatabaseMetaData) Proxy.newProxyInstance(
        DatabaseMetaData.class.getClassLoader(), new Class<?>[] {DatabaseMetaData.class},
        new ProxyDatabaseMetaData(connection, delegate));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    int arity = method.getParameterCount();
    switch (method.getName()) {
      case "getConnection" -> {
        if (arity == 0) {
          return connection;
        }
      }
      case "unwrap" -> {
        if (arity == 1) {
          Class<?> iface = (Class<?>) args[0];
          return iface.isInstance(proxy) ? proxy : delegate.unwrap(iface);
        }
      }
      case "isWrapperFor" -> {
        if (arity == 1) {
          Class<?> iface = (Class<?>) args[0];
          return iface.isInstance(proxy) || delegate.isWrapperFor(iface);
        }
      }
      case "equals" -> {
        if (arity == 1) {
          return proxy == args[0];
        }
      }
      case "hashCode" -> {
        if (arity == 0) {
          return System.identityHashCode(proxy);
        }
      }
      case "toString" -> {
        if (arity == 0) {
          return "Cutover(" + delegate + ")";
        }
      }
      default -> { }
    }
    try {
      return method.invoke(delegate, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
