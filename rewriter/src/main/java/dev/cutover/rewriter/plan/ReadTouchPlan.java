package dev.cutover.rewriter.plan;

import dev.cutover.rewriter.ReadTouch;

/**
 * Where the planner of a SELECT asks for the read touch's hidden columns: filled in by the
 * planner, applied by {@link dev.cutover.rewriter.StatementRewriter} after the statement's own
 * edits (so that the rewrite without them is known too).
 */
public final class ReadTouchPlan {

  int at = -1;
  String text;
  ReadTouch.Target target;

  /** Whether the planner asked for hidden columns. */
  public boolean isSet() {
    return target != null;
  }

  /** The offset in the original text where the hidden columns go (just before the top-level FROM). */
  public int at() {
    return at;
  }

  /** The text inserted there: {@code , key AS ..., (needs fill) AS ... }. */
  public String text() {
    return text;
  }

  /** The table and migrations concerned. */
  public ReadTouch.Target target() {
    return target;
  }
}
