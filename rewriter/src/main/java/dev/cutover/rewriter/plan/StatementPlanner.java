package dev.cutover.rewriter.plan;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.rewriter.Catalog;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.lex.CalciteMask;
import dev.cutover.rewriter.lex.SqlText;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.lex.TokenKind;
import dev.cutover.rewriter.parse.CalciteParser;
import dev.cutover.rewriter.parse.PositionMap;
import dev.cutover.rewriter.resolve.MigrationIndex;
import dev.cutover.rewriter.resolve.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.parser.SqlParseException;

/**
 * Plans the rewrite of one statement of a text: decides from the tokens whether it concerns a
 * migrating table at all, refuses DDL and constructs the rewriter does not handle, masks and parses
 * it, and hands it to the query or write planner.
 *
 * <p>Implementation notes: a statement is parsed only when one of its identifier tokens is the name
 * of a migrating table and it could need a rewrite (an INSERT, an UPDATE during dual_write, or any
 * statement naming a migration column or {@code *}); otherwise it passes through unchanged.
 * Unsupported constructs and parse failures of a statement that could need a rewrite are refused. RETURNING is cut off before the main parse
 * and parsed separately as a select list over the write's target.
 */
public final class StatementPlanner {

  private static final Set<String> DDL = Set.of(
      "alter", "drop", "truncate", "create", "comment", "reindex", "cluster", "grant", "revoke", "security");
  private static final Set<String> REFUSED_KINDS = Set.of("copy", "explain", "merge", "table", "prepare", "call");
  private static final Set<String> PARSED_KINDS = Set.of("select", "insert", "update", "delete", "with", "values", "(");

  private final StatementContext ctx;

