package dev.cutover.operator;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import dev.cutover.operator.PhaseStep.Action;
import dev.cutover.operator.PhaseStep.ActionKind;
import dev.cutover.operator.PhaseStep.Check;
import dev.cutover.operator.PhaseStep.CheckKind;
import dev.cutover.operator.PhaseStep.Statement;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the {@link PhaseStep}s that move a migration from its phase to another, from the live
 * catalog: the one place that says what each phase change runs, for each kind of migration (rename,
 * type change, in-place type change), forward and back. {@code plan --dry-run}, {@code advance
 * --dry-run} and {@code rollback --dry-run} print what it returns; {@code advance} and
 * {@code rollback} run it.
 *
 * <p>Implementation notes: every step of a multi-step move is planned before the first one runs,
 * from the catalog as it is then. A later step therefore names what an earlier one will create
 * (the new column, the index copies) before it exists; each statement's {@code doneWhen} query
 * makes it skip what a crashed earlier run already did, so a re-run plans the same statements and
 * resumes. Nothing here writes.
 */
final class PhasePlanner {

  private final MigrationRepository repo;

  /** A group being planned (not registered yet), for plan's dry run; {@code null} when none. */
  private ForeignKeyGroup.Group pending;

  PhasePlanner(MigrationRepository repo) {
    this.repo = repo;
  }

  /** Plans the steps of {@code group}'s migrations as if it were registered ({@code null}: none). */
  void pending(ForeignKeyGroup.Group group) {
    this.pending = group;
  }

  /** The group {@code m} belongs to, or {@code null}. */
  ForeignKeyGroup.Group group(Connection c, String id) throws SQLException {
    if (pending != null && pending.ids().contains(id)) {
      return pending;
    }
    return ForeignKeyGroup.of(c, repo.schema().qualify("migrations"), id);
  }

  /** The foreign keys whose carrying {@code m}'s steps run: all of its group's when it is the key, else none. */
  private List<ForeignKeyGroup.Reference> keyReferences(Connection c, ColumnMigration m) throws SQLException {
    ForeignKeyGroup.Group g = group(c, m.id());
    return g != null && g.key().equals(m.id()) ? g.references() : List.of();
  }

  /** The foreign key of member {@code m} of a group, or {@code null}. */
  private ForeignKeyGroup.Reference memberReference(Connection c, ColumnMigration m) throws SQLException {
    ForeignKeyGroup.Group g = group(c, m.id());
    return g == null ? null : g.member(m.id());
  }

  /**
   * The steps that move {@code m} forward to {@code target} (first, when it is lazily cut over and
   * {@code options.lazy()} is not set, the end of the lazy cut-over).
   */
  List<PhaseStep> forward(Connection c, ColumnMigration m, Phase target, AdvanceOptions options) throws SQLException {
    TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
    Optional<TableCatalog.Column> old = TableCatalog.findColumn(c, table.oid(), m.oldColumn());
    boolean oldNotNull = oldNotNull(c, m, old);
    List<PhaseStep> steps = new ArrayList<>();
    if (m.lazyRead() && !options.lazy()) {
      steps.add(finishLazy(c, m, table, old, oldNotNull));
    }
    for (Phase p = m.phase(); p != target && p.next() != null; p = p.next()) {
      if (p.next() == Phase.NEW_ONLY && m.conditionsMayReadOld() && !(m.phase() == Phase.READ_NEW && m.oldStale())) {
        steps.add(markOldStale(m));
      }
      steps.add(switch (p.next()) {
        case DUAL_WRITE -> dualWrite(c, m, table, old);
        case READ_NEW -> options.lazy() && lazyNeeded(c, m, table) ? lazyReadNew(c, m, table, old)
            : readNew(c, m, table, old, oldNotNull);
        case NEW_ONLY -> newOnly(c, m, table, old);
        case COMPLETED -> completed(c, m, table, old, options);
        default -> throw new IllegalStateException("no step into " + p.next());
      });
    }
    return PartitionedTable.isPartitioned(table) ? steps.stream().map(PhasePlanner::partitionsUnchanged).toList()
        : steps;
  }

  /**
   * {@code step} with the partitioned table's guard first: its partitions are those recorded at
   * plan time (checked before anything of the step runs, and up front for a move of several steps).
   */
  private static PhaseStep partitionsUnchanged(PhaseStep step) {
    List<Check> pre = new ArrayList<>();
    pre.add(Check.of(CheckKind.PARTITIONS_UNCHANGED, "the partitions are those of the plan (none attached,"
        + " created, detached or dropped since)"));
    pre.addAll(step.preconditions());
    return new PhaseStep(step.migration(), step.from(), step.to(), step.lazy(), pre, step.actions(),
        step.postconditions());
  }

