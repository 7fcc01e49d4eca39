package dev.cutover.operator;

import dev.cutover.control.ControlSchema;
import dev.cutover.control.install.ControlSchemaInstaller;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's commands as plain Java: what {@code cutover} runs, and what a demo or an
 * integration test calls directly. Every method opens its own connection(s) from the settings.
 *
 * <p>Implementation notes: a phase change runs in this order: (1) every live instance has
 * acknowledged the current phase; (2) the phase's DDL, each statement in its own transaction
 * under {@code lock_timeout} (or outside any for {@code CONCURRENTLY}); (3) the phase change and
 * its audit row in one transaction that locks the migration row {@code NOWAIT}; (4) wait until
 * every live instance applied the new epoch. A column is dropped only after every live instance
 * acknowledged a phase that no longer uses it. A session advisory lock per migration keeps a
 * second {@code cutover} off the same migration for the whole command. Every DDL is idempotent
 * so a command that crashed half-way can simply be run again.
 */
public final class Operator {

  /**
   * The outcome of {@code plan}.
   *
   * @param migration the registered migration ({@code null} on a dry run)
   * @param ddl the DDL each phase will run, in phase order
   * @param findings what plan-time inspection found using the column (none refused, or plan would have failed)
   */
  public record PlanResult(ColumnMigration migration, Map<Phase, List<String>> ddl,
      List<ColumnInspector.Finding> findings) {}

  private final ConnectionSettings settings;
  private final PrintWriter out;
  private final ControlSchema schema;
  private final MigrationRepository repo;
  private final PhasePlanner planner;
  private final PhaseListener listener;

  /**
   * @param settings where to connect
   * @param out where progress and results are printed
   */
  public Operator(ConnectionSettings settings, PrintWriter out) {
    this(settings, out, PhaseListener.text(out));
  }

  /**
   * @param settings where to connect
   * @param out where progress other than the phase changes' is printed
   * @param listener where the phase changes report (their statements, phases, notes, dry-run plans)
   */
  public Operator(ConnectionSettings settings, PrintWriter out, PhaseListener listener) {
    this.settings = settings;
    this.out = out;
    this.schema = new ControlSchema(settings.controlSchema());
    this.repo = new MigrationRepository(schema);
    this.planner = new PhasePlanner(repo);
    this.listener = listener;
  }

  /** Creates the control schema (idempotent). */
  public void init() throws SQLException {
    init(List.of());
  }

  /**
   * Creates the control schema (idempotent) and grants each of {@code applicationRoles} the minimum
   * the driver needs: {@code USAGE} on the schema, {@code SELECT} on {@code migrations} and
   * {@code schema_version}, and {@code SELECT, INSERT, UPDATE, DELETE} on {@code instances} and
   * {@code name_usage} (its own heartbeat and old-name use). Nothing else: no phase change, no audit,
   * no backfill state, no epochs.
   *
   * @param applicationRoles role names as PostgreSQL stores them
   */
  public void init(List<String> applicationRoles) throws SQLException {
    try (Connection c = settings.open()) {
      int before = schema.installedVersion(c);
      ControlSchemaInstaller.install(c, schema.name());
      if (before > 0 && before < ControlSchema.VERSION) {
        auditUpgrade(c, before);
      }
      if (!applicationRoles.isEmpty()) {
        DdlRunner ddl = new DdlRunner(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(60), out);
        for (String role : applicationRoles) {
          ddl.inTransaction(c, applicationGrants(role).toArray(String[]::new));
          out.printf("granted role %s what the Cutover driver needs in \"%s\" (read migrations, write its own"
              + " heartbeat); phase changes stay with the operator's role%n", Identifiers.quote(role), schema.name());
        }
      }
    }
    out.printf("control schema \"%s\" is ready (version %d)%n", schema.name(), ControlSchema.VERSION);
    out.flush();
  }

  /**
   * On the record, next to each unfinished migration (no phase change, no new epoch): the control
   * schema was upgraded from {@code before}.
   */
  private void auditUpgrade(Connection c, int before) throws SQLException {
    String detail = "control schema upgraded from version " + before + " to " + ControlSchema.VERSION
        + (before < ControlSchema.GUARDED_INSTANCES_VERSION ? " (guarded instance rows)" : "");
    for (ColumnMigration m : repo.all(c)) {
      if (m.phase() != Phase.COMPLETED) {
        repo.audit(c, m.id(), m.phase(), m.phase(), detail, m.epoch());
      }
    }
    out.printf("upgraded the control schema \"%s\" from version %d to %d%n", schema.name(), before, ControlSchema.VERSION);
  }

