package dev.cutover;

/**
 * Every SQLSTATE Cutover itself raises, in one place (pgjdbc's {@code PSQLState} in small).
 * Errors from PostgreSQL or pgjdbc pass through with their own state.
 */
public enum CutoverSqlState {
  /** A statement touches a migrating column and cannot be rewritten safely (or a JDBC feature Cutover cannot support). */
  FEATURE_NOT_SUPPORTED("0A000"),
  /** The URL or a {@code cutover.*} property is invalid, or the migrations could not be read at connect. */
  CONNECTION_UNABLE_TO_CONNECT("08001"),
  /**
   * A statement was refused before it was sent: while a migration is unfinished, this instance could
   * not confirm the phase with the control schema within its lease ({@code cutover.leaseMillis}).
   */
  LEASE_EXPIRED("08006"),
  /** A method was called on a closed object or with an argument that makes no sense. */
  INVALID_PARAMETER_VALUE("22023"),
  /**
   * A column label that the result set does not have (pgjdbc's state for the same error); also the
   * server's state for a column a statement names that is gone, on which Cutover may retry once.
   */
  UNDEFINED_COLUMN("42703"),
  /** An internal invariant did not hold; a bug in Cutover. */
  INTERNAL_ERROR("XX000");

  private final String state;

  CutoverSqlState(String state) {
    this.state = state;
  }

  /** The five-character SQLSTATE. */
  public String state() {
    return state;
  }
}