  /**
   * The steps that move {@code m} back to {@code target} (or, at planned after a rollback that
   * stopped before dropping the new column, the step that finishes it; none when there is nothing).
   */
  List<PhaseStep> backward(Connection c, ColumnMigration m, Phase target) throws SQLException {
    TableCatalog.Table table = TableCatalog.requireTable(c, m.schema(), m.table());
    List<PhaseStep> steps = new ArrayList<>();
    if (m.phase() == Phase.PLANNED) {
      if (repo.lastTransition(c, m.id()).orElse("").equals("dual_write->planned")
          && TableCatalog.findColumn(c, table.oid(), m.physicalNewColumn()).isPresent()) {
        steps.add(toPlanned(c, m, table, Phase.PLANNED));
      }
      return steps;
    }
    if (m.phase() == Phase.READ_NEW && m.oldStale() && target == Phase.READ_NEW) {
      steps.add(finishRefill(m)); // a rollback from new_only that stopped before its refill was clean
      return steps;
    }
    boolean lazy = m.lazyRead();
    for (Phase p = m.phase(); p != target && p.previous() != null; p = p.previous()) {
      Phase to = p.previous();
      PhaseStep step = switch (p) {
        case NEW_ONLY -> fromNewOnly(c, m, table);
        case READ_NEW -> lazy ? fromLazyReadNew(m) : fromReadNew(c, m, table);
        case DUAL_WRITE -> toPlanned(c, m, table, Phase.DUAL_WRITE);
        default -> throw new IllegalStateException("no step back from " + p + " to " + to);
      };
      // A changed partition set refuses the way back from read_new and new_only (a refill would copy
      // a new partition's unfilled new column over its old one); from dual_write the rollback only
      // drops the new column, which is the way out the refusal names.
      steps.add(p != Phase.DUAL_WRITE && PartitionedTable.isPartitioned(table) ? partitionsUnchanged(step) : step);
      lazy = false;
    }
    return steps;
  }

  // ---- forward

  private PhaseStep dualWrite(Connection c, ColumnMigration m, TableCatalog.Table table,
      Optional<TableCatalog.Column> oldColumn) throws SQLException {
    TableCatalog.Column old = requireOld(m, table, oldColumn);
    String newName = m.physicalNewColumn();
    List<Action> actions = new ArrayList<>();
    List<Check> post = new ArrayList<>();
    // The column and the NOT VALID check copies a NULL passes, in one transaction. No NOT NULL
    // yet: until every driver has applied dual_write, an UPDATE of a row the backfill has not
    // reached leaves the new column NULL. It (and every check a NULL fails) waits for read_new.
    List<Statement> add = new ArrayList<>();
    add.add(new Statement(RenameDdl.addColumn(c, table, old, m), columnExists(table, newName)));
    for (ConstraintDdl.CheckCopy check : ConstraintDdl.checkCopies(c, table, old, m)) {
      if (!failsOnNull(c, table, old, m, check)) {
        add.add(new Statement(check.addSql(), constraintExists(table, check.copyName())));
      }
    }
    actions.add(new Action(ActionKind.IN_TRANSACTION, add, "add the new column"
        + (add.size() > 1 ? " and its check copies (NOT VALID)" : ""), null));
    post.add(Check.sql("the new column " + Identifiers.quote(newName) + " exists", columnExists(table, newName)));
    for (RenameDdl.IndexCopy copy : RenameDdl.indexCopies(c, table, old, newName)) {
      if (PartitionedTable.isPartitioned(table)) {
        // (no CREATE INDEX CONCURRENTLY on a partitioned table: ON ONLY, each leaf's, ATTACH)
        PartitionIndexCopy tree = PartitionIndexCopy.of(c, copy, old.name(), newName);
        actions.addAll(tree.actions());
        post.add(tree.rootValid());
        continue;
      }
      String valid = validIndex(copy.schema(), copy.copyName());
      actions.add(new Action(ActionKind.OUTSIDE_TRANSACTION, List.of(new Statement(copy.createSql(), valid)),
          "copy index " + Identifiers.quote(copy.source().name()) + " onto the new column", null, copy.schema(),
          copy.copyName(), null));
      post.add(Check.sql("index " + Identifiers.quote(copy.copyName()) + " is valid", valid));
    }
    actions.add(Action.of(ActionKind.CHANGE_PHASE, "record dual_write: drivers write both columns"));
    actions.add(Action.of(ActionKind.AWAIT_ACKS, "wait until every live instance applied dual_write"));
    String setDefault = RenameDdl.setDefaultSql(c, table, old, m);
    if (setDefault != null) {
      // Only now: before, a driver still at planned could insert a row whose new column would get
      // the default instead of up(old).
      actions.add(new Action(ActionKind.IN_TRANSACTION, List.of(new Statement(setDefault, hasDefault(table, newName))),
          "give the new column its default, once every instance writes both columns", null));
    }
    return new PhaseStep(m.id(), Phase.PLANNED, Phase.DUAL_WRITE, null,
        List.of(Check.of(CheckKind.ACKNOWLEDGED, "every live instance has applied planned"),
            Check.of(CheckKind.NOT_LOCKED, "no other session holds the migration's row"),
            Check.of(CheckKind.OLD_COLUMN_PRESENT, "the column " + Identifiers.quote(m.oldColumn()) + " exists")),
        actions, post);
  }

