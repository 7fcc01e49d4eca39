package dev.cutover.operator;

import dev.cutover.control.ControlSchema;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the {@link PhaseStep}s the {@link PhasePlanner} made, exactly: each precondition, each
 * action in order (skipping a statement whose {@code doneWhen} says it already ran), each
 * postcondition; everything it runs or skips goes to the {@link PhaseListener}.
 *
 * <p>Implementation notes: several migrations move in rounds. Before a round, one wait until every
 * live instance applied every moving migration's current epoch (the ones gone silent are fenced);
 * then each migration runs its step up to and including its phase change; then one wait until
 * every live instance applied the newest epoch (drivers apply the whole snapshot, so that covers
 * every migration of the round); then what each step runs after it. A column is dropped only after
 * every live instance acknowledged a phase that no longer uses it. The caller holds each
 * migration's session advisory lock for the whole command.
 */
final class PhaseExecutor {

  private final ConnectionSettings settings;
  private final PrintWriter progress;
  private final ControlSchema schema;
  private final MigrationRepository repo;
  private final PhaseListener listener;

  PhaseExecutor(ConnectionSettings settings, MigrationRepository repo, PhaseListener listener) {
    this.settings = settings;
    this.progress = PhaseListener.lines(listener, null); // the helpers' lines are the listener's notes
    this.schema = repo.schema();
    this.repo = repo;
    this.listener = listener;
  }

  /** The steps in the order they run: round by round, each migration's step of the round in the order given. */
  static List<PhaseStep> inRounds(Map<String, List<PhaseStep>> plans) {
    List<PhaseStep> all = new ArrayList<>();
    int rounds = plans.values().stream().mapToInt(List::size).max().orElse(0);
    for (int round = 0; round < rounds; round++) {
      for (List<PhaseStep> plan : plans.values()) {
        if (round < plan.size()) {
          all.add(plan.get(round));
        }
      }
    }
    return all;
  }

  /** The migrations' locks, released in reverse order. */
  static final class Locks implements AutoCloseable {
    private final List<MigrationRepository.Lock> held = new ArrayList<>();

