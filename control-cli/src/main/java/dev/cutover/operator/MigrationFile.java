package dev.cutover.operator;

import java.nio.file.Path;

/**
 * A parsed migration file. Names are already case-folded as PostgreSQL would.
 *
 * @param source the file it came from (for messages)
 * @param id the migration id
 * @param schema the table's schema, or {@code null} when the file left it unqualified
 * @param table the table name
 * @param rename the rename, or {@code null}
 * @param changeType the type change, or {@code null}
 * @param json the file's content as JSON (stored in {@code migrations.spec})
 */
public record MigrationFile(
    Path source, String id, String schema, String table, Rename rename, ChangeType changeType, String json) {

  /**
   * A column rename.
   *
   * @param from the existing column
   * @param to the new name
   */
  public record Rename(String from, String to) {}

  /**
   * A column type change (parsed, not supported by {@code plan} yet).
   *
   * @param column the existing column
   * @param to the new name, or {@code null} for an in-place change
   * @param type the new type, as SQL
   * @param up SQL computing the new value from the old one
   * @param down SQL computing the old value from the new one
   */
  public record ChangeType(String column, String to, String type, String up, String down) {}

  /** The column the migration starts from. */
  public String oldColumn() {
    return rename != null ? rename.from() : changeType.column();
  }
}
