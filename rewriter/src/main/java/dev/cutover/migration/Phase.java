package dev.cutover.migration;

import java.util.Locale;

/**
 * The phases of a column migration, in order: planned, dual_write, read_new, new_only, completed.
 *
 * <p>Each phase fixes which physical columns exist, which are written and which is read.
 * A phase may move forward or back by exactly one step.
 */
public enum Phase {
  /** Registered; only the old column exists. Reads and writes use the old column. */
  PLANNED(true, false, false),
  /** The new column exists; writes go to both columns, reads come from the old one. */
  DUAL_WRITE(true, true, false),
  /** Backfill verified; writes go to both columns, reads come from the new one. */
  READ_NEW(true, true, true),
  /** Writes and reads use only the new column; the old one still exists, stale. */
  NEW_ONLY(false, true, true),
  /** The old column is gone (or, in place, the new one was renamed into its place). */
  COMPLETED(false, true, true);

  private final boolean writesOld;
  private final boolean writesNew;
  private final boolean readsNew;

  Phase(boolean writesOld, boolean writesNew, boolean readsNew) {
    this.writesOld = writesOld;
    this.writesNew = writesNew;
    this.readsNew = readsNew;
  }

  /** Whether statements in this phase write the old physical column. */
  public boolean writesOld() {
    return writesOld;
  }

  /** Whether statements in this phase write the new physical column. */
  public boolean writesNew() {
    return writesNew;
  }

  /** Whether reads in this phase come from the new physical column. */
  public boolean readsNew() {
    return readsNew;
  }

  /** Whether the old physical column exists in this phase. */
  public boolean oldColumnExists() {
    return this != COMPLETED;
  }

  /** Whether the new physical column exists in this phase. */
  public boolean newColumnExists() {
    return this != PLANNED;
  }

  /** The name used in the control schema, the CLI and the migration file, e.g. {@code dual_write}. */
  public String sqlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The next phase, or {@code null} after {@link #COMPLETED}. */
  public Phase next() {
    return ordinal() + 1 < values().length ? values()[ordinal() + 1] : null;
  }

  /** The previous phase, or {@code null} before {@link #PLANNED}. */
  public Phase previous() {
    return ordinal() > 0 ? values()[ordinal() - 1] : null;
  }

  /**
   * Parses a phase name as written by a user ({@code dual_write}, {@code DUAL-WRITE}, ...).
   *
   * @throws IllegalArgumentException naming the valid phases when {@code name} is none of them
   */
  public static Phase parse(String name) {
    String normalized = name.trim().replace('-', '_').toUpperCase(Locale.ROOT);
    for (Phase phase : values()) {
      if (phase.name().equals(normalized)) {
        return phase;
      }
    }
    throw new IllegalArgumentException(
        "unknown phase '" + name + "': expected one of planned, dual_write, read_new, new_only, completed");
  }
}
