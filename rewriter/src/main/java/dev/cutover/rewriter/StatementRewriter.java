package dev.cutover.rewriter;

import dev.cutover.migration.MigrationSnapshot;

/**
 * Rewrites one SQL text (possibly several statements separated by {@code ;}) for the phases of the
 * migrations in a snapshot. Stateless and thread-safe; the driver caches its results.
 *
 * <p>A text that mentions no migrating table is returned unchanged without being parsed.
 */
public final class StatementRewriter {

  /**
   * Rewrites {@code sql} for {@code snapshot}.
   *
   * @param sql the statement as the application wrote it (JDBC escapes and {@code ?} placeholders
   *     included)
   * @param snapshot the migrations and their phases
   * @param catalog resolves table names and columns for this session
   * @return the rewrite; {@link Rewrite#isUnchanged()} when nothing needed changing
   * @throws RewriteRefusedException when the statement touches a migrating column and cannot be
   *     rewritten safely
   */
  public Rewrite rewrite(String sql, MigrationSnapshot snapshot, Catalog catalog)
      throws RewriteRefusedException {
    if (!snapshot.mayTouch(sql)) {
      return Rewrite.unchanged(sql, snapshot.epoch());
    }
    // TODO(rewriter helper): parse with Calcite and rewrite.
    return Rewrite.unchanged(sql, snapshot.epoch());
  }
}
