package dev.cutover.packaging;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * An application whose class path is exactly the given jars, in order: its class loader's parent
 * is the platform loader, so nothing of the test's own class path (the unshaded modules, Calcite,
 * Guava, ...) is visible to it. Its statements go through {@link java.sql} interfaces, which both
 * sides share.
 */
final class IsolatedApplication implements AutoCloseable {

  private final List<Path> classPath;
  private final URLClassLoader loader;
  private final Driver driver;

  IsolatedApplication(List<Path> classPath) throws ReflectiveOperationException {
    this.classPath = List.copyOf(classPath);
    URL[] urls = new URL[classPath.size()];
    for (int i = 0; i < urls.length; i++) {
      try {
        urls[i] = classPath.get(i).toUri().toURL();
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException(e);
      }
    }
    loader = new URLClassLoader("application", urls, ClassLoader.getPlatformClassLoader());
    driver = (Driver) Class.forName("dev.cutover.CutoverDriver", true, loader).getConstructor().newInstance();
  }

  /** The shaded driver jar, pgjdbc and slf4j-api, after {@code before} (jars the application puts first). */
  static IsolatedApplication withDriver(List<Path> before) throws ReflectiveOperationException {
    List<Path> jars = new ArrayList<>(before);
    jars.add(shadedJar());
    jars.addAll(jarsIn(Path.of(System.getProperty("cutover.applicationLibs"))));
    return new IsolatedApplication(jars);
  }

  static Path shadedJar() {
    Path jar = Path.of(System.getProperty("cutover.shadedJar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: these tests run after the package phase");
    }
    return jar;
  }

  /** The jars in {@code dir}, by name. */
  static List<Path> jarsIn(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + dir, e);
    }
  }

  List<Path> classPath() {
    return classPath;
  }

  /** A connection through the application's {@code dev.cutover.CutoverDriver}. */
  Connection connect(String url, Properties properties) throws SQLException {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      Connection c = driver.connect(url, properties);
      if (c == null) {
        throw new SQLException("the driver did not accept " + url);
      }
      return c;
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  /** The class the application sees under {@code name}. */
  Class<?> load(String name) throws ClassNotFoundException {
    return Class.forName(name, false, loader);
  }

  /** The jar (or directory) {@code type} was loaded from. */
  static String origin(Class<?> type) {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().getPath()).getFileName().toString();
  }

  /**
   * Waits for the driver's threads to end (a runtime stops a few seconds after its last connection
   * closed; its threads inherited this loader as their context loader), then closes the loader.
   */
  @Override
  public void close() throws IOException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    try {
      while (driverThreadsAlive() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loader.close();
  }

  private boolean driverThreadsAlive() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t != Thread.currentThread() && t.getContextClassLoader() == loader) {
        return true;
      }
    }
    return false;
  }
}
