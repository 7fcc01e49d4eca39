package dev.cutover.operator;

import java.nio.file.Path;

/** A migration file was refused; the message names the file, the field and the reason (exit code 1). */
public final class InvalidMigrationFileException extends OperatorException {

  private static final long serialVersionUID = 1L;

  private final String field;
  private final String reason;

  /**
   * @param file the migration file
   * @param field the offending field, dotted ({@code rename.to}), or {@code null} for the whole file
   * @param reason why it was refused
   */
  public InvalidMigrationFileException(Path file, String field, String reason) {
    super(file + ": " + (field == null ? "" : "field '" + field + "': ") + reason);
    this.field = field;
    this.reason = reason;
  }

  /** The offending field ({@code rename.to}), or {@code null}. */
  public String field() {
    return field;
  }

  /** Why the file was refused. */
  public String reason() {
    return reason;
  }
}
