package dev.cutover.operator;

import dev.cutover.migration.Phase;
import java.util.List;

/**
 * One phase change of one migration, as an immutable value: what must hold before it starts, what
 * it runs in order (SQL, each group marked as one transaction or as outside any transaction, the
 * phase change itself, the wait for the fleet), and what must hold once it is done. The
 * {@link PhasePlanner} builds it from the live catalog; {@code --dry-run} prints it; the operator
 * runs exactly it. Every SQL statement carries a query that tells whether it already ran, so a
 * command that stopped half-way (a crash, a lock it could not get) resumes where it stopped.
 *
 * @param migration the migration's id
 * @param from the phase it starts at
 * @param to the phase it ends at (equal to {@code from} for the end of a lazy cut-over, or to
 *     finish a rollback to planned that stopped before dropping the new column)
 * @param lazy {@code true}: the lazy cut-over into read_new; {@code false}: a phase change that
 *     clears the lazy flag; {@code null}: the flag is not touched
 * @param preconditions checked before anything of the step runs
 * @param actions what the step runs, in order
 * @param postconditions checked once the step is done; each {@link Check#sql} must return true
 */
public record PhaseStep(String migration, Phase from, Phase to, Boolean lazy, List<Check> preconditions,
    List<Action> actions, List<Check> postconditions) {

  /** Copies the lists. */
  public PhaseStep {
    preconditions = List.copyOf(preconditions);
    actions = List.copyOf(actions);
    postconditions = List.copyOf(postconditions);
  }

  /** What a {@link Check} checks; all but {@link #SQL} are evaluated by the operator's own code. */
  public enum CheckKind {
    /** Every live instance has applied the migration's current epoch (the ones gone silent are fenced). */
    ACKNOWLEDGED,
    /** No other session holds the migration's row. */
    NOT_LOCKED,
    /** The old column exists. */
    OLD_COLUMN_PRESENT,
    /** Every row's new column equals {@code up(old)} (the backfill ran, and verifies clean). */
    BACKFILL_VERIFIED,
    /** Every row whose new column is filled has it equal to {@code up(old)} (the lazy cut-over and its rollback). */
    FILLED_ROWS_AGREE,
    /** The column is not in the primary key (a lazy read could not use an index); names the indexes it stops using. */
    LAZY_INDEXES,
    /** After a refill, every row's old column equals {@code down(new)} again. */
    OLD_COLUMN_REFILLED,
    /** The old name was not used within the quiet period (unless {@code --force}). */
    QUIET_PERIOD,
    /** {@code --keep-old}'s new name is free; {@code --backup}'s table does not exist and the table has a key. */
    COMPLETION_POSSIBLE,
    /**
     * The partitions of a partitioned table are those recorded when the migration was planned (a
     * partition attached later may have been written through its own name before the drivers knew
     * it; one detached leaves with a half-migrated column).
     */
    PARTITIONS_UNCHANGED,
    /** {@link Check#sql} returns true. */
    SQL
  }

  /**
   * A condition.
   *
   * @param kind what is checked
   * @param description what is checked, in words
   * @param sql for {@link CheckKind#SQL}, a query returning one boolean that must be true; else {@code null}
   */
  public record Check(CheckKind kind, String description, String sql) {
    static Check of(CheckKind kind, String description) {
      return new Check(kind, description, null);
    }

    static Check sql(String description, String sql) {
      return new Check(CheckKind.SQL, description, sql);
    }
  }

  /** What an {@link Action} does. */
  public enum ActionKind {
    /** {@link Action#statements} in one transaction, under {@code lock_timeout}, retried when the lock is not free. */
    IN_TRANSACTION,
    /**
     * One statement that cannot run in a transaction block ({@code CREATE INDEX CONCURRENTLY}), watched,
     * cancelled past the wait budget; an invalid leftover of an earlier build is dropped first.
     */
    OUTSIDE_TRANSACTION,
    /** A {@code VALIDATE CONSTRAINT} in its own transaction; a violating row refuses the step (exit 3). */
    VALIDATE,
    /** Copies the new column back into the old one, in one walk over the table (not chasing new writes). */
    REFILL_OLD,
    /** Copies the new column back into the old one until no row differs. */
    REFILL_OLD_UNTIL_CLEAN,
    /**
     * Records that the old column is about to lag behind (a new epoch, the phase unchanged), ahead of
     * new_only: drivers read conditions on the old name through the new column before any of them
     * stops writing the old one.
     */
    MARK_OLD_STALE,
    /**
     * Records that the old column holds every row's value again (a new epoch, the phase unchanged),
     * after a rollback from new_only refilled it until clean: drivers read conditions on the old name
     * from it, and its index, again.
     */
    CLEAR_OLD_STALE,
    /** A check run in the middle of the step (after a refill, before the phase changes). */
    CHECK,
    /**
     * The phase change and its audit row (a new epoch), in one transaction that locks the migration's
     * row; {@link Action#statements}, when any, run in that same transaction first.
     */
    CHANGE_PHASE,
    /** Waits until every live instance has applied the new epoch (one wait for several migrations moved together). */
    AWAIT_ACKS,
    /** Forgets the backfill's progress (the new column is gone). */
    RESET_BACKFILL
  }

  /**
   * One SQL statement of an action.
   *
   * @param sql the statement, exactly as it runs
   * @param doneWhen a query returning one boolean, true when the statement's effect is there already
   *     (it is then skipped); {@code null}: always runs
   */
  public record Statement(String sql, String doneWhen) {}

  /**
   * One thing a step runs.
   *
   * @param kind what it does
   * @param statements its SQL ({@code IN_TRANSACTION}, {@code OUTSIDE_TRANSACTION}, {@code VALIDATE},
   *     {@code CHANGE_PHASE}); empty for the others
   * @param description what it does, in words (for a {@code VALIDATE}: what a violation means)
   * @param check for {@code CHECK}, what is checked; else {@code null}
   * @param indexSchema for {@code OUTSIDE_TRANSACTION}, the schema of the index it builds; else {@code null}
   * @param indexName for {@code OUTSIDE_TRANSACTION}, the name of the index it builds; else {@code null}
   * @param reported what is said once it ran ({@code null}: nothing)
   */
  public record Action(ActionKind kind, List<Statement> statements, String description, CheckKind check,
      String indexSchema, String indexName, String reported) {
    /** Copies the list. */
    public Action {
      statements = List.copyOf(statements);
    }

    Action(ActionKind kind, List<Statement> statements, String description, CheckKind check) {
      this(kind, statements, description, check, null, null, null);
    }

    /** This action, saying {@code message} once it ran. */
    Action reporting(String message) {
      return new Action(kind, statements, description, check, indexSchema, indexName, message);
    }

    static Action of(ActionKind kind, String description) {
      return new Action(kind, List.of(), description, null);
    }
  }

  /** Every SQL statement of the step, in the order it runs (skipped ones included). */
  public List<String> sql() {
    return actions.stream().flatMap(a -> a.statements().stream()).map(Statement::sql).toList();
  }
}