  private PhaseStep readNew(Connection c, ColumnMigration m, TableCatalog.Table table,
      Optional<TableCatalog.Column> oldColumn, boolean oldNotNull) throws SQLException {
    TableCatalog.Column old = requireOld(m, table, oldColumn);
    List<Action> actions = new ArrayList<>();
    List<Check> post = new ArrayList<>();
    String setDefault = RenameDdl.setDefaultSql(c, table, old, m);
    if (setDefault != null) {
      // In case the one after dual_write did not run (instances were late).
      actions.add(new Action(ActionKind.IN_TRANSACTION, List.of(new Statement(setDefault,
          hasDefault(table, m.physicalNewColumn()))), "the new column's default, if the advance to dual_write"
          + " stopped before it", null));
    }
    carryConstraints(c, m, table, old, oldNotNull, actions, post);
    for (ForeignKeyGroup.Reference r : keyReferences(c, m)) {
      // The key's backfill guard has passed: every parent row has its new value, so the new foreign
      // key cannot refuse a write the original accepts. NOT VALID first (short lock on both tables),
      // then VALIDATE (writes go on).
      actions.add(new Action(ActionKind.IN_TRANSACTION, List.of(new Statement(r.addNewSql(),
          r.nameTaken(r.newConstraint()))), "foreign key " + Identifiers.quote(r.constraint())
          + " on the new columns, NOT VALID (it checks every write from now on)", null));
      actions.add(new Action(ActionKind.VALIDATE, List.of(new Statement(r.validateNewSql(), r.newExists(true))),
          "foreign key " + Identifiers.quote(r.newConstraint()) + " (the copy of " + Identifiers.quote(r.constraint())
          + " on the new columns)", null));
      post.add(Check.sql("foreign key " + Identifiers.quote(r.newConstraint()) + " on " + r.quotedTable()
          + " is validated", r.newExists(true)));
    }
    actions.add(Action.of(ActionKind.CHANGE_PHASE, "record read_new: drivers read the new column"));
    actions.add(Action.of(ActionKind.AWAIT_ACKS, "wait until every live instance applied read_new"));
    return new PhaseStep(m.id(), Phase.DUAL_WRITE, Phase.READ_NEW, null,
        List.of(Check.of(CheckKind.ACKNOWLEDGED, "every live instance has applied dual_write"),
            Check.of(CheckKind.NOT_LOCKED, "no other session holds the migration's row"),
            Check.of(CheckKind.BACKFILL_VERIFIED, "every row's new column " + equalsWhat(m)
                + " (run the backfill, then verify)")),
        actions, post);
  }

  private PhaseStep lazyReadNew(Connection c, ColumnMigration m, TableCatalog.Table table,
      Optional<TableCatalog.Column> oldColumn) throws SQLException {
    TableCatalog.Column old = requireOld(m, table, oldColumn);
    List<Action> actions = new ArrayList<>();
    String setDefault = RenameDdl.setDefaultSql(c, table, old, m);
    if (setDefault != null) {
      actions.add(new Action(ActionKind.IN_TRANSACTION, List.of(new Statement(setDefault,
          hasDefault(table, m.physicalNewColumn()))), "the new column's default, if the advance to dual_write"
          + " stopped before it", null));
    }
    actions.add(Action.of(ActionKind.CHANGE_PHASE, "record read_new, lazily: rows not backfilled yet are read as "
        + m.at(Phase.READ_NEW, 0).withLazy(true).readSql(m.newColumn(), "") + "; no NOT NULL or CHECK validation"
        + " until the lazy cut-over ends"));
    actions.add(Action.of(ActionKind.AWAIT_ACKS, "wait until every live instance applied read_new"));
    return new PhaseStep(m.id(), Phase.DUAL_WRITE, Phase.READ_NEW, true,
        List.of(Check.of(CheckKind.ACKNOWLEDGED, "every live instance has applied dual_write"),
            Check.of(CheckKind.NOT_LOCKED, "no other session holds the migration's row"),
            Check.of(CheckKind.FILLED_ROWS_AGREE, "every row whose new column is filled has it " + equalsWhat(m)),
            Check.of(CheckKind.LAZY_INDEXES, Identifiers.quote(m.oldColumn()) + " is not in the primary key")),
        actions, List.of());
  }

  /** The lazy cut-over is needed when some row's new column is not filled yet (or the column is not there yet). */
  private static boolean lazyNeeded(Connection c, ColumnMigration m, TableCatalog.Table table) throws SQLException {
    if (TableCatalog.findColumn(c, table.oid(), m.physicalNewColumn()).isEmpty()) {
      return true;
    }
    return Verifier.quickDiff(c, m).differing() > 0;
  }

  private PhaseStep finishLazy(Connection c, ColumnMigration m, TableCatalog.Table table,
      Optional<TableCatalog.Column> oldColumn, boolean oldNotNull) throws SQLException {
    TableCatalog.Column old = requireOld(m, table, oldColumn);
    List<Action> actions = new ArrayList<>();
    List<Check> post = new ArrayList<>();
    carryConstraints(c, m, table, old, oldNotNull, actions, post);
    actions.add(Action.of(ActionKind.CHANGE_PHASE, "clear the lazy cut-over: reads use "
        + Identifiers.quote(m.physicalNewColumn()) + " alone"));
    actions.add(Action.of(ActionKind.AWAIT_ACKS, "wait until every live instance stopped reading lazily"));
    return new PhaseStep(m.id(), Phase.READ_NEW, Phase.READ_NEW, false,
        List.of(Check.of(CheckKind.ACKNOWLEDGED, "every live instance has applied read_new (lazy)"),
            Check.of(CheckKind.NOT_LOCKED, "no other session holds the migration's row"),
            Check.of(CheckKind.BACKFILL_VERIFIED, "every row's new column " + equalsWhat(m))),
        actions, post);
  }

