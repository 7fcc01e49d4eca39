package dev.cutover.rewriter.plan;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.rewriter.Catalog;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.lex.CalciteMask;
import dev.cutover.rewriter.lex.SqlText;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.lex.TokenKind;
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
  /** {@link #mayUseRows()}, once computed. */
  private Boolean mayUseRows;

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

  /**
   * Whether the statement may use a migrating table's whole row or rename its columns by position,
   * as far as the tokens tell: a name that designates a migrating table (the table's name, or the
   * word after it in FROM, its alias) appears again other than as a qualifier ({@code a.col}), or
   * the alias is followed by a column list. Such a statement is parsed: its row or positions are
   * the phase's physical columns. A false positive only costs a parse.
   */
  boolean mayUseRows() {
    if (mayUseRows == null) {
      mayUseRows = computeMayUseRows();
    }
    return mayUseRows;
  }

  private boolean computeMayUseRows() {
    Set<String> rowNames = new java.util.HashSet<>();
    Set<Integer> definitions = new java.util.HashSet<>();
    for (int i = stmt.fromToken(); i < stmt.toToken(); i++) {
      if (!text.tokens().get(i).isIdentifier() || index.forTableName(text.folded(i)).isEmpty()) {
        continue;
      }
      int next = text.nextSignificant(i + 1, stmt.toToken());
      if (next >= 0 && text.tokens().get(next).kind() == TokenKind.DOT) {
        continue; // a qualifier (or a schema named like the table)
      }
      rowNames.add(text.folded(i));
      if (!tableDefinition(i)) {
        continue; // the name elsewhere: found as a use below
      }
      definitions.add(i);
      int alias = next;
      if (alias >= 0 && text.isKeyword(alias, "as")) {
        alias = text.nextSignificant(alias + 1, stmt.toToken());
      }
      if (alias >= 0 && text.tokens().get(alias).isIdentifier() && !NOT_ALIASES.contains(text.folded(alias))) {
        rowNames.add(text.folded(alias));
        definitions.add(alias);
        int list = text.nextSignificant(alias + 1, stmt.toToken());
        if (list >= 0 && text.tokens().get(list).kind() == TokenKind.LPAREN) {
          return true; // t AS a(x, y): a column alias list, or a function call named like the table
        }
      }
    }
    for (int i = stmt.fromToken(); i < stmt.toToken(); i++) {
      if (text.tokens().get(i).isIdentifier() && !definitions.contains(i) && rowNames.contains(text.folded(i))) {
        int next = text.nextSignificant(i + 1, stmt.toToken());
        if (next < 0 || text.tokens().get(next).kind() != TokenKind.DOT) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether table name token {@code i} (possibly schema-qualified) stands where a FROM item or a
   * write's target does: after {@code FROM}, {@code JOIN}, {@code ONLY}, {@code UPDATE},
   * {@code INTO} or {@code USING}. After a comma or a parenthesis it may as well be a function's
   * argument, so it counts as a use.
   */
  private boolean tableDefinition(int i) {
    int before = text.previousSignificant(i - 1, stmt.fromToken());
    if (before >= 0 && text.tokens().get(before).kind() == TokenKind.DOT) {
      int schema = text.previousSignificant(before - 1, stmt.fromToken());
      before = schema < 0 ? -1 : text.previousSignificant(schema - 1, stmt.fromToken());
    }
    return before >= 0 && text.tokens().get(before).isIdentifier() && TABLE_PRECEDERS.contains(text.folded(before));
  }

  /** The words after which a table name is a FROM item or a write's target. */
  private static final Set<String> TABLE_PRECEDERS = Set.of("from", "join", "only", "update", "into", "using");

  /** Words that may follow a table name in FROM but are never its alias. */
  private static final Set<String> NOT_ALIASES = Set.of("where", "join", "inner", "left", "right", "full", "cross",
      "natural", "on", "using", "group", "order", "limit", "offset", "fetch", "for", "union", "intersect", "except",
      "window", "having", "returning", "set", "values", "tablesample", "default", "select", "with", "overriding",
      "do", "when", "then", "and", "or", "as");

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
        ? text.folded(t).equals(name) : raw.equals(name)
            // A keyword label the mask quoted (AS next reads as "ex"): the mask's own spelling.
            || raw.length() > 2 && raw.substring(1, raw.length() - 1).equals(name)
                && CalciteMask.isMaskedLabel(text, stmt, t);
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
