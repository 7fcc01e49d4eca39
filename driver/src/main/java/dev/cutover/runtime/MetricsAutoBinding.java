package dev.cutover.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * Binds the driver's metrics to Micrometer's global registry when the first runtime starts, if
 * Micrometer is on the class path; does nothing otherwise. The runtime reaches Micrometer only
 * through here, after the check, so the driver runs without it.
 */
final class MetricsAutoBinding {

  private static final AtomicBoolean DONE = new AtomicBoolean();

  private MetricsAutoBinding() {}

  static void bindGlobalRegistryOnce() {
    if (!DONE.compareAndSet(false, true)) {
      return;
    }
    try {
      Class.forName("io.micrometer.core.instrument.Metrics", false, MetricsAutoBinding.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return; // no Micrometer: nothing to bind
    }
    try {
      dev.cutover.CutoverMetrics.bindToGlobalRegistry();
    } catch (RuntimeException | LinkageError e) {
      // An incompatible Micrometer must not keep the application from connecting.
      LoggerFactory.getLogger(MetricsAutoBinding.class).warn("Cutover: cannot bind its metrics to Micrometer", e);
    }
  }
}
