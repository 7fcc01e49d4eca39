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
 * @param unlabelled the select list of an INSERT's source query, whose labels PostgreSQL ignores:
 *     its type-change columns are not labelled (the insert planner may wrap them in a conversion,
 *     where a label cannot stand); it holds for that one list, nothing nested in it
 * @param afterGrouping the clause runs after its level's {@code GROUP BY} (the select list,
 *     {@code HAVING}, window definitions, {@code ORDER BY} of a grouped query); a query nested in it
 *     records this in its scope ({@code Scope.isGroupedOuterItem}), since a correlated reference
 *     from there sees only the grouped expressions
 */
record Clause(boolean predicate, boolean fixedWidth, boolean unlabelled, boolean afterGrouping) {

  /** A clause of a top-level query or write that is none of the special ones above. */
  static final Clause TOP = new Clause(false, false, false, false);

  /** A {@code WHERE} or {@code ON} condition of the current query level (which runs before grouping). */
  Clause condition() {
    return new Clause(true, fixedWidth, false, false);
  }

  /** The clauses of a query nested in this one: its conditions and its labels are its own. */
  Clause nestedQuery() {
    return new Clause(false, fixedWidth, false, afterGrouping);
  }

  /** This clause where the column count is fixed. */
  Clause withFixedWidth() {
    return new Clause(predicate, true, unlabelled, afterGrouping);
  }

  /**
   * This clause where the column count may change: a derived table's width never reaches the
   * enclosing query's (a {@code *} over it in a fixed-width place is refused instead).
   */
  Clause withFreeWidth() {
    return new Clause(predicate, false, unlabelled, afterGrouping);
  }

  /** The select list of an INSERT's source query (see {@link #unlabelled}). */
  static Clause insertSource() {
    return new Clause(false, true, true, false);
  }

  /** This clause for what is not the select list itself. */
  Clause labelled() {
    return new Clause(predicate, fixedWidth, false, afterGrouping);
  }

  /** This clause running after its level's {@code GROUP BY}, or before it. */
  Clause withAfterGrouping(boolean value) {
    return new Clause(predicate, fixedWidth, unlabelled, value);
  }
}