  private StatementPlanner(StatementContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Plans statement {@code stmt} of {@code text}, adding to {@code edits} and the name-use sets.
   *
   * @throws RewriteRefusedException when the statement touches a migrating column and cannot be
   *     rewritten safely
   */
  public static void plan(SqlText text, SqlText.Statement stmt, MigrationIndex index, Catalog catalog,
      Edits edits, Set<String> oldUsed, Set<String> newUsed) throws RewriteRefusedException {
    plan(text, stmt, index, catalog, edits, oldUsed, newUsed, null);
  }

  /**
   * As {@link #plan(SqlText, SqlText.Statement, MigrationIndex, Catalog, Edits, Set, Set)}; when
   * {@code touch} is given and the statement is a SELECT eligible for the lazy migration of the rows
   * it returns (see {@link ReadTouchPlanner}), fills it in. A SELECT that would otherwise pass
   * through unparsed is then parsed too, and anything the rewriter cannot handle in it only means
   * no touch, never a refusal.
   */
  public static void plan(SqlText text, SqlText.Statement stmt, MigrationIndex index, Catalog catalog,
      Edits edits, Set<String> oldUsed, Set<String> newUsed, ReadTouchPlan touch) throws RewriteRefusedException {
    List<ColumnMigration> touched = new ArrayList<>();
    for (int i = stmt.fromToken(); i < stmt.toToken(); i++) {
      if (text.tokens().get(i).isIdentifier()) {
        for (ColumnMigration m : index.forTableName(text.folded(i))) {
          if (!touched.contains(m)) {
            touched.add(m);
          }
        }
      }
    }
    if (touched.isEmpty()) {
      return;
    }
    StatementContext ctx = new StatementContext(text, stmt, index, catalog, edits, oldUsed, newUsed, touched);
    ctx.touch = touch;
    new StatementPlanner(ctx).plan();
  }

  private void plan() throws RewriteRefusedException {
    SqlText text = ctx.text;
    int first = text.nextSignificant(ctx.stmt.fromToken(), ctx.stmt.toToken());
    Token firstToken = text.tokens().get(first);
    String kind = firstToken.kind() == TokenKind.LPAREN ? "(" : firstToken.kind() == TokenKind.IDENT
        ? text.folded(first) : firstToken.text(text.sql());
    if (firstToken.kind() == TokenKind.LBRACE) {
      return; // {call ...} and friends reach the server as written
    }
    if (DDL.contains(kind)) {
      throw ctx.refuse(kind.toUpperCase(java.util.Locale.ROOT) + " on migrating table '" + ctx.touched.get(0).table()
          + "' through the driver is not allowed while the migration runs; change the table with the cutover CLI"
          + " (cutover rollback / advance) instead");
    }
    if (REFUSED_KINDS.contains(kind)) {
      throw ctx.refuse(kind.toUpperCase(java.util.Locale.ROOT) + " statements on a migrating table are not supported");
    }
    if (!PARSED_KINDS.contains(kind)) {
      if (mentionsColumnOrStar()) {
        throw ctx.refuse("a " + kind.toUpperCase(java.util.Locale.ROOT) + " statement that mentions a migration column");
      }
      return;
    }
    boolean writes = kind.equals("insert") || kind.equals("update") && updateMayFill();
    if (!writes && !mentionsColumnOrStar()) {
      if (ctx.touch != null && kind.equals("select") && anyDualWrite()) {
        // Nothing to rewrite, but the rows it returns may be lazily migrated: plan it for the touch
        // alone. It names no migration column and no *, so planning it edits nothing.
        Edits.Mark mark = ctx.edits.mark();
        try {
          planParsed(kind);
        } catch (RewriteRefusedException | RuntimeException e) {
          ctx.edits.rollback(mark); // a statement Cutover cannot read is only not touched
          ctx.touch.target = null;
        }
      }
      return; // names no migration column, no *, writes nothing Cutover must mirror: nothing to rewrite
    }
    planParsed(kind);
  }

  private void planParsed(String kind) throws RewriteRefusedException {
    SqlText text = ctx.text;
    String construct = unsupportedConstruct(kind);
    if (construct != null) {
      throw ctx.refuse(construct + " is not supported on a migrating table yet");
    }
    int returning = kind.equals("select") || kind.equals("(") ? -1 : depthZeroKeyword("returning");
    int blankFrom = returning < 0 ? ctx.stmt.toToken() : returning;
    int onConflict = kind.equals("insert") ? onConflict() : -1;
    CalciteMask.Result mask = CalciteMask.mask(text, ctx.stmt, Integer.MAX_VALUE, Integer.MAX_VALUE);
    if (mask.problem() != null) {
      throw ctx.refuse("the statement contains " + mask.problem() + ", which the rewriter cannot parse safely");
    }
    String masked = mask.text();
    int returningAt = returning < 0 ? masked.length() : text.tokens().get(returning).start() - ctx.stmt.start();
    char[] main = masked.toCharArray();
    CalciteMask.blank(main, onConflict < 0 ? returningAt
        : text.tokens().get(onConflict).start() - ctx.stmt.start(), main.length);
    locking(main);
    ctx.positions = new PositionMap(masked, ctx.stmt.start());
    SqlNode node;
    try {
      node = CalciteParser.parse(new String(main));
    } catch (SqlParseException | RuntimeException e) {
      throw ctx.refuse("the SQL parser could not read the statement (" + firstLine(e.getMessage())
          + "); Cutover refuses rather than guess");
    }
    QueryPlanner queries = new QueryPlanner(ctx);
    WritePlanner writePlanner = new WritePlanner(ctx, queries);
    Scope target;
    if (node instanceof SqlInsert insert) {
      target = writePlanner.insert(insert, onConflict >= 0 ? onConflict : blankFrom);
    } else if (node instanceof SqlUpdate update) {
      target = writePlanner.update(update, blankFrom);
    } else if (node instanceof SqlDelete delete) {
      target = writePlanner.delete(delete);
    } else if (node instanceof SqlSelect || node instanceof SqlOrderBy
        || SqlKind.SET_QUERY.contains(node.getKind())) {
      queries.query(node);
      if (ctx.touch != null && kind.equals("select")) {
        ReadTouchPlanner.plan(ctx, queries, node, ctx.touch);
      }
      return;
    } else {
      throw ctx.refuse(QueryPlanner.construct(node) + " is not supported on a migrating table yet");
    }
    if (onConflict >= 0) {
      new UpsertPlanner(ctx, writePlanner).plan(masked, onConflict, blankFrom, target);
    }
    if (returning >= 0) {
      returning(masked, returningAt, queries, target);
    }
  }

  /** Parses {@code RETURNING ...} as {@code SELECT ...} at the same positions and plans it over the target. */
  private void returning(String masked, int at, QueryPlanner queries, Scope target) throws RewriteRefusedException {
    char[] chars = masked.toCharArray();
    CalciteMask.blank(chars, 0, at);
    "SELECT   ".getChars(0, 9, chars, at);
    SqlNode node;
    try {
      node = CalciteParser.parse(new String(chars));
    } catch (SqlParseException | RuntimeException e) {
      throw ctx.refuse("the parser could not read the RETURNING list (" + firstLine(e.getMessage()) + ")");
    }
    if (!(node instanceof SqlSelect select) || select.getFrom() != null) {
      throw ctx.refuse("a RETURNING clause the rewriter cannot read");
    }
    SqlNodeList list = select.getSelectList();
    queries.projection(list, target, new QueryPlanner.Labels());
  }

  /** Blanks a trailing {@code FOR UPDATE / SHARE ...} locking clause, which Calcite cannot parse. */
  private void locking(char[] main) {
    int forToken = depthZeroKeyword("for");
    if (forToken < 0) {
      return;
    }
    int next = ctx.text.nextSignificant(forToken + 1, ctx.stmt.toToken());
    if (next >= 0 && (ctx.text.isKeyword(next, "update") || ctx.text.isKeyword(next, "share")
        || ctx.text.isKeyword(next, "no") || ctx.text.isKeyword(next, "key"))) {
      CalciteMask.blank(main, ctx.text.tokens().get(forToken).start() - ctx.stmt.start(), main.length);
    }
  }

  /** The token index of a depth-0 {@code ON} followed by {@code CONFLICT}, or -1. */
  private int onConflict() {
    int depth = 0;
    for (int i = ctx.stmt.fromToken(); i < ctx.stmt.toToken(); i++) {
      Token t = ctx.text.tokens().get(i);
      switch (t.kind()) {
        case LPAREN, LBRACKET -> depth++;
        case RPAREN, RBRACKET -> depth--;
        default -> {
          if (depth == 0 && ctx.text.isKeyword(i, "on")) {
            int next = ctx.text.nextSignificant(i + 1, ctx.stmt.toToken());
            if (next >= 0 && ctx.text.isKeyword(next, "conflict")) {
              return i;
            }
          }
        }
      }
    }
    return -1;
  }

  private int depthZeroKeyword(String word) {
    int depth = 0;
    for (int i = ctx.stmt.fromToken(); i < ctx.stmt.toToken(); i++) {
      Token t = ctx.text.tokens().get(i);
      switch (t.kind()) {
        case LPAREN, LBRACKET -> depth++;
        case RPAREN, RBRACKET -> depth--;
        default -> {
          if (depth == 0 && ctx.text.isKeyword(i, word)) {
            return i;
          }
        }
      }
    }
    return -1;
  }

  /** The first construct recognised from the tokens that the rewriter does not handle, or {@code null}. */
  private String unsupportedConstruct(String kind) {
    if (kind.equals("with")) {
      return "WITH (a common table expression)";
    }
    SqlText text = ctx.text;
    for (int i = ctx.stmt.fromToken(); i < ctx.stmt.toToken(); i++) {
      if (text.tokens().get(i).kind() != TokenKind.IDENT) {
        continue;
      }
      String word = text.folded(i);
      switch (word) {
        case "lateral" -> {
          return "LATERAL";
        }
        case "merge" -> {
          return "MERGE";
        }
        default -> {}
      }
    }
    return null;
  }

  /** Whether a touched migration is in dual_write (the only phase of lazy migration). */
  private boolean anyDualWrite() {
    for (ColumnMigration m : ctx.touched) {
      if (m.phase() == dev.cutover.migration.Phase.DUAL_WRITE) {
        return true;
      }
    }
    return false;
  }

  /** Whether an UPDATE could need the dual_write lazy fill of a touched migration. */
  private boolean updateMayFill() {
    for (ColumnMigration m : ctx.touched) {
      if (m.phase() == dev.cutover.migration.Phase.DUAL_WRITE) {
        return true;
      }
    }
    return false;
  }

  /** Whether an identifier token is a migration column name, or a {@code *} appears. */
  private boolean mentionsColumnOrStar() {
    SqlText text = ctx.text;
    for (int i = ctx.stmt.fromToken(); i < ctx.stmt.toToken(); i++) {
      Token t = text.tokens().get(i);
      if (t.isIdentifier()) {
        String name = text.folded(i);
        for (ColumnMigration m : ctx.touched) {
          if (m.oldColumn().equals(name) || m.newColumn().equals(name)) {
            return true;
          }
        }
      } else if (t.kind() == TokenKind.OPERATOR && t.text(text.sql()).equals("*")) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