  /**
   * Validates the constraints copied NOT VALID at dual_write (adding any that are missing) and turns
   * the NOT NULL check into SET NOT NULL.
   */
  private static void carryConstraints(Connection c, ColumnMigration m, TableCatalog.Table table,
      TableCatalog.Column old, boolean oldNotNull, List<Action> actions, List<Check> post) throws SQLException {
    for (ConstraintDdl.CheckCopy check : ConstraintDdl.checkCopies(c, table, old, m)) {
      String validated = constraintValidated(table, check.copyName());
      actions.add(new Action(ActionKind.IN_TRANSACTION, List.of(new Statement(check.addSql(),
          constraintExists(table, check.copyName()))), "copy check " + Identifiers.quote(check.sourceName()), null));
      actions.add(new Action(ActionKind.VALIDATE, List.of(new Statement(check.validateSql(), validated)),
          "check constraint " + Identifiers.quote(check.copyName()) + " (a copy of "
              + Identifiers.quote(check.sourceName()) + ")", null));
      post.add(Check.sql("check " + Identifiers.quote(check.copyName()) + " is validated", validated));
    }
    if (oldNotNull) {
      notNull(table, m.physicalNewColumn(), actions);
      post.add(Check.sql(Identifiers.quote(m.physicalNewColumn()) + " is NOT NULL",
          notNull(table, m.physicalNewColumn())));
    }
  }

  /** {@code column} made NOT NULL through a validated check: no long lock, each part skipped when done. */
  private static void notNull(TableCatalog.Table table, String column, List<Action> actions) {
    String isNotNull = notNull(table, column);
    String check = ConstraintDdl.notNullCheckName(column);
    actions.add(new Action(ActionKind.IN_TRANSACTION, List.of(new Statement(ConstraintDdl.addNotNullCheck(table, column),
        "SELECT (" + isNotNull + ") OR (" + constraintExists(table, check) + ")")), "an IS NOT NULL check, NOT VALID",
        null));
    actions.add(new Action(ActionKind.VALIDATE, List.of(new Statement(ConstraintDdl.validateNotNullCheck(table, column),
        "SELECT (" + isNotNull + ") OR (" + constraintValidated(table, check) + ")")),
        "a NULL in " + Identifiers.quote(column), null));
    List<Statement> set = new ArrayList<>();
    for (String sql : ConstraintDdl.setNotNull(table, column)) {
      set.add(new Statement(sql, isNotNull));
    }
    actions.add(new Action(ActionKind.IN_TRANSACTION, set, "SET NOT NULL (proved by the valid check, no scan)", null));
  }

  /**
   * Before new_only, for a type change to a new name: instances in read_new read conditions on the
   * old name from the old column (for its index), which is right only while every instance writes
   * it. The first instance to apply new_only stops, so every instance must first stop reading it:
   * the old column is marked stale, at its own epoch, and acknowledged, before new_only is recorded.
   */
  private static PhaseStep markOldStale(ColumnMigration m) {
    return new PhaseStep(m.id(), Phase.READ_NEW, Phase.READ_NEW, null,
        List.of(Check.of(CheckKind.ACKNOWLEDGED, "every live instance has applied read_new"),
            Check.of(CheckKind.NOT_LOCKED, "no other session holds the migration's row")),
        List.of(Action.of(ActionKind.MARK_OLD_STALE, "mark the old column stale: drivers read conditions on the old"
                + " name through the new column before any of them stops writing the old one"),
            Action.of(ActionKind.AWAIT_ACKS, "wait until every live instance applied it")),
        List.of());
  }

  private PhaseStep newOnly(Connection c, ColumnMigration m, TableCatalog.Table table,
      Optional<TableCatalog.Column> old) throws SQLException {
    List<Action> actions = new ArrayList<>();
    if (old.isPresent() && old.get().notNull() && !TypeChangeDdl.inPrimaryKey(c, table, old.get())) {
      // Writes stop reaching the old column: an INSERT naming only the new one must not fail its NOT NULL.
      actions.add(new Action(ActionKind.IN_TRANSACTION, List.of(new Statement(
          ConstraintDdl.dropNotNull(table, m.oldColumn()), "SELECT NOT (" + notNull(table, m.oldColumn()) + ")")),
          "the old column stops being written: drop its NOT NULL", null));
    }
    List<Check> pre = new ArrayList<>();
    pre.add(Check.of(CheckKind.ACKNOWLEDGED, "every live instance has applied read_new"));
    pre.add(Check.of(CheckKind.NOT_LOCKED, "no other session holds the migration's row"));
    List<Check> post = new ArrayList<>();
    for (ForeignKeyGroup.Reference r : keyReferences(c, m)) {
      // Before any member stops writing its old column: from new_only on the old columns go stale, and
      // a foreign key on them would refuse (or cascade to) rows by stale values. The validated one on
      // the new columns checks every write.
      pre.add(Check.sql("foreign key " + Identifiers.quote(r.newConstraint()) + " on " + r.quotedTable()
          + " exists on the new columns and is validated", r.newExists(true)));
      actions.add(0, new Action(ActionKind.IN_TRANSACTION, List.of(new Statement(r.dropOldSql(),
          "SELECT NOT (" + r.oldExists(false) + ")")), "drop foreign key " + Identifiers.quote(r.constraint())
          + " on the old columns (they stop being written)", null));
      post.add(Check.sql("foreign key " + Identifiers.quote(r.constraint()) + " on the old column is gone",
          "SELECT NOT (" + r.oldExists(false) + ")"));
    }
    actions.add(Action.of(ActionKind.CHANGE_PHASE, "record new_only: drivers stop writing the old column"));
    actions.add(Action.of(ActionKind.AWAIT_ACKS, "wait until every live instance applied new_only"));
    return new PhaseStep(m.id(), Phase.READ_NEW, Phase.NEW_ONLY, null, pre, actions, post);
  }

