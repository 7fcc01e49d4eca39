package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL cluster of one test's own, for what must never happen to the shared server: restarts,
 * other authentication, a streaming standby. Created with the Debian cluster tools on a free port,
 * started, and dropped by {@link #close()} (even when it was stopped or half made).
 *
 * <p>{@link #assumeAvailable} skips the test, saying why, where the tools are missing or cannot be
 * used (they need root or the postgres user).
 */
final class PrivateCluster implements AutoCloseable {

  private final String version;
  private final String name;
  private final int port;

  private PrivateCluster(String version, String name, int port) {
    this.version = version;
    this.name = name;
    this.port = port;
  }

  /** Skips the calling test unless clusters can be made here, with {@code tools} on the PATH too. */
  static void assumeAvailable(String... tools) {
    assumeTrue(version() != null, "no PostgreSQL cluster configuration in /etc/postgresql (Debian cluster tools)");
    List<String> all = new ArrayList<>(List.of("pg_createcluster", "pg_ctlcluster", "pg_dropcluster"));
    all.addAll(List.of(tools));
    for (String tool : all) {
      assumeTrue(onPath(tool), tool + " is not on the PATH: this test needs the Debian PostgreSQL cluster tools");
    }
    String user = System.getProperty("user.name");
    assumeTrue("root".equals(user) || "postgres".equals(user),
        "creating PostgreSQL clusters needs root or the postgres user, not " + user);
  }

  /**
   * Creates and starts a cluster named {@code prefix_<pid>} on a free port; {@code initdbOptions} go
   * to initdb ({@code --auth=trust} when none are given).
   */
  static PrivateCluster start(String prefix, String... initdbOptions) throws IOException, InterruptedException {
    PrivateCluster cluster = create(prefix, initdbOptions);
    try {
      cluster.ctl("start");
      return cluster;
    } catch (RuntimeException | Error | IOException | InterruptedException e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Creates and starts a streaming hot standby of {@code primary} ({@code pg_basebackup -R}), and
   * waits until the primary sees it streaming.
   */
  static PrivateCluster standbyOf(PrivateCluster primary, String prefix) throws Exception {
    PrivateCluster standby = create(prefix);
    try {
      String data = output(60, "pg_conftool", "-s", standby.version, standby.name, "show", "data_directory").trim();
      deleteRecursively(Path.of(data));
      Files.createDirectory(Path.of(data));
      String[] backup = {"pg_basebackup", "-h", "127.0.0.1", "-p", String.valueOf(primary.port), "-U", "postgres",
          "-D", data, "-R", "-X", "stream"};
      if ("root".equals(System.getProperty("user.name"))) {
        run(30, "chown", "postgres:postgres", data);
        run(30, "chmod", "700", data);
        List<String> asPostgres = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        asPostgres.addAll(List.of(backup));
        run(300, asPostgres.toArray(String[]::new));
      } else {
        run(300, backup);
      }
      standby.ctl("start");
      standby.awaitAccepting();
      return standby;
    } catch (Exception | Error e) {
      standby.close();
      throw e;
    }
  }

  private static PrivateCluster create(String prefix, String... initdbOptions) throws IOException, InterruptedException {
    String version = version();
    PrivateCluster cluster = new PrivateCluster(version, prefix + "_" + ProcessHandle.current().pid(), freePort());
    List<String> command = new ArrayList<>(List.of("pg_createcluster", version, cluster.name, "-p",
        String.valueOf(cluster.port), "--"));
    command.addAll(initdbOptions.length == 0 ? List.of("--auth=trust") : List.of(initdbOptions));
    command.add("--no-sync");
    run(120, command.toArray(String[]::new));
    return cluster;
  }

  /** Runs {@code pg_ctlcluster} with {@code action} (start, stop, restart) on this cluster. */
  void ctl(String action) throws IOException, InterruptedException {
    run(60, "pg_ctlcluster", "--skip-systemctl-redirect", version, name, action);
  }

  /** A plain pgjdbc URL to the cluster's {@code postgres} database. */
  String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  int port() {
    return port;
  }

  /** The name PostgreSQL reports for it as a standby ({@code cluster_name}, set by the Debian tools). */
  String clusterName() {
    return version + "/" + name;
  }

  /** Waits up to a minute until the cluster accepts connections as {@code postgres}. */
  void awaitAccepting() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (Connection c = DriverManager.getConnection(url(), "postgres", "")) {
        return;
      } catch (SQLException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  /** Stops and drops the cluster; a cluster that is already gone is not an error. */
  @Override
  public void close() throws IOException, InterruptedException {
    if (new File("/etc/postgresql/" + version + "/" + name).exists()) {
      run(120, "pg_dropcluster", "--stop", version, name);
    }
  }

  /** Runs a command, failing the test when it fails or takes longer than {@code timeoutSeconds}. */
  static void run(int timeoutSeconds, String... command) throws IOException, InterruptedException {
    output(timeoutSeconds, command);
  }

  /** Runs a command as {@link #run} does and returns what it printed. */
  static String output(int timeoutSeconds, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done) {
      p.destroyForcibly();
    }
    assertThat(done).as(String.join(" ", command) + " timed out").isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    return out;
  }

  /** The newest installed server version that has cluster configuration, e.g. {@code 15}. */
  private static String version() {
    String[] versions = new File("/etc/postgresql").list();
    if (versions == null || versions.length == 0) {
      return null;
    }
    return Arrays.stream(versions).max((a, b) -> Integer.compare(major(a), major(b))).orElse(null);
  }

  private static int major(String version) {
    try {
      return Integer.parseInt(version.replaceAll("\\..*", ""));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean onPath(String command) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(d, command).canExecute()) {
        return true;
      }
    }
    return false;
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var walk = Files.walk(path)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }
}
