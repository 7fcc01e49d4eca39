package dev.cutover.rewriter.plan;

/**
 * Thrown by the statement planner when a statement is first to be written in an equivalent plain
 * form that PostgreSQL itself reads the same way (today: {@code UPDATE ... SET (a, b) = (x, y)}, which
 * PostgreSQL's grammar turns into {@code SET a = x, b = y}): the rewriter plans the whole text again
 * in that form. The placeholders keep their order, so the parameter map still holds.
 */
public final class Desugared extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String sql;

  Desugared(String sql) {
    super("plan the desugared text again", null, false, false);
    this.sql = sql;
  }

  /** The whole text, with the statement in its plain form. */
  public String sql() {
    return sql;
  }
}
