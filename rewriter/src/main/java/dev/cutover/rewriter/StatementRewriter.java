package dev.cutover.rewriter;

import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.rewriter.lex.SqlText;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.plan.Desugared;
import dev.cutover.rewriter.plan.Edits;
import dev.cutover.rewriter.plan.ReadTouchPlan;
import dev.cutover.rewriter.plan.StatementPlanner;
import dev.cutover.rewriter.resolve.MigrationIndex;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Rewrites one SQL text (possibly several statements separated by {@code ;}) for the phases of the
 * migrations in a snapshot. Stateless and thread-safe; the driver caches its results.
 *
 * <p>A text that mentions no migrating table is returned unchanged without being parsed.
 *
 * <p>Implementation notes: the text is lexed once; each statement that names a migrating table is
 * parsed with Calcite on a same-length masked copy, and the planned changes are spliced into the
 * original text at identifier leaves and token boundaries, so everything Cutover does not change
 * reaches the server byte for byte. When the SQL text changes but the placeholders keep their
 * positions, the parameter map is the identity (never {@code null}), so that
 * {@link Rewrite#isUnchanged()} is false exactly when the text or the parameters changed or a
 * migration name was used.
 */
public final class StatementRewriter {

  private final boolean readTouch;

  /** A rewriter that never adds the read touch's hidden columns. */
  public StatementRewriter() {
    this(false);
  }

  /**
   * @param readTouch whether an eligible SELECT on a table in {@code dual_write} projects the hidden
   *     columns of the lazy migration of the rows it returns ({@code cutover.readTouch}; see {@link
   *     ReadTouch})
   */
  public StatementRewriter(boolean readTouch) {
    this.readTouch = readTouch;
  }

  /** The index of the last snapshot seen; snapshots are immutable, so identity is enough. */
  private volatile CachedIndex cachedIndex;

  private record CachedIndex(MigrationSnapshot snapshot, MigrationIndex index) {}

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
   * @throws RewriterBugException when the rewriter itself failed (a bug in Cutover)
   */
  public Rewrite rewrite(String sql, MigrationSnapshot snapshot, Catalog catalog)
      throws RewriteRefusedException {
    return rewrite(sql, null, snapshot, catalog);
  }

  /**
   * {@link #rewrite(String, MigrationSnapshot, Catalog)} of {@code sql} already lexed, when the
   * caller did ({@code tokens} is {@link dev.cutover.rewriter.lex.Lexer#lex} of it, not changed
   * afterwards; {@code null}: lexed here): a cache miss lexes its text for the constant shape first,
   * and need not lex it twice.
   */
  public Rewrite rewrite(String sql, List<Token> tokens, MigrationSnapshot snapshot, Catalog catalog)
      throws RewriteRefusedException {
    if (!snapshot.mayTouch(sql)) {
      return Rewrite.unchanged(sql, snapshot.epoch());
    }
    try {
      return plan(sql, tokens, snapshot, index(snapshot), (schema, table) -> {
        try {
          return catalog.table(schema, table);
        } catch (RuntimeException e) {
          throw new CatalogFailure(e);
        }
      });
    } catch (CatalogFailure e) {
      throw e.failure; // the catalog's own error (a failed query), not the rewriter's
    } catch (RuntimeException e) {
      // Planning failed where it should have refused or rewritten: a bug, never a half-rewritten
      // statement and never a refusal that would hide it.
      throw new RewriterBugException(sql, e);
    }
  }

  /** Carries an exception of the catalog past the rewriter's own failure handling. */
  private static final class CatalogFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient RuntimeException failure;

    CatalogFailure(RuntimeException failure) {
      super(null, null, false, false);
      this.failure = failure;
    }
  }

  private Rewrite plan(String sql, List<Token> tokens, MigrationSnapshot snapshot, MigrationIndex index,
      Catalog catalog) throws RewriteRefusedException {
    SqlText text = tokens == null ? new SqlText(sql) : new SqlText(sql, tokens);
    Edits edits = new Edits(text);
    Set<String> oldUsed = new LinkedHashSet<>();
    Set<String> newUsed = new LinkedHashSet<>();
    // Hidden columns only where the driver sees exactly one result: a text of one statement.
    ReadTouchPlan touch = readTouch && significantStatements(text) == 1 ? new ReadTouchPlan() : null;
    for (SqlText.Statement stmt : text.statements()) {
      if (text.nextSignificant(stmt.fromToken(), stmt.toToken()) < 0) {
        continue;
      }
      try {
        StatementPlanner.plan(text, stmt, index, catalog, edits, oldUsed, newUsed, touch);
      } catch (Desugared d) {
        // The same statement in a plain form PostgreSQL reads alike (placeholders in the same order).
        return plan(d.sql(), null, snapshot, index, catalog);
      }
    }
    String plainSql = sql;
    int[] plainMap = null;
    if (!edits.isEmpty()) {
      Edits.Result result = edits.apply();
      plainSql = result.sql();
      plainMap = result.parameterMap();
    }
    if (touch != null && touch.isSet()) {
      edits.insert(touch.at(), List.of(Edits.Piece.text(touch.text())));
      Edits.Result touched = edits.apply();
      return new Rewrite(touched.sql(), touched.parameterMap(), Set.copyOf(oldUsed), Set.copyOf(newUsed),
          snapshot.epoch(), new ReadTouch(touch.target(), plainSql, plainMap));
    }
    return new Rewrite(plainSql, plainMap, Set.copyOf(oldUsed), Set.copyOf(newUsed), snapshot.epoch());
  }

  private static int significantStatements(SqlText text) {
    int n = 0;
    for (SqlText.Statement stmt : text.statements()) {
      if (text.nextSignificant(stmt.fromToken(), stmt.toToken()) >= 0) {
        n++;
      }
    }
    return n;
  }

  private MigrationIndex index(MigrationSnapshot snapshot) {
    CachedIndex cached = cachedIndex;
    if (cached == null || cached.snapshot() != snapshot) {
      cached = new CachedIndex(snapshot, new MigrationIndex(snapshot));
      cachedIndex = cached;
    }
    return cached.index();
  }
}
