package dev.cutover.benchmarks;

import dev.cutover.cli.CutoverCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * A database of its own on the local PostgreSQL, created for one benchmark run and dropped after
 * it, and the {@code cutover} command run in-process against it.
 */
final class BenchDatabase implements AutoCloseable {

  private final String serverUrl; // jdbc:postgresql://host:port/
  private final String user;
  private final String name;

  /**
   * @param serverUrl {@code jdbc:postgresql://host:port/} (the database name is appended)
   * @param user the role; trust or password-less authentication assumed
   */
  BenchDatabase(String serverUrl, String user) throws SQLException {
    this.serverUrl = serverUrl.endsWith("/") ? serverUrl : serverUrl + "/";
    this.user = user;
    this.name = "cutover_bench_" + ProcessHandle.current().pid() + "_" + (System.nanoTime() % 100_000);
    try (Connection c = DriverManager.getConnection(this.serverUrl + "postgres", user, null);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
  }

  /** {@code jdbc:postgresql://.../db}. */
  String pgUrl() {
    return serverUrl + name;
  }

  /** {@code jdbc:cutover:postgresql://.../db}. */
  String cutoverUrl() {
    return pgUrl().replaceFirst("^jdbc:", "jdbc:cutover:");
  }

  String user() {
    return user;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(pgUrl(), user, null);
  }

  /** Runs statements, each on its own in autocommit mode. */
  void execute(String... sql) throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  /**
   * Rows of {@code table} whose {@code column} is not null, or -1 when the column does not exist
   * (the migration has not added it yet).
   */
  long count(String table, String column) {
    try (Connection c = connect(); Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT count(" + column + ") FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      return -1;
    }
  }

  /** The process ids of the server processes connected to this database. */
  List<Integer> serverPids() throws SQLException {
    List<Integer> pids = new ArrayList<>();
    try (Connection c = connect(); Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")) {
      while (rs.next()) {
        pids.add(rs.getInt(1));
      }
    }
    return pids;
  }

  /**
   * CPU time so far (user and system, nanoseconds) of the given server processes, by process id,
   * read from {@code /proc} alone (no query, so cheap enough for every switch of {@link EndToEnd}'s
   * alternating slices): empty when the server is not on this machine (then the figures that use it
   * are left out). Clock-tick resolution (10 ms), fine over a run.
   */
  static java.util.Map<Integer, Long> serverCpuNanos(List<Integer> pids) {
    java.util.Map<Integer, Long> out = new java.util.HashMap<>();
    try {
      for (int pid : pids) {
        java.nio.file.Path stat = java.nio.file.Path.of("/proc", Integer.toString(pid), "stat");
        if (!java.nio.file.Files.isReadable(stat)) {
          continue;
        }
        String text = java.nio.file.Files.readString(stat);
        // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
        String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
        out.put(pid, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L); // USER_HZ = 100
      }
    } catch (java.io.IOException | RuntimeException e) {
      return java.util.Map.of();
    }
    return out;
  }

  /** The server's version string. */
  String serverVersion() throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement();
        var rs = st.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * Runs {@code cutover ARGS} in-process (picocli) against this database.
   *
   * @return the command's output
   * @throws IllegalStateException when it exits with a non-zero code
   */
  String cutover(String... args) {
    List<String> all = new ArrayList<>(List.of("--url", pgUrl(), "--user", user));
    all.addAll(List.of(args));
    if (args[0].equals("advance")) {
      all.add("--yes"); // a script: entering completed is not asked about
    }
    StringWriter out = new StringWriter();
    CommandLine cli = CutoverCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    int code = cli.execute(all.toArray(new String[0]));
    if (code != 0) {
      throw new IllegalStateException("cutover " + String.join(" ", args) + " exited with " + code + ":\n" + out);
    }
    return out.toString();
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = DriverManager.getConnection(serverUrl + "postgres", user, null);
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }
}
