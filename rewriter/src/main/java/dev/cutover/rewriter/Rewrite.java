package dev.cutover.rewriter;

import java.util.Set;

/**
 * The outcome of rewriting one statement text at one epoch. Immutable and cached.
 *
 * @param sql the SQL to hand to pgjdbc
 * @param parameterMap {@code null} when the JDBC parameters keep their positions; otherwise
 *     {@code parameterMap[i]} is the application's (1-based) parameter index bound to the
 *     rewritten statement's parameter {@code i + 1}. An application parameter may appear several
 *     times (a value written to both columns).
 * @param oldNameUsed ids of migrations whose old column name this statement used
 * @param newNameUsed ids of migrations whose new column name this statement used
 * @param epoch the snapshot epoch this rewrite was made for
 * @param readTouch {@code null}, or the hidden trailing columns that {@code sql} projects for the
 *     lazy migration of the rows it returns (see {@link ReadTouch})
 */
public record Rewrite(String sql, int[] parameterMap, Set<String> oldNameUsed, Set<String> newNameUsed, long epoch,
    ReadTouch readTouch) {

  /** A rewrite without hidden columns. */
  public Rewrite(String sql, int[] parameterMap, Set<String> oldNameUsed, Set<String> newNameUsed, long epoch) {
    this(sql, parameterMap, oldNameUsed, newNameUsed, epoch, null);
  }

  /** A statement that passes through unchanged. */
  public static Rewrite unchanged(String sql, long epoch) {
    return new Rewrite(sql, null, Set.of(), Set.of(), epoch);
  }

  /** Whether the statement is sent exactly as the application wrote it. */
  public boolean isUnchanged() {
    return parameterMap == null && oldNameUsed.isEmpty() && newNameUsed.isEmpty();
  }

  /** How many trailing columns of the result the driver must hide (0 without a read touch). */
  public int hiddenColumns() {
    return readTouch == null ? 0 : readTouch.target().hiddenColumns();
  }

  /** This rewrite without the read touch's hidden columns. */
  public Rewrite withoutReadTouch() {
    return readTouch == null ? this
        : new Rewrite(readTouch.plainSql(), readTouch.plainParameterMap(), oldNameUsed, newNameUsed, epoch, null);
  }

  /** How many parameters the rewritten statement has, or -1 when the positions are unchanged. */
  public int rewrittenParameterCount() {
    return parameterMap == null ? -1 : parameterMap.length;
  }
}
