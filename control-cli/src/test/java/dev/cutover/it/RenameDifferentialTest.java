package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.CutoverConnection;
import dev.cutover.cli.CutoverCommand;
import dev.cutover.migration.Phase;
import dev.cutover.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The differential test of a rename (issue 2): every statement of {@link Corpus} runs through
 * HikariCP and Cutover on the migrating table and through HikariCP and plain pgjdbc on the twin
 * that never migrates, at every phase and across every phase change forward and back, as prepared
 * and as plain statements; results, update counts and the table contents must be equal each time,
 * and while both columns are live no row may hold different values in them.
 */
class RenameDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  private static HikariDataSource cutover;
  private static HikariDataSource plain;
  private static final AtomicInteger ids = new AtomicInteger(1000);
  private static final List<String> mismatches = new ArrayList<>();
  private static boolean backfilled;

  @BeforeAll
  static void setUp() throws Exception {
    TwinTables.create(db);
    cli("init");
    Path file = dir.resolve("users-display-name.yaml");
    Files.writeString(file, TwinTables.MIGRATION_FILE);
    cli("plan", file.toString());
    cutover = pool(db.cutoverUrl() + "?currentSchema=mig&cutover.refreshMillis=100&cutover.instance=differential");
    plain = pool(db.plainUrl() + "?currentSchema=twin");
  }

  @AfterAll
  static void tearDown() {
    if (cutover != null) {
      cutover.close();
    }
    if (plain != null) {
      plain.close();
    }
  }

  @Test
  void rename_everyPhaseForwardAndBack_matchesTwin() throws Exception {
    check(Phase.PLANNED);
    move("advance", Phase.DUAL_WRITE);
    check(Phase.DUAL_WRITE);
    cli("backfill", "users-display-name");
    backfilled = true;
    check(Phase.DUAL_WRITE);
    move("advance", Phase.READ_NEW);
    check(Phase.READ_NEW);
    move("advance", Phase.NEW_ONLY);
    check(Phase.NEW_ONLY);
    move("rollback", Phase.READ_NEW);
    check(Phase.READ_NEW);
    move("rollback", Phase.DUAL_WRITE);
    check(Phase.DUAL_WRITE);
    move("rollback", Phase.PLANNED);
    backfilled = false;
    check(Phase.PLANNED);
    move("advance", Phase.DUAL_WRITE);
    check(Phase.DUAL_WRITE);
    cli("backfill", "users-display-name");
    backfilled = true;
    move("advance", Phase.READ_NEW);
    move("advance", Phase.NEW_ONLY);
    check(Phase.NEW_ONLY);
    move("advance", Phase.COMPLETED);
    check(Phase.COMPLETED);

    assertThat(mismatches).isEmpty();
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT column_name FROM information_schema.columns"
            + " WHERE table_schema = 'mig' AND table_name = 'users' ORDER BY ordinal_position")) {
      List<String> columns = new ArrayList<>();
      while (rs.next()) {
        columns.add(rs.getString(1));
      }
      assertThat(columns).containsExactly("id", "email", "score", "team_id", "display_name");
    }
  }

  private static void move(String verb, Phase to) throws Exception {
    // A statement prepared before the change and executed after it; and, when the change needs no
    // DDL, a transaction open across it: the change must wait for that transaction (the instance
    // acknowledges the new epoch only once no transaction of the old one is open), and statements
    // after the change, in the same transaction, follow the new phase.
    boolean ddlFree = (verb.equals("advance") && (to == Phase.READ_NEW || to == Phase.NEW_ONLY))
        || (verb.equals("rollback") && (to == Phase.DUAL_WRITE));
    String[] args = to == Phase.COMPLETED
        // This test itself uses the old name up to the end: the quiet-period guard would refuse.
        ? new String[] {verb, "users-display-name", "--to", to.sqlName(), "--force"}
        : new String[] {verb, "users-display-name", "--to", to.sqlName()};
    try (Connection c = cutover.getConnection();
        PreparedStatement before = c.prepareStatement("SELECT id, full_name, display_name FROM users WHERE id <= ? ORDER BY id");
        Connection t = plain.getConnection();
        PreparedStatement twinBefore = t.prepareStatement("SELECT id, full_name, display_name FROM users WHERE id <= ? ORDER BY id")) {
      before.setInt(1, 12);
      twinBefore.setInt(1, 12);
      if (ddlFree) {
        c.setAutoCommit(false);
        t.setAutoCommit(false);
        String where = verb + " to " + to.sqlName() + ", in a transaction open across the change";
        compare(Corpus.WRITES.get(7), c, t, true, "before " + where); // UPDATE ... SET display_name = ?
        long epoch = c.unwrap(CutoverConnection.class).currentEpoch();
        CompletableFuture<Integer> change = CompletableFuture.supplyAsync(() -> cliCode(args));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.unwrap(CutoverConnection.class).currentEpoch() == epoch && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(c.unwrap(CutoverConnection.class).currentEpoch()).as("the driver sees the change").isGreaterThan(epoch);
        compare(Corpus.WRITES.get(6), c, t, true, "after " + where); // UPDATE ... SET full_name = ?
        Thread.sleep(300);
        assertThat(change).as("the change waits for the open transaction").isNotDone();
        c.commit();
        t.commit();
        c.setAutoCommit(true);
        t.setAutoCommit(true);
        assertThat(change.get(60, TimeUnit.SECONDS)).as("cutover %s", String.join(" ", args)).isZero();
      } else {
        cli(args);
      }
      List<List<Object>> got = rows(before.executeQuery());
      List<List<Object>> want = rows(twinBefore.executeQuery());
      if (!got.equals(want)) {
        mismatches.add("prepared before " + verb + " to " + to.sqlName() + ": " + got + " != " + want);
      }
    }
    assertThat(currentPhase()).isEqualTo(to.sqlName());
  }

  private static void check(Phase phase) throws Exception {
    for (boolean prepared : new boolean[] {true, false}) {
      try (Connection c = cutover.getConnection(); Connection t = plain.getConnection()) {
        for (Corpus.Case k : Corpus.READS) {
          compare(k, c, t, prepared, phase.sqlName());
        }
        for (Corpus.Case k : Corpus.WRITES) {
          compare(k, c, t, prepared, phase.sqlName());
          checkState(phase, k);
        }
      }
    }
  }

  private static void compare(Corpus.Case k, Connection c, Connection t, boolean prepared, String where) {
    Object[] params = k.params().apply(ids);
    Outcome got = run(c, k.sql(), params, prepared);
    Outcome want = run(t, TwinTables.forTwin(k.sql(), k.write()), params, prepared);
    if (!got.equals(want)) {
      mismatches.add("[" + where + (prepared ? ", prepared] " : ", simple] ") + k.sql() + "\n    " + difference(got, want));
    }
  }

  private static void checkState(Phase phase, Corpus.Case after) throws SQLException {
    String read = phase.readsNew() ? "display_name" : "full_name";
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      List<List<Object>> mig = rows(st.executeQuery(
          "SELECT id, " + read + ", email, score, team_id FROM mig.users ORDER BY id"));
      List<List<Object>> twin = rows(st.executeQuery(
          "SELECT id, full_name, email, score, team_id FROM twin.users ORDER BY id"));
      if (!mig.equals(twin)) {
        mismatches.add("[" + phase.sqlName() + "] table contents differ after: " + after.sql());
      }
      if (phase == Phase.DUAL_WRITE || phase == Phase.READ_NEW) {
        String filter = backfilled ? "" : "display_name IS NOT NULL AND ";
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM mig.users WHERE " + filter
            + "display_name IS DISTINCT FROM full_name")) {
          rs.next();
          if (rs.getLong(1) != 0) {
            mismatches.add("[" + phase.sqlName() + "] " + rs.getLong(1)
                + " rows hold different values in the two live columns after: " + after.sql());
          }
        }
      }
    }
  }

  /** A short description of how two outcomes differ (whole result sets are too long to read). */
  private static String difference(Outcome got, Outcome want) {
    if (!Objects.equals(got.sqlState(), want.sqlState())) {
      return "cutover error: " + got.sqlState() + " / twin error: " + want.sqlState();
    }
    if (!got.labels().equals(want.labels())) {
      return "labels: cutover " + got.labels() + " / twin " + want.labels();
    }
    if (got.updateCount() != want.updateCount()) {
      return "update count: cutover " + got.updateCount() + " / twin " + want.updateCount();
    }
    for (int i = 0; i < Math.min(got.rows().size(), want.rows().size()); i++) {
      if (!got.rows().get(i).equals(want.rows().get(i))) {
        return "row " + i + ": cutover " + got.rows().get(i) + " / twin " + want.rows().get(i);
      }
    }
    return "row count: cutover " + got.rows().size() + " / twin " + want.rows().size();
  }

  /** What a statement produced: labels and rows, an update count, or an error's SQLState. */
  record Outcome(List<String> labels, List<List<Object>> rows, int updateCount, String sqlState) {}

  private static Outcome run(Connection c, String sql, Object[] params, boolean prepared) {
    try {
      if (prepared) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
          }
          return outcome(ps.execute(), ps);
        }
      }
      try (Statement st = c.createStatement()) {
        return outcome(st.execute(inline(sql, params)), st);
      }
    } catch (SQLException e) {
      return new Outcome(List.of(), List.of(), -1, e.getSQLState() + " " + e.getMessage());
    }
  }

  private static Outcome outcome(boolean hasResult, Statement st) throws SQLException {
    if (!hasResult) {
      return new Outcome(List.of(), List.of(), st.getUpdateCount(), null);
    }
    try (ResultSet rs = st.getResultSet()) {
      ResultSetMetaData md = rs.getMetaData();
      List<String> labels = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        labels.add(md.getColumnLabel(i));
      }
      return new Outcome(labels, rows(rs), -1, null);
    }
  }

  private static List<List<Object>> rows(ResultSet rs) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    int n = rs.getMetaData().getColumnCount();
    while (rs.next()) {
      List<Object> row = new ArrayList<>(n);
      for (int i = 1; i <= n; i++) {
        row.add(rs.getObject(i));
      }
      rows.add(row);
    }
    rs.close();
    return rows;
  }

  /** The plain-statement form: every {@code ?} replaced by its value as a literal. */
  private static String inline(String sql, Object[] params) {
    StringBuilder out = new StringBuilder();
    int p = 0;
    for (int i = 0; i < sql.length(); i++) {
      char ch = sql.charAt(i);
      if (ch == '?') {
        Object v = params[p++];
        out.append(v instanceof Number ? v.toString() : "'" + Objects.toString(v).replace("'", "''") + "'");
      } else {
        out.append(ch);
      }
    }
    return out.toString();
  }

  private static String currentPhase() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT phase FROM cutover.migrations WHERE id = 'users-display-name'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  static void cli(String... args) {
    cli(db, args);
  }

  /** Runs {@code cutover ARGS} against {@code database}'s database and expects exit code 0. */
  static void cli(TestDatabase database, String... args) {
    assertThat(cliCode(database, args)).as("cutover %s (output above)", String.join(" ", args)).isZero();
  }

  static int cliCode(String... args) {
    return cliCode(db, args);
  }

  static int cliCode(TestDatabase database, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--url", database.plainUrl(), "--user", database.user()));
    all.addAll(List.of(args));
    int code = new CommandLine(new CutoverCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(all.toArray(String[]::new));
    if (code != 0) {
      System.err.printf("cutover %s exited %d%nout: %s%nerr: %s%n", String.join(" ", args), code, out, err);
    }
    return code;
  }

  private static HikariDataSource pool(String url) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(3);
    return new HikariDataSource(config);
  }
}
