package dev.cutover.runtime;

import java.util.Locale;

/**
 * How a runtime learns of phase changes besides polling ({@code cutover.notifications}).
 *
 * <p>Polling every {@code cutover.refreshMillis} always runs; notifications only make a change
 * arrive sooner. A connection pooler in transaction mode (PgBouncer's {@code pool_mode =
 * transaction}) hands each transaction to any server connection, so a {@code LISTEN} stays behind on
 * one of them and notifications never reach the listening client.
 */
public enum NotificationMode {
  /** Listen, but first check with a notification of its own that notifications arrive; poll only if not. */
  AUTO,
  /** Listen without the check (the behaviour before the check existed). */
  LISTEN,
  /** Do not listen: no listener connection at all, phase changes arrive by polling. */
  POLL;

  /** The mode named by a validated {@code cutover.notifications} value. */
  public static NotificationMode of(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
