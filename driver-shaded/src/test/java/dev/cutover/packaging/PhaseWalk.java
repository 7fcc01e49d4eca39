package dev.cutover.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.cli.CutoverCommand;
import dev.cutover.migration.Phase;
import dev.cutover.testing.TestDatabase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * A rename of {@code users.full_name} to {@code display_name} walked through every phase with the
 * {@code cutover} CLI (run in the test JVM) while an {@link IsolatedApplication} reads and writes
 * through the shaded driver. At every phase the application's statements are checked, and every
 * statement of the differential corpus goes through {@code Connection.nativeSQL} of both the shaded
 * driver and the unshaded one on the test class path: the rewrites (and refusals) must be the same.
 */
final class PhaseWalk {

  private static final String ID = "users-display-name";

  private final TestDatabase db;
  private final IsolatedApplication app;
  private final Path dir;
  private final Set<Phase> fullCorpusPhases;
  private final int stride;

  /**
   * @param fullCorpusPhases the phases that run the whole corpus
   * @param stride at the other phases, every how manyth statement runs
   */
  PhaseWalk(TestDatabase db, IsolatedApplication app, Path dir, Set<Phase> fullCorpusPhases, int stride) {
    this.db = db;
    this.app = app;
    this.dir = dir;
    this.fullCorpusPhases = fullCorpusPhases;
    this.stride = stride;
  }

  void run() throws Exception {
    sql("CREATE SEQUENCE seq START 100000",
        "CREATE TABLE teams (id int PRIMARY KEY, name text NOT NULL, lead_name text)",
        "CREATE TABLE users (id int PRIMARY KEY DEFAULT nextval('seq'), full_name text, email text UNIQUE,"
            + " score int NOT NULL DEFAULT 0, team_id int, tags text[] NOT NULL DEFAULT '{}',"
            + " profile jsonb NOT NULL DEFAULT '{}', created_at timestamp NOT NULL DEFAULT '2024-01-01 00:00:00')",
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int, amount numeric(10,2) NOT NULL,"
            + " status text NOT NULL DEFAULT 'new', note text, placed_at timestamp NOT NULL DEFAULT '2024-02-01 00:00:00')",
        "INSERT INTO teams VALUES (1, 'red', 'Ada Lovelace'), (2, 'blue', 'Alan Turing')",
        "INSERT INTO users (id, full_name, email, team_id) VALUES (1, 'Ada Lovelace', 'ada@example.com', 1),"
            + " (2, 'Alan Turing', 'alan@example.com', 2)",
        "INSERT INTO orders (id, user_id, amount) VALUES (1, 1, 10.50), (2, 2, 7.25)");
    cli("init");
    Path file = dir.resolve(ID + ".yaml");
    Files.writeString(file, "id: " + ID + "\ntable: users\nrename:\n  from: full_name\n  to: display_name\n");
    cli("plan", file.toString());

    try (Connection shaded = app.connect(db.cutoverUrl(), properties("shaded-app"));
        Connection reference = new dev.cutover.CutoverDriver().connect(db.cutoverUrl(), properties("reference"))) {
      check(Phase.PLANNED, shaded, reference);
      cli("advance", ID);
      check(Phase.DUAL_WRITE, shaded, reference);
      cli("backfill", ID);
      cli("advance", ID);
      check(Phase.READ_NEW, shaded, reference);
      cli("advance", ID);
      check(Phase.NEW_ONLY, shaded, reference);
      // The corpus still uses the old name: past the check of its quiet period.
      cli("advance", ID, "--force", "--yes"); // a script: entering completed is not asked about
      check(Phase.COMPLETED, shaded, reference);
    }
  }

