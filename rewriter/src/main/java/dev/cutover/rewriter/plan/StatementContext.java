package dev.cutover.rewriter.plan;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.rewriter.Catalog;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.lex.SqlText;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.parse.PositionMap;
import dev.cutover.rewriter.resolve.MigrationIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * What the planners of one statement share: the text and its tokens, the position map of the
 * current parse, the migrations, the catalog, the planned edits and the names used.
 */
final class StatementContext {

  final SqlText text;
  final SqlText.Statement stmt;
  final MigrationIndex index;
  final Catalog catalog;
  final Edits edits;
  final Set<String> oldUsed;
  final Set<String> newUsed;
  /** The migrations whose table name appears in the statement; the first names refusals. */
  final List<ColumnMigration> touched;
  PositionMap positions;
  /**
   * The expressions of each {@code SELECT DISTINCT ON (...)} of the statement, parsed apart (the
   * main parse sees a plain {@code DISTINCT}), keyed by the offset of their {@code SELECT} keyword.
   */
  final java.util.Map<Integer, org.apache.calcite.sql.SqlNodeList> distinctOn = new java.util.HashMap<>();
  /** Where a top-level SELECT asks for the read touch's hidden columns; {@code null} when not wanted. */
  ReadTouchPlan touch;
  /**
   * The offsets of the migrating tables in FROM whose whole row the statement uses: planned as
   * derived tables of the application's columns (found while planning; each one found plans the
   * statement again, see {@link Replan}).
   */
  final Set<Integer> rowSources = new java.util.HashSet<>();
  /** Whether the plan replaces a migrating table in FROM by a derived table. */
  boolean readsRows;
  /** Whether the tokens show a name of a migrating table used other than as a qualifier (a possible whole row). */
  boolean mayUseRows;

  StatementContext(SqlText text, SqlText.Statement stmt, MigrationIndex index, Catalog catalog, Edits edits,
      Set<String> oldUsed, Set<String> newUsed, List<ColumnMigration> touched) {
    this.text = text;
    this.stmt = stmt;
    this.index = index;
    this.catalog = catalog;
    this.edits = edits;
    this.oldUsed = oldUsed;
    this.newUsed = newUsed;
    this.touched = touched;
  }

  /** A refusal naming the first touched migration. */
  RewriteRefusedException refuse(String reason) {
    return refuse(touched.get(0), reason);
  }

  RewriteRefusedException refuse(ColumnMigration m, String reason) {
    return new RewriteRefusedException(m.id(), reason);
  }

  /**
   * The token index of component {@code i} of {@code id}, checked against the lexer: it must be an
   * identifier token (or {@code *} for a star) spanning exactly Calcite's position with the same
   * name. Returns -1 when Calcite's parse disagrees with the lexer.
   */
  int tokenOf(SqlIdentifier id, int i) {
    SqlParserPos pos = id.getComponentParserPosition(i);
    int start = positions.start(pos);
    int end = positions.end(pos);
    int t = text.tokenStartingAt(start);
    if (t < 0 || t < stmt.fromToken() || t >= stmt.toToken()) {
      return -1;
    }
    Token token = text.tokens().get(t);
    if (token.end() != end) {
      return -1;
    }
    String name = id.names.get(i);
    if (name.isEmpty()) {
      return "*".equals(token.text(text.sql())) ? t : -1;
    }
    if (!token.isIdentifier()) {
      return -1;
    }
    String raw = token.text(text.sql());
    boolean same = token.kind() == dev.cutover.rewriter.lex.TokenKind.QUOTED_IDENT
        ? text.folded(t).equals(name) : raw.equals(name);
    return same ? t : -1;
  }

  /** The folded names of {@code id}'s components, cross-checked; refuses on disagreement. */
  List<String> folded(SqlIdentifier id) throws RewriteRefusedException {
    List<String> out = new ArrayList<>(id.names.size());
    for (int i = 0; i < id.names.size(); i++) {
      int t = tokenOf(id, i);
      if (t < 0) {
        throw refuse("the parser's reading of identifier '" + id + "' does not match the SQL text "
            + "(a construct the parser misreads, such as a $n parameter or a keyword used as a name)");
      }
      out.add(id.names.get(i).isEmpty() ? "" : text.folded(t));
    }
    return out;
  }

  /** The original text's range of component {@code i}: {@code [start, end)}. */
  int[] span(SqlIdentifier id, int i) {
    Token t = text.tokens().get(tokenOf(id, i));
    return new int[] {t.start(), t.end()};
  }

  /** Records that the statement used {@code name} of {@code m}. */
  void used(ColumnMigration m, String name) {
    if (name.equals(m.oldColumn())) {
      oldUsed.add(m.id());
    }
    if (name.equals(m.newColumn()) && !m.newColumn().equals(m.oldColumn())) {
      newUsed.add(m.id());
    }
  }
}