  private PhaseStep completed(Connection c, ColumnMigration m, TableCatalog.Table table,
      Optional<TableCatalog.Column> old, AdvanceOptions options) throws SQLException {
    List<Check> pre = new ArrayList<>();
    pre.add(Check.of(CheckKind.ACKNOWLEDGED, "every live instance has applied new_only"));
    pre.add(Check.of(CheckKind.NOT_LOCKED, "no other session holds the migration's row"));
    if (!options.force()) {
      pre.add(Check.of(CheckKind.QUIET_PERIOD, "no live instance used the old name " + Identifiers.quote(m.oldColumn())
          + " within the quiet period of " + Durations.format(options.quietPeriod())));
    }
    if (options.keepOld() || options.backup()) {
      pre.add(Check.of(CheckKind.COMPLETION_POSSIBLE, options.backup()
          ? "the backup table " + Identifiers.quote(table.schema(), RenameDdl.backupTable(table, m.oldColumn()))
              + " does not exist and " + table.quoted() + " has a primary key"
          : "no column " + Identifiers.quote(RenameDdl.deprecatedName(m.oldColumn())) + " exists"));
    }
    List<Action> actions = new ArrayList<>();
    List<Check> post = new ArrayList<>();
    String oldGone = "SELECT NOT (" + columnExists(table, m.oldColumn()) + ")";
    if (options.backup() && old.isPresent()) {
      List<String> key = TableCatalog.primaryKey(c, table.oid()).stream().map(TableCatalog.Column::name).toList();
      String backup = RenameDdl.backupTable(table, m.oldColumn());
      actions.add(new Action(ActionKind.IN_TRANSACTION, List.of(new Statement(
          RenameDdl.backupSql(table, m.oldColumn(), key.isEmpty() ? List.of("<primary key>") : key),
          "SELECT (" + oldGone + ") OR (" + tableExists(table.schema(), backup) + ")")),
          "back the old column up", null).reporting("backed up " + table.quoted() + "."
          + Identifiers.quote(m.oldColumn()) + " into " + Identifiers.quote(table.schema(), backup)));
      post.add(Check.sql("the backup table exists", tableExists(table.schema(), backup)));
    }
    List<Statement> statements = new ArrayList<>();
    if (old.isPresent()) {
      if (m.isInPlace()) {
        for (String sql : TypeChangeDdl.beforeDropInPlace(c, table, old.get(), m)) {
          statements.add(new Statement(sql, null));
        }
      }
      statements.add(new Statement(options.keepOld() ? RenameDdl.keepOldSql(table, m.oldColumn())
          : RenameDdl.dropColumn(table, m.oldColumn()), oldGone));
    }
    String kept = options.keepOld() ? "kept the old column as " + table.quoted() + "."
        + Identifiers.quote(RenameDdl.deprecatedName(m.oldColumn())) + " (drop it when you no longer need it)" : null;
    if (m.isInPlace()) {
      // One short transaction with the phase change: the old column goes and the new one takes its
      // name (and its index copies the names of the ones that went with it), so drivers stop naming
      // the temporary name as soon as it is gone.
      List<String> rename = renameIntoPlace(c, table, old, m);
      for (String sql : options.keepOld() ? rename.subList(0, 1) : rename) {
        statements.add(new Statement(sql, null));
      }
      ForeignKeyGroup.Reference ref = memberReference(c, m);
      if (ref != null) {
        pre.add(Check.sql("foreign key " + Identifiers.quote(ref.newConstraint()) + " on " + ref.quotedTable()
            + " exists on the new columns and is validated", ref.newExists(true)));
        statements.add(new Statement(ref.renameNewSql(), null));
      }
      actions.add(new Action(ActionKind.CHANGE_PHASE, statements, "record completed, in the same transaction as "
          + (options.keepOld() ? "renaming" : "dropping") + " the old column and renaming the new one into place",
          null).reporting(kept));
    } else {
      if (!statements.isEmpty()) {
        actions.add(new Action(ActionKind.IN_TRANSACTION, statements, options.keepOld()
            ? "keep the old column under another name" : "drop the old column", null).reporting(kept));
      }
      actions.add(Action.of(ActionKind.CHANGE_PHASE, "record completed"));
    }
    actions.add(Action.of(ActionKind.AWAIT_ACKS, "wait until every live instance applied completed"));
    post.add(Check.sql("the old column " + Identifiers.quote(m.oldColumn()) + " is gone", m.isInPlace()
        ? "SELECT NOT (" + columnExists(table, m.physicalNewColumn()) + ")" : oldGone));
    return new PhaseStep(m.id(), Phase.NEW_ONLY, Phase.COMPLETED, null, pre, actions, post);
  }

