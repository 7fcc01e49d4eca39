package dev.cutover.runtime;

import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.rewriter.Catalog;
import dev.cutover.rewriter.Rewrite;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.StatementRewriter;
import dev.cutover.rewriter.lex.Token;
import java.util.List;

/**
 * The rewriter as the runtime sees it: {@link StatementRewriter#rewrite} in production. Internal;
 * a seam so that the runtime's caching, refusal policy and re-preparation can be tested with a
 * deterministic rewriter.
 */
@FunctionalInterface
public interface RewriteFunction {

  /** See {@link StatementRewriter#rewrite(String, MigrationSnapshot, Catalog)}. */
  Rewrite rewrite(String sql, MigrationSnapshot snapshot, Catalog catalog) throws RewriteRefusedException;

  /**
   * The same for {@code sql} already lexed into {@code tokens} ({@code null}: not lexed), which the
   * production rewriter then does not lex again; see {@link StatementRewriter#rewrite(String, List,
   * MigrationSnapshot, Catalog)}.
   */
  default Rewrite rewrite(String sql, List<Token> tokens, MigrationSnapshot snapshot, Catalog catalog)
      throws RewriteRefusedException {
    return rewrite(sql, snapshot, catalog);
  }

  /** The production rewriter, without the read touch. */
  static RewriteFunction standard() {
    return standard(false);
  }

  /** The production rewriter; {@code readTouch} is {@code cutover.readTouch}. */
  static RewriteFunction standard(boolean readTouch) {
    StatementRewriter rewriter = new StatementRewriter(readTouch);
    return new RewriteFunction() {
      @Override
      public Rewrite rewrite(String sql, MigrationSnapshot snapshot, Catalog catalog) throws RewriteRefusedException {
        return rewriter.rewrite(sql, snapshot, catalog);
      }

      @Override
      public Rewrite rewrite(String sql, List<Token> tokens, MigrationSnapshot snapshot, Catalog catalog)
          throws RewriteRefusedException {
        return rewriter.rewrite(sql, tokens, snapshot, catalog);
      }
    };
  }
}
