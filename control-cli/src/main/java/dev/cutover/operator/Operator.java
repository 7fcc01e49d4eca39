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

  /**
   * @param settings where to connect
   * @param out where progress and results are printed
   */
  public Operator(ConnectionSettings settings, PrintWriter out) {
    this.settings = settings;
    this.out = out;
    this.schema = new ControlSchema(settings.controlSchema());
    this.repo = new MigrationRepository(schema);
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
        Map<Phase, List<String>> ddl = phaseDdl(c, r.table(), r.oldColumn(), model);
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
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.qualify("migrations")
            + " (id, table_schema, table_name, old_column, new_column, physical_new_column, phase, epoch, spec,"
            + " source_file, old_column_after, old_not_null, new_type, up_expr, down_expr, old_type)"
            + " VALUES (?, ?, ?, ?, ?, ?, 'planned', nextval('" + schema.qualify("epoch_seq").replace("'", "''")
            + "'), ?::jsonb, ?, ?, ?, ?, ?, ?, ?)")) {
          ps.setString(1, spec.id());
          ps.setString(2, r.table().schema());
          ps.setString(3, r.table().name());
          ps.setString(4, model.oldColumn());
          ps.setString(5, model.newColumn());
          ps.setString(6, model.physicalNewColumn());
          ps.setString(7, spec.json());
          ps.setString(8, file.toString());
          ps.setString(9, TableCatalog.columnBefore(c, r.table().oid(), model.oldColumn()));
          ps.setBoolean(10, r.oldColumn().notNull());
          ps.setString(11, model.newType());
          ps.setString(12, model.up());
          ps.setString(13, model.down());
          ps.setString(14, model.oldType());
          ps.executeUpdate();
        }
        PartitionedTable.record(c, schema, spec.id(), r.table());
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

  private static Map<Phase, List<String>> phaseDdl(
      Connection c, TableCatalog.Table table, TableCatalog.Column old, ColumnMigration m) throws SQLException {
    String newName = m.physicalNewColumn();
    Map<Phase, List<String>> ddl = new EnumMap<>(Phase.class);
    for (Phase p : Phase.values()) {
      ddl.put(p, new ArrayList<>());
    }
    List<ConstraintDdl.CheckCopy> checks = ConstraintDdl.checkCopies(c, table, old, m);
    ddl.get(Phase.DUAL_WRITE).addAll(dualWriteColumnDdl(c, table, old, m, checks));
    for (RenameDdl.IndexCopy copy : RenameDdl.indexCopies(c, table, old, newName)) {
      ddl.get(Phase.DUAL_WRITE).addAll(PartitionedTable.isPartitioned(table)
          ? PartitionIndexCopy.of(c, copy, old.name(), newName).sql() : List.of(copy.createSql()));
    }
    String setDefault = RenameDdl.setDefaultSql(c, table, old, m);
    if (setDefault != null) {
      ddl.get(Phase.DUAL_WRITE).add(AFTER_ACKS + setDefault);
    }
    if (old.notNull()) {
      ddl.get(Phase.READ_NEW).addAll(ConstraintDdl.notNullPath(table, newName));
      if (!TypeChangeDdl.inPrimaryKey(c, table, old)) {
        // (a key column keeps its NOT NULL: it stays the key until completed; see TypeChangeDdl)
        ddl.get(Phase.NEW_ONLY).add(ConstraintDdl.dropNotNull(table, old.name()));
      }
    }
    for (ConstraintDdl.CheckCopy check : checks) {
      if (failsOnNull(c, table, old, m, check)) {
        ddl.get(Phase.READ_NEW).add(check.addSql());
      }
      ddl.get(Phase.READ_NEW).add(check.validateSql());
    }
    if (m.isInPlace()) {
      ddl.get(Phase.COMPLETED).addAll(TypeChangeDdl.beforeDropInPlace(c, table, old, m));
    }
    ddl.get(Phase.COMPLETED).add(RenameDdl.dropColumn(table, old.name()));
    if (m.isInPlace()) {
      ddl.get(Phase.COMPLETED).add("ALTER TABLE " + table.quoted() + " RENAME COLUMN " + Identifiers.quote(newName)
          + " TO " + Identifiers.quote(m.newColumn()));
      for (RenameDdl.IndexCopy copy : RenameDdl.indexCopies(c, table, old, newName)) {
        ddl.get(Phase.COMPLETED).add("ALTER INDEX IF EXISTS " + Identifiers.quote(copy.schema(), copy.copyName())
            + " RENAME TO " + Identifiers.quote(copy.source().name()));
      }
    }
    return ddl;
  }

  /** Marks, in the dry run's DDL, what runs only once every live instance has applied the phase. */
  static final String AFTER_ACKS = "-- once every instance has applied dual_write: ";

  /** The ADD COLUMN and the NOT VALID constraint copies, run in one transaction at dual_write. */
  private static List<String> dualWriteColumnDdl(Connection c, TableCatalog.Table table, TableCatalog.Column old,
      ColumnMigration m, List<ConstraintDdl.CheckCopy> checks) throws SQLException {
    String newName = m.physicalNewColumn();
    List<String> sql = new ArrayList<>();
    sql.add(RenameDdl.addColumn(c, table, old, m));
    // No NOT NULL check here: until every driver has applied dual_write, an UPDATE of a row the
    // backfill has not reached leaves the new column NULL and would violate it. It is added and
    // validated on the advance to read_new, when every write fills the new column; so is every
    // check copy that a NULL fails.
    for (ConstraintDdl.CheckCopy check : checks) {
      if (!failsOnNull(c, table, old, m, check)) {
        sql.add(check.addSql());
      }
    }
    return sql;
  }

  private static boolean failsOnNull(Connection c, TableCatalog.Table table, TableCatalog.Column old, ColumnMigration m,
      ConstraintDdl.CheckCopy check) throws SQLException {
    return ConstraintDdl.failsOnNull(c, table, check, m.physicalNewColumn(), m.isRename() ? old.type() : m.newType());
  }

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
    try (Connection c = settings.open(); MigrationRepository.Lock lock = repo.lock(c, id, "advance")) {
      ColumnMigration m = repo.require(c, id);
      if (m.phase() != Phase.COMPLETED) {
        PartitionedTable.checkUnchanged(c, schema, m, "advance");
      }
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
      if (target == Phase.COMPLETED && m.phase() != Phase.COMPLETED) {
        TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
        checkCompletion(c, m, table, options);
        if (!confirmation.confirm(completionSummary(m, table, options))) {
          throw OperatorException.usage("not confirmed: migration '" + id + "' stays at " + m.phase().sqlName()
              + "; nothing was changed");
        }
      }
      AckWaiter acks = new AckWaiter(schema, options.instanceTtl(), out);
      DdlRunner ddl = new DdlRunner(options.lockTimeout(), options.lockRetryBudget(), out);
      if (m.lazyRead() && !options.lazy()) {
        // Leaving the lazy cut-over (for new_only, or `advance --to read_new` to finish it): only
        // once every row's new column is filled and verified.
        m = finishLazyCutover(c, m, options, acks, ddl);
      }
      if (target == m.phase()) {
        out.printf("migration '%s' is already at %s%s%n", id, target.sqlName(),
            m.lazyRead() ? " (lazily cut over)" : "");
        out.flush();
        return m;
      }
      if (options.lazy() && schema.installedVersion(c) < ControlSchema.LAZY_VERSION) {
        ControlSchemaInstaller.install(c, schema.name());
        // On the record next to the lazy cut-over that needed it (no phase change, no new epoch).
        repo.audit(c, id, m.phase(), m.phase(), "control schema upgraded to version " + ControlSchema.VERSION
            + " (lazy cut-over)", m.epoch());
        out.printf("upgraded the control schema \"%s\" to version %d (the lazy cut-over flag)%n", schema.name(),
            ControlSchema.VERSION);
        out.flush();
      }
      while (m.phase() != target) {
        m = stepForward(c, m, options, acks, ddl);
      }
      return m;
    }
  }

  private ColumnMigration stepForward(
      Connection c, ColumnMigration m, AdvanceOptions options, AckWaiter acks, DdlRunner ddl) throws SQLException {
    Phase from = m.phase();
    Phase to = from.next();
    acks.await(c, m.epoch(), options.ackWait(), "phase " + from.sqlName() + " of migration '" + m.id() + "'");
    repo.checkNotLocked(c, m.id());
    TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
    switch (to) {
      case DUAL_WRITE -> {
        TableCatalog.Column old = TableCatalog.findColumn(c, table.oid(), m.oldColumn()).orElseThrow(() ->
            new OperatorException("column " + Identifiers.quote(m.oldColumn()) + " of " + table.quoted() + " is gone"));
        // Idempotent on a re-run after a crash: the column and its constraints may exist already.
        List<String> add = new ArrayList<>();
        add.add(RenameDdl.addColumn(c, table, old, m));
        for (ConstraintDdl.CheckCopy check : ConstraintDdl.checkCopies(c, table, old, m)) {
          if (ConstraintDdl.constraintValidated(c, table.oid(), check.copyName()).isEmpty()
              && !failsOnNull(c, table, old, m, check)) { // (that one waits for read_new)
            add.add(check.addSql());
          }
        }
        for (String sql : add) {
          out.printf("%s;%n", sql);
        }
        out.flush();
        ddl.inTransaction(c, add.toArray(String[]::new));
        for (RenameDdl.IndexCopy copy : RenameDdl.indexCopies(c, table, old, m.physicalNewColumn())) {
          if (PartitionedTable.isPartitioned(table)) {
            PartitionIndexCopy.of(c, copy, old.name(), m.physicalNewColumn())
                .run(c, settings, ddl, options.lockRetryBudget(), out);
            continue;
          }
          Optional<TableCatalog.Index> existing = TableCatalog.findIndex(c, copy.schema(), copy.copyName());
          if (existing.isPresent()) {
            if (existing.get().tableOid() != table.oid()) {
              throw new OperatorException("cannot copy index " + copy.source().name() + ": the name "
                  + copy.copyName() + " is taken by another relation");
            }
            if (existing.get().valid()) {
              out.printf("index %s exists already%n", Identifiers.quote(copy.copyName()));
              continue;
            }
            out.printf("%s; -- an invalid leftover of an earlier failed build%n", copy.dropSql());
            ddl.outsideTransaction(c, copy.dropSql());
          }
          out.printf("%s;%n", copy.createSql());
          out.flush();
          new IndexCopyRunner(settings, ddl, options.lockRetryBudget(), out).run(c, copy);
        }
      }
      case READ_NEW -> {
        // In case the default's step after dual_write did not run (instances were late): every
        // instance has acknowledged dual_write now.
        setNewDefault(c, m, table, ddl);
        Verifier.Result diff = Verifier.quickDiff(c, m);
        if (diff.differing() > 0 && options.lazy()) {
          // The lazy cut-over: no guard, and no NOT NULL / CHECK validation yet (rows not reached
          // have an empty new column); finishLazyCutover does both once the backfill is verified.
          // The lazy read COALESCE(new, up(old)) takes a filled new column as it is: none may differ.
          Verifier.Result filled = Verifier.quickDiff(c, m, true);
          if (filled.differing() > 0) {
            throw OperatorException.guard("migration '" + m.id() + "' cannot be cut over lazily: "
                + filled.differing() + " row(s) of " + table.quoted() + " have " + Identifiers.quote(m.physicalNewColumn())
                + " filled and different from " + m.fillSql() + " (first keys: "
                + String.join(", ", filled.firstKeys()) + "), and a lazy read takes a filled new column as it is;"
                + " run `cutover backfill " + m.id() + "`, then advance again");
          }
          checkLazyIndexes(c, m, table);
          ColumnMigration moved = repo.changePhase(c, m.id(), from, to, true, "advance --lazy ("
              + diff.differing() + " row(s) not backfilled yet)");
          out.printf("migration '%s': %s -> %s, lazily (epoch %d): %d row(s) not backfilled yet are read as %s until"
              + " they are%n", m.id(), from.sqlName(), to.sqlName(), moved.epoch(), diff.differing(),
              moved.readSql(moved.newColumn(), ""));
          out.printf("next: `cutover backfill %s`, `cutover verify %s`; new_only is refused until then%n", m.id(), m.id());
          out.flush();
          awaitAfterChange(c, moved, options, acks);
          return moved;
        }
        if (options.lazy()) {
          out.printf("migration '%s': every row is backfilled already; entering read_new normally%n", m.id());
          out.flush();
        }
        if (diff.differing() > 0) {
          throw OperatorException.guard("migration '" + m.id() + "' cannot read the new column yet: "
              + diff.differing() + " row(s) of " + table.quoted() + " have " + Identifiers.quote(m.physicalNewColumn())
              + " different from " + m.fillSql() + " (first keys: "
              + String.join(", ", diff.firstKeys()) + "); run `cutover backfill " + m.id() + "`, then `cutover verify "
              + m.id() + "`");
        }
        carryConstraints(c, m, table, ddl);
      }
      case NEW_ONLY -> {
        // Writes stop reaching the old column: an INSERT naming only the new one must not fail its NOT NULL.
        Optional<TableCatalog.Column> old = TableCatalog.findColumn(c, table.oid(), m.oldColumn());
        if (old.isPresent() && old.get().notNull() && !TypeChangeDdl.inPrimaryKey(c, table, old.get())) {
          String drop = ConstraintDdl.dropNotNull(table, m.oldColumn());
          out.printf("%s;%n", drop);
          out.flush();
          ddl.inTransaction(c, drop);
        }
      }
      case COMPLETED -> {
        if (!options.force()) {
          checkQuietPeriod(c, m, options);
        }
        ColumnMigration inPlace = completeOldColumn(c, m, table, options, ddl);
        if (inPlace != null) {
          out.printf("migration '%s': %s -> %s (epoch %d)%n", m.id(), from.sqlName(), to.sqlName(), inPlace.epoch());
          out.flush();
          awaitAfterChange(c, inPlace, options, acks);
          return inPlace;
        }
      }
      default -> throw new IllegalStateException("no step into " + to);
    }
    ColumnMigration moved = repo.changePhase(c, m.id(), from, to, "advance");
    out.printf("migration '%s': %s -> %s (epoch %d)%n", m.id(), from.sqlName(), to.sqlName(), moved.epoch());
    out.flush();
    awaitAfterChange(c, moved, options, acks);
    if (to == Phase.DUAL_WRITE) {
      setNewDefault(c, moved, table, ddl);
    }
    return moved;
  }

  /**
   * Gives the new column its default (see {@link RenameDdl#setDefaultSql}) unless it has one: only
   * once every live instance writes both columns.
   */
  private void setNewDefault(Connection c, ColumnMigration m, TableCatalog.Table table, DdlRunner ddl)
      throws SQLException {
    Optional<TableCatalog.Column> column = TableCatalog.findColumn(c, table.oid(), m.physicalNewColumn());
    Optional<TableCatalog.Column> old = TableCatalog.findColumn(c, table.oid(), m.oldColumn());
    if (column.isEmpty() || column.get().defaultExpr() != null || old.isEmpty()) {
      return;
    }
    String sql = RenameDdl.setDefaultSql(c, table, old.get(), m);
    if (sql != null) {
      out.printf("%s;%n", sql);
      out.flush();
      ddl.inTransaction(c, sql);
    }
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
  private void checkLazyIndexes(Connection c, ColumnMigration m, TableCatalog.Table table) throws SQLException {
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
      out.printf("note: until the lazy cut-over ends, reads that filter or sort on %s cannot use index(es) %s;"
          + " run the backfill soon%n", Identifiers.quote(m.newColumn()), String.join(", ", names));
      out.flush();
    }
  }

  /**
   * Ends the lazy cut-over of {@code m} (lazily in read_new): refused (exit 3) until every row's new
   * column equals {@code up(old)} (the backfill ran and verifies clean); then the constraints
   * deferred at the lazy cut-over are validated and the flag is cleared at a new epoch, which every
   * live instance acknowledges before anything else moves: no driver may still read
   * {@code COALESCE(new, up(old))} once new_only stops writing the old column.
   */
  private ColumnMigration finishLazyCutover(
      Connection c, ColumnMigration m, AdvanceOptions options, AckWaiter acks, DdlRunner ddl) throws SQLException {
    acks.await(c, m.epoch(), options.ackWait(), "phase read_new (lazy) of migration '" + m.id() + "'");
    repo.checkNotLocked(c, m.id());
    TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
    Verifier.Result diff = Verifier.quickDiff(c, m);
    if (diff.differing() > 0) {
      throw OperatorException.guard("migration '" + m.id() + "' is lazily cut over to read_new and "
          + diff.differing() + " row(s) of " + table.quoted() + " still have " + Identifiers.quote(m.physicalNewColumn())
          + " different from " + m.fillSql() + " (first keys: " + String.join(", ", diff.firstKeys())
          + "); run `cutover backfill " + m.id() + "`, then `cutover verify " + m.id() + "`, then advance again");
    }
    carryConstraints(c, m, table, ddl);
    ColumnMigration cleared = repo.changePhase(c, m.id(), Phase.READ_NEW, Phase.READ_NEW, false,
        "advance: lazy cut-over finished (backfill verified)");
    out.printf("migration '%s': backfill verified, lazy cut-over finished; reads use %s alone (epoch %d)%n", m.id(),
        Identifiers.quote(cleared.physicalNewColumn()), cleared.epoch());
    out.flush();
    awaitAfterChange(c, cleared, options, acks);
    return cleared;
  }

  /**
   * On the advance to read_new, after the backfill: validate the constraints copied NOT VALID at
   * dual_write (adding any that are missing) and turn the NOT NULL check into SET NOT NULL.
   */
  private void carryConstraints(Connection c, ColumnMigration m, TableCatalog.Table table, DdlRunner ddl)
      throws SQLException {
    TableCatalog.Column old = TableCatalog.findColumn(c, table.oid(), m.oldColumn()).orElseThrow(() ->
        new OperatorException("column " + Identifiers.quote(m.oldColumn()) + " of " + table.quoted() + " is gone"));
    for (ConstraintDdl.CheckCopy check : ConstraintDdl.checkCopies(c, table, old, m)) {
      Optional<Boolean> valid = ConstraintDdl.constraintValidated(c, table.oid(), check.copyName());
      if (valid.isEmpty()) {
        out.printf("%s;%n", check.addSql());
        ddl.inTransaction(c, check.addSql());
      }
      if (!valid.orElse(false)) {
        ConstraintDdl.validate(c, ddl, out, table, check.validateSql(), "check constraint "
            + Identifiers.quote(check.copyName()) + " (a copy of " + Identifiers.quote(check.sourceName()) + ")");
      }
    }
    if (oldNotNull(c, m, old)) {
      ConstraintDdl.enforceNotNull(c, ddl, out, table, m.physicalNewColumn());
    }
  }

  /** Whether the old column was NOT NULL before the migration (recorded at plan time). */
  private boolean oldNotNull(Connection c, ColumnMigration m, TableCatalog.Column old) throws SQLException {
    Boolean recorded = repo.oldNotNull(c, m.id());
    return recorded != null ? recorded : old.notNull();
  }

  /** Makes the old column NOT NULL again (after a refill) if it was when planned. */
  private void restoreOldNotNull(Connection c, ColumnMigration m, DdlRunner ddl) throws SQLException {
    TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
    Optional<TableCatalog.Column> old = TableCatalog.findColumn(c, table.oid(), m.oldColumn());
    if (old.isPresent() && !old.get().notNull() && Boolean.TRUE.equals(repo.oldNotNull(c, m.id()))) {
      ConstraintDdl.enforceNotNull(c, ddl, out, table, m.oldColumn());
    }
  }

  /**
   * completed: optionally back the old column up, then drop it (or, with --keep-old, rename it); in
   * place, also move the key and the sequence and rename the new column into place, in the same
   * transaction as the phase change (returned; {@code null} when the caller changes the phase).
   */
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

  private ColumnMigration completeOldColumn(Connection c, ColumnMigration m, TableCatalog.Table table,
      AdvanceOptions options, DdlRunner ddl) throws SQLException {
    String deprecated = RenameDdl.deprecatedName(m.oldColumn());
    boolean oldExists = checkCompletion(c, m, table, options);
    if (options.backup() && oldExists) {
      List<String> key = TableCatalog.primaryKey(c, table.oid()).stream().map(TableCatalog.Column::name).toList();
      String backup = RenameDdl.backupTable(table, m.oldColumn());
      String sql = RenameDdl.backupSql(table, m.oldColumn(), key);
      out.printf("%s;%n", sql);
      out.flush();
      ddl.inTransaction(c, sql);
      out.printf("backed up %s.%s into %s%n", table.quoted(), Identifiers.quote(m.oldColumn()),
          Identifiers.quote(table.schema(), backup));
    }
    String sql = options.keepOld()
        ? (oldExists ? RenameDdl.keepOldSql(table, m.oldColumn()) : null)
        : RenameDdl.dropColumn(table, m.oldColumn());
    List<String> statements = new ArrayList<>();
    boolean inPlace = m.isInPlace() && TableCatalog.findColumn(c, table.oid(), m.physicalNewColumn()).isPresent();
    if (inPlace && oldExists) {
      TableCatalog.Column old = TableCatalog.findColumn(c, table.oid(), m.oldColumn()).orElseThrow();
      statements.addAll(TypeChangeDdl.beforeDropInPlace(c, table, old, m));
    }
    if (sql != null) {
      statements.add(sql);
    }
    if (inPlace) {
      // One short transaction: the old column goes and the new one takes its name (and its indexes
      // the names of the ones that went with it); the phase changes at the same commit, so drivers
      // stop naming the new column's temporary name as soon as it is gone.
      List<String> rename = RenameDdl.renameIntoPlace(c, table, m);
      statements.addAll(options.keepOld() ? rename.subList(0, 1) : rename);
    }
    for (String s : statements) {
      out.printf("%s;%n", s);
    }
    out.flush();
    ColumnMigration[] moved = new ColumnMigration[1];
    if (inPlace) {
      ddl.inTransaction(c, tx -> moved[0] = repo.changePhaseInTransaction(tx, m.id(), m.phase(), Phase.COMPLETED,
          "advance"), statements.toArray(String[]::new));
    } else if (!statements.isEmpty()) {
      ddl.inTransaction(c, statements.toArray(String[]::new));
    }
    if (options.keepOld()) {
      out.printf("kept the old column as %s.%s (drop it when you no longer need it)%n", table.quoted(),
          Identifiers.quote(deprecated));
    }
    return moved[0];
  }

  private void awaitAfterChange(Connection c, ColumnMigration moved, AdvanceOptions options, AckWaiter acks)
      throws SQLException {
    try {
      acks.await(c, moved.epoch(), options.ackWait(), "phase " + moved.phase().sqlName() + " of migration '" + moved.id() + "'");
    } catch (OperatorException e) {
      throw OperatorException.guard("the phase change to " + moved.phase().sqlName() + " is recorded, but "
          + e.getMessage() + " The next advance or rollback waits for them first.");
    } catch (SQLException e) {
      // Never a crash once the phase is recorded (a lost connection, a bad row): say what holds.
      throw OperatorException.guard("the phase change to " + moved.phase().sqlName() + " is recorded, but waiting"
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
   * Moves migration {@code id} back one phase, or stepwise to {@code options.to()}. From
   * {@code completed} it is refused: the old column is gone.
   *
   * @return the migration at the phase reached
   */
  public ColumnMigration rollback(String id, AdvanceOptions options) throws SQLException {
    try (Connection c = settings.open(); MigrationRepository.Lock lock = repo.lock(c, id, "rollback")) {
      ColumnMigration m = repo.require(c, id);
      AckWaiter acks = new AckWaiter(schema, options.instanceTtl(), out);
      DdlRunner ddl = new DdlRunner(options.lockTimeout(), options.lockRetryBudget(), out);
      if (m.phase() == Phase.READ_NEW || m.phase() == Phase.NEW_ONLY) {
        // (a refill would copy a new partition's unfilled new column over its old one; from
        // dual_write the rollback only drops the new column, which is the way out)
        PartitionedTable.checkUnchanged(c, schema, m, "rollback");
      }
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
      if (m.phase() == Phase.PLANNED) {
        if (finishRollbackToPlanned(c, m, options, acks, ddl)) {
          return m;
        }
        throw new OperatorException("migration '" + id + "' is at planned; there is nothing to roll back (to remove"
            + " it, run `cutover cancel " + id + "`)");
      }
      Phase target = options.to() == null ? m.phase().previous() : options.to();
      if (target.ordinal() > m.phase().ordinal()) {
        throw new OperatorException("migration '" + id + "' is at " + m.phase().sqlName() + ", before "
            + target.sqlName() + ": use `cutover advance " + id + " --to " + target.sqlName() + "` to move forward");
      }
      while (m.phase() != target) {
        m = stepBack(c, m, options, acks, ddl);
      }
      return m;
    }
  }

  private ColumnMigration stepBack(
      Connection c, ColumnMigration m, AdvanceOptions options, AckWaiter acks, DdlRunner ddl) throws SQLException {
    Phase from = m.phase();
    Phase to = from.previous();
    // As before an advance: no live instance may still be a phase behind (it would be two behind
    // after this step), and the ones gone silent are fenced.
    acks.await(c, m.epoch(), options.ackWait(), "phase " + from.sqlName() + " of migration '" + m.id() + "'");
    repo.checkNotLocked(c, m.id());
    Backfiller backfiller = new Backfiller(schema, out);
    if (from == Phase.NEW_ONLY) {
      // The old column went stale in new_only: bring most of it back now, in one walk (instances
      // still in new_only keep making rows stale, so "until clean" could chase them forever) ...
      backfiller.refillOld(c, m, options.refillBatchSize(), false);
    }
    if (from == Phase.READ_NEW && m.lazyRead()) {
      // Lazily cut over: read_new never stopped writing the old column, which is current in every
      // row (rows not backfilled yet were even read from it); nothing to refill. A filled new
      // column must still agree with it.
      Verifier.Result diff = Verifier.quickDiff(c, m, true);
      if (diff.differing() > 0) {
        throw OperatorException.guard("migration '" + m.id() + "' cannot read the old column again: "
            + diff.differing() + " row(s) have " + Identifiers.quote(m.physicalNewColumn()) + " filled and different"
            + " from " + m.fillSql() + " (first keys: " + String.join(", ", diff.firstKeys()) + ")");
      }
      ColumnMigration moved = repo.changePhase(c, m.id(), from, to, false, "rollback (lazy cut-over cleared)");
      out.printf("migration '%s': %s (lazy) -> %s (epoch %d)%n", m.id(), from.sqlName(), to.sqlName(), moved.epoch());
      out.flush();
      awaitAfterChange(c, moved, options, acks);
      return moved;
    }
    if (from == Phase.READ_NEW) {
      // dual_write reads the old column again: it must equal the new one everywhere. Every write
      // in read_new reaches both columns, so this converges; an interrupted earlier refill is
      // finished here rather than exposed.
      backfiller.refillOld(c, m, options.refillBatchSize(), true);
      restoreOldNotNull(c, m, ddl); // in case a rollback from new_only stopped before it
      Verifier.Result diff = Verifier.quickDiff(c, m);
      if (diff.differing() > 0) {
        throw OperatorException.guard("migration '" + m.id() + "' cannot read the old column again: "
            + diff.differing() + " row(s) still have " + Identifiers.quote(m.oldColumn()) + " different from "
            + Identifiers.quote(m.physicalNewColumn()) + " (first keys: " + String.join(", ", diff.firstKeys())
            + "); run `cutover rollback " + m.id() + "` again");
      }
    }
    if (to == Phase.PLANNED) {
      // Before the phase is recorded: drivers at planned stop writing the new column.
      relaxNewColumn(c, m, ddl);
    }
    ColumnMigration moved = repo.changePhase(c, m.id(), from, to, "rollback");
    out.printf("migration '%s': %s -> %s (epoch %d)%n", m.id(), from.sqlName(), to.sqlName(), moved.epoch());
    out.flush();
    awaitAfterChange(c, moved, options, acks);
    if (from == Phase.NEW_ONLY) {
      // ... and, once every instance dual-writes again, the rest: now it converges.
      backfiller.refillOld(c, moved, options.refillBatchSize(), true);
      restoreOldNotNull(c, moved, ddl);
    }
    if (to == Phase.PLANNED) {
      finishRollbackToPlanned(c, moved, options, acks, ddl);
    }
    return moved;
  }

  /**
   * Drops the new column after a rollback to {@code planned}, once every live instance stopped
   * writing it. Also finishes a rollback that stopped before the drop (an instance was late).
   *
   * @return whether there was something to finish
   */
  private boolean finishRollbackToPlanned(
      Connection c, ColumnMigration m, AdvanceOptions options, AckWaiter acks, DdlRunner ddl) throws SQLException {
    if (!repo.lastTransition(c, m.id()).orElse("").equals("dual_write->planned")) {
      return false;
    }
    TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
    if (TableCatalog.findColumn(c, table.oid(), m.physicalNewColumn()).isEmpty()) {
      return false;
    }
    relaxNewColumn(c, m, ddl); // a rollback by an earlier version recorded planned without it
    acks.await(c, m.epoch(), options.ackWait(), "phase planned of migration '" + m.id() + "'");
    String drop = RenameDdl.dropColumn(table, m.physicalNewColumn());
    out.printf("%s;%n", drop);
    out.flush();
    ddl.inTransaction(c, drop);
    new Backfiller(schema, out).reset(c, m.id());
    return true;
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

  /** Drops what would fail the inserts of drivers that no longer write the new column (see ConstraintDdl). */
  private void relaxNewColumn(Connection c, ColumnMigration m, DdlRunner ddl) throws SQLException {
    TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
    List<String> relax = ConstraintDdl.relaxNewColumn(c, table, m);
    if (!relax.isEmpty()) {
      for (String sql : relax) {
        out.printf("%s;%n", sql);
      }
      out.flush();
      ddl.inTransaction(c, relax.toArray(String[]::new));
    }
  }

  /** Fills the new column of every row present when it starts; resumable. */
  public Backfiller.Result backfill(String id, BackfillOptions options) throws SQLException {
    try (Connection c = settings.open(); MigrationRepository.Lock lock = repo.lock(c, id, "backfill")) {
      ColumnMigration m = repo.require(c, id);
      PartitionedTable.checkUnchanged(c, schema, m, "backfill");
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
