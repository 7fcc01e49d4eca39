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
 *
 * <p>What each phase change runs is said once, by {@link PhasePlanner} (one {@link PhaseStep} per
 * step, forward and back); {@code --dry-run} prints those steps and {@link PhaseExecutor} runs them,
 * several migrations together in rounds.
 */
public final class Operator {

  /**
   * The outcome of {@code plan}.
   *
   * @param migration the registered migration ({@code null} on a dry run)
   * @param ddl the DDL each phase will run, in phase order
   * @param findings what plan-time inspection found using the column (none refused, or plan would have failed)
   * @param group every id of the migration's group, the key first (the referencing columns of a key's
   *     in-place type change, planned with it); empty when it has none
   */
  public record PlanResult(ColumnMigration migration, Map<Phase, List<String>> ddl,
      List<ColumnInspector.Finding> findings, List<String> group) {}

  private final ConnectionSettings settings;
  private final PrintWriter out;
  private final ControlSchema schema;
  private final MigrationRepository repo;
  private final PhasePlanner planner;
  private final PhaseListener listener;
  private final PhaseExecutor executor;

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
    this.executor = new PhaseExecutor(settings, repo, listener);
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
        "GRANT SELECT ON " + schema.qualify("migrations") + ", " + schema.qualify("schema_version") + ", "
            + schema.qualify("backfill_state") + " TO " + r,
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
        TableCatalog.Table root = TableCatalog.requireTable(c, e.migration.schema(), e.migration.table());
        for (TableCatalog.Table table : PartitionedTable.leaves(c, root)) {
          RowKey key = Verifier.walkKey(c, table, e.migration);
          String max = key.max(c, table.quoted());
          if (max != null) {
            ConversionErrors.locate(c, e.migration, table, key, e.migration.oldColumn(), e.migration.typedFillSql(),
                null, max, "plan --check-all");
          }
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
        // An in-place key change referenced by foreign keys takes each referencing column into its group.
        List<ForeignKeyGroup.Found> references = model.isInPlace()
            ? ForeignKeyGroup.referencing(c, r.table(), r.oldColumn(), spec.id(), model.physicalNewColumn())
            : List.of();
        java.util.Set<String> carried = new java.util.HashSet<>();
        List<ColumnInspector.Finding> groupFindings = new ArrayList<>();
        for (ForeignKeyGroup.Found f : references) {
          if (f.refusal() == null) {
            carried.add(f.described());
          } else {
            groupFindings.add(new ColumnInspector.Finding(ColumnInspector.Verdict.REFUSE, "foreign key", f.described(),
                "references " + Identifiers.quote(r.oldColumn().name()) + ", so its column would have to change with"
                + " the key, but " + f.refusal() + "; drop the foreign key before planning, and add it again after"
                + " completed (ADD CONSTRAINT ... NOT VALID, then VALIDATE)"));
          }
        }
        List<Member> members = new ArrayList<>();
        if (groupFindings.isEmpty()) {
          for (ForeignKeyGroup.Found f : references) {
            ForeignKeyGroup.Reference ref = f.reference();
            String value = Identifiers.quote(ref.column());
            MigrationFile memberSpec = new MigrationFile(file(spec), ref.member(), ref.schema(), ref.table(), null,
                new MigrationFile.ChangeType(ref.column(), null, model.newType(),
                    dev.cutover.migration.Conversion.substitute(model.up(), model.oldColumn(), value),
                    dev.cutover.migration.Conversion.substitute(model.down(), model.newColumn(), value)),
                ForeignKeyGroup.memberSpec(ref, model.newType(),
                    dev.cutover.migration.Conversion.substitute(model.up(), model.oldColumn(), value),
                    dev.cutover.migration.Conversion.substitute(model.down(), model.newColumn(), value), spec.id()));
            Resolved mr = validate(c, memberSpec);
            members.add(new Member(ref, memberSpec, mr, findings(c, mr, carried)));
            groupFindings.add(new ColumnInspector.Finding(ColumnInspector.Verdict.CARRIED, "foreign key", f.described(),
                "references " + Identifiers.quote(r.oldColumn().name()) + ": its column " + ref.quotedTable() + "."
                + Identifiers.quote(ref.column()) + " joins this migration's group as migration '" + ref.member()
                + "' (" + f.childType() + " -> " + model.newType() + " in place, same up and down), and the group moves"
                + " together; the foreign key is added on the new columns NOT VALID and validated on the advance to"
                + " read_new, the original dropped on the advance to new_only, and the new one takes its name at"
                + " completed"));
          }
        }
        ForeignKeyGroup.Group group = members.isEmpty() ? null
            : new ForeignKeyGroup.Group(spec.id(), members.stream().map(Member::reference).toList());
        List<ColumnInspector.Finding> findings = findings(c, r, carried);
        findings.removeIf(f -> f.kind().equals("foreign key") && carried.contains(f.object())); // said below
        findings.addAll(0, groupFindings.stream().filter(f -> f.verdict() == ColumnInspector.Verdict.REFUSE).toList());
        findings.addAll(groupFindings.stream().filter(f -> f.verdict() != ColumnInspector.Verdict.REFUSE).toList());
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
        Map<Phase, List<String>> ddl;
        Map<String, Map<Phase, List<String>>> memberDdl = new LinkedHashMap<>();
        planner.pending(group);
        try {
          ddl = phaseDdl(c, model);
          for (Member member : members) {
            memberDdl.put(member.reference().member(), phaseDdl(c, member.resolved().model()));
          }
        } finally {
          planner.pending(null);
        }
        printFindings(r.table(), r.oldColumn(), findings);
        for (String warning : r.warnings()) {
          out.printf("warning: %s%n", warning);
        }
        for (Member member : members) {
          out.printf("member '%s' of the group:%n", member.reference().member());
          printFindings(member.resolved().table(), member.resolved().oldColumn(), member.findings());
          for (String warning : member.resolved().warnings()) {
            out.printf("warning: %s%n", warning);
          }
        }
        if (dryRun) {
          c.rollback();
          printDdl(spec.id(), ddl, r.table(), r.oldColumn(), model);
          for (Member member : members) {
            printDdl(member.reference().member(), memberDdl.get(member.reference().member()),
                member.resolved().table(), member.resolved().oldColumn(), member.resolved().model());
          }
        }
        refuseFindings(spec, r.table(), findings);
        for (Member member : members) {
          refuseFindings(member.spec(), member.resolved().table(), member.findings());
        }
        if (dryRun) {
          return new PlanResult(null, ddl, findings, group == null ? List.of() : group.ids());
        }
        repo.lockEpochs(c);
        repo.register(c, model, group == null ? spec.json()
                : ForeignKeyGroup.withGroup(spec.json(), ForeignKeyGroup.toJson(group)), file.toString(),
            TableCatalog.columnBefore(c, r.table().oid(), model.oldColumn()), r.oldColumn().notNull());
        PartitionedTable.record(c, schema, spec.id(), r.table());
        ColumnMigration m = repo.find(c, spec.id()).orElseThrow();
        repo.audit(c, spec.id(), null, Phase.PLANNED, "plan " + file, m.epoch());
        for (Member member : members) {
          ColumnMigration mm = member.resolved().model();
          repo.register(c, mm, member.spec().json(), file.toString(),
              TableCatalog.columnBefore(c, member.resolved().table().oid(), mm.oldColumn()),
              member.resolved().oldColumn().notNull());
          repo.audit(c, mm.id(), null, Phase.PLANNED, "plan " + file + " (group of '" + spec.id() + "')",
              repo.find(c, mm.id()).orElseThrow().epoch());
        }
        c.commit();
        out.printf("planned migration '%s': %s.%s -> %s%s (epoch %d)%n", m.id(),
            Identifiers.quote(m.schema(), m.table()), Identifiers.quote(m.oldColumn()),
            Identifiers.quote(m.newColumn()), m.isRename() ? "" : " " + m.newType()
                + (m.isInPlace() ? " in place (new column " + Identifiers.quote(m.physicalNewColumn()) + " until completed)" : ""),
            m.epoch());
        for (Member member : members) {
          out.printf("planned migration '%s': %s.%s -> %s in place, in the group of '%s' (foreign key %s)%n",
              member.reference().member(), member.reference().quotedTable(),
              Identifiers.quote(member.reference().column()), model.newType(), spec.id(),
              Identifiers.quote(member.reference().constraint()));
        }
        if (group != null) {
          out.printf("group '%s': %s move together (advance and rollback of any of them move all, behind one"
              + " barrier); backfill and verify each of them before read_new%n", spec.id(),
              String.join(", ", group.ids().stream().map(id -> "'" + id + "'").toList()));
        }
        out.printf("next: `cutover advance %s` adds the new column and starts dual writes%n", m.id());
        out.flush();
        return new PlanResult(m, ddl, findings, group == null ? List.of() : group.ids());
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private record Resolved(TableCatalog.Table table, TableCatalog.Column oldColumn, ColumnMigration model,
      List<String> warnings) {}

  /** A member of a key's group, as plan resolved it. */
  private record Member(ForeignKeyGroup.Reference reference, MigrationFile spec, Resolved resolved,
      List<ColumnInspector.Finding> findings) {}

  private static Path file(MigrationFile spec) {
    return spec.source();
  }

  /**
   * What plan-time inspection finds using the column of {@code r}, adjusted for its kind of
   * migration; the foreign keys described in {@code carried} are carried by the group.
   */
  private List<ColumnInspector.Finding> findings(Connection c, Resolved r, java.util.Set<String> carried)
      throws SQLException {
    ColumnMigration model = r.model();
    List<ColumnInspector.Finding> findings = new ArrayList<>(
        ColumnInspector.inspect(c, r.table(), r.oldColumn(), schema.name()));
    if (!model.isRename()) {
      findings = TypeChangeDdl.adjust(c, r.table(), r.oldColumn(), model, findings, carried);
      findings.addAll(TypeChangeDdl.findings(c, r.table(), r.oldColumn(), model));
    }
    findings.addAll(ConstraintDdl.nullFailingChecks(c, r.table(), r.oldColumn()));
    ColumnInspector.Finding volatileDefault = RenameDdl.volatileDefaultFinding(c, r.oldColumn(), model);
    if (volatileDefault != null) {
      findings.add(0, volatileDefault);
    }
    return findings;
  }

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
    if (table.kind() != 'r' && !PartitionedTable.isPartitioned(table)) {
      throw new InvalidMigrationFileException(file, "table", shown + " is not an ordinary table nor a"
          + " partitioned one (relkind '" + table.kind() + "'): only tables can be migrated");
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
    out.printf("  dual_write -> planned: first the new column's NOT NULL, default and check copies are dropped (planned does"
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
    // (a member of a group moves with its group: the one asked for is returned)
    return advance(List.of(id), options, confirmation, false).migrations().stream().filter(m -> m.id().equals(id))
        .findFirst().orElseThrow();
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
    try (Connection c = settings.open()) {
      List<String> distinct = withGroups(c, distinct(ids), options.lazy());
      try (PhaseExecutor.Locks locks = dryRun ? new PhaseExecutor.Locks() : executor.lockAll(c, distinct, "advance")) {
        return advance(c, distinct, options, confirmation, dryRun);
      }
    }
  }

  private PhaseRun advance(Connection c, List<String> distinct, AdvanceOptions options, Confirmation confirmation,
      boolean dryRun) throws SQLException {
    {
      List<ColumnMigration> ms = new ArrayList<>();
      Map<String, List<PhaseStep>> plans = new LinkedHashMap<>();
      for (String id : distinct) {
        ColumnMigration m = repo.require(c, id);
        Phase catchUp = groupPhase(c, id, true);
        Phase target = options.to() != null ? options.to() : catchUp != null ? catchUp : m.phase().next();
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
      executor.checkUpFront(c, ms, plans, options);
      List<PhaseStep> all = PhaseExecutor.inRounds(plans);
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
        upgradeSchema(c, ms, "lazy cut-over", "the lazy cut-over flag");
      }
      upgradeForOldStale(c, ms, plans);
      for (ColumnMigration m : ms) {
        if (plans.get(m.id()).isEmpty()) {
          listener.note(m.id(), String.format("migration '%s' is already at %s%s", m.id(), m.phase().sqlName(),
              m.lazyRead() ? " (lazily cut over)" : ""));
        }
      }
      return new PhaseRun(executor.execute(c, ms, plans, options, "advance"), all, false);
    }
  }

  /**
   * Moves migration {@code id} back one phase, or stepwise to {@code options.to()}. From
   * {@code completed} it is refused: the old column is gone.
   *
   * @return the migration at the phase reached
   */
  public ColumnMigration rollback(String id, AdvanceOptions options) throws SQLException {
    return rollback(List.of(id), options, false).migrations().stream().filter(m -> m.id().equals(id))
        .findFirst().orElseThrow();
  }

  /**
   * Moves migrations {@code ids} back together (see {@link #advance(List, AdvanceOptions,
   * Confirmation, boolean)}); with {@code dryRun}, only reports the plan.
   */
  public PhaseRun rollback(List<String> ids, AdvanceOptions options, boolean dryRun) throws SQLException {
    try (Connection c = settings.open()) {
      List<String> distinct = withGroups(c, distinct(ids), false);
      try (PhaseExecutor.Locks locks = dryRun ? new PhaseExecutor.Locks() : executor.lockAll(c, distinct, "rollback")) {
        return rollback(c, distinct, options, dryRun);
      }
    }
  }

  private PhaseRun rollback(Connection c, List<String> distinct, AdvanceOptions options, boolean dryRun)
      throws SQLException {
    {
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
        Phase catchUp = groupPhase(c, id, false);
        Phase target = m.phase() == Phase.PLANNED ? Phase.PLANNED
            : options.to() != null ? options.to() : catchUp != null ? catchUp : m.phase().previous();
        if (target.ordinal() > m.phase().ordinal()) {
          throw new OperatorException("migration '" + id + "' is at " + m.phase().sqlName() + ", before "
              + target.sqlName() + ": use `cutover advance " + id + " --to " + target.sqlName() + "` to move forward");
        }
        List<PhaseStep> steps = planner.backward(c, m, target);
        if (m.phase() == Phase.PLANNED && steps.isEmpty() && planner.group(c, id) == null) {
          throw new OperatorException("migration '" + id + "' is at planned; there is nothing to roll back (to remove"
              + " it, run `cutover cancel " + id + "`)");
        }
        ms.add(m);
        plans.put(id, steps);
      }
      if (plans.values().stream().allMatch(List::isEmpty)) {
        throw new OperatorException("migrations " + String.join(", ", distinct.stream().map(x -> "'" + x + "'")
            .toList()) + " are at planned; there is nothing to roll back (to remove them, run `cutover cancel "
            + distinct.get(0) + "`)");
      }
      // (a rollback's only up-front check: a partitioned table's partitions, before any id moves)
      executor.checkUpFront(c, ms, plans, options);
      List<PhaseStep> all = PhaseExecutor.inRounds(plans);
      if (dryRun) {
        listener.plan(all);
        return new PhaseRun(ms, all, true);
      }
      upgradeForOldStale(c, ms, plans);
      return new PhaseRun(executor.execute(c, ms, plans, options, "rollback"), all, false);
    }
  }

  /**
   * Upgrades a control schema older than {@link ControlSchema#OLD_STALE_VERSION} when a type change
   * to a new name moves into or out of new_only: its old column is then marked stale, which drivers
   * must be able to read (said in the output and on each migration's audit record).
   */
  private void upgradeForOldStale(Connection c, List<ColumnMigration> ms, Map<String, List<PhaseStep>> plans)
      throws SQLException {
    boolean needed = ms.stream().anyMatch(m -> m.conditionsMayReadOld() && plans.get(m.id()).stream()
        .anyMatch(s -> s.from() == Phase.NEW_ONLY || s.to() == Phase.NEW_ONLY));
    if (needed && schema.installedVersion(c) < ControlSchema.OLD_STALE_VERSION) {
      upgradeSchema(c, ms, "the stale old column flag", "the stale old column flag");
    }
  }

  /**
   * Upgrades the control schema for a phase change that needs a newer one, on the record next to
   * each migration it moves (no phase change, no new epoch), and says so.
   */
  private void upgradeSchema(Connection c, List<ColumnMigration> ms, String audited, String said) throws SQLException {
    ControlSchemaInstaller.install(c, schema.name());
    for (ColumnMigration m : ms) {
      repo.audit(c, m.id(), m.phase(), m.phase(), "control schema upgraded to version " + ControlSchema.VERSION
          + " (" + audited + ")", m.epoch());
    }
    listener.note(null, String.format("upgraded the control schema \"%s\" to version %d (%s)", schema.name(),
        ControlSchema.VERSION, said));
  }

  /**
   * {@code ids} with every member of each one's group (the key first, then its members), in the
   * order given otherwise: a group moves together, never a member alone. Says so when the command
   * named only part of a group.
   */
  private List<String> withGroups(Connection c, List<String> ids, boolean lazy) throws SQLException {
    List<String> all = new ArrayList<>();
    for (String id : ids) {
      ForeignKeyGroup.Group g = planner.group(c, id);
      if (g == null) {
        if (!all.contains(id)) {
          all.add(id);
        }
        continue;
      }
      if (lazy) {
        throw new OperatorException("--lazy is not available for migration '" + id + "': it is in the group of '"
            + g.key() + "', whose foreign keys move to the new columns only once every row is backfilled; run"
            + " `cutover backfill` for each of " + String.join(", ", g.ids()) + " and advance without --lazy");
      }
      if (!ids.containsAll(g.ids())) {
        listener.note(id, String.format("migration '%s' is in the group of '%s' (foreign keys): %s move together",
            id, g.key(), String.join(", ", g.ids().stream().map(x -> "'" + x + "'").toList())));
      }
      for (String member : g.ids()) {
        if (!all.contains(member)) {
          all.add(member);
        }
      }
    }
    // The key's steps before its members' within each round (its backfill guard before the foreign
    // key on the new columns; its refill before the members put the original back).
    return all;
  }

  /**
   * When the members of {@code id}'s group are not all at one phase (a command stopped between
   * them), the phase the others catch up to: the furthest one forward, the earliest one back;
   * {@code null} otherwise.
   */
  private Phase groupPhase(Connection c, String id, boolean forward) throws SQLException {
    ForeignKeyGroup.Group g = planner.group(c, id);
    if (g == null) {
      return null;
    }
    List<Phase> phases = new ArrayList<>();
    for (String member : g.ids()) {
      phases.add(repo.require(c, member).phase());
    }
    if (phases.stream().distinct().count() == 1) {
      return null;
    }
    return forward ? phases.stream().max(Phase::compareTo).orElseThrow()
        : phases.stream().min(Phase::compareTo).orElseThrow();
  }

  private static List<String> distinct(List<String> ids) {
    if (ids.isEmpty()) {
      throw OperatorException.usage("no migration id given");
    }
    return ids.stream().distinct().toList();
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


  /**
   * Removes a migration that is still {@code planned}, so that its column can be planned again.
   * Refused for later phases (roll back first) and while a rollback to planned has not yet dropped
   * the new column (run {@code rollback} again to finish it).
   */
  public void cancel(String id) throws SQLException {
    ForeignKeyGroup.Group g;
    try (Connection c = settings.open()) {
      g = planner.group(c, id);
      if (g != null) {
        for (String member : g.ids()) {
          ColumnMigration m = repo.require(c, member);
          if (m.phase() != Phase.PLANNED) {
            throw new OperatorException("migration '" + id + "' is in the group of '" + g.key() + "', which is"
                + " cancelled as a whole; migration '" + member + "' is at " + m.phase().sqlName() + ": roll the group"
                + " back to planned first (`cutover rollback " + g.key() + " --to planned`)");
          }
        }
      }
    }
    if (g == null) {
      cancelOne(id);
      return;
    }
    List<String> ids = new ArrayList<>(g.ids());
    java.util.Collections.reverse(ids); // the members first: the key never goes while a member remains
    for (String member : ids) {
      cancelOne(member);
    }
  }

  private void cancelOne(String id) throws SQLException {
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
      PartitionedTable.checkUnchanged(c, schema, m, "backfill");
      return new Backfiller(schema, out, settings::open).backfill(c, m, options);
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
      PartitionedTable.checkUnchanged(c, schema, m, "verify");
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
