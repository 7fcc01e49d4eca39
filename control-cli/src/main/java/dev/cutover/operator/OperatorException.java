package dev.cutover.operator;

/**
 * An operator command failed or was refused, with the process exit code to report (1 failed, 2 usage
 * error or not confirmed, 3 a guard refused) and a message that says what happened and what to do.
 */
public class OperatorException extends RuntimeException {

  /** Exit code of a command that failed. */
  public static final int FAILED = 1;
  /** Exit code of a usage error, or of a destructive step that was not confirmed. */
  public static final int USAGE = 2;
  /** Exit code of a command a guard refused (instances not acknowledged, verify mismatch, ...). */
  public static final int GUARD_REFUSED = 3;

  private static final long serialVersionUID = 1L;

  private final int exitCode;

  /** A failure (exit code 1). */
  public OperatorException(String message) {
    this(FAILED, message, null);
  }

  /** A failure (exit code 1) caused by {@code cause}. */
  public OperatorException(String message, Throwable cause) {
    this(FAILED, message, cause);
  }

  private OperatorException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** A usage error, or a destructive step not confirmed (exit code 2). */
  public static OperatorException usage(String message) {
    return new OperatorException(USAGE, message, null);
  }

  /** A guard refused the step (exit code 3). */
  public static OperatorException guard(String message) {
    return new OperatorException(GUARD_REFUSED, message, null);
  }

  /** The process exit code. */
  public int exitCode() {
    return exitCode;
  }
}
