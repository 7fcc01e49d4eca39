package dev.cutover.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The small application {@link Footprint} measures: it runs a few statements on {@code fp_users}
 * through whichever driver its class path holds, reports its loaded classes, and waits on stdin
 * so that the parent can read its native memory. Only JDK and JDBC classes: it runs on a class
 * path of its own, with plain pgjdbc or with Cutover's shaded jar.
 */
public final class FootprintApp {

  private FootprintApp() {}

  /** {@code FootprintApp URL USER}; prints {@code classes N} and {@code ready}, exits on a line from stdin. */
  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection(args[0], args[1], null)) {
      for (int round = 0; round < 200; round++) {
        statements(c, round);
      }
    }
    // Let the JIT compilers finish what the statements queued: while they compile (the parser's
    // large methods, in dual_write) their arenas hold megabytes that are freed moments later, and a
    // reading taken then measured the compilers, not the driver (NMT's Arena Chunk: 0 to +11 MB; a
    // fixed 5 s was not enough on a loaded machine). Wait until no compilation has run for 2 s (at
    // most 30 s, less than the lazy migration's minute before it closes an idle connection), then
    // 6 s more: HotSpot returns idle arena chunks to malloc every 5 s.
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long last = jit.getTotalCompilationTime();
    for (int quiet = 0, waited = 0; quiet < 4 && waited < 60; waited++) {
      Thread.sleep(500);
      long now = jit.getTotalCompilationTime();
      quiet = now == last ? quiet + 1 : 0;
      last = now;
    }
    Thread.sleep(6_000);
    System.gc();
    System.out.println("classes " + ManagementFactory.getClassLoadingMXBean().getLoadedClassCount());
    System.out.println("heapUsed " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    System.out.println("ready");
    System.out.flush();
    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
  }

  private static void statements(Connection c, int round) throws SQLException {
    long id = 1 + round % 100;
    try (PreparedStatement ps = c.prepareStatement("SELECT id, email, full_name FROM fp_users WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getString(3) == null) {
          throw new IllegalStateException("row " + id);
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE fp_users SET full_name = ? WHERE id = ?")) {
      ps.setString(1, "Name " + id + " r" + round);
      ps.setLong(2, id);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO fp_users (email, full_name) VALUES (?, ?)")) {
      ps.setString(1, "fp" + round + "@example.com");
      ps.setString(2, "New " + round);
      ps.executeUpdate();
    }
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT u.id, u.full_name FROM fp_users u WHERE u.id BETWEEN ? AND ? ORDER BY u.id FOR UPDATE")) {
      ps.setLong(1, id);
      ps.setLong(2, id + 5);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rs.getString(2);
        }
      }
    }
    c.commit();
    c.setAutoCommit(true);
  }
}
