package dev.cutover.runtime;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@link CutoverRuntime} per {@link RuntimeConfig.Key} in this class loader, counted by the
 * connections that use it.
 *
 * <p>Implementation notes: when the last connection closes the runtime lingers for
 * {@link #LINGER_MILLIS} before it stops, so an application that opens a connection per request
 * (no pool) does not restart it and reopen its side connections every time (each new connection
 * still reads the migrations once). All state
 * is guarded by the class lock; the first snapshot is loaded under it, so two first connections
 * cannot start two runtimes. Every later connection reloads the snapshot on itself first (see
 * {@link #acquire}): a lingering runtime, for one, had its instance row deleted and no phase change
 * waited for it.
 */
public final class RuntimeRegistry {

  /** How long a runtime with no connection keeps running. */
  static final long LINGER_MILLIS = 5_000;

  private static final Map<RuntimeConfig.Key, Holder> RUNTIMES = new HashMap<>();

  private static final class Holder {
    final CutoverRuntime runtime;
    int connections;

    Holder(CutoverRuntime runtime) {
      this.runtime = runtime;
    }
  }

  private RuntimeRegistry() {}

  /**
   * The runtime for {@code config}, started with its first snapshot loaded on {@code connection}
   * when there is none yet; otherwise the runtime's snapshot is reloaded on {@code connection}
   * first. Each call must be matched by one {@link #release}.
   *
   * <p>Why every new connection reloads: a connection is new when the pool replaces one, and the
   * CLI's fence ends the connections of an instance it went past (one that stopped answering, then
   * resumed). Whatever this process believed before, the new connection's first statement then uses
   * the phase as it is now. The reload runs outside the registry's lock.
   */
  public static CutoverRuntime acquire(RuntimeConfig config, Connection connection) throws SQLException {
    CutoverRuntime existing;
    synchronized (RuntimeRegistry.class) {
      Holder holder = RUNTIMES.get(config.key());
      if (holder == null) {
        CutoverRuntime runtime = new CutoverRuntime(config, RewriteFunction.standard(config.readTouch()));
        try {
          runtime.start(connection);
        } catch (SQLException | RuntimeException e) {
          runtime.close();
          throw e;
        }
        holder = new Holder(runtime);
        RUNTIMES.put(config.key(), holder);
        holder.connections++;
        return runtime;
      }
      holder.connections++; // counted before the reload, so that the runtime does not stop meanwhile
      existing = holder.runtime;
    }
    try {
      existing.reloadOn(connection);
    } catch (SQLException | RuntimeException e) {
      release(existing);
      throw e;
    }
    return existing;
  }

  /** The runtimes running now (for status reporting), in no particular order. */
  public static synchronized List<CutoverRuntime> running() {
    return RUNTIMES.values().stream().map(h -> h.runtime).toList();
  }

  /** Gives back a runtime obtained from {@link #acquire}. */
  public static synchronized void release(CutoverRuntime runtime) {
    Holder holder = RUNTIMES.get(runtime.config().key());
    if (holder == null || holder.runtime != runtime) {
      return;
    }
    holder.connections--;
    if (holder.connections == 0) {
      runtime.schedule(() -> stopIfUnused(runtime), LINGER_MILLIS);
    }
  }

  private static synchronized void stopIfUnused(CutoverRuntime runtime) {
    Holder holder = RUNTIMES.get(runtime.config().key());
    if (holder != null && holder.runtime == runtime && holder.connections == 0) {
      RUNTIMES.remove(runtime.config().key());
      runtime.close();
    }
  }
}
