package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.CutoverConnection;
import dev.cutover.cli.CutoverCommand;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import dev.cutover.rewriter.Catalog;
import dev.cutover.rewriter.Rewrite;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.StatementRewriter;
import dev.cutover.runtime.CatalogCache;
import dev.cutover.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.core.BaseConnection;
import picocli.CommandLine;

/**
 * The differential harness (issues 2 and 3): runs a statement through HikariCP + Cutover on the
 * migrating table {@code mig.users} and through HikariCP + plain pgjdbc on the twin
 * {@code twin.users} that never migrates ({@link TwinTables}), compares what both produced (every
 * result's labels and rows, update counts, or the error's SQLState), then the tables, and, while
 * both columns are live, the old and the new column row by row. It also walks a migration through
 * every phase, forward and back, with a transaction held open across each phase change
 * ({@link #walk}).
 *
 * <p>A statement Cutover refuses (SQLState {@code 0A000} from the rewriter) is counted as refused
 * with its reason, and not run on the twin, so that the two sides keep the same data; a refusal of a
 * statement that names no migrating table, or an error the twin does not raise too, is a mismatch.
 *
 * <p>Implementation notes: inside a transaction each statement runs under a savepoint on both
 * sides, so that an error both sides agree on does not abort the rest; the tables are then compared
 * on the transaction's own sessions (the Cutover side through pgjdbc's connection, unwrapped, so
 * that the comparison query is not rewritten). After a difference in the tables the twin is made
 * equal to the migrating table again, so that one bug is reported once.
 */
final class Differential implements AutoCloseable {

  /** One statement to run on both sides. */
  record Case(String source, String category, String sql, boolean ordered, boolean batch) {
    static Case of(Corpus.Entry e) {
      return new Case(e.source(), e.category(), e.sql(), e.ordered(), e.batch());
    }

    boolean namesMigratingTable() {
      return Corpus.namesTable(sql, "users");
    }

    boolean mayWrite() {
      return Corpus.mayWrite(sql);
    }
  }

  /** One result of a statement: labels and rows, or an update count. */
  record Result(List<String> labels, List<List<Object>> rows, long updateCount) {}