  /** The in-place rename, predicted from the old column's indexes while the new column does not exist yet. */
  private static List<String> renameIntoPlace(Connection c, TableCatalog.Table table,
      Optional<TableCatalog.Column> old, ColumnMigration m) throws SQLException {
    if (TableCatalog.findColumn(c, table.oid(), m.physicalNewColumn()).isPresent() || old.isEmpty()) {
      return RenameDdl.renameIntoPlace(c, table, m);
    }
    List<String> sql = new ArrayList<>();
    sql.add("ALTER TABLE " + table.quoted() + " RENAME COLUMN " + Identifiers.quote(m.physicalNewColumn()) + " TO "
        + Identifiers.quote(m.newColumn()));
    for (RenameDdl.IndexCopy copy : RenameDdl.indexCopies(c, table, old.get(), m.physicalNewColumn())) {
      // (a partitioned table's copy has one per partition too, each taking its source's name)
      List<RenameDdl.IndexCopy> copies = PartitionedTable.isPartitioned(table)
          ? PartitionIndexCopy.of(c, copy, old.get().name(), m.physicalNewColumn()).nodes().stream()
              .map(PartitionIndexCopy.Node::copy).toList()
          : List.of(copy);
      for (RenameDdl.IndexCopy each : copies) {
        sql.add("ALTER INDEX IF EXISTS " + Identifiers.quote(each.schema(), each.copyName()) + " RENAME TO "
            + Identifiers.quote(each.source().name()));
      }
    }
    return sql;
  }

  // ---- backward

  private PhaseStep fromNewOnly(Connection c, ColumnMigration m, TableCatalog.Table table) throws SQLException {
    List<Action> actions = new ArrayList<>();
    // The old column went stale in new_only: most of it comes back in one walk now (instances still
    // in new_only keep making rows stale, so "until clean" could chase them forever) ...
    actions.add(Action.of(ActionKind.REFILL_OLD, "refill " + refillWhat(m) + ", one walk"));
    actions.add(Action.of(ActionKind.CHANGE_PHASE, m.conditionsMayReadOld() ? "record read_new, the old column"
        + " marked stale: drivers write both columns again, and read conditions on the old name through the new"
        + " column" : "record read_new: drivers write both columns again"));
    actions.add(Action.of(ActionKind.AWAIT_ACKS, "wait until every live instance applied read_new"));
    // ... and, once every instance writes both columns again, the rest: now it converges. Until then
    // the old column lags behind: read_new is recorded with it marked stale, and drivers read
    // conditions on the old name through down(new) rather than from it.
    actions.add(Action.of(ActionKind.REFILL_OLD_UNTIL_CLEAN, "refill " + refillWhat(m) + " until no row differs"));
    if (m.conditionsMayReadOld()) {
      actions.add(Action.of(ActionKind.CLEAR_OLD_STALE, "record that the old column is whole again: conditions on it"
          + " read it (and its indexes) again"));
    }
    List<Check> post = new ArrayList<>();
    if (Boolean.TRUE.equals(repo.oldNotNull(c, m.id()))) {
      notNull(table, m.oldColumn(), actions);
      post.add(Check.sql(Identifiers.quote(m.oldColumn()) + " is NOT NULL again", notNull(table, m.oldColumn())));
    }
    ForeignKeyGroup.Reference ref = memberReference(c, m);
    if (ref != null) {
      // The key's step ran first in the round: its old column is refilled until clean too.
      restoreOldForeignKey(ref, actions);
      post.add(Check.sql("foreign key " + Identifiers.quote(ref.constraint()) + " is back on the old columns,"
          + " validated", ref.oldExists(true)));
    }
    return new PhaseStep(m.id(), Phase.NEW_ONLY, Phase.READ_NEW, null,
        List.of(Check.of(CheckKind.ACKNOWLEDGED, "every live instance has applied new_only"),
            Check.of(CheckKind.NOT_LOCKED, "no other session holds the migration's row")),
        actions, post);
  }

  /** The end of a rollback from new_only that stopped after recording read_new (see {@link #fromNewOnly}). */
  private static PhaseStep finishRefill(ColumnMigration m) {
    return new PhaseStep(m.id(), Phase.READ_NEW, Phase.READ_NEW, null,
        List.of(Check.of(CheckKind.ACKNOWLEDGED, "every live instance has applied read_new"),
            Check.of(CheckKind.NOT_LOCKED, "no other session holds the migration's row")),
        List.of(Action.of(ActionKind.REFILL_OLD_UNTIL_CLEAN, "refill " + refillWhat(m) + " until no row differs"),
            Action.of(ActionKind.CLEAR_OLD_STALE, "record that the old column is whole again: conditions on it"
                + " read it (and its indexes) again")),
        List.of());
  }

