package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program that knows only the SPEC drives a rename from {@code planned} to {@code completed}: the
 * {@code cutover} CLI runs as a separate process for every command, and an application
 * ({@link SpecOnlyApplication}, its own JVM, only a {@code jdbc:cutover:} URL) stays connected and
 * busy throughout. At each phase the data is checked with plain SQL; at the end only the new column
 * exists and the application saw no failure.
 */
class SpecOnlyRenameTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  @Test
  void rename_plannedToCompleted_withApplicationConnectedThroughout() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE users (id int PRIMARY KEY, full_name text)");
      st.execute("INSERT INTO users SELECT g, 'seed ' || g FROM generate_series(1, 500) g");
    }
    Path file = dir.resolve("rename.yaml");
    Files.writeString(file, "id: users-display-name\ntable: public.users\nrename:\n  from: full_name\n  to: display_name\n");
    Path stop = dir.resolve("stop");
    Path appLog = dir.resolve("app.log");

    assertThat(cutover("init")).isZero();
    assertThat(cutover("plan", file.toString())).isZero();
    Process app = java(appLog, SpecOnlyApplication.class.getName(),
        db.cutoverUrl() + "?cutover.refreshMillis=200&cutover.instance=spec-app", db.user(), stop.toString());
    try {
      Thread.sleep(1000);
      assertThat(cutover("advance", "users-display-name", "--wait", "30s")).isZero();
      Thread.sleep(500);
      assertThat(cutover("backfill", "users-display-name")).isZero();
      assertThat(cutover("verify", "users-display-name")).isZero();
      assertThat(sql("SELECT count(*) FROM users WHERE display_name IS DISTINCT FROM full_name")).isZero();
      assertThat(cutover("advance", "users-display-name", "--wait", "30s")).isZero();
      Thread.sleep(500);
      assertThat(sql("SELECT count(*) FROM users WHERE display_name IS DISTINCT FROM full_name")).isZero();
      assertThat(cutover("advance", "users-display-name", "--wait", "30s")).isZero();
      Thread.sleep(500);
      assertThat(sql("SELECT count(*) FROM users WHERE display_name IS NULL")).isZero();
      assertThat(cutover("advance", "users-display-name", "--wait", "30s", "--force")).isZero();
      Thread.sleep(500);
      assertThat(sql("SELECT count(*) FROM users WHERE display_name IS NULL")).isZero();
    } finally {
      Files.writeString(stop, "stop");
      assertThat(app.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    String log = Files.readString(appLog);
    assertThat(app.exitValue()).as(log).isZero();
    assertThat(log).contains("FAILURES 0");
    assertThat(sql("SELECT count(*) FROM users WHERE id <= 500 AND display_name = 'seed ' || id")).isEqualTo(500);
    assertThat(columns()).containsExactly("id", "display_name");
    assertThat(sql("SELECT count(*) FROM cutover.audit_log WHERE migration_id = 'users-display-name'")).isGreaterThanOrEqualTo(5);
  }

  private int cutover(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("--url", db.plainUrl(), "--user", db.user()));
    all.addAll(List.of(args));
    if (args[0].equals("advance")) {
      all.add("--yes"); // a script: entering completed is not asked about
    }
    Path log = dir.resolve("cli-" + args[0] + "-" + System.nanoTime() + ".log");
    Process p = java(log, "dev.cutover.cli.CutoverCommand", all.toArray(String[]::new));
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("cutover %s timed out", args[0]).isTrue();
    if (p.exitValue() != 0) {
      System.err.println("cutover " + String.join(" ", args) + " exited " + p.exitValue() + ":\n" + Files.readString(log));
    }
    return p.exitValue();
  }

  private static Process java(Path log, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private long sql(String query) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private List<String> columns() throws SQLException {
    List<String> columns = new ArrayList<>();
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT column_name FROM information_schema.columns"
            + " WHERE table_schema = 'public' AND table_name = 'users' ORDER BY ordinal_position")) {
      while (rs.next()) {
        columns.add(rs.getString(1));
      }
    }
    return columns;
  }
}
