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
 */
public record Rewrite(String sql, int[] parameterMap, Set<String> oldNameUsed, Set<String> newNameUsed, long epoch) {

  /** A statement that passes through unchanged. */
  public static Rewrite unchanged(String sql, long epoch) {
    return new Rewrite(sql, null, Set.of(), Set.of(), epoch);
  }

  /** Whether the statement is sent exactly as the application wrote it. */
  public boolean isUnchanged() {
    return parameterMap == null && oldNameUsed.isEmpty() && newNameUsed.isEmpty();
  }

  /** How many parameters the rewritten statement has, or -1 when the positions are unchanged. */
  public int rewrittenParameterCount() {
    return parameterMap == null ? -1 : parameterMap.length;
  }
}
