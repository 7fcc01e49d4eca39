package dev.cutover.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A private PgBouncer in front of a {@link TestDatabase}, for tests of what changes behind a
 * connection pooler: its own process on a free port of 127.0.0.1, configured in a temporary
 * directory, ended and removed by {@link #close()}. It installs nothing: {@link #binary()} finds
 * {@code pgbouncer} on the {@code PATH} or at {@code /usr/sbin/pgbouncer}, and tests skip without it.
 *
 * <p>PgBouncer refuses to run as root: then it is started with {@code -u} as {@code postgres} (or
 * {@code nobody}), and the directory is made writable for that user.
 */
public final class PgBouncer implements AutoCloseable {

  private static final long START_MILLIS = 15_000;

  private final Path dir;
  private final Process process;
  private final int port;
  private final String database;

  private PgBouncer(Path dir, Process process, int port, String database) {
    this.dir = dir;
    this.process = process;
    this.port = port;
    this.database = database;
  }

  /** The {@code pgbouncer} executable, if installed. */
  public static Optional<Path> binary() {
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(File.pathSeparator)) {
        if (!entry.isEmpty()) {
          candidates.add(Path.of(entry, "pgbouncer"));
        }
      }
    }
    candidates.add(Path.of("/usr/sbin/pgbouncer"));
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /**
   * Starts PgBouncer in front of {@code db} with {@code pool_mode}, and waits until it accepts
   * connections.
   */
  public static PgBouncer start(TestDatabase db, String poolMode) throws IOException, InterruptedException {
    Path exe = binary().orElseThrow(() -> new IllegalStateException("pgbouncer is not installed"));
    Path dir = Files.createTempDirectory("cutover-pgbouncer");
    int port = freePort();
    boolean root = "root".equals(System.getProperty("user.name"));
    Files.writeString(dir.resolve("users.txt"), quote(db.user()) + " " + quote(db.password()) + "\n");
    Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
        "[databases]",
        db.name() + " = host=" + db.host() + " port=" + db.port() + " dbname=" + db.name(),
        "[pgbouncer]",
        "listen_addr = 127.0.0.1",
        "listen_port = " + port,
        "unix_socket_dir =",
        "auth_type = trust",
        "auth_file = " + dir.resolve("users.txt"),
        "pool_mode = " + poolMode,
        "default_pool_size = 10",
        "max_client_conn = 200",
        // pgjdbc sends it at startup; PgBouncer would refuse the connection otherwise.
        "ignore_startup_parameters = extra_float_digits",
        "logfile = " + dir.resolve("pgbouncer.log"),
        ""), StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>(List.of(exe.toString()));
    if (root) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
      command.addAll(List.of("-u", userExists("postgres") ? "postgres" : "nobody"));
    }
    command.add(dir.resolve("pgbouncer.ini").toString());
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("stdout.txt").toFile())
        .start();
    PgBouncer bouncer = new PgBouncer(dir, process, port, db.name());
    long deadline = System.nanoTime() + START_MILLIS * 1_000_000L;
    while (!bouncer.accepts()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        String log = bouncer.log();
        bouncer.close();
        throw new IllegalStateException("pgbouncer did not start: " + log);
      }
      Thread.sleep(50);
    }
    return bouncer;
  }

  /** The port it listens on (127.0.0.1). */
  public int port() {
    return port;
  }

  /** {@code jdbc:cutover:postgresql://127.0.0.1:port/db}. */
  public String cutoverUrl() {
    return "jdbc:cutover:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** {@code jdbc:postgresql://127.0.0.1:port/db}. */
  public String plainUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** PgBouncer's log so far (its log file and its output). */
  public String log() {
    StringBuilder sb = new StringBuilder();
    for (String name : new String[] {"pgbouncer.log", "stdout.txt"}) {
      try {
        Path f = dir.resolve(name);
        if (Files.exists(f)) {
          sb.append(Files.readString(f, StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        sb.append("(cannot read ").append(name).append(": ").append(e).append(")\n");
      }
    }
    return sb.toString();
  }

  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Ends the process (SIGTERM, then SIGKILL) and removes the directory. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static boolean userExists(String user) {
    try {
      return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(user + ":"));
    } catch (IOException e) {
      return false;
    }
  }

  private static String quote(String s) {
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