  /**
   * What a statement produced on one side.
   *
   * @param refusal the rewriter's reason when Cutover refused it, else null
   */
  record Outcome(List<Result> results, String sqlState, String error, String refusal) {
    static Outcome failed(SQLException e) {
      String refusal = null;
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof RewriteRefusedException r) {
          refusal = r.reason();
        }
      }
      return new Outcome(List.of(), e.getSQLState(), e.getMessage(), refusal);
    }

    /** Whether the rewriter itself failed (a bug, never a refusal). */
    boolean bug() {
      return error != null && sqlState != null && sqlState.equals("XX000") && error.contains("rewriter failed");
    }
  }

  /** The connections of one unit of work: both autocommit, or both in one open transaction. */
  static final class Session {
    final Connection cutover;
    final Connection twin;
    final boolean transaction;
    String where;
    /** No statement may lock the migrating table now, not even the table comparison (DDL is coming). */
    boolean lockFree;

    Session(Connection cutover, Connection twin, boolean transaction, String where) {
      this.cutover = cutover;
      this.twin = twin;
      this.transaction = transaction;
      this.where = where;
    }
  }

  /** What runs at each phase and inside the transactions open across the phase changes. */
  interface Workload {
    /** At {@code phase}, with autocommit on. */
    void atPhase(Differential d, Phase phase, String where) throws Exception;

    /**
     * Inside a transaction that the next phase change will find open. When {@code ddlFirst} the
     * change runs DDL on the migrating table before it takes effect, so nothing here may touch that
     * table yet (PostgreSQL would make the DDL wait for this transaction, and the change for ever).
     */
    void beforeChange(Differential d, Session s, boolean ddlFirst) throws Exception;

    /** In the same transaction, once the driver follows the new phase. */
    void afterChange(Differential d, Session s) throws Exception;
  }

  final TestDatabase db;
  final DifferentialReport report;
  final HikariDataSource cutover;
  final HikariDataSource plain;
  /** Fresh keys for inserts. */
  final AtomicInteger ids;
  private final Connection admin;
  private final Connection catalogConnection;
  private final StatementRewriter rewriter = new StatementRewriter();
  private final Set<String> classified = new HashSet<>();
  private boolean backfilled;

  /**
   * Creates the twin schemas, registers the migration and opens both pools.
   *
   * @param firstId fresh keys start after this one
   */
  Differential(TestDatabase db, Path dir, DifferentialReport report, int firstId, String instance) throws Exception {
    this.db = db;
    this.report = report;
    this.ids = new AtomicInteger(firstId);
    TwinTables.create(db);
    cli("init");
    Path file = dir.resolve("users-display-name.yaml");
    Files.writeString(file, TwinTables.MIGRATION_FILE);
    cli("plan", file.toString());
    // The read touch (lazy migration) is off here: its background fill locks a row for a few
    // milliseconds, so a FOR UPDATE SKIP LOCKED / NOWAIT right after a read of the same row could
    // differ from the twin by timing alone. Its own tests (LazyMigrationTest) compare it with a twin.
    cutover = pool(db.cutoverUrl() + "?currentSchema=mig&cutover.refreshMillis=100&cutover.readTouch=false"
        + "&cutover.instance=" + instance);
    plain = pool(db.plainUrl() + "?currentSchema=twin");
    admin = db.plainConnection();
    catalogConnection = new org.postgresql.Driver().connect(db.plainUrl() + "?currentSchema=mig", db.properties());
  }

  @Override
  public void close() throws SQLException {
    cutover.close();
    plain.close();
    admin.close();
    catalogConnection.close();
  }

  // ---------------------------------------------------------------- the phase walk

  /**
   * Walks the migration: planned, dual_write (before and after the backfill), read_new, new_only,
   * back to read_new, dual_write and planned, and forward again to completed. {@code w} runs at
   * every phase and inside a transaction open across every one of the 11 phase changes.
   */
  void walk(Workload w) throws Exception {
    stop(w, Phase.PLANNED);
    change(w, "advance", Phase.DUAL_WRITE);
    stop(w, Phase.DUAL_WRITE);
    backfill();
    stop(w, Phase.DUAL_WRITE);
    change(w, "advance", Phase.READ_NEW);
    stop(w, Phase.READ_NEW);
    change(w, "advance", Phase.NEW_ONLY);
    stop(w, Phase.NEW_ONLY);
    change(w, "rollback", Phase.READ_NEW);
    stop(w, Phase.READ_NEW);
    change(w, "rollback", Phase.DUAL_WRITE);
    stop(w, Phase.DUAL_WRITE);
    change(w, "rollback", Phase.PLANNED);
    backfilled = false;
    stop(w, Phase.PLANNED);
    change(w, "advance", Phase.DUAL_WRITE);
    backfill();
    change(w, "advance", Phase.READ_NEW);
    change(w, "advance", Phase.NEW_ONLY);
    stop(w, Phase.NEW_ONLY);
    change(w, "advance", Phase.COMPLETED);
    stop(w, Phase.COMPLETED);
  }

  /**
   * The lazy cut-over (issue 4): from dual_write before any backfill into read_new with
   * {@code --lazy} (a transaction open across it), the workload there with most rows' new column
   * still empty, new_only refused, a rollback to dual_write across an open transaction, the lazy
   * cut-over again, then backfill and verify and new_only (which ends the lazy cut-over) across an
   * open transaction.
   */
  void walkLazy(Workload w) throws Exception {
    change(w, "advance", Phase.DUAL_WRITE);
    change(w, "advance", Phase.READ_NEW, "--lazy");
    assertThat(driverLazy()).as("lazily cut over").isTrue();
    stop(w, Phase.READ_NEW);
    reset(); // (the workload's UPDATEs fill the rows they touch, and some touch every row)
    assertThat(cliCode("advance", TwinTables.MIGRATION_ID)).as("new_only before the backfill").isEqualTo(3);
    change(w, "rollback", Phase.DUAL_WRITE);
    assertThat(driverLazy()).isFalse();
    change(w, "advance", Phase.READ_NEW, "--lazy");
    stop(w, Phase.READ_NEW);
    backfill();
    cli("verify", TwinTables.MIGRATION_ID);
    change(w, "advance", Phase.NEW_ONLY);
    assertThat(driverLazy()).isFalse();
    stop(w, Phase.NEW_ONLY);
  }

  private void stop(Workload w, Phase phase) throws Exception {
    assertThat(currentPhase()).isEqualTo(phase.sqlName());
    reset();
    w.atPhase(this, phase, phase.sqlName() + (driverLazy() ? " (lazily cut over)" : "")
        + (backfilled || !phase.newColumnExists() ? "" : " (before the backfill)"));
    checkTables(null, null, "at " + phase.sqlName());
  }

  private void backfill() {
    cli("backfill", TwinTables.MIGRATION_ID);
    backfilled = true;
  }

  private void change(Workload w, String verb, Phase to, String... extra) throws Exception {
    boolean ddlFirst = verb.equals("advance") && (to == Phase.DUAL_WRITE || to == Phase.COMPLETED);
    List<String> args = new ArrayList<>(List.of(verb, TwinTables.MIGRATION_ID, "--to", to.sqlName(), "--wait", "300s"));
    args.addAll(List.of(extra));
    if (to == Phase.COMPLETED) {
      args.add("--force"); // the workload uses the old name up to the end: the quiet period would refuse
    }
    String where = verb + " to " + to.sqlName() + ", in a transaction open across the change";
    reset();
    try (Connection c = cutover.getConnection(); Connection t = plain.getConnection()) {
      c.setAutoCommit(false);
      t.setAutoCommit(false);
      Session s = new Session(c, t, true, "before " + where);
      // pgjdbc begins a transaction with its first statement: begin it now, whatever the workload does.
      for (Connection x : new Connection[] {c, t}) {
        try (Statement st = x.createStatement()) {
          st.execute("SELECT count(*) FROM teams");
        }
      }
      s.lockFree = ddlFirst;
      w.beforeChange(this, s, ddlFirst);
      s.lockFree = false;
      if (ddlFirst) {
        // A finished SELECT's unnamed portal keeps its snapshot until the session's next statement,
        // and CREATE INDEX CONCURRENTLY (the index copy of dual_write) waits for every transaction
        // that holds a snapshot: one more statement through the unnamed portal lets the DDL through.
        for (Connection x : new Connection[] {c, t}) {
          x.releaseSavepoint(x.setSavepoint());
        }
      }
      long epoch = c.unwrap(CutoverConnection.class).currentEpoch();
      CompletableFuture<Integer> change = CompletableFuture.supplyAsync(() -> cliCode(args.toArray(String[]::new)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (c.unwrap(CutoverConnection.class).currentEpoch() == epoch && System.nanoTime() < deadline
          && !change.isDone()) {
        Thread.sleep(20);
      }
      if (c.unwrap(CutoverConnection.class).currentEpoch() == epoch) {
        String activity = activity();
        c.rollback();
        t.rollback();
        throw new AssertionError("the driver did not see `cutover " + String.join(" ", args)
            + "` while a transaction was open (exit code " + (change.isDone() ? change.get() : "none yet")
            + "); sessions:\n" + activity);
      }
      s.where = "after " + where;
      w.afterChange(this, s);
      assertThat(change).as("%s: the change waits for the open transaction", where).isNotDone();
      c.commit();
      t.commit();
      c.setAutoCommit(true);
      t.setAutoCommit(true);
      assertThat(change.get(300, TimeUnit.SECONDS)).as("cutover %s", String.join(" ", args)).isZero();
      report.phaseChangeInTransaction();
    }
    assertThat(currentPhase()).isEqualTo(to.sqlName());
    checkTables(null, null, "after " + where);
  }

  // ---------------------------------------------------------------- one statement

  /**
   * Runs {@code k} on both sides of {@code s} and records the verdict.
   *
   * @param params one parameter set, or several for a batch
   * @param prepared as a PreparedStatement (else a plain Statement with the values inlined)
   * @param reuse statements prepared earlier on each side ({@code [cutover, twin]}), or null
   * @return false when Cutover refused it
   */
  boolean run(Case k, Session s, Object[][] params, boolean prepared, PreparedStatement[] reuse) throws SQLException {
    String label = prepared ? "prepared" : "plain";
    String paramText = params[0].length == 0 ? "" : "\n    params: " + Arrays.deepToString(params);
    return run(k, s, label, paramText, (c, twin) -> execute(c, twin ? Corpus.forTwin(k.sql()) : k.sql(), params,
        prepared, k.batch(), reuse == null ? null : reuse[twin ? 1 : 0]));
  }

  /** Runs something on one side: a statement, or what an ORM makes of an operation. */
  interface Action {
    /** What it produced on {@code c} (the twin's connection when {@code twin}); errors as outcomes. */
    Outcome apply(Connection c, boolean twin);
  }

  /**
   * Runs {@code action} on the Cutover side, then (unless refused) on the twin, compares the
   * outcomes and records the verdict under {@code k}; compares the tables after a write.
   *
   * @return false when Cutover refused it
   */
  boolean run(Case k, Session s, String mode, String detail, Action action) throws SQLException {
    String where = "[" + s.where + ", " + mode + "] ";
    Savepoint sc = s.transaction ? s.cutover.setSavepoint() : null;
    Outcome got = action.apply(s.cutover, false);
    finish(s.cutover, sc, got);
    if (got.refusal() != null) {
      if (!k.namesMigratingTable()) {
        report.mismatch(k.source(), k.category(), k.sql(), where + k.source() + ": refused although it names no"
            + " migrating table: " + got.refusal() + "\n    " + k.sql());
      } else {
        report.refused(k.source(), k.category(), k.sql(), got.refusal());
      }
      return false;
    }
    Savepoint st = s.transaction ? s.twin.setSavepoint() : null;
    Outcome want = action.apply(s.twin, true);
    finish(s.twin, st, want);
    String diff = difference(got, want, k.ordered());
    if (diff != null) {
      report.mismatch(k.source(), k.category(), k.sql(), where + k.source() + ": " + diff + "\n    " + k.sql() + detail);
    } else {
      report.passed(k.source(), k.category(), k.sql());
    }
    if (k.mayWrite() && !s.lockFree && (got.sqlState() == null || want.sqlState() == null)) {
      checkTables(s, k, where + k.source() + ": " + k.sql());
    }
    return true;
  }

  private static void finish(Connection c, Savepoint sp, Outcome o) throws SQLException {
    if (sp == null) {
      return;
    }
    if (o.sqlState() != null) {
      c.rollback(sp);
    } else {
      c.releaseSavepoint(sp);
    }
  }

  /** Prepares {@code sql} on both sides; null (and the refusal recorded) when Cutover refuses it. */
  PreparedStatement[] prepare(Case k, Session s) throws SQLException {
    PreparedStatement c;
    try {
      c = s.cutover.prepareStatement(k.sql());
    } catch (SQLException e) {
      Outcome o = Outcome.failed(e);
      if (o.refusal() == null) {
        throw e;
      }
      if (k.namesMigratingTable()) {
        report.refused(k.source(), k.category(), k.sql(), o.refusal());
      } else {
        report.mismatch(k.source(), k.category(), k.sql(), "[" + s.where + ", prepare] " + k.source()
            + ": refused although it names no migrating table: " + o.refusal());
      }
      return null;
    }
    return new PreparedStatement[] {c, s.twin.prepareStatement(Corpus.forTwin(k.sql()))};
  }

  static Outcome execute(Connection c, String sql, Object[][] params, boolean prepared, boolean batch,
      PreparedStatement reuse) {
    try {
      if (prepared) {
        PreparedStatement ps = reuse != null ? reuse : c.prepareStatement(sql);
        try {
          if (batch) {
            for (Object[] set : params) {
              bind(ps, set);
              ps.addBatch();
            }
            return batchOutcome(ps.executeBatch());
          }
          bind(ps, params[0]);
          return outcome(ps.execute(), ps);
        } finally {
          if (reuse == null) {
            ps.close();
          }
        }
      }
      try (Statement st = c.createStatement()) {
        if (batch) {
          for (Object[] set : params) {
            st.addBatch(Corpus.inline(sql, set));
          }
          return batchOutcome(st.executeBatch());
        }
        return outcome(st.execute(Corpus.inline(sql, params[0])), st);
      }
    } catch (SQLException e) {
      return Outcome.failed(e);
    }
  }

  private static void bind(PreparedStatement ps, Object[] values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      ps.setObject(i + 1, values[i]);
    }
  }

  private static Outcome batchOutcome(int[] counts) {
    List<Result> results = new ArrayList<>();
    for (int n : counts) {
      results.add(new Result(List.of(), List.of(), n));
    }
    return new Outcome(results, null, null, null);
  }

  static Outcome outcome(boolean hasResult, Statement st) throws SQLException {
    List<Result> results = new ArrayList<>();
    while (true) {
      if (hasResult) {
        try (ResultSet rs = st.getResultSet()) {
          results.add(result(rs));
        }
      } else {
        long n = st.getUpdateCount();
        if (n == -1) {
          break;
        }
        results.add(new Result(List.of(), List.of(), n));
      }
      hasResult = st.getMoreResults();
    }
    return new Outcome(results, null, null, null);
  }

  static Result result(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<String> labels = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      labels.add(md.getColumnLabel(i));
    }
    return new Result(labels, rows(rs), -1);
  }

  static List<List<Object>> rows(ResultSet rs) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    int n = rs.getMetaData().getColumnCount();
    while (rs.next()) {
      List<Object> row = new ArrayList<>(n);
      for (int i = 1; i <= n; i++) {
        row.add(normalise(rs.getObject(i)));
      }
      rows.add(row);
    }
    return rows;
  }

  /** Values that do not implement equals (SQL arrays, byte arrays) as comparable ones. */
  static Object normalise(Object v) throws SQLException {
    if (v instanceof Array a) {
      Object items = a.getArray();
      a.free();
      return normalise(items);
    }
    if (v instanceof Object[] items) {
      List<Object> list = new ArrayList<>();
      for (Object item : items) {
        list.add(normalise(item));
      }
      return list;
    }
    if (v instanceof byte[] bytes) {
      return "\\x" + java.util.HexFormat.of().formatHex(bytes);
    }
    return v;
  }

  /** How two outcomes differ, shortly; null when they agree. */
  static String difference(Outcome got, Outcome want, boolean ordered) {
    if (got.bug()) {
      // The rewriter crashed: a bug even where the twin fails the statement too.
      return "cutover failed with an internal error of its rewriter: " + got.error();
    }
    if (got.sqlState() != null && want.sqlState() != null) {
      // Both rejected the statement. PostgreSQL may name a different first problem in a rewritten
      // text (a wrong statement that uses the old name fails on the missing column first).
      return null;
    }
    if (!Objects.equals(got.sqlState(), want.sqlState())) {
      return "cutover " + (got.sqlState() == null ? "succeeded" : "failed: " + got.sqlState() + " " + got.error())
          + " / twin " + (want.sqlState() == null ? "succeeded" : "failed: " + want.sqlState() + " " + want.error());
    }
    if (got.results().size() != want.results().size()) {
      return "result count: cutover " + got.results().size() + " / twin " + want.results().size();
    }
    for (int r = 0; r < got.results().size(); r++) {
      Result g = got.results().get(r);
      Result w = want.results().get(r);
      String at = got.results().size() > 1 ? "result " + (r + 1) + ": " : "";
      if (!g.labels().equals(w.labels())) {
        return at + "labels: cutover " + g.labels() + " / twin " + w.labels();
      }
      if (g.updateCount() != w.updateCount()) {
        return at + "update count: cutover " + g.updateCount() + " / twin " + w.updateCount();
      }
      List<List<Object>> gr = ordered ? g.rows() : sorted(g.rows());
      List<List<Object>> wr = ordered ? w.rows() : sorted(w.rows());
      for (int i = 0; i < Math.min(gr.size(), wr.size()); i++) {
        if (!gr.get(i).equals(wr.get(i))) {
          return at + "row " + i + ": cutover " + gr.get(i) + " / twin " + wr.get(i);
        }
      }
      if (gr.size() != wr.size()) {
        return at + "row count: cutover " + gr.size() + " / twin " + wr.size();
      }
    }
    return null;
  }

  private static List<List<Object>> sorted(List<List<Object>> rows) {
    List<List<Object>> copy = new ArrayList<>(rows);
    copy.sort(Comparator.comparing(Object::toString));
    return copy;
  }

  // ---------------------------------------------------------------- the tables

  /**
   * Compares the three tables of both schemas (the migrating column read from the physical column
   * of the driver's current phase) and, while both columns are live and outside a transaction open
   * across a change, the two columns row by row.
   *
   * @param s the session whose open transaction to look into, or null for committed data
   * @param k the statement just run (a difference is its mismatch), or null
   */
  void checkTables(Session s, Case k, String after) throws SQLException {
    Phase phase = driverPhase();
    Connection mig = s == null || !s.transaction ? admin : s.cutover.unwrap(BaseConnection.class);
    Connection twin = s == null || !s.transaction ? admin : s.twin;
    String migState = TwinTables.stateExpression("mig", migRead(phase));
    String twinState = TwinTables.stateExpression("twin", "full_name");
    String got = single(mig, "SELECT md5(" + migState + ")");
    String want = single(twin, "SELECT md5(" + twinState + ")");
    if (!got.equals(want)) {
      String first = firstDifference(single(mig, "SELECT " + migState), single(twin, "SELECT " + twinState));
      String detail = "[" + phase.sqlName() + "] table contents differ " + after + "\n    first difference: " + first;
      if (k == null) {
        report.mismatch(detail);
      } else {
        report.mismatch(k.source(), k.category(), k.sql(), detail);
      }
      if (s == null || !s.transaction) {
        resync(phase);
      } else {
        resyncInTransaction(s, phase);
      }
    }
    // The two live columns, after every write outside a transaction held across a change (inside
    // one they may differ by design until the change's refill, e.g. rolling back from new_only).
    if ((s == null || !s.transaction) && (phase == Phase.DUAL_WRITE || phase == Phase.READ_NEW)) {
      String filter = backfilled && !driverLazy() ? "" : "display_name IS NOT NULL AND ";
      String differing = single(admin, "SELECT count(*) || ' ' || coalesce(min(id)::text, '') FROM mig.users WHERE "
          + filter + "display_name IS DISTINCT FROM full_name");
      if (!differing.startsWith("0 ")) {
        report.mismatch("[" + phase.sqlName() + "] rows (count, first key: " + differing
            + ") hold different values in the two live columns " + after);
        String read = driverLazy() ? "full_name" : TwinTables.readColumn(phase);
        String other = read.equals("full_name") ? "display_name" : "full_name";
        try (Statement st = admin.createStatement()) {
          st.execute("UPDATE mig.users SET " + other + " = " + read + " WHERE " + other + " IS DISTINCT FROM " + read);
        }
      }
    }
  }

  /**
   * Puts the initial rows back on both sides alike (the migrating column written to the phase's
   * physical columns), so that every slice of statements starts from the same data, whatever the
   * slice before deleted or updated, and the tables stay small enough to compare after every write.
   */
  private void reset() throws SQLException {
    Phase phase = driverPhase();
    try (Statement st = admin.createStatement()) {
      // Before the backfill the new column is still empty, as it would be.
      TwinTables.fill(st, "mig", phase == Phase.DUAL_WRITE && !backfilled ? List.of("full_name") : TwinTables.nameColumns(phase));
      if (phase == Phase.READ_NEW && driverLazy() && !backfilled) {
        // Lazily cut over before the backfill: two rows in three not reached yet.
        st.execute("UPDATE mig.users SET display_name = NULL WHERE id % 3 <> 0");
      }
      TwinTables.fill(st, "twin", List.of("full_name"));
    }
  }

  /** What every session of the test database is doing, and what it waits for (for a stuck change). */
  private String activity() throws SQLException {
    StringBuilder sb = new StringBuilder();
    try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT pid, application_name, state, backend_xmin, wait_event_type, wait_event,"
            + " pg_blocking_pids(pid), left(query, 200) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND pid <> pg_backend_pid()")) {
      while (rs.next()) {
        for (int i = 1; i <= 8; i++) {
          sb.append(rs.getString(i)).append(i < 8 ? " | " : "\n");
        }
      }
    }
    return sb.toString();
  }

  /** Makes the twin equal to the migrating table again, after a reported difference. */
  private void resync(Phase phase) throws SQLException {
    String cols = "id, full_name, " + TwinTables.OTHER_USER_COLUMNS;
    String migCols = "id, " + migRead(phase) + ", " + TwinTables.OTHER_USER_COLUMNS;
    try (Statement st = admin.createStatement()) {
      st.execute("DELETE FROM twin.users; INSERT INTO twin.users (" + cols + ") SELECT " + migCols + " FROM mig.users;"
          + " DELETE FROM twin.teams; INSERT INTO twin.teams SELECT * FROM mig.teams;"
          + " DELETE FROM twin.orders; INSERT INTO twin.orders SELECT * FROM mig.orders;"
          + " SELECT setval('twin.seq', last_value, is_called) FROM mig.seq");
    }
  }

  /**
   * The same as {@link #resync} inside the open transactions of {@code s}: the twin's rows are
   * replaced by the migrating table's as this transaction sees them (so that one difference is
   * reported once, not again by every later read of the same transaction).
   */
  private void resyncInTransaction(Session s, Phase phase) throws SQLException {
    Connection mig = s.cutover.unwrap(BaseConnection.class);
    List<String> tables = List.of(
        "users (id, full_name, " + TwinTables.OTHER_USER_COLUMNS + ")|SELECT id, " + migRead(phase) + ", "
            + TwinTables.OTHER_USER_COLUMNS + " FROM mig.users",
        "teams|SELECT * FROM mig.teams",
        "orders|SELECT * FROM mig.orders");
    for (String t : tables) {
      String target = t.substring(0, t.indexOf('|'));
      String query = t.substring(t.indexOf('|') + 1);
      String rows = single(mig, "SELECT coalesce(string_agg(quote_literal(x::text), ','), '') FROM (" + query + ") x");
      String table = target.contains(" ") ? target.substring(0, target.indexOf(' ')) : target;
      try (Statement st = s.twin.createStatement()) {
        st.execute("DELETE FROM twin." + table);
        if (!rows.isEmpty()) {
          // Each row travels as its record text and is read back as the twin table's row type.
          String type = table.equals("users") ? "twin.users_row" : "twin." + table;
          st.execute("INSERT INTO twin." + target + " SELECT (r::" + type + ").* FROM unnest(ARRAY[" + rows + "]::text[]) r");
        }
      }
    }
  }

  private static String firstDifference(String got, String want) {
    String[] g = got.split("\n");
    String[] w = want.split("\n");
    for (int i = 0; i < Math.min(g.length, w.length); i++) {
      if (!g[i].equals(w[i])) {
        return "mig " + g[i] + " / twin " + w[i];
      }
    }
    return "line count: mig " + g.length + " / twin " + w.length;
  }

  private static String single(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  // ---------------------------------------------------------------- what the rewriter makes of it

  /**
   * Asks the rewriter directly what it makes of each text at {@code phase} (once per phase and
   * text), with a catalog read now, and records it in the report.
   */
  void classify(Collection<String> sqls, Phase phase) throws SQLException {
    CutoverConnection cc;
    try (Connection c = cutover.getConnection()) {
      cc = c.unwrap(CutoverConnection.class);
      var snapshot = cc.currentSnapshot();
      Catalog catalog = new CatalogCache(1000).forSession(catalogConnection.unwrap(BaseConnection.class), "mig");
      for (String sql : sqls) {
        if (!classified.add(phase + "\u0000" + sql)) {
          continue;
        }
        try {
          Rewrite r = rewriter.rewrite(sql, snapshot, catalog);
          boolean changed = !r.sql().equals(sql) || r.parameterMap() != null;
          report.rewriting(sql, phase, changed ? DifferentialReport.Rewriting.REWRITTEN
              : DifferentialReport.Rewriting.UNCHANGED, changed ? r.sql() : null);
        } catch (RewriteRefusedException e) {
          report.rewriting(sql, phase, DifferentialReport.Rewriting.REFUSED, e.reason());
        }
      }
    }
  }

  // ---------------------------------------------------------------- phases and the CLI

  /** The phase the driver applies now. */
  Phase driverPhase() throws SQLException {
    try (Connection c = cutover.getConnection()) {
      for (ColumnMigration m : c.unwrap(CutoverConnection.class).currentSnapshot().migrations()) {
        if (m.id().equals(TwinTables.MIGRATION_ID)) {
          return m.phase();
        }
      }
    }
    throw new IllegalStateException("the driver does not know the migration");
  }

  /** Whether the driver applies a lazy cut-over of the migration now. */
  boolean driverLazy() throws SQLException {
    try (Connection c = cutover.getConnection()) {
      for (ColumnMigration m : c.unwrap(CutoverConnection.class).currentSnapshot().migrations()) {
        if (m.id().equals(TwinTables.MIGRATION_ID)) {
          return m.lazyRead();
        }
      }
    }
    return false;
  }

  /** What holds the migrating column's current value in {@code mig.users} at {@code phase}. */
  private String migRead(Phase phase) throws SQLException {
    return driverLazy() ? "coalesce(display_name, full_name)" : TwinTables.readColumn(phase);
  }

  String currentPhase() throws SQLException {
    return single(admin, "SELECT phase FROM cutover.migrations WHERE id = '" + TwinTables.MIGRATION_ID + "'");
  }

  void cli(String... args) {
    cli(db, args);
  }

  /** Runs {@code cutover ARGS} against {@code database}'s database and expects exit code 0. */
  static void cli(TestDatabase database, String... args) {
    assertThat(cliCode(database, args)).as("cutover %s (output above)", String.join(" ", args)).isZero();
  }

  int cliCode(String... args) {
    return cliCode(db, args);
  }

  /** Runs {@code cutover ARGS} against {@code database}'s database and returns the exit code. */
  static int cliCode(TestDatabase database, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--url", database.plainUrl(), "--user", database.user()));
    all.addAll(Arrays.asList(args));
    if (args[0].equals("advance")) {
      all.add("--yes"); // a script: entering completed is not asked about
    }
    int code = CutoverCommand.commandLine()
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(all.toArray(String[]::new));
    if (code != 0) {
      System.err.printf("cutover %s exited %d%nout: %s%nerr: %s%n", String.join(" ", args), code, out, err);
    }
    return code;
  }

  private HikariDataSource pool(String url) {
    return TestPools.open(db, url, 3);
  }
}
