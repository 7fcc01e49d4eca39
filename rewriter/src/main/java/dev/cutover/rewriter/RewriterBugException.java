package dev.cutover.rewriter;

/**
 * Thrown when the rewriter itself fails on a statement (a {@code ClassCastException},
 * {@code NullPointerException} or broken invariant inside planning): a bug in Cutover, not a
 * refusal. Nothing is sent for such a statement: the driver fails it with SQLState {@code XX000}
 * whatever {@code cutover.onUnsupported} says, and every test fails on it.
 */
public final class RewriterBugException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param sql the statement text the rewriter failed on
   * @param cause what went wrong
   */
  public RewriterBugException(String sql, Throwable cause) {
    super("Cutover's rewriter failed on this statement (" + cause.getClass().getSimpleName()
        + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + "); this is a bug in Cutover, please report"
        + " it with the statement. Statement: " + (sql.length() <= 500 ? sql : sql.substring(0, 500) + "..."), cause);
  }
}
