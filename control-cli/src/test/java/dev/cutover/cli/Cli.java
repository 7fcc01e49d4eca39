package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs {@code cutover} in-process against a test database and captures its output. */
final class Cli {

  /** One run's exit code and output. */
  record Run(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private final TestDatabase db;
  private final String url;
  private final String user;

  Cli(TestDatabase db) {
    this(db, db.plainUrl());
  }

  /** With another URL to the same database (e.g. with {@code cutover.schema}). */
  Cli(TestDatabase db, String url) {
    this(db, url, db.user());
  }

  /** As another database role (no password: the test server trusts local connections). */
  Cli(TestDatabase db, String url, String user) {
    this.db = db;
    this.url = url;
    this.user = user;
  }

  /** Runs {@code cutover ARGS} as a script would: {@code advance} gets {@code --yes}. */
  Run run(String... args) {
    return runWatching(null, args);
  }

  /**
   * {@link #run}, handing each line of standard output to {@code onLine} (when not null) as it is
   * printed, in the command's thread: the command goes on only when {@code onLine} returns, so a test
   * can act at an exact point of a phase change.
   */
  Run runWatching(java.util.function.Consumer<String> onLine, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.isEmpty() && all.get(0).equals("advance")) {
      all.add("--yes");
    }
    return execute(onLine, withConnection(all));
  }

  /** Runs {@code cutover ARGS} exactly as given (no terminal: stdin is not a console). */
  Run runAsTyped(String... args) {
    return execute(null, withConnection(List.of(args)));
  }

  /** Runs {@code cutover ARGS} with no connection options added. */
  Run runBare(String... args) {
    return execute(null, args);
  }

  private String[] withConnection(List<String> args) {
    List<String> full = new ArrayList<>(List.of("--url", url, "--user", user));
    if (!db.password().isEmpty() && user.equals(db.user())) {
      full.add("--password");
      full.add(db.password());
    }
    full.addAll(args);
    return full.toArray(String[]::new);
  }

  private static Run execute(java.util.function.Consumer<String> onLine, String[] args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    java.io.Writer stdout = onLine == null ? out : new java.io.Writer() {
      private final StringBuilder line = new StringBuilder();

      @Override
      public void write(char[] chars, int off, int len) {
        out.write(chars, off, len);
        for (int i = off; i < off + len; i++) {
          if (chars[i] == '\n') {
            onLine.accept(line.toString());
            line.setLength(0);
          } else {
            line.append(chars[i]);
          }
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    int exit = CutoverCommand.commandLine()
        .setOut(new PrintWriter(stdout, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** Runs a command that must succeed: fails the test with the command and its output otherwise. */
  Run ok(String... args) {
    Run run = run(args);
    assertThat(run.exit()).as(String.join(" ", args) + "\n" + run.all()).isEqualTo(0);
    return run;
  }

  /** Writes {@code dir/id.yaml} (id, table, then {@code body}) and plans it; the plan must succeed. */
  void plan(Path dir, String id, String table, String body) throws IOException {
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(f, "id: " + id + "\ntable: " + table + "\n" + body);
    Run run = run("plan", f.toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(0);
  }

  void sql(String... statements) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  /** The first column of every row, as text. */
  List<String> query(String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.plainConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }

  /**
   * The first column (an int) of every row of {@code sql} on connection {@code c}, with
   * {@code param} bound to its one placeholder (when not null).
   */
  static List<Integer> ids(Connection c, String sql, java.math.BigDecimal param) throws SQLException {
    List<Integer> ids = new ArrayList<>();
    try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
      if (param != null) {
        ps.setBigDecimal(1, param);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getInt(1));
        }
      }
    }
    return ids;
  }

  String one(String sql) throws SQLException {
    List<String> rows = query(sql);
    if (rows.size() != 1) {
      throw new AssertionError("expected one row from " + sql + ", got " + rows);
    }
    return rows.get(0);
  }

  List<String> columns(String table) throws SQLException {
    return query("SELECT attname FROM pg_attribute WHERE attrelid = '" + table + "'::regclass AND attnum > 0"
        + " AND NOT attisdropped ORDER BY attnum");
  }

  List<String> indexes(String table) throws SQLException {
    return query("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = '" + table + "'::regclass"
        + " ORDER BY indexrelid::regclass::text");
  }
}
