package dev.cutover.rewriter.plan;

/**
 * What the clause being planned means for the references in it, handed down the query planner's
 * recursion as Calcite's validator scopes carry theirs: immutable, each nested construct derives
 * its own from its parent's, so no planner sets state that another has to restore.
 *
 * @param predicate a {@code WHERE} or {@code ON} condition of the query level being planned: a name
 *     whose value the old column still holds exactly is read there, where its index is (see
 *     {@code ColumnMigration.predicateReadsOld}); a query nested in it has clauses of its own
 * @param fixedWidth the query's column count must not change (a subquery expression, a set
 *     operation's branch in such a place, the source of an INSERT ... SELECT): expanding {@code *} of
 *     a migrating table, which adds the new name as one more column, is refused there
 */
record Clause(boolean predicate, boolean fixedWidth) {

  /** A clause of a top-level query or write that is none of the special ones above. */
  static final Clause TOP = new Clause(false, false);

  /** A {@code WHERE} or {@code ON} condition of the current query level. */
  Clause condition() {
    return new Clause(true, fixedWidth);
  }

  /** The clauses of a query nested in this one: its conditions are its own. */
  Clause nestedQuery() {
    return new Clause(false, fixedWidth);
  }

  /** This clause where the column count is fixed. */
  Clause withFixedWidth() {
    return new Clause(predicate, true);
  }

  /**
   * This clause where the column count may change: a derived table's width never reaches the
   * enclosing query's (a {@code *} over it in a fixed-width place is refused instead).
   */
  Clause withFreeWidth() {
    return new Clause(predicate, false);
  }
}
