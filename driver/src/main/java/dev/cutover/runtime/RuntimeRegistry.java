package dev.cutover.runtime;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * One {@link CutoverRuntime} per {@link RuntimeConfig.Key} in this class loader, counted by the
 * connections that use it.
 *
 * <p>Implementation notes: when the last connection closes the runtime lingers for
 * {@link #LINGER_MILLIS} before it stops, so an application that opens a connection per request
 * (no pool) does not reload the migrations and reopen the side connection every time. All state
 * is guarded by the class lock; the first snapshot is loaded under it, so two first connections
 * cannot start two runtimes. A lingering runtime that gets a connection again reloads its snapshot
 * on that connection first: while it had none, its instance row was deleted and no phase change
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
   * when there is none yet. Each call must be matched by one {@link #release}.
   */
  public static synchronized CutoverRuntime acquire(RuntimeConfig config, Connection connection) throws SQLException {
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
    } else if (holder.connections == 0) {
      // Idle, its instance row deleted: it may have missed a change while nobody waited for it.
      holder.runtime.reloadOn(connection);
    }
    holder.connections++;
    return holder.runtime;
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
