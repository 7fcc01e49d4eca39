package dev.cutover.migration;

import dev.cutover.rewriter.lex.Identifiers;
import java.util.List;
import java.util.Objects;

/**
 * One registered migration of one column, as the rewriter needs to see it: an immutable snapshot
 * taken at one epoch.
 *
 * <p>Names are stored as PostgreSQL stores them (already case-folded: an unquoted {@code Full_Name}
 * in the migration file is {@code full_name} here).
 *
 * @param id the migration id from the migration file
 * @param schema the table's schema, e.g. {@code public}
 * @param table the table's name
 * @param oldColumn the column the migration starts from (the application's old name)
 * @param newColumn the name the application may use for the migrated column (for an in-place type
 *     change, equal to {@code oldColumn})
 * @param physicalNewColumn the physical column that holds the new value until {@code completed}
 *     (equal to {@code newColumn} for a rename; a Cutover-chosen name for an in-place change)
 * @param up SQL expression computing the new value from the old one ({@code null} for a rename: the
 *     value is copied); the old column's name stands for the old value
 * @param down SQL expression computing the old value from the new one ({@code null} for a rename)
 * @param newType the new column's type for a type change, {@code null} for a rename
 * @param oldType the old column's type for a type change ({@code null} for a rename, or when not
 *     recorded): values computed by {@code down} are cast to it, as those computed by {@code up} are
 *     cast to {@code newType}, so a converted value has exactly the type of the column it stands for
 * @param phase the current phase
 * @param epoch the epoch at which this phase was entered; grows with every phase change
 * @param oldColumnAfter the column the old column followed when the migration was planned ({@code ""}
 *     when it was the first column, {@code null} when not recorded): where the application expects the
 *     old name in {@code SELECT *} and positional {@code INSERT}s once the old physical column is gone
 * @param lazy whether the migration was cut over to {@code read_new} lazily ({@code cutover advance
 *     --lazy}), before every row's new column was filled: reads then take the new column where it
 *     is filled and {@code up(old)} where it is not (see {@link #lazyRead()}); meaningful in
 *     {@code read_new} only
 * @param oldStale whether the old column may still lag behind the new one: {@code read_new} entered
 *     back from {@code new_only}, whose writes reached the new column alone, until the rollback has
 *     refilled every row's old column (see {@link #predicateReadsOld}); meaningful in {@code read_new}
 *     only
 */