  private void check(Phase phase, Connection app, Connection reference) throws SQLException, IOException {
    assertThat(plainOne("SELECT phase FROM cutover.migrations WHERE id = '" + ID + "'"))
        .isEqualTo(phase.sqlName());
    int key = 10 + phase.ordinal();
    if (phase == Phase.PLANNED) {
      assertThat(app.nativeSQL("SELECT full_name FROM users")).isEqualTo("SELECT full_name FROM users");
    } else {
      // The new name is the application's from dual_write on, whatever columns hold it.
      assertThat(one(app, "SELECT display_name FROM users WHERE id = 1")).isEqualTo("Ada Lovelace");
      try (Statement st = app.createStatement()) {
        st.executeUpdate("INSERT INTO users (id, display_name, email) VALUES (" + key + ", 'Grace " + key + "', 'g"
            + key + "@example.com')");
      }
      assertThat(one(app, "SELECT display_name FROM users WHERE id = " + key)).isEqualTo("Grace " + key);
      String physical = phase == Phase.NEW_ONLY || phase == Phase.COMPLETED ? "display_name" : "full_name";
      assertThat(plainOne("SELECT " + physical + " FROM users WHERE id = " + key))
          .as("written by the application through the new name at " + phase.sqlName())
          .isEqualTo("Grace " + key);
    }
    if (phase == Phase.DUAL_WRITE) {
      assertThat(app.nativeSQL("SELECT display_name FROM users WHERE id = 1")).contains("full_name");
      // Both columns are written while the old one is still read.
      assertThat(plainOne("SELECT display_name FROM users WHERE id = " + key)).isEqualTo("Grace " + key);
    }
    if (phase != Phase.COMPLETED) {
      assertThat(one(app, "SELECT full_name FROM users WHERE id = 2")).isEqualTo("Alan Turing");
    }
    corpus(phase, app, reference);
  }

  /**
   * Every corpus statement's rewrite (or refusal) is the same through both drivers; all of them at
   * {@code full} phases, every {@link #stride}th one at the others (the parser's coverage is the
   * point here, and it does not depend on the phase).
   */
  private void corpus(Phase phase, Connection shaded, Connection reference) throws IOException, SQLException {
    boolean full = fullCorpusPhases.contains(phase);
    List<String> differences = new ArrayList<>();
    int rewritten = 0;
    int statements = 0;
    List<String> corpus = corpusStatements();
    try (Connection plain = db.plainConnection()) {
      for (int i = 0; i < corpus.size(); i += full ? 1 : stride) {
        String sql = corpus.get(i);
        statements++;
        String expected = outcome(reference, sql);
        String actual = outcome(shaded, sql).replace("dev.cutover.shaded.calcite", "org.apache.calcite");
        if (!actual.equals(expected)) {
          differences.add(sql + "\n  unshaded: " + expected + "\n  shaded:   " + actual);
        }
        if (!actual.equals(outcome(plain, sql))) {
          rewritten++;
        }
      }
    }
    assertThat(statements).isGreaterThan(full ? 700 : 50);
    assertThat(differences).as("at " + phase.sqlName()).isEmpty();
    if (phase == Phase.DUAL_WRITE) {
      assertThat(rewritten).as("corpus statements that Cutover rewrote or refused at dual_write")
          .isGreaterThan(statements / 2);
    }
  }

  private static String outcome(Connection c, String sql) {
    try {
      return "sql: " + c.nativeSQL(sql);
    } catch (SQLException e) {
      return "refused " + e.getSQLState() + ": " + e.getMessage();
    }
  }

  /** The statements of control-cli's differential corpus, without its directives. */
  static List<String> corpusStatements() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of(System.getProperty("cutover.corpus")))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
        for (String entry : Files.readString(f, StandardCharsets.UTF_8).split("\\n\\s*\\n")) {
          StringBuilder sql = new StringBuilder();
          boolean code = false;
          for (String line : entry.split("\\n")) {
            if (line.startsWith("--@")) {
              continue;
            }
            code |= !line.isBlank() && !line.startsWith("--");
            sql.append(sql.length() == 0 ? "" : "\n").append(line);
          }
          if (code) {
            out.add(sql.toString());
          }
        }
      }
    }
    return out;
  }

  private Properties properties(String instance) {
    Properties p = db.properties();
    p.setProperty("cutover.instance", instance);
    return p;
  }

  private void cli(String... args) {
    List<String> full = new ArrayList<>(List.of("--url", db.plainUrl(), "--user", db.user()));
    if (!db.password().isEmpty()) {
      full.addAll(List.of("--password", db.password()));
    }
    full.addAll(List.of(args));
    StringWriter out = new StringWriter();
    int exit = new CommandLine(new CutoverCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(out, true))
        .execute(full.toArray(String[]::new));
    assertThat(exit).as("cutover " + String.join(" ", args) + "\n" + out).isZero();
  }

  private void sql(String... statements) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  /** The single value {@code sql} returns through plain pgjdbc. */
  private String plainOne(String sql) throws SQLException {
    try (Connection c = db.plainConnection()) {
      return one(c, sql);
    }
  }

  /** The single value {@code sql} returns on {@code c}. */
  private static String one(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      String value = rs.getString(1);
      assertThat(rs.next()).as(sql).isFalse();
      return value;
    }
  }
}