  private static PhaseStep fromLazyReadNew(ColumnMigration m) {
    // Lazily cut over, read_new never stopped writing the old column: nothing to refill.
    return new PhaseStep(m.id(), Phase.READ_NEW, Phase.DUAL_WRITE, false,
        List.of(Check.of(CheckKind.ACKNOWLEDGED, "every live instance has applied read_new (lazy)"),
            Check.of(CheckKind.NOT_LOCKED, "no other session holds the migration's row"),
            Check.of(CheckKind.FILLED_ROWS_AGREE, "every row whose new column is filled has it " + equalsWhat(m))),
        List.of(Action.of(ActionKind.CHANGE_PHASE, "record dual_write (the lazy cut-over cleared): drivers read the"
                + " old column again"),
            Action.of(ActionKind.AWAIT_ACKS, "wait until every live instance applied dual_write")),
        List.of());
  }

  private PhaseStep fromReadNew(Connection c, ColumnMigration m, TableCatalog.Table table) throws SQLException {
    List<Action> actions = new ArrayList<>();
    // dual_write reads the old column again: it must equal the new one everywhere. Every write in
    // read_new reaches both columns, so this converges.
    actions.add(Action.of(ActionKind.REFILL_OLD_UNTIL_CLEAN, "refill " + refillWhat(m) + " until no row differs"));
    if (Boolean.TRUE.equals(repo.oldNotNull(c, m.id()))) {
      notNull(table, m.oldColumn(), actions); // in case a rollback from new_only stopped before it
    }
    actions.add(new Action(ActionKind.CHECK, List.of(), "every row's old column equals the new one again",
        CheckKind.OLD_COLUMN_REFILLED));
    ForeignKeyGroup.Reference ref = memberReference(c, m);
    if (ref != null) {
      // (in case a rollback from new_only stopped before it) then back to the forward dual_write's state
      restoreOldForeignKey(ref, actions);
      actions.add(new Action(ActionKind.IN_TRANSACTION, List.of(new Statement(ref.dropNewSql(),
          "SELECT NOT (" + ref.nameTaken(ref.newConstraint()) + ")")), "drop foreign key "
          + Identifiers.quote(ref.newConstraint()) + " on the new columns (the original checks every write)", null));
    }
    actions.add(Action.of(ActionKind.CHANGE_PHASE, "record dual_write: drivers read the old column again"));
    actions.add(Action.of(ActionKind.AWAIT_ACKS, "wait until every live instance applied dual_write"));
    return new PhaseStep(m.id(), Phase.READ_NEW, Phase.DUAL_WRITE, null,
        List.of(Check.of(CheckKind.ACKNOWLEDGED, "every live instance has applied read_new"),
            Check.of(CheckKind.NOT_LOCKED, "no other session holds the migration's row")),
        actions, List.of());
  }

  /** From dual_write (or to finish a rollback that stopped at planned before the drop). */
  private PhaseStep toPlanned(Connection c, ColumnMigration m, TableCatalog.Table table, Phase from)
      throws SQLException {
    List<Action> actions = new ArrayList<>();
    // At planned the drivers stop writing the new column: whatever would fail their inserts goes
    // first (its NOT NULL, the temporary IS NOT NULL check, the check copies).
    List<Statement> relax = new ArrayList<>();
    String newName = m.physicalNewColumn();
    List<ForeignKeyGroup.Reference> refs = new ArrayList<>(keyReferences(c, m));
    if (memberReference(c, m) != null) {
      refs.add(memberReference(c, m));
    }
    for (ForeignKeyGroup.Reference r : refs) {
      // Before the key's new column (the foreign key depends on its unique index), each in its own
      // transaction (one table pair locked at a time).
      actions.add(new Action(ActionKind.IN_TRANSACTION, List.of(new Statement(r.dropNewSql(),
          "SELECT NOT (" + r.nameTaken(r.newConstraint()) + ")")), "drop foreign key "
          + Identifiers.quote(r.newConstraint()) + " on the new columns", null));
    }
    Optional<TableCatalog.Column> old = TableCatalog.findColumn(c, table.oid(), m.oldColumn());
    if (old.isPresent()) {
      for (ConstraintDdl.CheckCopy copy : ConstraintDdl.checkCopies(c, table, old.get(), m)) {
        relax.add(new Statement(dropConstraint(table, copy.copyName()),
            "SELECT NOT (" + constraintExists(table, copy.copyName()) + ")"));
      }
    }
    String check = ConstraintDdl.notNullCheckName(newName);
    relax.add(new Statement(dropConstraint(table, check), "SELECT NOT (" + constraintExists(table, check) + ")"));
    // Its default too: an INSERT of a driver at planned would fill the new column with it, which a
    // unique copy fails from the second row on (the same constant; for a key with a sequence,
    // currval of the session's last nextval), or which fails by itself (currval not yet defined).
    relax.add(new Statement("ALTER TABLE " + table.quoted() + " ALTER COLUMN " + Identifiers.quote(newName)
        + " DROP DEFAULT", "SELECT NOT (" + hasDefault(table, newName) + ")"));
    Optional<TableCatalog.Column> now = TableCatalog.findColumn(c, table.oid(), newName);
    if (now.isEmpty() || !TypeChangeDdl.inPrimaryKey(c, table, now.get())) {
      relax.add(new Statement(ConstraintDdl.dropNotNull(table, newName), "SELECT NOT (" + notNull(table, newName) + ")"));
    }
    actions.add(new Action(ActionKind.IN_TRANSACTION, relax, "drop what would fail the inserts of drivers that no"
        + " longer write the new column", null));
    if (from != Phase.PLANNED) {
      actions.add(Action.of(ActionKind.CHANGE_PHASE, "record planned: drivers stop writing the new column"));
    }
    actions.add(Action.of(ActionKind.AWAIT_ACKS, "wait until every live instance applied planned"));
    actions.add(new Action(ActionKind.IN_TRANSACTION, List.of(new Statement(RenameDdl.dropColumn(table, newName),
        "SELECT NOT (" + columnExists(table, newName) + ")")), "drop the new column", null));
    actions.add(Action.of(ActionKind.RESET_BACKFILL, "forget the backfill's progress"));
    return new PhaseStep(m.id(), from, Phase.PLANNED, null,
        List.of(Check.of(CheckKind.ACKNOWLEDGED, "every live instance has applied " + from.sqlName()),
            Check.of(CheckKind.NOT_LOCKED, "no other session holds the migration's row")),
        actions, List.of(Check.sql("the new column " + Identifiers.quote(newName) + " is gone",
            "SELECT NOT (" + columnExists(table, newName) + ")")));
  }