public record ColumnMigration(
    String id,
    String schema,
    String table,
    String oldColumn,
    String newColumn,
    String physicalNewColumn,
    String up,
    String down,
    String newType,
    String oldType,
    Phase phase,
    long epoch,
    String oldColumnAfter,
    boolean lazy,
    boolean oldStale) {

  public ColumnMigration {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(oldColumn, "oldColumn");
    Objects.requireNonNull(newColumn, "newColumn");
    Objects.requireNonNull(physicalNewColumn, "physicalNewColumn");
    Objects.requireNonNull(phase, "phase");
  }

  /** A migration whose old column does not lag behind (see {@link #oldStale()}). */
  public ColumnMigration(String id, String schema, String table, String oldColumn, String newColumn,
      String physicalNewColumn, String up, String down, String newType, String oldType, Phase phase, long epoch,
      String oldColumnAfter, boolean lazy) {
    this(id, schema, table, oldColumn, newColumn, physicalNewColumn, up, down, newType, oldType, phase, epoch,
        oldColumnAfter, lazy, false);
  }

  /** A migration that is not lazily cut over (see {@link #lazy()}). */
  public ColumnMigration(String id, String schema, String table, String oldColumn, String newColumn,
      String physicalNewColumn, String up, String down, String newType, String oldType, Phase phase, long epoch,
      String oldColumnAfter) {
    this(id, schema, table, oldColumn, newColumn, physicalNewColumn, up, down, newType, oldType, phase, epoch,
        oldColumnAfter, false);
  }

  /** A migration without a recorded old type (see {@link #oldType()}). */
  public ColumnMigration(String id, String schema, String table, String oldColumn, String newColumn,
      String physicalNewColumn, String up, String down, String newType, Phase phase, long epoch, String oldColumnAfter) {
    this(id, schema, table, oldColumn, newColumn, physicalNewColumn, up, down, newType, null, phase, epoch,
        oldColumnAfter);
  }

  /** A rename of {@code schema.table.oldColumn} to {@code newColumn}, at {@code phase}. */
  public static ColumnMigration rename(
      String id, String schema, String table, String oldColumn, String newColumn, Phase phase, long epoch) {
    return new ColumnMigration(id, schema, table, oldColumn, newColumn, newColumn, null, null, null, phase, epoch, null);
  }

  /** The same migration, recording the column the old one followed (see {@link #oldColumnAfter()}). */
  public ColumnMigration withOldColumnAfter(String after) {
    return new ColumnMigration(
        id, schema, table, oldColumn, newColumn, physicalNewColumn, up, down, newType, oldType, phase, epoch, after,
        lazy, oldStale);
  }

  /** The same migration, lazily cut over or not (see {@link #lazy()}). */
  public ColumnMigration withLazy(boolean isLazy) {
    return new ColumnMigration(
        id, schema, table, oldColumn, newColumn, physicalNewColumn, up, down, newType, oldType, phase, epoch,
        oldColumnAfter, isLazy, oldStale);
  }

  /** The same migration, its old column lagging behind the new one or not (see {@link #oldStale()}). */
  public ColumnMigration withOldStale(boolean stale) {
    return new ColumnMigration(
        id, schema, table, oldColumn, newColumn, physicalNewColumn, up, down, newType, oldType, phase, epoch,
        oldColumnAfter, lazy, stale);
  }

  /**
   * Whether reads come from the new column while rows the backfill has not reached yet may still
   * have it empty ({@code read_new} entered with {@code --lazy}): the value read is then
   * {@code COALESCE(new, up(old))}. Every write in {@code read_new} reaches both columns, so a
   * filled new column always equals {@code up(old)} and an empty one means "not reached yet".
   */
  public boolean lazyRead() {
    return lazy && phase == Phase.READ_NEW;
  }

  /**
   * Whether rows may still have an unfilled new column that statements should fill as they go
   * (the lazy migration: the UPDATE fill and the read touch): in {@code dual_write}, and in a lazily
   * cut-over {@code read_new}.
   */
  public boolean fillsLazily() {
    return phase == Phase.DUAL_WRITE || lazyRead();
  }

  /** Whether this migration is a plain rename (the value is copied unchanged). */
  public boolean isRename() {
    return up == null;
  }

  /** The same migration at another phase and epoch. */
  public ColumnMigration at(Phase newPhase, long newEpoch) {
    return new ColumnMigration(
        id, schema, table, oldColumn, newColumn, physicalNewColumn, up, down, newType, oldType, newPhase, newEpoch,
        oldColumnAfter, lazy, oldStale);
  }

  /** The physical column that reads come from in the current phase. */
  public String readColumn() {
    return phase.readsNew() ? newPhysicalColumn() : oldColumn;
  }

  // ------------------------------------------------------------------ names to physical expressions
  //
  // The one place that maps an application name to physical SQL. A name stands for a value of the
  // old type (the old name) or of the new type (the new name); in place, the one name stands for
  // the value of the phase's read column, as if PostgreSQL's own ALTER TYPE had run when the reads
  // moved. A name whose value is not what the physical column holds goes through up or down.

  /** Whether this is an in-place type change (the application keeps one name). */
  public boolean isInPlace() {
    return up != null && newColumn.equals(oldColumn);
  }

  /** The physical column holding the new value now: {@link #newColumn()} once completed. */
  public String newPhysicalColumn() {
    return phase == Phase.COMPLETED ? newColumn : physicalNewColumn;
  }

  /** Whether application name {@code name} (old or new name) stands for a value of the new type. */
  public boolean namesNewValue(String name) {
    if (isInPlace()) {
      return phase.readsNew();
    }
    return name.equals(newColumn) && !name.equals(oldColumn);
  }

  /** {@code up} as a template, cast to the new type (the identity for a rename). */
  public Conversion upConversion() {
    return up == null ? Conversion.IDENTITY : Conversion.of(up, oldColumn).castTo(newType);
  }

  /** {@code down} as a template, cast to the old type when recorded (the identity for a rename). */
  public Conversion downConversion() {
    return down == null ? Conversion.IDENTITY : Conversion.of(down, newColumn).castTo(oldType);
  }

  /**
   * The SQL that reads application name {@code name} in the current phase: the read column,
   * converted when it holds the other type's value.
   *
   * @param qualifier prefix of the column as written by the application ({@code "u."}), or {@code ""}
   */
  public String readSql(String name, String qualifier) {
    String column = lazyRead()
        // Not yet reached by the backfill: the new value is computed from the old column on the fly.
        ? "COALESCE(" + qualifier + Identifiers.quote(newPhysicalColumn()) + ", "
            + upConversion().apply(qualifier + Identifiers.quote(oldColumn)) + ")"
        : qualifier + Identifiers.quote(readColumn());
    boolean wantNew = namesNewValue(name);
    if (wantNew == phase.readsNew()) {
      return column;
    }
    return (wantNew ? upConversion() : downConversion()).apply(column);
  }

  /**
   * Whether a predicate on application name {@code name} reads the old column as it is: the old name
   * of a type change to a new name, in {@code read_new}. Every write still reaches the old column in
   * that phase, so it holds exactly the value the application wrote through the old name (or {@code
   * down} of the one written through the new name): the same rows match as through {@code
   * down(new)}, and the old column's index serves the predicate instead of a scan.
   *
   * <p>Not while the old column is {@link #oldStale() stale}: back from {@code new_only}, rows
   * written there have an old column that is empty or out of date until the rollback's refill has
   * reached them, and a predicate on it would miss or wrongly match them.
   */
  public boolean predicateReadsOld(String name) {
    return phase == Phase.READ_NEW && !oldStale && conditionsMayReadOld() && name.equals(oldColumn);
  }

  /**
   * Whether {@code read_new} may read conditions on the old name from the old column (a type change
   * to a new name; see {@link #predicateReadsOld}): what makes a {@link #oldStale() stale} old column
   * matter to reads.
   */
  public boolean conditionsMayReadOld() {
    return up != null && !isInPlace();
  }

  /**
   * One physical column a write goes to, and how the written value is converted for it.
   *
   * @param column the physical column
   * @param conversion applied to the application's value
   */
  public record Write(String column, Conversion conversion) {}

  /**
   * The physical columns a write through application name {@code name} goes to in this phase. The
   * value converted for the other column is first taken to the name's own type, as PostgreSQL would
   * store it in a column of that type (see {@link Conversion#ofValueCastTo}): converting the raw
   * value (a float, an untyped literal) would give the two columns different values.
   */
  public List<Write> writes(String name) {
    boolean valueNew = namesNewValue(name);
    Write toOld = new Write(oldColumn, valueNew ? downConversion().ofValueCastTo(newType) : Conversion.IDENTITY);
    Write toNew = new Write(newPhysicalColumn(),
        valueNew ? Conversion.IDENTITY : upConversion().ofValueCastTo(oldType));
    if (phase.writesOld() && phase.writesNew()) {
      return List.of(toOld, toNew);
    }
    return List.of(phase.writesOld() ? toOld : toNew);
  }

  /**
   * The new value computed from the old column (quoted; {@code qualifier} is prepended, e.g.
   * {@code "t."}): the old column for a rename, {@code up} of it for a type change. What the
   * backfill and the lazy fill write into the new column.
   */
  public String fillSql(String qualifier) {
    return upConversion().apply(qualifier + Identifiers.quote(oldColumn));
  }

  /**
   * {@link #fillSql()}, which is a value of the new column's type already ({@code CAST(up AS
   * newType)}): what verify and the read_new guard compare the new column with.
   */
  public String typedFillSql() {
    return fillSql();
  }

  /** {@link #fillSql(String)} unqualified. */
  public String fillSql() {
    return fillSql("");
  }

  /**
   * The old value computed from the new physical column (quoted): the new column for a rename,
   * {@code down} of it for a type change. What a rollback from {@code new_only} refills the old
   * column with.
   */
  public String refillSql() {
    return downConversion().apply(Identifiers.quote(newPhysicalColumn()));
  }
}
