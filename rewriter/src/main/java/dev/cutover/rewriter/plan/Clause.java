package dev.cutover.rewriter.plan;

/**
 * What the clause being planned means for the references in it, handed down the query planner's
 * recursion as Calcite's validator scopes carry theirs: immutable, each nested construct derives
 * its own from its parent's, so no planner sets state that another has to restore.
 *
 * @param predicate a {@code WHERE} or {@code ON} condition of the query level being planned: a name
 *     whose value the old column still holds exactly is read there, where its index is (see
 *     {@code ColumnMigration.predicateReadsOld}); a query nested in it has clauses of its own
 */
record Clause(boolean predicate) {

  /** A clause of a top-level query or write that is none of the special ones above. */
  static final Clause TOP = new Clause(false);

  /** A {@code WHERE} or {@code ON} condition of the current query level. */
  Clause condition() {
    return new Clause(true);
  }

  /** The clauses of a query nested in this one: its conditions are its own. */
  Clause nestedQuery() {
    return new Clause(false);
  }
}
