package dev.cutover;

import java.sql.SQLException;

/** The one exception type Cutover raises itself; its SQLSTATE comes from {@link CutoverSqlState}. */
public class CutoverSQLException extends SQLException {
  private static final long serialVersionUID = 1L;

  private final transient CutoverSqlState cutoverState;

  /** An exception with a message saying what failed, why, and what the user can do. */
  public CutoverSQLException(String message, CutoverSqlState state) {
    super(message, state.state());
    this.cutoverState = state;
  }

  /** The same, with the underlying cause. */
  public CutoverSQLException(String message, CutoverSqlState state, Throwable cause) {
    super(message, state.state(), cause);
    this.cutoverState = state;
  }

  /** The SQLSTATE as an enum constant. */
  public CutoverSqlState cutoverState() {
    return cutoverState;
  }
}