    @Override
    public void close() throws SQLException {
      SQLException first = null;
      for (int i = held.size() - 1; i >= 0; i--) {
        try {
          held.get(i).close();
        } catch (SQLException e) {
          first = first == null ? e : first;
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }

  Locks lockAll(Connection c, List<String> ids, String command) throws SQLException {
    Locks locks = new Locks();
    try {
      for (String id : ids.stream().sorted().toList()) { // one order: two commands cannot each hold half
        locks.held.add(repo.lock(c, id, command));
      }
      return locks;
    } catch (SQLException | RuntimeException e) {
      locks.close();
      throw e;
    }
  }

  /**
   * Every precondition that can be known before the first step, for every step of every migration,
   * so that a move that would be refused half-way is refused before anything changes: completed's
   * (--keep-old, --backup, the quiet period), the lazy cut-over's key refusal, a partitioned
   * table's unchanged partitions, and the backfill
   * guard of read_new for every step but a migration's first (its own check runs first anyway);
   * when the new column does not exist yet, a table with values to copy cannot pass it.
   */
  void checkUpFront(Connection c, List<ColumnMigration> ms, Map<String, List<PhaseStep>> plans,
      AdvanceOptions options) throws SQLException {
    for (ColumnMigration m : ms) {
      List<PhaseStep> steps = plans.get(m.id());
      for (int i = 0; i < steps.size(); i++) {
        PhaseStep step = steps.get(i);
        boolean first = i == 0;
        for (PhaseStep.Check check : step.preconditions()) {
          switch (check.kind()) {
            case QUIET_PERIOD -> checkQuietPeriod(c, m, options);
            case COMPLETION_POSSIBLE -> checkCompletion(c, m, TableCatalog.requireTable(c, m.schema(), m.table()),
                options);
            case LAZY_INDEXES -> refuseLazyKey(c, m);
            case PARTITIONS_UNCHANGED -> PartitionedTable.checkUnchanged(c, schema, m, direction(step));
            case BACKFILL_VERIFIED -> {
              if (!first || ms.size() > 1) {
                predictBackfill(c, m, step, steps.get(0));
              }
            }
            default -> { }
          }
        }
      }
    }
  }

  /** Refuses up front a move whose read_new guard cannot pass once it gets there. */
  private void predictBackfill(Connection c, ColumnMigration m, PhaseStep step, PhaseStep first) throws SQLException {
    TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
    if (TableCatalog.findColumn(c, table.oid(), m.physicalNewColumn()).isPresent()) {
      Verifier.Result diff = Verifier.quickDiff(c, m);
      if (diff.differing() > 0) {
        throw OperatorException.guard("migration '" + m.id() + "' cannot reach " + step.to().sqlName() + ": "
            + diff.differing() + " row(s) of " + table.quoted() + " have " + Identifiers.quote(m.physicalNewColumn())
            + " different from " + m.fillSql() + " (first keys: " + String.join(", ", diff.firstKeys()) + "); run"
            + " `cutover backfill " + m.id() + "`, then `cutover verify " + m.id() + "`; nothing was changed");
      }
      return;
    }
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM (SELECT 1 FROM "
        + table.quoted() + " WHERE " + Identifiers.quote(m.oldColumn()) + " IS NOT NULL LIMIT 1000) t")) {
      rs.next();
      long rows = rs.getLong(1);
      if (rows > 0) {
        throw OperatorException.guard("migration '" + m.id() + "' cannot go from " + first.from().sqlName() + " to "
            + step.to().sqlName() + " in one command: " + (rows >= 1000 ? "1000 or more" : String.valueOf(rows))
            + " row(s) of " + table.quoted() + " have a value to copy into the new column, and read_new needs the"
            + " backfill first; run `cutover advance " + m.id() + "` (to dual_write), `cutover backfill " + m.id()
            + "`, `cutover verify " + m.id() + "`, then advance again (or --to read_new --lazy); nothing was changed");
      }
    }
  }

  /** The lazy cut-over's refusal of a key column (see {@link #checkLazyIndexes}), without its note. */
  private static void refuseLazyKey(Connection c, ColumnMigration m) throws SQLException {
    TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
    Optional<TableCatalog.Column> old = TableCatalog.findColumn(c, table.oid(), m.oldColumn());
    if (old.isPresent() && TypeChangeDdl.inPrimaryKey(c, table, old.get())) {
      checkLazyIndexes(c, m, table, PhaseListener.text(new PrintWriter(java.io.Writer.nullWriter())));
    }
  }

  /**
   * Runs the plans: round after round, each migration that has a step left takes one, behind one
   * wait for the fleet before the round (every live instance applied every migration's current
   * epoch) and one after its phase changes (every live instance applied the newest).
   */
  List<ColumnMigration> execute(Connection c, List<ColumnMigration> ms, Map<String, List<PhaseStep>> plans,
      AdvanceOptions options, String command) throws SQLException {
    AckWaiter acks = new AckWaiter(schema, options.instanceTtl(), progress);
    // Its retries (naming who blocks them) report through the listener, as JSON under --json.
    DdlRunner ddl = new DdlRunner(options.lockTimeout(), options.lockRetryBudget(), settings::open,
        line -> listener.note(null, line));
    Map<String, ColumnMigration> current = new LinkedHashMap<>();
    ms.forEach(m -> current.put(m.id(), m));
    for (int round = 0; ; round++) {
      List<PhaseStep> steps = new ArrayList<>();
      for (List<PhaseStep> plan : plans.values()) {
        if (round < plan.size()) {
          steps.add(plan.get(round));
        }
      }
      if (steps.isEmpty()) {
        break;
      }
      List<ColumnMigration> before = steps.stream().map(s -> current.get(s.migration())).toList();
      // As before every phase change: no live instance may still be a phase behind (it would be two
      // behind after this step), and the ones gone silent are fenced.
      long epoch = before.stream().mapToLong(ColumnMigration::epoch).max().orElseThrow();
      listener.awaiting(before.stream().map(ColumnMigration::id).toList(), epoch);
      acks.await(c, epoch, options.ackWait(),
          describe(before, s -> "phase " + s.phase().sqlName() + (s.lazyRead() ? " (lazy)" : "")));
      List<Integer> resume = new ArrayList<>();
      List<ColumnMigration> moved = new ArrayList<>();
      for (PhaseStep step : steps) {
        listener.stepStarted(step);
        ColumnMigration m = current.get(step.migration());
        for (PhaseStep.Check check : step.preconditions()) {
          checkAtStep(c, m, step, check, options);
        }
        int i = 0;
        for (; i < step.actions().size(); i++) {
          PhaseStep.Action action = step.actions().get(i);
          if (action.kind() == PhaseStep.ActionKind.AWAIT_ACKS) {
            break;
          }
          m = run(c, m, step, action, options, ddl, command);
          if (action.reported() != null) {
            listener.note(m.id(), action.reported());
          }
        }
        current.put(m.id(), m);
        moved.add(m);
        resume.add(i + 1);
      }
      if (steps.stream().anyMatch(s -> s.actions().stream().anyMatch(a -> a.kind() == PhaseStep.ActionKind.AWAIT_ACKS))) {
        awaitAfterChange(c, moved, options, acks);
      }
      for (int k = 0; k < steps.size(); k++) {
        PhaseStep step = steps.get(k);
        ColumnMigration m = current.get(step.migration());
        for (int i = resume.get(k); i < step.actions().size(); i++) {
          m = run(c, m, step, step.actions().get(i), options, ddl, command);
          if (step.actions().get(i).reported() != null) {
            listener.note(m.id(), step.actions().get(i).reported());
          }
        }
        current.put(m.id(), m);
        for (PhaseStep.Check check : step.postconditions()) {
          if (!query(c, check.sql())) {
            throw new OperatorException("migration '" + m.id() + "': after the step " + step.from().sqlName() + " -> "
                + step.to().sqlName() + ", " + check.description() + " does not hold (" + check.sql() + ")");
          }
        }
      }
    }
    return ms.stream().map(m -> current.get(m.id())).toList();
  }

  private static String describe(List<ColumnMigration> ms, java.util.function.Function<ColumnMigration, String> what) {
    return String.join(", ", ms.stream().map(m -> what.apply(m) + " of migration '" + m.id() + "'").toList());
  }

  /** What a refusal names the command: a step back is a rollback's. */
  private static String direction(PhaseStep step) {
    return step.to().ordinal() < step.from().ordinal() ? "rollback" : "advance";
  }

  /** Evaluates one precondition of {@code step} at the step (the fleet's acknowledgement is awaited per round). */
  private void checkAtStep(Connection c, ColumnMigration m, PhaseStep step, PhaseStep.Check check,
      AdvanceOptions options) throws SQLException {
    switch (check.kind()) {
      case ACKNOWLEDGED -> { }
      case NOT_LOCKED -> repo.checkNotLocked(c, m.id());
      case PARTITIONS_UNCHANGED -> PartitionedTable.checkUnchanged(c, schema, m, direction(step));
      case OLD_COLUMN_PRESENT -> {
        TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
        if (TableCatalog.findColumn(c, table.oid(), m.oldColumn()).isEmpty()) {
          throw new OperatorException("column " + Identifiers.quote(m.oldColumn()) + " of " + table.quoted()
              + " is gone");
        }
      }
      case BACKFILL_VERIFIED -> {
        TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
        Verifier.Result diff = Verifier.quickDiff(c, m);
        if (diff.differing() > 0 && step.from() == step.to()) {
          throw OperatorException.guard("migration '" + m.id() + "' is lazily cut over to read_new and "
              + diff.differing() + " row(s) of " + table.quoted() + " still have "
              + Identifiers.quote(m.physicalNewColumn()) + " different from " + m.fillSql() + " (first keys: "
              + String.join(", ", diff.firstKeys()) + "); run `cutover backfill " + m.id() + "`, then `cutover verify "
              + m.id() + "`, then advance again");
        }
        if (diff.differing() > 0) {
          throw OperatorException.guard("migration '" + m.id() + "' cannot read the new column yet: "
              + diff.differing() + " row(s) of " + table.quoted() + " have " + Identifiers.quote(m.physicalNewColumn())
              + " different from " + m.fillSql() + " (first keys: "
              + String.join(", ", diff.firstKeys()) + "); run `cutover backfill " + m.id() + "`, then `cutover verify "
              + m.id() + "`");
        }
        if (options.lazy() && step.from() != step.to()) {
          listener.note(m.id(), String.format("migration '%s': every row is backfilled already; entering read_new"
              + " normally", m.id()));
        }
        // Hot standbys serve reads too: each must have replayed the backfill before they read the new column.
        standbys(options).awaitReplayed(c, "the backfill of migration '" + m.id() + "'");
      }
      case FILLED_ROWS_AGREE -> {
        TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
        Verifier.Result filled = Verifier.quickDiff(c, m, true);
        if (filled.differing() > 0 && step.to() == Phase.READ_NEW) {
          throw OperatorException.guard("migration '" + m.id() + "' cannot be cut over lazily: "
              + filled.differing() + " row(s) of " + table.quoted() + " have " + Identifiers.quote(m.physicalNewColumn())
              + " filled and different from " + m.fillSql() + " (first keys: "
              + String.join(", ", filled.firstKeys()) + "), and a lazy read takes a filled new column as it is;"
              + " run `cutover backfill " + m.id() + "`, then advance again");
        }
        if (filled.differing() > 0) {
          throw OperatorException.guard("migration '" + m.id() + "' cannot read the old column again: "
              + filled.differing() + " row(s) have " + Identifiers.quote(m.physicalNewColumn()) + " filled and different"
              + " from " + m.fillSql() + " (first keys: " + String.join(", ", filled.firstKeys()) + ")");
        }
      }
      case LAZY_INDEXES -> checkLazyIndexes(c, m, TableCatalog.requireTable(c, m.schema(), m.table()), listener);
      case QUIET_PERIOD -> checkQuietPeriod(c, m, options);
      case COMPLETION_POSSIBLE -> checkCompletion(c, m, TableCatalog.requireTable(c, m.schema(), m.table()), options);
      case OLD_COLUMN_REFILLED -> {
        Verifier.Result diff = Verifier.quickDiff(c, m);
        if (diff.differing() > 0) {
          throw OperatorException.guard("migration '" + m.id() + "' cannot read the old column again: "
              + diff.differing() + " row(s) still have " + Identifiers.quote(m.oldColumn()) + " different from "
              + Identifiers.quote(m.physicalNewColumn()) + " (first keys: " + String.join(", ", diff.firstKeys())
              + "); run `cutover rollback " + m.id() + "` again");
        }
        standbys(options).awaitReplayed(c, "the refill of the old column of migration '" + m.id() + "'");
      }
      case SQL -> {
        if (!query(c, check.sql())) {
          throw OperatorException.guard("migration '" + m.id() + "': " + check.description() + " does not hold");
        }
      }
      default -> throw new IllegalStateException("unknown check " + check.kind());
    }
  }

  /** Runs one action of {@code step}; returns the migration as it is after it. */
  private ColumnMigration run(Connection c, ColumnMigration m, PhaseStep step, PhaseStep.Action action,
      AdvanceOptions options, DdlRunner ddl, String command) throws SQLException {
    switch (action.kind()) {
      case IN_TRANSACTION, VALIDATE -> {
        List<String> sql = pending(c, m, action);
        if (sql.isEmpty()) {
          return m;
        }
        try {
          ddl.inTransaction(c, sql.toArray(String[]::new));
        } catch (SQLException e) {
          if (action.kind() == PhaseStep.ActionKind.VALIDATE
              && ("23514".equals(e.getSQLState()) || "23502".equals(e.getSQLState())
                  || "23503".equals(e.getSQLState()))) {
            throw OperatorException.guard("cannot validate " + action.description() + " on "
                + Identifiers.quote(m.schema(), m.table()) + ": " + e.getMessage()
                + "; fix the rows (run `cutover backfill`, then `cutover verify`) and run the command again");
          }
          throw e;
        }
        return m;
      }
      case OUTSIDE_TRANSACTION -> {
        PhaseStep.Statement create = action.statements().get(0);
        TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
        Optional<TableCatalog.Index> existing = TableCatalog.findIndex(c, action.indexSchema(), action.indexName());
        if (existing.isPresent()) {
          // (a partitioned table's leaf index copies are on its partitions)
          if (existing.get().tableOid() != table.oid()
              && !PartitionedTable.partitionSet(c, table).containsKey(existing.get().tableOid())) {
            throw new OperatorException("cannot copy an index onto " + table.quoted() + ": the name "
                + action.indexName() + " is taken by another relation");
          }
          if (existing.get().valid()) {
            listener.skipped(m.id(), create.sql(), create.doneWhen());
            listener.note(m.id(), String.format("index %s exists already", Identifiers.quote(action.indexName())));
            return m;
          }
          RenameDdl.IndexCopy leftover = new RenameDdl.IndexCopy(null, action.indexSchema(), action.indexName(),
              create.sql());
          listener.note(m.id(), "an invalid leftover of an earlier failed build:");
          listener.sql(m.id(), leftover.dropSql());
          ddl.outsideTransaction(c, leftover.dropSql());
        }
        listener.sql(m.id(), create.sql());
        new IndexCopyRunner(settings, ddl, options.lockRetryBudget(), progress).run(c,
            new RenameDdl.IndexCopy(null, action.indexSchema(), action.indexName(), create.sql()));
        return m;
      }
      case REFILL_OLD -> {
        new Backfiller(schema, progress, settings::open).refillOld(c, m, options.refillBatchSize(), false);
        return m;
      }
      case REFILL_OLD_UNTIL_CLEAN -> {
        new Backfiller(schema, progress, settings::open).refillOld(c, m, options.refillBatchSize(), true);
        return m;
      }
      case MARK_OLD_STALE -> {
        if (m.oldStale()) {
          return m;
        }
        ColumnMigration marked = repo.setOldStale(c, m.id(), m.phase(), true, command + ": old column marked stale"
            + " before new_only");
        listener.phaseChanged(m.id(), m.phase(), m.phase(), marked.epoch(), String.format("migration '%s': %s marked"
            + " stale; conditions on it read %s until instances stop writing it (epoch %d)", m.id(),
            Identifiers.quote(m.oldColumn()), Identifiers.quote(m.physicalNewColumn()), marked.epoch()));
        return marked;
      }
      case CLEAR_OLD_STALE -> {
        if (!m.oldStale()) {
          return m;
        }
        ColumnMigration cleared = repo.setOldStale(c, m.id(), m.phase(), false, command + ": old column refilled");
        listener.phaseChanged(m.id(), m.phase(), m.phase(), cleared.epoch(), String.format("migration '%s': every"
            + " row's %s is refilled; conditions on it read it, and its indexes, again (epoch %d)", m.id(),
            Identifiers.quote(m.oldColumn()), cleared.epoch()));
        return cleared;
      }
      case CHECK -> {
        checkAtStep(c, m, step, PhaseStep.Check.of(action.check(), action.description()), options);
        return m;
      }
      case CHANGE_PHASE -> {
        return changePhase(c, m, step, action, options, ddl, command);
      }
      case RESET_BACKFILL -> {
        new Backfiller(schema, progress, settings::open).reset(c, m.id());
        return m;
      }
      case AWAIT_ACKS -> throw new IllegalStateException("the fleet's acknowledgement is awaited per round");
      default -> throw new IllegalStateException("unknown action " + action.kind());
    }
  }

  /**
   * The statements of {@code action} whose effect is not there yet, each reported in the plan's order
   * as about to run or as skipped.
   */
  private List<String> pending(Connection c, ColumnMigration m, PhaseStep.Action action) throws SQLException {
    List<String> sql = new ArrayList<>();
    for (PhaseStep.Statement s : action.statements()) {
      if (s.doneWhen() != null && query(c, s.doneWhen())) {
        listener.skipped(m.id(), s.sql(), s.doneWhen());
      } else {
        listener.sql(m.id(), s.sql());
        sql.add(s.sql());
      }
    }
    return sql;
  }

  private static boolean query(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  private ColumnMigration changePhase(Connection c, ColumnMigration m, PhaseStep step, PhaseStep.Action action,
      AdvanceOptions options, DdlRunner ddl, String command) throws SQLException {
    Phase from = step.from();
    Phase to = step.to();
    if (from != to && (to == Phase.NEW_ONLY || to == Phase.PLANNED)) {
      // The phase stops writing a column; drivers on standbys write no heartbeat for the fleet's wait.
      standbys(options).awaitBeforeWritesStop(c, m.id(), to.sqlName() + " stops writing "
          + Identifiers.quote(to == Phase.NEW_ONLY ? m.oldColumn() : m.newColumn()));
    }
    if (!action.statements().isEmpty()) {
      List<String> sql = action.statements().stream().map(PhaseStep.Statement::sql).toList();
      sql.forEach(s -> listener.sql(m.id(), s));
      ColumnMigration[] moved = new ColumnMigration[1];
      ddl.inTransaction(c, tx -> moved[0] = repo.changePhaseInTransaction(tx, m.id(), from, to, command),
          sql.toArray(String[]::new));
      listener.phaseChanged(m.id(), from, to, moved[0].epoch(), String.format("migration '%s': %s -> %s (epoch %d)",
          m.id(), from.sqlName(), to.sqlName(), moved[0].epoch()));
      return moved[0];
    }
    if (Boolean.TRUE.equals(step.lazy())) {
      Verifier.Result diff = Verifier.quickDiff(c, m);
      ColumnMigration moved = repo.changePhase(c, m.id(), from, to, true, "advance --lazy ("
          + diff.differing() + " row(s) not backfilled yet)");
      listener.phaseChanged(m.id(), from, to, moved.epoch(), String.format("migration '%s': %s -> %s, lazily (epoch %d):"
          + " %d row(s) not backfilled yet are read as %s until they are", m.id(), from.sqlName(), to.sqlName(),
          moved.epoch(), diff.differing(), moved.readSql(moved.newColumn(), "")));
      listener.note(m.id(), String.format("next: `cutover backfill %s`, `cutover verify %s`; new_only is refused until"
          + " then", m.id(), m.id()));
      return moved;
    }
    if (Boolean.FALSE.equals(step.lazy()) && from == to) {
      ColumnMigration cleared = repo.changePhase(c, m.id(), from, to, false,
          "advance: lazy cut-over finished (backfill verified)");
      listener.phaseChanged(m.id(), from, to, cleared.epoch(), String.format("migration '%s': backfill verified, lazy"
          + " cut-over finished; reads use %s alone (epoch %d)", m.id(), Identifiers.quote(cleared.physicalNewColumn()),
          cleared.epoch()));
      return cleared;
    }
    if (Boolean.FALSE.equals(step.lazy())) {
      ColumnMigration moved = repo.changePhase(c, m.id(), from, to, false, command + " (lazy cut-over cleared)");
      listener.phaseChanged(m.id(), from, to, moved.epoch(), String.format("migration '%s': %s (lazy) -> %s (epoch %d)",
          m.id(), from.sqlName(), to.sqlName(), moved.epoch()));
      return moved;
    }
    ColumnMigration moved = repo.changePhase(c, m.id(), from, to, command);
    listener.phaseChanged(m.id(), from, to, moved.epoch(), String.format("migration '%s': %s -> %s (epoch %d)", m.id(),
        from.sqlName(), to.sqlName(), moved.epoch()));
    return moved;
  }


  /** The waits for standbys before a phase change (see {@link StandbyCatchUp}). */
  private StandbyCatchUp standbys(AdvanceOptions options) {
    return new StandbyCatchUp(options.ackWait(), options.instanceTtl(), progress);
  }

  /**
   * Lazily cut over, reads filter on {@code COALESCE(new, up(old))}, which no index of either
   * column serves: refused for a primary key column (every lookup by key would scan the table),
   * and a note naming the other indexes that reads of the column stop using until it ends.
   */
  private static void checkLazyIndexes(Connection c, ColumnMigration m, TableCatalog.Table table,
      PhaseListener listener) throws SQLException {
    TableCatalog.Column old = TableCatalog.findColumn(c, table.oid(), m.oldColumn()).orElseThrow(() ->
        new OperatorException("column " + Identifiers.quote(m.oldColumn()) + " of " + table.quoted() + " is gone"));
    if (TypeChangeDdl.inPrimaryKey(c, table, old)) {
      throw OperatorException.guard("migration '" + m.id() + "': " + Identifiers.quote(m.oldColumn())
          + " is in the primary key of " + table.quoted() + "; lazily cut over, reads would filter on "
          + m.at(Phase.READ_NEW, 0).withLazy(true).readSql(m.newColumn(), "") + ", which no index serves, so every"
          + " lookup by key would scan the table. Run `cutover backfill " + m.id() + "` and advance without --lazy");
    }
    List<String> names = new ArrayList<>();
    for (TableCatalog.Index index : TableCatalog.indexesUsing(c, table.oid(), old.attnum())) {
      names.add(Identifiers.quote(index.name()));
    }
    if (!names.isEmpty()) {
      listener.note(m.id(), String.format("note: until the lazy cut-over ends, reads that filter or sort on %s cannot"
          + " use index(es) %s; run the backfill soon", Identifiers.quote(m.newColumn()), String.join(", ", names)));
    }
  }


  /**
   * The preconditions of entering {@code completed} that depend only on the table and the options
   * ({@code --keep-old}, {@code --backup}), checked before the first step of a multi-step advance
   * and again at the step itself.
   *
   * @return whether the old column still exists
   */
  private static boolean checkCompletion(Connection c, ColumnMigration m, TableCatalog.Table table,
      AdvanceOptions options) throws SQLException {
    String deprecated = RenameDdl.deprecatedName(m.oldColumn());
    boolean oldExists = TableCatalog.findColumn(c, table.oid(), m.oldColumn()).isPresent();
    if (options.keepOld() && oldExists && TableCatalog.findColumn(c, table.oid(), deprecated).isPresent()) {
      throw new OperatorException("cannot keep the old column as " + Identifiers.quote(deprecated) + ": "
          + table.quoted() + " has a column of that name already; rename or drop it, or advance without --keep-old");
    }
    if (options.backup() && oldExists) {
      if (TableCatalog.primaryKey(c, table.oid()).isEmpty()) {
        throw new OperatorException("cannot back up " + Identifiers.quote(m.oldColumn()) + ": " + table.quoted()
            + " has no primary key to identify the rows");
      }
      String backup = RenameDdl.backupTable(table, m.oldColumn());
      if (TableCatalog.findTable(c, table.schema(), backup).isPresent()) {
        throw new OperatorException("cannot back up " + Identifiers.quote(m.oldColumn()) + ": "
            + Identifiers.quote(table.schema(), backup) + " exists already; rename or drop it, then run the command"
            + " again");
      }
    }
    return oldExists;
  }

  /** After the phase changes of a round: one wait until every live instance applied the newest epoch. */
  private void awaitAfterChange(Connection c, List<ColumnMigration> moved, AdvanceOptions options, AckWaiter acks)
      throws SQLException {
    String phases = String.join(", ", moved.stream().map(m -> m.phase().sqlName()).distinct().toList());
    long epoch = moved.stream().mapToLong(ColumnMigration::epoch).max().orElseThrow();
    listener.awaiting(moved.stream().map(ColumnMigration::id).toList(), epoch);
    try {
      acks.await(c, epoch, options.ackWait(),
          describe(moved, m -> "phase " + m.phase().sqlName()));
    } catch (OperatorException e) {
      throw OperatorException.guard("the phase change to " + phases + " is recorded, but "
          + e.getMessage() + " The next advance or rollback waits for them first.");
    } catch (SQLException e) {
      // Never a crash once the phase is recorded (a lost connection, a bad row): say what holds.
      throw OperatorException.guard("the phase change to " + phases + " is recorded, but waiting"
          + " for the instances to acknowledge it failed (" + e.getSQLState() + ": " + e.getMessage() + ")."
          + " The next advance or rollback waits for them first.");
    }
  }

  private void checkQuietPeriod(Connection c, ColumnMigration m, AdvanceOptions options) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT u.instance, extract(epoch FROM now() - u.old_used_at)::float8"
        + " FROM " + schema.qualify("name_usage") + " u JOIN " + schema.qualify("instances") + " i USING (instance)"
        + " WHERE u.migration_id = ? AND i.heartbeat_at > now() - make_interval(secs => ?)"
        + " AND u.old_used_at > now() - make_interval(secs => ?) ORDER BY u.old_used_at DESC")) {
      ps.setString(1, m.id());
      ps.setDouble(2, options.instanceTtl().toMillis() / 1000.0);
      ps.setDouble(3, options.quietPeriod().toMillis() / 1000.0);
      try (ResultSet rs = ps.executeQuery()) {
        List<String> users = new ArrayList<>();
        while (rs.next()) {
          users.add(String.format(java.util.Locale.ROOT, "%s (%.0fs ago)", rs.getString(1), rs.getDouble(2)));
        }
        if (!users.isEmpty()) {
          throw OperatorException.guard("migration '" + m.id() + "': the old name " + Identifiers.quote(m.oldColumn())
              + " was used within the quiet period of " + Durations.format(options.quietPeriod()) + " by "
              + String.join(", ", users) + "; deploy code that uses " + Identifiers.quote(m.newColumn())
              + " and wait, or pass --force");
        }
      }
    }
  }
}
