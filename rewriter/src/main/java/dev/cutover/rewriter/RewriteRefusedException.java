package dev.cutover.rewriter;

/**
 * Thrown when a statement touches a migrating column and cannot be rewritten safely. The driver
 * turns it into an {@code SQLException} with SQLState {@code 0A000}, or passes the statement
 * through when {@code cutover.onUnsupported=passthrough}.
 */
public final class RewriteRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String migrationId;
  private final String reason;

  /**
   * @param migrationId the migration whose column the statement touches
   * @param reason what construct could not be rewritten, and what the user can do
   */
  public RewriteRefusedException(String migrationId, String reason) {
    super("Cutover cannot safely rewrite this statement for migration '" + migrationId + "': " + reason);
    this.migrationId = migrationId;
    this.reason = reason;
  }

  /** The migration id the refused statement touches. */
  public String migrationId() {
    return migrationId;
  }

  /** The construct and why it was refused. */
  public String reason() {
    return reason;
  }
}
