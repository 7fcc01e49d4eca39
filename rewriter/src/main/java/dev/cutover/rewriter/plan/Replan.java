package dev.cutover.rewriter.plan;

/**
 * Thrown while planning a statement when a whole-row reference to a migrating table in FROM is
 * found after that FROM item was planned as the plain table: the statement planner forgets what it
 * planned and plans the statement again with that item as a derived table. Never leaves the
 * planners.
 */
final class Replan extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The offset of the FROM item's table name in the text. */
  final int at;

  Replan(int at) {
    super("replan for the whole row of the FROM item at " + at, null, false, false);
    this.at = at;
  }
}