  // ---- helpers

  /** The original foreign key on the old columns, added NOT VALID then validated, each skipped when done. */
  private static void restoreOldForeignKey(ForeignKeyGroup.Reference ref, List<Action> actions) {
    actions.add(new Action(ActionKind.IN_TRANSACTION, List.of(new Statement(ref.addOldSql(),
        ref.nameTaken(ref.constraint()))), "foreign key " + Identifiers.quote(ref.constraint())
        + " on the old columns again, NOT VALID", null));
    actions.add(new Action(ActionKind.VALIDATE, List.of(new Statement(ref.validateOldSql(), ref.oldExists(true))),
        "foreign key " + Identifiers.quote(ref.constraint()), null));
  }

  private static TableCatalog.Column requireOld(ColumnMigration m, TableCatalog.Table table,
      Optional<TableCatalog.Column> old) {
    return old.orElseThrow(() -> new OperatorException("column " + Identifiers.quote(m.oldColumn()) + " of "
        + table.quoted() + " is gone"));
  }

  /** Whether the old column was NOT NULL before the migration (recorded at plan time). */
  private boolean oldNotNull(Connection c, ColumnMigration m, Optional<TableCatalog.Column> old) throws SQLException {
    Boolean recorded = m.epoch() == 0 ? null : repo.oldNotNull(c, m.id());
    return recorded != null ? recorded : old.map(TableCatalog.Column::notNull).orElse(false);
  }

  private static boolean failsOnNull(Connection c, TableCatalog.Table table, TableCatalog.Column old,
      ColumnMigration m, ConstraintDdl.CheckCopy check) throws SQLException {
    return ConstraintDdl.failsOnNull(c, table, check, m.physicalNewColumn(), m.isRename() ? old.type() : m.newType());
  }

  private static String equalsWhat(ColumnMigration m) {
    return m.isRename() ? "equals the old one" : "equals " + m.fillSql();
  }

  private static String refillWhat(ColumnMigration m) {
    return m.isRename() ? Identifiers.quote(m.oldColumn()) + " from " + Identifiers.quote(m.physicalNewColumn())
        : Identifiers.quote(m.oldColumn()) + " = " + m.refillSql();
  }

  private static String dropConstraint(TableCatalog.Table table, String name) {
    return "ALTER TABLE " + table.quoted() + " DROP CONSTRAINT IF EXISTS " + Identifiers.quote(name);
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static String regclass(TableCatalog.Table table) {
    return literal(table.quoted()) + "::regclass";
  }

  static String columnExists(TableCatalog.Table table, String column) {
    return "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = " + regclass(table) + " AND attname = "
        + literal(column) + " AND attnum > 0 AND NOT attisdropped)";
  }

  static String notNull(TableCatalog.Table table, String column) {
    return "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = " + regclass(table) + " AND attname = "
        + literal(column) + " AND attnum > 0 AND NOT attisdropped AND attnotnull)";
  }

  static String hasDefault(TableCatalog.Table table, String column) {
    return "SELECT EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum ="
        + " a.attnum WHERE a.attrelid = " + regclass(table) + " AND a.attname = " + literal(column) + ")";
  }

  static String constraintExists(TableCatalog.Table table, String name) {
    return "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = " + regclass(table) + " AND conname = "
        + literal(name) + ")";
  }

  static String constraintValidated(TableCatalog.Table table, String name) {
    return "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = " + regclass(table) + " AND conname = "
        + literal(name) + " AND convalidated)";
  }

  static String validIndex(String schema, String name) {
    return "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_namespace n ON"
        + " n.oid = x.relnamespace WHERE n.nspname = " + literal(schema) + " AND x.relname = " + literal(name)
        + " AND i.indisvalid)";
  }

  static String tableExists(String schema, String name) {
    return "SELECT EXISTS (SELECT 1 FROM pg_class x JOIN pg_namespace n ON n.oid = x.relnamespace WHERE n.nspname = "
        + literal(schema) + " AND x.relname = " + literal(name) + ")";
  }
}