  /**
   * The GRANTs {@code init --grant ROLE} runs. Writes to {@code instances} and {@code name_usage}
   * pass the control schema's guards (see schema-v3.sql): server times, valid epochs, a row held by
   * a live driver is not writable by another session, name use is never deleted (hence no DELETE;
   * REVOKEd for roles granted by an earlier version).
   */
  public List<String> applicationGrants(String role) {
    String r = Identifiers.quote(role);
    return List.of(
        "GRANT USAGE ON SCHEMA " + Identifiers.quote(schema.name()) + " TO " + r,
        "GRANT SELECT ON " + schema.qualify("migrations") + ", " + schema.qualify("schema_version") + " TO " + r,
        "GRANT SELECT, INSERT, UPDATE, DELETE ON " + schema.qualify("instances") + " TO " + r,
        "GRANT SELECT, INSERT, UPDATE ON " + schema.qualify("name_usage") + " TO " + r,
        "REVOKE DELETE, TRUNCATE ON " + schema.qualify("name_usage") + " FROM " + r,
        "GRANT EXECUTE ON FUNCTION " + schema.qualify("instance_heartbeat") + "(text, bigint, text, boolean), "
            + schema.qualify("instance_deregister") + "(text, text) TO " + r);
  }

  /**
   * Validates migration file {@code file} against the database and registers it in {@code planned}
   * (or, with {@code dryRun}, only prints the DDL each phase would run).
   *
   * @throws InvalidMigrationFileException naming the file, the field and the reason; nothing changed
   */
  public PlanResult plan(Path file, boolean dryRun) throws SQLException {
    return plan(file, dryRun, false);
  }

  /**
   * {@link #plan(Path, boolean)}; with {@code checkAll}, a type change's {@code up} is first run over
   * every row of the table (not only the sample every plan checks), and the plan is refused naming
   * the first row it cannot convert.
   */
  public PlanResult plan(Path file, boolean dryRun, boolean checkAll) throws SQLException {
    MigrationFile spec = new MigrationFileParser().parse(file);
    try {
      return plan(file, spec, dryRun, checkAll);
    } catch (UnconvertibleTable e) {
      // The plan's transaction is rolled back (nothing registered); find the row outside it.
      try (Connection c = settings.open()) {
        TableCatalog.Table table = TableCatalog.requireTable(c, e.migration.schema(), e.migration.table());
        RowKey key = Verifier.walkKey(c, table, e.migration);
        String max = key.max(c, table.quoted());
        if (max != null) {
          ConversionErrors.locate(c, e.migration, table, key, e.migration.oldColumn(), e.migration.typedFillSql(), null,
              max, "plan --check-all");
        }
      }
      throw new InvalidMigrationFileException(file, "changeType.up", "cannot convert every row of the table ("
          + TypeChangeCheck.firstLine(e.cause) + ")");
    }
  }

  /** {@code up} failed on some row of the whole table (plan --check-all). */
  private static final class UnconvertibleTable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ColumnMigration migration;
    private final transient SQLException cause;

    UnconvertibleTable(ColumnMigration migration, SQLException cause) {
      super(cause.getMessage(), null, false, false);
      this.migration = migration;
      this.cause = cause;
    }
  }

  private PlanResult plan(Path file, MigrationFile spec, boolean dryRun, boolean checkAll) throws SQLException {
    try (Connection c = settings.open()) {
      repo.requireInstalled(c);
      c.setAutoCommit(false);
      try {
        // Serialise plans so two of them cannot both pass the checks below.
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?), hashtext('plan'))")) {
          ps.setString(1, schema.name());
          ps.execute();
        }
        Resolved r = validate(c, spec);
        ColumnMigration model = r.model();
        List<ColumnInspector.Finding> findings = new ArrayList<>(
            ColumnInspector.inspect(c, r.table(), r.oldColumn(), schema.name()));
        if (!model.isRename()) {
          findings = TypeChangeDdl.adjust(c, r.table(), r.oldColumn(), model, findings);
          findings.addAll(TypeChangeDdl.findings(c, r.table(), r.oldColumn(), model));
        }
        findings.addAll(ConstraintDdl.nullFailingChecks(c, r.table(), r.oldColumn()));
        ColumnInspector.Finding volatileDefault = RenameDdl.volatileDefaultFinding(c, r.oldColumn(), model);
        if (volatileDefault != null) {
          findings.add(0, volatileDefault);
        }
        if (checkAll && !model.isRename()) {
          try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*), count("
              + model.typedFillSql() + ") FROM " + r.table().quoted())) {
            rs.next();
            out.printf("check-all: up converts every one of the %d rows of %s%n", rs.getLong(1), r.table().quoted());
          } catch (SQLException e) {
            if (ConversionErrors.isDataError(e)) {
              throw new UnconvertibleTable(model, e);
            }
            throw e;
          }
        }
        Map<Phase, List<String>> ddl = phaseDdl(c, model);
        printFindings(r.table(), r.oldColumn(), findings);
        for (String warning : r.warnings()) {
          out.printf("warning: %s%n", warning);
        }
        if (dryRun) {
          c.rollback();
          printDdl(spec.id(), ddl, r.table(), r.oldColumn(), model);
        }
        refuseFindings(spec, r.table(), findings);
        if (dryRun) {
          return new PlanResult(null, ddl, findings);
        }
        repo.lockEpochs(c);
        repo.register(c, model, spec.json(), file.toString(),
            TableCatalog.columnBefore(c, r.table().oid(), model.oldColumn()), r.oldColumn().notNull());
        ColumnMigration m = repo.find(c, spec.id()).orElseThrow();
        repo.audit(c, spec.id(), null, Phase.PLANNED, "plan " + file, m.epoch());
        c.commit();
        out.printf("planned migration '%s': %s.%s -> %s%s (epoch %d)%n", m.id(),
            Identifiers.quote(m.schema(), m.table()), Identifiers.quote(m.oldColumn()),
            Identifiers.quote(m.newColumn()), m.isRename() ? "" : " " + m.newType()
                + (m.isInPlace() ? " in place (new column " + Identifiers.quote(m.physicalNewColumn()) + " until completed)" : ""),
            m.epoch());
        out.printf("next: `cutover advance %s` adds the new column and starts dual writes%n", m.id());
        out.flush();
        return new PlanResult(m, ddl, findings);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private record Resolved(TableCatalog.Table table, TableCatalog.Column oldColumn, ColumnMigration model,
      List<String> warnings) {}

  private Resolved validate(Connection c, MigrationFile spec) throws SQLException {
    Path file = spec.source();
    if (repo.find(c, spec.id()).isPresent()) {
      throw new InvalidMigrationFileException(file, "id",
          "a migration with id '" + spec.id() + "' already exists (ids are never reused; pick another)");
    }
    String shown = spec.schema() == null ? Identifiers.quote(spec.table()) : Identifiers.quote(spec.schema(), spec.table());
    TableCatalog.Table table = TableCatalog.findTable(c, spec.schema(), spec.table())
        .orElseThrow(() -> new InvalidMigrationFileException(file, "table", "table " + shown + " does not exist"
            + (spec.schema() == null ? " in the search_path" : "")));
    if (table.kind() != 'r') {
      throw new InvalidMigrationFileException(file, "table", shown + " is not an ordinary table (relkind '"
          + table.kind() + "'): only plain tables can be migrated for now");
    }
    MigrationFile.ChangeType change = spec.changeType();
    String fromField = change == null ? "rename.from" : "changeType.column";
    String toField = change == null ? "rename.to" : "changeType.to";
    String from = spec.oldColumn();
    // changeType.to equal to the column is an in-place change, as when it is left out.
    boolean renamed = change == null || change.to() != null && !change.to().equals(from);
    String to = change == null ? spec.rename().to() : renamed ? change.to() : from;
    String physical = renamed ? to : Identifiers.withSuffix(from, IN_PLACE_SUFFIX);
    TableCatalog.Column old = TableCatalog.findColumn(c, table.oid(), from)
        .orElseThrow(() -> new InvalidMigrationFileException(file, fromField,
            "column " + Identifiers.quote(from) + " does not exist in " + table.quoted()));
    if (old.generated()) {
      throw new InvalidMigrationFileException(file, fromField,
          "column " + Identifiers.quote(old.name()) + " is a generated column, which cannot be dual-written");
    }
    if (!to.equals(from) && TableCatalog.findColumn(c, table.oid(), to).isPresent()) {
      throw new InvalidMigrationFileException(file, toField,
          "column " + Identifiers.quote(to) + " already exists in " + table.quoted());
    }
    if (!physical.equals(to) && TableCatalog.findColumn(c, table.oid(), physical).isPresent()) {
      throw new InvalidMigrationFileException(file, fromField, "column " + Identifiers.quote(physical)
          + ", which Cutover adds for an in-place type change, already exists in " + table.quoted()
          + " (a leftover of an earlier migration? drop it first)");
    }
    if (change != null && old.identity()) {
      throw new InvalidMigrationFileException(file, fromField, "column " + Identifiers.quote(old.name())
          + " is an identity column; type changes of identity columns are not supported yet");
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT id, old_column, new_column FROM " + schema.qualify("migrations")
        + " WHERE table_schema = ? AND table_name = ? AND phase <> 'completed'"
        + " AND (old_column IN (?, ?) OR new_column IN (?, ?) OR physical_new_column IN (?, ?)) ORDER BY id LIMIT 1")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.name());
      for (int i = 0; i < 3; i++) {
        ps.setString(3 + 2 * i, from);
        ps.setString(4 + 2 * i, physical);
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          boolean onFrom = from.equals(rs.getString(2)) || from.equals(rs.getString(3));
          throw new InvalidMigrationFileException(file, onFrom ? fromField : toField,
              "migration '" + rs.getString(1) + "' on " + table.quoted() + "." + Identifiers.quote(rs.getString(2))
                  + " is not completed yet; one unfinished migration per column");
        }
      }
    }
    if (change == null) {
      return new Resolved(table, old,
          ColumnMigration.rename(spec.id(), table.schema(), table.name(), from, to, Phase.PLANNED, 0), List.of());
    }
    ColumnMigration draft = new ColumnMigration(spec.id(), table.schema(), table.name(), from, to, physical,
        change.up(), change.down(), null, null, Phase.PLANNED, 0, null); // no casts: the checks add their own
    TypeChangeCheck.Checked checked = TypeChangeCheck.check(c, file, table, old, draft, change.type());
    return new Resolved(table, old, new ColumnMigration(spec.id(), table.schema(), table.name(), from, to, physical,
        change.up(), change.down(), checked.newType(), old.type(), Phase.PLANNED, 0, null), checked.warnings());
  }

  /** Suffix of the column an in-place type change adds: {@code <column>__cutover_new}. */
  public static final String IN_PLACE_SUFFIX = "__cutover_new";

  /**
   * The DDL each phase runs, for {@code plan --dry-run}: the statements of the {@link PhasePlanner}'s
   * steps from planned to completed (each once; what runs only after the fleet acknowledged the
   * phase marked with {@link #AFTER_ACKS}).
   */
  private Map<Phase, List<String>> phaseDdl(Connection c, ColumnMigration m) throws SQLException {
    Map<Phase, List<String>> ddl = new EnumMap<>(Phase.class);
    for (Phase p : Phase.values()) {
      ddl.put(p, new ArrayList<>());
    }
    AdvanceOptions options = new AdvanceOptions(Phase.COMPLETED, java.time.Duration.ZERO, true,
        java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(60), java.time.Duration.ZERO,
        AckWaiter.DEFAULT_TTL, 1000, false, false, false);
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (PhaseStep step : planner.forward(c, m, Phase.COMPLETED, options)) {
      boolean afterAcks = false;
      for (PhaseStep.Action action : step.actions()) {
        afterAcks |= action.kind() == PhaseStep.ActionKind.AWAIT_ACKS;
        for (PhaseStep.Statement s : action.statements()) {
          if (seen.add(s.sql())) {
            ddl.get(step.to()).add((afterAcks ? AFTER_ACKS : "") + s.sql());
          }
        }
      }
    }
    return ddl;
  }

  /** Marks, in the dry run's DDL, what runs only once every live instance has applied the phase. */
  static final String AFTER_ACKS = "-- once every instance has applied dual_write: ";

  private void printFindings(TableCatalog.Table table, TableCatalog.Column old, List<ColumnInspector.Finding> findings) {
    if (findings.isEmpty()) {
      out.printf("inspection: nothing in the database uses %s.%s besides its indexes%n", table.quoted(),
          Identifiers.quote(old.name()));
    } else {
      out.printf("inspection of what uses %s.%s server-side (the driver cannot see it):%n", table.quoted(),
          Identifiers.quote(old.name()));
      for (ColumnInspector.Finding f : findings) {
        out.printf("  %s%n", f.describe());
      }
    }
    out.flush();
  }

  private static void refuseFindings(MigrationFile spec, TableCatalog.Table table, List<ColumnInspector.Finding> findings) {
    List<String> refused = findings.stream().filter(f -> f.verdict() == ColumnInspector.Verdict.REFUSE)
        .map(f -> f.kind() + ": " + f.object() + ": " + f.step()).toList();
    if (!refused.isEmpty()) {
      throw new InvalidMigrationFileException(spec.source(), spec.rename() != null ? "rename.from" : "changeType.column", "column "
          + Identifiers.quote(spec.oldColumn()) + " of " + table.quoted() + " is used by " + refused.size()
          + " object(s) the migration would break: " + String.join("; ", refused));
    }
  }

  private void printDdl(String id, Map<Phase, List<String>> ddl, TableCatalog.Table table, TableCatalog.Column old,
      ColumnMigration m) {
    String newName = m.physicalNewColumn();
    // For a type change the new column holds up(old) and a refill writes down(new).
    String equals = m.isRename() ? "equals the old one" : "equals " + m.fillSql();
    String refill = m.isRename() ? Identifiers.quote(old.name()) + " from " + Identifiers.quote(newName)
        : Identifiers.quote(old.name()) + " = " + m.refillSql();
    out.printf("dry run of migration '%s' (nothing changed); DDL run on entering each phase:%n", id);
    for (Map.Entry<Phase, List<String>> e : ddl.entrySet()) {
      Phase p = e.getKey();
      out.printf("%s:%n", p.sqlName());
      if (p == Phase.READ_NEW) {
        out.printf("  -- guard: every row's new column %s (backfill, then verify)%n", equals);
        out.printf("  -- with --lazy: no guard and no DDL yet; reads use %s until the backfill is verified%n",
            m.at(Phase.READ_NEW, 0).withLazy(true).readSql(m.newColumn(), ""));
      } else if (e.getValue().isEmpty()) {
        out.println("  -- no DDL");
      }
      for (String sql : e.getValue()) {
        out.printf("  %s;%n", sql);
      }
      if (p == Phase.COMPLETED) {
        out.printf("  -- with --backup, first: %s;%n", RenameDdl.backupSql(table, old.name(), List.of("<primary key>")));
        out.printf("  -- with --keep-old, instead of the drop: %s;%n", RenameDdl.keepOldSql(table, old.name()));
      }
    }
    out.println("rollback:");
    if (old.notNull()) {
      out.printf("  new_only -> read_new: refill %s, then:%n", refill);
      for (String sql : ConstraintDdl.notNullPath(table, old.name())) {
        out.printf("    %s;%n", sql);
      }
    } else {
      out.printf("  new_only -> read_new: refill %s (no DDL)%n", refill);
    }
    out.printf("  read_new -> dual_write: no DDL (guard: the new column %s again)%n", equals);
    out.printf("  dual_write -> planned: first the new column's NOT NULL and check copies are dropped (planned does"
        + " not write it), then, once every instance is at planned: %s;%n", RenameDdl.dropColumn(table, newName));
    out.flush();
  }

  /**
   * Moves migration {@code id} forward one phase, or stepwise to {@code options.to()}.
   *
   * @return the migration at the phase reached
   * @throws OperatorException exit code 3 when a guard refused (acknowledgements, backfill, quiet period)
   */
  public ColumnMigration advance(String id, AdvanceOptions options) throws SQLException {
    return advance(id, options, what -> true);
  }

  /**
   * Asked, before the first step, whether to go on when an advance reaches {@code completed}.
   */
  @FunctionalInterface
  public interface Confirmation {
    /**
     * @param summary what entering completed destroys, in words
     * @return whether to go on; {@code false} refuses the advance with nothing changed
     */
    boolean confirm(String summary);
  }

  /**
   * {@link #advance(String, AdvanceOptions)}, asking {@code confirmation} (under the migration's
   * lock, after every precondition of completed that can be checked up front) before the first step
   * of an advance that reaches {@code completed}.
   */
  public ColumnMigration advance(String id, AdvanceOptions options, Confirmation confirmation) throws SQLException {
    return advance(List.of(id), options, confirmation, false).migrations().get(0);
  }

  /**
   * What an advance or a rollback did, or (on a dry run) would do.
   *
   * @param migrations each migration at the phase reached (on a dry run: where it is now), in the order given
   * @param steps the plan: every step, in the order it runs
   * @param dryRun whether nothing was changed
   */
  public record PhaseRun(List<ColumnMigration> migrations, List<PhaseStep> steps, boolean dryRun) {}

  /**
   * Moves migrations {@code ids} forward together, one phase or stepwise to {@code options.to()}:
   * every step of every migration is planned, and every precondition that does not depend on an
   * earlier step is checked, before the first step runs; then each round moves every migration one
   * step, behind one wait for the fleet's acknowledgement before it and one after it. With
   * {@code dryRun}, the plan is reported and nothing changes (no lock is taken, no confirmation
   * asked).
   */
  public PhaseRun advance(List<String> ids, AdvanceOptions options, Confirmation confirmation, boolean dryRun)
      throws SQLException {
    List<String> distinct = distinct(ids);
    try (Connection c = settings.open(); Locks locks = dryRun ? new Locks() : lockAll(c, distinct, "advance")) {
      List<ColumnMigration> ms = new ArrayList<>();
      Map<String, List<PhaseStep>> plans = new LinkedHashMap<>();
      for (String id : distinct) {
        ColumnMigration m = repo.require(c, id);
        Phase target = options.to() == null ? m.phase().next() : options.to();
        if (target == null) {
          throw new OperatorException("migration '" + id + "' is completed; there is no phase after it");
        }
        if (target.ordinal() < m.phase().ordinal()) {
          throw new OperatorException("migration '" + id + "' is at " + m.phase().sqlName() + ", after "
              + target.sqlName() + ": use `cutover rollback " + id + " --to " + target.sqlName() + "` to move back");
        }
        if (options.lazy()) {
          checkLazyTarget(m, target);
        }
        ms.add(m);
        plans.put(id, planner.forward(c, m, target, options));
      }
      checkUpFront(c, ms, plans, options);
      List<PhaseStep> all = inRounds(plans);
      if (dryRun) {
        listener.plan(all);
        return new PhaseRun(ms, all, true);
      }
      List<String> summaries = new ArrayList<>();
      for (ColumnMigration m : ms) {
        if (plans.get(m.id()).stream().anyMatch(s -> s.to() == Phase.COMPLETED)) {
          summaries.add(completionSummary(m, TableCatalog.requireTable(c, m.schema(), m.table()), options));
        }
      }
      if (!summaries.isEmpty() && !confirmation.confirm(String.join("; ", summaries))) {
        throw OperatorException.usage("not confirmed: " + String.join(", ", ms.stream().map(m -> "migration '"
            + m.id() + "' stays at " + m.phase().sqlName()).toList()) + "; nothing was changed");
      }
      if (options.lazy() && !all.isEmpty() && schema.installedVersion(c) < ControlSchema.LAZY_VERSION) {
        ControlSchemaInstaller.install(c, schema.name());
        for (ColumnMigration m : ms) {
          // On the record next to the lazy cut-over that needed it (no phase change, no new epoch).
          repo.audit(c, m.id(), m.phase(), m.phase(), "control schema upgraded to version " + ControlSchema.VERSION
              + " (lazy cut-over)", m.epoch());
        }
        listener.note(null, String.format("upgraded the control schema \"%s\" to version %d (the lazy cut-over flag)",
            schema.name(), ControlSchema.VERSION));
      }
      for (ColumnMigration m : ms) {
        if (plans.get(m.id()).isEmpty()) {
          listener.note(m.id(), String.format("migration '%s' is already at %s%s", m.id(), m.phase().sqlName(),
              m.lazyRead() ? " (lazily cut over)" : ""));
        }
      }
      return new PhaseRun(execute(c, ms, plans, options, "advance"), all, false);
    }
  }

  /**
   * Moves migration {@code id} back one phase, or stepwise to {@code options.to()}. From
   * {@code completed} it is refused: the old column is gone.
   *
   * @return the migration at the phase reached
   */
  public ColumnMigration rollback(String id, AdvanceOptions options) throws SQLException {
    return rollback(List.of(id), options, false).migrations().get(0);
  }

  /**
   * Moves migrations {@code ids} back together (see {@link #advance(List, AdvanceOptions,
   * Confirmation, boolean)}); with {@code dryRun}, only reports the plan.
   */
  public PhaseRun rollback(List<String> ids, AdvanceOptions options, boolean dryRun) throws SQLException {
    List<String> distinct = distinct(ids);
    try (Connection c = settings.open(); Locks locks = dryRun ? new Locks() : lockAll(c, distinct, "rollback")) {
      List<ColumnMigration> ms = new ArrayList<>();
      Map<String, List<PhaseStep>> plans = new LinkedHashMap<>();
      for (String id : distinct) {
        ColumnMigration m = repo.require(c, id);
        if (m.phase() == Phase.COMPLETED) {
          TableCatalog.Table table = TableCatalog.findTable(c, m.schema(), m.table()).orElse(null);
          String kept = RenameDdl.deprecatedName(m.oldColumn());
          if (table != null && !m.isInPlace() && TableCatalog.findColumn(c, table.oid(), kept).isPresent()) {
            throw new OperatorException("migration '" + id + "' is completed and cannot be rolled back; its old column"
                + " was kept as " + table.quoted() + "." + Identifiers.quote(kept) + " (--keep-old), with the values it"
                + " had when the migration completed: restore from it by hand if you must");
          }
          throw new OperatorException("migration '" + id + "' is completed: its old column "
              + Identifiers.quote(m.oldColumn()) + " was dropped, so it cannot be rolled back");
        }
        Phase target = m.phase() == Phase.PLANNED ? Phase.PLANNED
            : options.to() == null ? m.phase().previous() : options.to();
        if (target.ordinal() > m.phase().ordinal()) {
          throw new OperatorException("migration '" + id + "' is at " + m.phase().sqlName() + ", before "
              + target.sqlName() + ": use `cutover advance " + id + " --to " + target.sqlName() + "` to move forward");
        }
        List<PhaseStep> steps = planner.backward(c, m, target);
        if (m.phase() == Phase.PLANNED && steps.isEmpty()) {
          throw new OperatorException("migration '" + id + "' is at planned; there is nothing to roll back (to remove"
              + " it, run `cutover cancel " + id + "`)");
        }
        ms.add(m);
        plans.put(id, steps);
      }
      List<PhaseStep> all = inRounds(plans);
      if (dryRun) {
        listener.plan(all);
        return new PhaseRun(ms, all, true);
      }
      return new PhaseRun(execute(c, ms, plans, options, "rollback"), all, false);
    }
  }

  /** The steps in the order they run: round by round, each migration's step of the round in the order given. */
  private static List<PhaseStep> inRounds(Map<String, List<PhaseStep>> plans) {
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

  private static List<String> distinct(List<String> ids) {
    if (ids.isEmpty()) {
      throw OperatorException.usage("no migration id given");
    }
    return ids.stream().distinct().toList();
  }

  /** The migrations' locks, released in reverse order. */
  private static final class Locks implements AutoCloseable {
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

  private Locks lockAll(Connection c, List<String> ids, String command) throws SQLException {
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
   * (--keep-old, --backup, the quiet period), the lazy cut-over's key refusal, and the backfill
   * guard of read_new for every step but a migration's first (its own check runs first anyway);
   * when the new column does not exist yet, a table with values to copy cannot pass it.
   */
  private void checkUpFront(Connection c, List<ColumnMigration> ms, Map<String, List<PhaseStep>> plans,
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
  private List<ColumnMigration> execute(Connection c, List<ColumnMigration> ms, Map<String, List<PhaseStep>> plans,
      AdvanceOptions options, String command) throws SQLException {
    AckWaiter acks = new AckWaiter(schema, options.instanceTtl(), out);
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
      acks.await(c, before.stream().mapToLong(ColumnMigration::epoch).max().orElseThrow(), options.ackWait(),
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

  /** Evaluates one precondition of {@code step} at the step (the fleet's acknowledgement is awaited per round). */
  private void checkAtStep(Connection c, ColumnMigration m, PhaseStep step, PhaseStep.Check check,
      AdvanceOptions options) throws SQLException {
    switch (check.kind()) {
      case ACKNOWLEDGED -> { }
      case NOT_LOCKED -> repo.checkNotLocked(c, m.id());
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
              && ("23514".equals(e.getSQLState()) || "23502".equals(e.getSQLState()))) {
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
          if (existing.get().tableOid() != table.oid()) {
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
        new IndexCopyRunner(settings, ddl, options.lockRetryBudget(), out).run(c,
            new RenameDdl.IndexCopy(null, action.indexSchema(), action.indexName(), create.sql()));
        return m;
      }
      case REFILL_OLD -> {
        new Backfiller(schema, out).refillOld(c, m, options.refillBatchSize(), false);
        return m;
      }
      case REFILL_OLD_UNTIL_CLEAN -> {
        new Backfiller(schema, out).refillOld(c, m, options.refillBatchSize(), true);
        return m;
      }
      case CHECK -> {
        checkAtStep(c, m, step, PhaseStep.Check.of(action.check(), action.description()), options);
        return m;
      }
      case CHANGE_PHASE -> {
        return changePhase(c, m, step, action, ddl, command);
      }
      case RESET_BACKFILL -> {
        new Backfiller(schema, out).reset(c, m.id());
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
      DdlRunner ddl, String command) throws SQLException {
    Phase from = step.from();
    Phase to = step.to();
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


  /** {@code --lazy} applies to the step into read_new only, and stops there. */
  private static void checkLazyTarget(ColumnMigration m, Phase target) {
    if (m.phase() == Phase.READ_NEW && m.lazyRead() && target == Phase.READ_NEW) {
      return; // already there: reported as such
    }
    if (m.phase().ordinal() >= Phase.READ_NEW.ordinal() || target != Phase.READ_NEW) {
      throw new OperatorException("--lazy applies only to the step into read_new, and stops there: migration '"
          + m.id() + "' is at " + m.phase().sqlName() + (m.lazyRead() ? " (lazily cut over)" : "")
          + " and the target is " + target.sqlName() + "; use `cutover advance " + m.id()
          + " --to read_new --lazy` from dual_write or planned, and advance further without --lazy once the"
          + " backfill is verified");
    }
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

  /** What entering {@code completed} destroys, in words, for the confirmation. */
  private static String completionSummary(ColumnMigration m, TableCatalog.Table table, AdvanceOptions options) {
    String old = table.quoted() + "." + Identifiers.quote(m.oldColumn());
    String what;
    if (options.keepOld()) {
      what = "renames " + old + " to " + Identifiers.quote(RenameDdl.deprecatedName(m.oldColumn()))
          + " (no data is dropped)";
    } else {
      what = "drops the column " + old + (options.backup() ? " after copying it into "
          + Identifiers.quote(table.schema(), RenameDdl.backupTable(table, m.oldColumn())) : " and its data");
    }
    return "entering completed " + what + (m.isInPlace() ? ", then renames the new column into its place" : "")
        + "; this cannot be rolled back";
  }


  /** After the phase changes of a round: one wait until every live instance applied the newest epoch. */
  private void awaitAfterChange(Connection c, List<ColumnMigration> moved, AdvanceOptions options, AckWaiter acks)
      throws SQLException {
    String phases = String.join(", ", moved.stream().map(m -> m.phase().sqlName()).distinct().toList());
    try {
      acks.await(c, moved.stream().mapToLong(ColumnMigration::epoch).max().orElseThrow(), options.ackWait(),
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


  /**
   * Removes a migration that is still {@code planned}, so that its column can be planned again.
   * Refused for later phases (roll back first) and while a rollback to planned has not yet dropped
   * the new column (run {@code rollback} again to finish it).
   */
  public void cancel(String id) throws SQLException {
    try (Connection c = settings.open(); MigrationRepository.Lock lock = repo.lock(c, id, "cancel")) {
      ColumnMigration m = repo.require(c, id);
      if (m.phase() == Phase.PLANNED && repo.lastTransition(c, id).orElse("").equals("dual_write->planned")) {
        TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
        if (TableCatalog.findColumn(c, table.oid(), m.physicalNewColumn()).isPresent()) {
          throw new OperatorException("migration '" + id + "' was rolled back to planned, but its new column "
              + Identifiers.quote(m.physicalNewColumn()) + " of " + table.quoted() + " is still there (the rollback"
              + " did not finish); run `cutover rollback " + id + "` to drop it, then cancel");
        }
      }
      repo.cancel(c, id);
      out.printf("migration '%s' cancelled: %s.%s can be planned again%n", id, Identifiers.quote(m.table()),
          Identifiers.quote(m.oldColumn()));
      out.flush();
    }
  }



  /** Fills the new column of every row present when it starts; resumable. */
  public Backfiller.Result backfill(String id, BackfillOptions options) throws SQLException {
    try (Connection c = settings.open(); MigrationRepository.Lock lock = repo.lock(c, id, "backfill")) {
      ColumnMigration m = repo.require(c, id);
      return new Backfiller(schema, out).backfill(c, m, options);
    }
  }

  /** Compares the new column with the old one for every row. */
  public Verifier.Result verify(String id) throws SQLException {
    return verify(id, Verifier.DEFAULT_RANGE_ROWS);
  }

  /** Compares the new column with the old one for every row, {@code rangeRows} keys per range. */
  public Verifier.Result verify(String id, int rangeRows) throws SQLException {
    try (Connection c = settings.open()) {
      ColumnMigration m = repo.require(c, id);
      return new Verifier(rangeRows).verify(c, m);
    }
  }

  /** The status of one migration ({@code id}) or of all ({@code null}). */
  public StatusReport status(String id, java.time.Duration instanceTtl) throws SQLException {
    try (Connection c = settings.open()) {
      return new StatusReader(repo, instanceTtl).read(c, id);
    }
  }
}
