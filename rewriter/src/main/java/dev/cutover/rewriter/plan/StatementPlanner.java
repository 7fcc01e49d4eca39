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
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.parser.SqlParseException;

/**
 * Plans the rewrite of one statement of a text: decides from the tokens whether it concerns a
 * migrating table at all, refuses DDL and constructs the rewriter does not handle, masks and parses
 * it, and hands it to the query or write planner.
 *
 * <p>Implementation notes: a statement is parsed only when one of its identifier tokens (a
 * Unicode-escaped one decoded) is the name of a migrating table and it could need a rewrite (an
 * INSERT, an UPDATE during dual_write, a WITH holding either, or any statement naming a migration
 * column, {@code *} or NATURAL); otherwise it passes through unchanged, provided it is a query, a
 * write, or a kind that reads and writes no row values ({@link #UNPARSED_KINDS}): any other kind of
 * statement naming a migrating table is refused, and so are a JDBC call escape naming one and a
 * Unicode-escaped identifier in a statement naming one. Unsupported constructs and parse failures
 * of a statement that could need a rewrite are refused. Before any of this, SQL the server would
 * run later is checked ({@link DeferredText}). {@code DECLARE ... CURSOR FOR query} is planned as
 * its query.
 *
 * <p>The statement is masked once; every parse works on a copy of that mask in which everything
 * outside the part being read is blanked, so Calcite's positions are the original text's. A
 * top-level WITH is split from the tokens: each CTE body and the statement after the WITH is
 * planned as a statement of its own ({@link #part}), a data-modifying body exactly as at top level.
 * Clauses Calcite cannot read are blanked in the main parse and, where they hold names, read apart
 * at the same positions: RETURNING (as a select list over the write's target), ON CONFLICT (see
 * {@link UpsertPlanner}), DISTINCT ON lists (as a select list), UPDATE's FROM and DELETE's USING
 * lists (as {@code SELECT 1 FROM list}); locking clauses are only blanked; DEFAULT VALUES reads as a
 * DELETE of the same target, {@code SET col = DEFAULT} as {@code NULL}, LATERAL before a function
 * as nothing.
 */
public final class StatementPlanner {

  private static final Set<String> DDL = Set.of(
      "alter", "drop", "truncate", "create", "comment", "reindex", "cluster", "grant", "revoke", "security");
  private static final Set<String> REFUSED_KINDS = Set.of("copy", "table", "prepare", "call");
  private static final Set<String> PARSED_KINDS = Set.of("select", "insert", "update", "delete", "merge", "with", "values", "(");
  /**
   * Statements that read and write no row values of the tables they name (locking, maintenance,
   * session and cursor commands): when one names a migrating table but no migration column, no
   * {@code *} and no NATURAL, it needs no rewrite. Any other kind of statement naming a migrating
   * table is refused: a kind the rewriter does not know never passes through.
   */
  private static final Set<String> UNPARSED_KINDS = Set.of(
      "lock", "vacuum", "analyze", "analyse", "notify", "listen", "unlisten", "set", "show", "reset", "discard",
      "begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release", "fetch", "move", "close",
      "deallocate", "checkpoint", "load");

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
    DeferredText.check(text, stmt, index);
    List<ColumnMigration> touched = new ArrayList<>();
    int unicode = -1;
    for (int i = stmt.fromToken(); i < stmt.toToken(); i++) {
      Token t = text.tokens().get(i);
      String name = null;
      if (t.isIdentifier()) {
        name = text.folded(i);
      } else if (t.kind() == TokenKind.UNICODE_IDENT) {
        unicode = unicode < 0 ? i : unicode;
        name = text.unicodeName(i);
        if (name == null) {
          // PostgreSQL rejects it; if our reading were wrong it could name any table: fail closed.
          throw new RewriteRefusedException(index.all().get(0).id(), "the Unicode-escaped identifier "
              + t.text(text.sql()) + " cannot be read; write the name as a plain or double-quoted identifier");
        }
      }
      if (name != null) {
        for (ColumnMigration m : index.forTableName(name)) {
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
    if (unicode >= 0) {
      // The rewriter reads names from the tokens and splices at them; an escaped spelling would be
      // a name it could not see or rewrite. Refused rather than passed through.
      throw ctx.refuse("a Unicode-escaped identifier in a statement on a migrating table is not supported; write "
          + text.tokens().get(unicode).text(text.sql()) + " as a plain or double-quoted identifier");
    }
    ctx.touch = touch;
    new StatementPlanner(ctx).plan();
  }

  private void plan() throws RewriteRefusedException {
    SqlText text = ctx.text;
    String plain = plainForm();
    if (plain != null) {
      throw new Desugared(plain);
    }
    int first = text.nextSignificant(ctx.stmt.fromToken(), ctx.stmt.toToken());
    Token firstToken = text.tokens().get(first);
    String kind = kindOf(first);
    if (firstToken.kind() == TokenKind.LBRACE) {
      // {call f(...)}: pgjdbc turns it into a SELECT or CALL of a function that runs server-side.
      throw ctx.refuse("a JDBC call escape ({call ...}) that names migrating table '" + ctx.touched.get(0).table()
          + "' is not supported; write the statement as plain SQL");
    }
    if (kind.equals("declare")) {
      // DECLARE c CURSOR FOR query: the query is planned (and rewritten) as a statement of its own.
      first = cursorQuery(first);
      kind = kindOf(first);
      ctx.touch = null; // FETCH returns the cursor's rows: no hidden columns there
      if (!PARSED_KINDS.contains(kind)) {
        throw ctx.refuse("a DECLARE ... CURSOR FOR " + kind.toUpperCase(java.util.Locale.ROOT)
            + " on a migrating table is not supported");
      }
    }
    if (kind.equals("explain")) {
      // EXPLAIN [options] statement: the statement is planned (and rewritten) as one of its own; the
      // output is a plan, not the table's rows (EXPLAIN ANALYZE runs the rewritten statement).
      first = explained(first);
      kind = kindOf(first);
      ctx.touch = null;
      if (!PARSED_KINDS.contains(kind)) {
        throw ctx.refuse("EXPLAIN of a " + kind.toUpperCase(java.util.Locale.ROOT)
            + " statement on a migrating table is not supported");
      }
    }
    int[] createAs = kind.equals("create") ? createTableAs(first) : null;
    if (createAs != null) {
      // CREATE TABLE t AS query: the query is planned (and rewritten) as one of its own; the new
      // table's columns are its labels, the application's names.
      first = createAs[0];
      kind = kindOf(first);
      ctx.touch = null;
      if (!PARSED_KINDS.contains(kind)) {
        throw ctx.refuse("CREATE TABLE ... AS " + kind.toUpperCase(java.util.Locale.ROOT)
            + " on a migrating table is not supported");
      }
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
      if (!UNPARSED_KINDS.contains(kind)) {
        throw ctx.refuse("a " + kind.toUpperCase(java.util.Locale.ROOT) + " statement that names migrating table '"
            + ctx.touched.get(0).table() + "' is not supported");
      }
      if (mentionsColumnOrStar()) {
        throw ctx.refuse("a " + kind.toUpperCase(java.util.Locale.ROOT) + " statement that mentions a migration column");
      }
      return;
    }
    // A WITH may hide a write (a data-modifying CTE, or the main statement) that Cutover must mirror.
    boolean writes = kind.equals("insert") || kind.equals("merge") || kind.equals("update") && updateMayFill()
        || kind.equals("with") && (hasKeyword("insert") || hasKeyword("merge") || hasKeyword("update") && updateMayFill());
    if (!writes && !mentionsColumnOrStar() && !ctx.mayUseRows()) {
      if (ctx.touch != null && kind.equals("select") && anyDualWrite()) {
        // Nothing to rewrite, but the rows it returns may be lazily migrated: plan it for the touch
        // alone. It names no migration column and no *, so planning it edits nothing.
        Edits.Mark mark = ctx.edits.mark();
        try {
          planParsed();
        } catch (RewriteRefusedException | RuntimeException e) {
          ctx.edits.rollback(mark); // a statement Cutover cannot read is only not touched
          ctx.touch.target = null;
        }
      }
      return; // names no migration column, no *, writes nothing Cutover must mirror: nothing to rewrite
    }
    planParsed();
  }

  private void planParsed() throws RewriteRefusedException {
    Edits.Mark mark = ctx.edits.mark();
    Set<String> oldBefore = Set.copyOf(ctx.oldUsed);
    Set<String> newBefore = Set.copyOf(ctx.newUsed);
    while (true) {
      try {
        planOnce();
        return;
      } catch (Replan replan) {
        // A whole-row reference to a FROM item planned as the plain table: plan again, that item a
        // derived table. At most once per FROM item.
        if (!ctx.rowSources.add(replan.at)) {
          throw new IllegalStateException("the FROM item at " + replan.at + " was asked for as a derived table twice");
        }
        ctx.edits.rollback(mark);
        ctx.oldUsed.retainAll(oldBefore);
        ctx.newUsed.retainAll(newBefore);
        ctx.distinctOn.clear();
        ctx.readsRows = false;
        if (ctx.touch != null) {
          ctx.touch.target = null;
        }
      }
    }
  }

  private void planOnce() throws RewriteRefusedException {
    SqlText text = ctx.text;
    int first = text.nextSignificant(ctx.stmt.fromToken(), ctx.stmt.toToken());
    if (text.isKeyword(first, "declare")) {
      first = cursorQuery(first);
    } else if (text.isKeyword(first, "explain")) {
      first = explained(first);
    }
    int end = ctx.stmt.toToken();
    int[] createAs = text.isKeyword(first, "create") ? createTableAs(first) : null;
    if (createAs != null) {
      first = createAs[0];
      end = createAs[1];
    }
    String construct = unsupportedConstruct(first);
    if (construct != null) {
      throw ctx.refuse(construct + " is not supported on a migrating table yet");
    }
    CalciteMask.Result mask = CalciteMask.mask(text, ctx.stmt, Integer.MAX_VALUE, Integer.MAX_VALUE);
    if (mask.problem() != null) {
      throw ctx.refuse("the statement contains " + mask.problem() + ", which the rewriter cannot parse safely");
    }
    masked = mask.text();
    base = masked.toCharArray();
    ctx.positions = new PositionMap(masked, ctx.stmt.start());
    queries = new QueryPlanner(ctx);
    part(first, end, null);
  }

  /**
   * The first token of the query of {@code DECLARE name [options] CURSOR [WITH[OUT] HOLD] FOR query}
   * starting at token {@code declare}; refuses a DECLARE it cannot read.
   */
  private int cursorQuery(int declare) throws RewriteRefusedException {
    SqlText text = ctx.text;
    int to = ctx.stmt.toToken();
    int i = text.nextSignificant(declare + 1, to); // the cursor's name
    boolean cursor = false;
    while (i >= 0 && text.tokens().get(i).isIdentifier()) {
      i = text.nextSignificant(i + 1, to);
      if (i < 0 || text.tokens().get(i).kind() != TokenKind.IDENT) {
        break;
      }
      if (!cursor && text.isKeyword(i, "cursor")) {
        cursor = true;
      } else if (cursor && text.isKeyword(i, "for")) {
        int query = text.nextSignificant(i + 1, to);
        if (query >= 0) {
          return query;
        }
        break;
      }
    }
    throw ctx.refuse("a DECLARE ... CURSOR the rewriter cannot read");
  }

  /**
   * The first token of the statement of {@code EXPLAIN [(option, ...)] [ANALYZE] [VERBOSE] statement}
   * starting at token {@code explain}; refuses an EXPLAIN it cannot read.
   */
  private int explained(int explain) throws RewriteRefusedException {
    SqlText text = ctx.text;
    int to = ctx.stmt.toToken();
    int i = text.nextSignificant(explain + 1, to);
    if (i >= 0 && text.tokens().get(i).kind() == TokenKind.LPAREN) {
      int depth = 0;
      for (; i < to; i++) {
        TokenKind k = text.tokens().get(i).kind();
        if (k == TokenKind.LPAREN) {
          depth++;
        } else if (k == TokenKind.RPAREN && --depth == 0) {
          break;
        }
      }
      i = i < to ? text.nextSignificant(i + 1, to) : -1;
    } else {
      if (i >= 0 && (text.isKeyword(i, "analyze") || text.isKeyword(i, "analyse"))) {
        i = text.nextSignificant(i + 1, to);
      }
      if (i >= 0 && text.isKeyword(i, "verbose")) {
        i = text.nextSignificant(i + 1, to);
      }
    }
    if (i < 0) {
      throw ctx.refuse("an EXPLAIN the rewriter cannot read");
    }
    return i;
  }

  /**
   * The query of {@code CREATE [GLOBAL | LOCAL] [TEMP | TEMPORARY | UNLOGGED] TABLE [IF NOT EXISTS]
   * name [(columns)] [options] AS query [WITH [NO] DATA]} starting at token {@code create}, as
   * {@code {first token, end token}}; {@code null} for any other CREATE. Refuses a new table named
   * like a migrating table (it would hide it from the statements after it).
   */
  private int[] createTableAs(int create) throws RewriteRefusedException {
    SqlText text = ctx.text;
    int to = ctx.stmt.toToken();
    int i = text.nextSignificant(create + 1, to);
    if (i >= 0 && (text.isKeyword(i, "global") || text.isKeyword(i, "local"))) {
      i = text.nextSignificant(i + 1, to);
    }
    if (i >= 0 && (text.isKeyword(i, "temp") || text.isKeyword(i, "temporary") || text.isKeyword(i, "unlogged"))) {
      i = text.nextSignificant(i + 1, to);
    }
    if (i < 0 || !text.isKeyword(i, "table")) {
      return null;
    }
    i = text.nextSignificant(i + 1, to);
    int as = -1;
    int depth = 0;
    for (int k = i; k >= 0 && k < to; k++) {
      TokenKind kind = text.tokens().get(k).kind();
      if (kind == TokenKind.LPAREN) {
        depth++;
      } else if (kind == TokenKind.RPAREN) {
        depth--;
      } else if (depth == 0 && text.isKeyword(k, "as")) {
        as = k;
        break;
      }
    }
    if (as < 0) {
      return null;
    }
    if (text.isKeyword(i, "if")) {
      i = text.nextSignificant(i + 1, to); // not
      i = i < 0 ? -1 : text.nextSignificant(i + 1, to); // exists
      i = i < 0 ? -1 : text.nextSignificant(i + 1, to);
    }
    int name = i;
    while (name >= 0 && name < as) {
      int next = text.nextSignificant(name + 1, as);
      if (next < 0 || text.tokens().get(next).kind() != TokenKind.DOT) {
        break;
      }
      name = text.nextSignificant(next + 1, as);
    }
    if (name < 0 || name >= as || !text.tokens().get(name).isIdentifier()) {
      throw ctx.refuse("a CREATE TABLE ... AS the rewriter cannot read");
    }
    for (ColumnMigration m : ctx.touched) {
      if (m.table().equals(text.folded(name))) {
        throw ctx.refuse(m, "CREATE TABLE ... AS named like migrating table '" + m.table() + "' is not supported (the"
            + " new table would hide it from the statements after it)");
      }
    }
    int first = text.nextSignificant(as + 1, to);
    if (first < 0) {
      throw ctx.refuse("a CREATE TABLE ... AS the rewriter cannot read");
    }
    int end = to;
    int with = -1;
    depth = 0;
    for (int k = first; k < to; k++) {
      TokenKind kind = text.tokens().get(k).kind();
      if (kind == TokenKind.LPAREN) {
        depth++;
      } else if (kind == TokenKind.RPAREN) {
        depth--;
      } else if (depth == 0 && text.isKeyword(k, "with")) {
        with = k;
      }
    }
    if (with > first) {
      int next = text.nextSignificant(with + 1, to);
      if (next >= 0 && text.isKeyword(next, "no")) {
        next = text.nextSignificant(next + 1, to);
      }
      if (next >= 0 && text.isKeyword(next, "data") && text.nextSignificant(next + 1, to) < 0) {
        end = with;
      }
    }
    return new int[] {first, end};
  }

  private static final Set<String> BEFORE_EXPLICIT_TABLE = Set.of("union", "intersect", "except", "all", "distinct");
  /** FROM-item words with a syntax of their own that the parser reads as written. */
  private static final Set<String> OWN_FROM_SYNTAX = Set.of("unnest", "lateral", "only", "rows", "table");
  private static final Set<String> FROM_WORDS = Set.of("from", "join", "lateral");
  private static final Set<String> CLAUSE_WORDS = Set.of("select", "from", "where", "group", "having", "order",
      "limit", "offset", "on", "join", "set", "returning", "values", "using", "window", "lateral");

  /**
   * The whole text with this statement's forms that PostgreSQL reads alike written in the form the
   * parser reads, or {@code null} when it has none: an explicit table ({@code TABLE t}, which
   * PostgreSQL defines as {@code SELECT * FROM t}) at a query position (the statement's start, after
   * {@code (} or a set operation; elsewhere TABLE belongs to another command such as
   * {@code LOCK TABLE}); and a FROM function whose first argument is a call,
   * {@code FROM f(g(x)) AS r}, which Calcite mistakes for a table with extra columns, written
   * {@code f((g(x)))}.
   */
  private String plainForm() {
    SqlText text = ctx.text;
    java.util.TreeMap<Integer, String[]> edits = new java.util.TreeMap<>(); // offset -> {replaced end, text}
    for (int i = ctx.stmt.fromToken(); i < ctx.stmt.toToken(); i++) {
      Token t = text.tokens().get(i);
      if (t.kind() != TokenKind.IDENT) {
        continue;
      }
      int next = text.nextSignificant(i + 1, ctx.stmt.toToken());
      if (next < 0) {
        continue;
      }
      if (text.isKeyword(i, "table") && text.tokens().get(next).isIdentifier()) {
        int before = text.previousSignificant(i - 1, ctx.stmt.fromToken());
        if (before < 0 || text.tokens().get(before).kind() == TokenKind.LPAREN
            || (text.tokens().get(before).kind() == TokenKind.IDENT && BEFORE_EXPLICIT_TABLE.contains(text.folded(before)))) {
          edits.put(t.start(), new String[] {String.valueOf(t.end()), "SELECT * FROM"});
        }
        continue;
      }
      int call = text.nextSignificant(next + 1, ctx.stmt.toToken());
      int callOpen = call < 0 ? -1 : text.nextSignificant(call + 1, ctx.stmt.toToken());
      if (text.tokens().get(next).kind() == TokenKind.LPAREN && call >= 0 && text.tokens().get(call).kind() == TokenKind.IDENT
          && callOpen >= 0 && text.tokens().get(callOpen).kind() == TokenKind.LPAREN && text.matching(callOpen) > callOpen
          && !OWN_FROM_SYNTAX.contains(text.folded(i)) && fromItemPosition(i)) {
        Token first = text.tokens().get(call);
        edits.put(first.start(), new String[] {String.valueOf(first.start()), "("});
        int end = text.tokens().get(text.matching(callOpen)).end();
        edits.put(end, new String[] {String.valueOf(end), ")"});
      }
    }
    if (edits.isEmpty()) {
      return null;
    }
    StringBuilder out = new StringBuilder(text.sql().length() + 16);
    int copied = 0;
    for (var e : edits.entrySet()) {
      out.append(text.sql(), copied, e.getKey()).append(e.getValue()[1]);
      copied = Integer.parseInt(e.getValue()[0]);
    }
    return out.append(text.sql(), copied, text.sql().length()).toString();
  }

  /** Whether token {@code i} stands where a FROM item starts: its clause, looking back at its depth, is FROM or JOIN. */
  private boolean fromItemPosition(int i) {
    SqlText text = ctx.text;
    int before = text.previousSignificant(i - 1, ctx.stmt.fromToken());
    if (before < 0) {
      return false;
    }
    Token b = text.tokens().get(before);
    if (b.kind() == TokenKind.IDENT && FROM_WORDS.contains(text.folded(before))) {
      return true;
    }
    if (b.kind() != TokenKind.COMMA) {
      return false;
    }
    int depth = 0;
    for (int k = before - 1; k >= ctx.stmt.fromToken(); k--) {
      TokenKind kind = text.tokens().get(k).kind();
      if (kind == TokenKind.RPAREN) {
        depth++;
      } else if (kind == TokenKind.LPAREN) {
        if (depth == 0) {
          return false;
        }
        depth--;
      } else if (depth == 0 && kind == TokenKind.IDENT && CLAUSE_WORDS.contains(text.folded(k))) {
        String word = text.folded(k);
        return word.equals("from") || word.equals("join") || word.equals("lateral");
      }
    }
    return false;
  }

  /** The statement's text as Calcite may read it (same length and lines as the original). */
  private String masked;
  /** {@link #masked} with the DISTINCT ON lists blanked once read: what every parse of a part starts from. */
  private char[] base;
  private QueryPlanner queries;

  private String kindOf(int token) {
    Token t = ctx.text.tokens().get(token);
    return t.kind() == TokenKind.LPAREN ? "(" : t.kind() == TokenKind.IDENT ? ctx.text.folded(token) : t.text(ctx.text.sql());
  }

  /**
   * Plans the statement that occupies tokens {@code [from, to)}: the whole statement, a CTE's body
   * or the statement after a WITH clause, whose names may refer to the CTEs of {@code outer}.
   * Clauses Calcite cannot read (RETURNING, ON CONFLICT, locking, DISTINCT ON, UPDATE ... FROM,
   * DELETE ... USING, DEFAULT VALUES) are blanked in the main parse and read apart at the same
   * positions.
   *
   * @return the output column labels (a query's, or a write's RETURNING list), or {@code null} for
   *     a write without RETURNING
   */
  private QueryPlanner.Labels part(int from, int to, Scope outer) throws RewriteRefusedException {
    SqlText text = ctx.text;
    int first = text.nextSignificant(from, to);
    if (first < 0) {
      throw ctx.refuse("an empty statement inside a WITH clause");
    }
    String kind = kindOf(first);
    if (kind.equals("with")) {
      return with(first, to, outer);
    }
    if (kind.equals("merge")) {
      if (outer != null) {
        throw ctx.refuse("WITH ... MERGE on a migrating table is not supported; move the CTE into the MERGE's USING"
            + " subquery");
      }
      new MergePlanner(ctx, queries, base).plan(first, to);
      return null;
    }
    boolean query = kind.equals("select") || kind.equals("(") || kind.equals("values");
    boolean insert = kind.equals("insert");
    int returning = query ? -1 : depthZeroKeyword("returning", from, to);
    int limit = returning < 0 ? to : returning;
    int onConflict = insert ? onConflict(from, limit) : -1;
    distinctOn(from, limit);
    lateralFunctions(from, limit);
    char[] main = only(from, to);
    CalciteMask.blank(main, offset(onConflict < 0 ? limit : onConflict), offset(to));
    locking(main, from, to);
    queryClauses(main, from, limit, query);
    int defaultValues = insert ? defaultValues(first, onConflict < 0 ? limit : onConflict) : -1;
    if (defaultValues >= 0) {
      // INSERT INTO t [AS a] DEFAULT VALUES reads as DELETE FROM t [AS a]: the target, nothing else.
      int into = text.nextSignificant(first + 1, limit);
      if (into < 0 || !text.isKeyword(into, "into")) {
        throw ctx.refuse("an INSERT ... DEFAULT VALUES the rewriter cannot read");
      }
      overwrite(main, first, "DELETE");
      overwrite(main, into, "FROM");
      int valuesToken = text.nextSignificant(defaultValues + 1, limit);
      CalciteMask.blank(main, offset(defaultValues), offset(valuesToken + 1));
    }
    int insertAlias = insert && defaultValues < 0 ? insertAlias(main, first, limit) : -1;
    java.util.Map<Integer, int[]> rows = java.util.Map.of();
    if (kind.equals("update")) {
      int set = depthZeroKeyword("set", first, limit);
      int afterSet = set < 0 ? -1 : text.nextSignificant(set + 1, limit);
      if (afterSet >= 0 && text.tokens().get(afterSet).kind() == TokenKind.LPAREN) {
        String plain = rowAssignments(afterSet, limit);
        if (plain != null) {
          throw new Desugared(plain);
        }
      }
      rows = set < 0 ? java.util.Map.of() : rowSelects(main, set, limit);
      setDefaults(main, first, limit);
    }
    SqlNode extraFrom = null;
    if (kind.equals("update") || kind.equals("delete")) {
      extraFrom = extraFrom(main, kind, first, limit);
    }
    SqlNode node = parse(main, "the statement");
    WritePlanner writePlanner = new WritePlanner(ctx, queries, outer);
    writePlanner.rowSelects(rows);
    Scope target;
    if (defaultValues >= 0 && node instanceof SqlDelete delete && delete.getCondition() == null) {
      target = writePlanner.delete(delete, null);
    } else if (node instanceof SqlInsert ins) {
      target = new InsertPlanner(ctx, queries, writePlanner).insert(ins, onConflict >= 0 ? onConflict : limit,
          insertAlias);
    } else if (node instanceof SqlUpdate update) {
      target = writePlanner.update(update, limit, extraFrom);
    } else if (node instanceof SqlDelete delete) {
      target = writePlanner.delete(delete, extraFrom);
    } else if (QueryPlanner.isQuery(node) && node.getKind() != SqlKind.VALUES && node.getKind() != SqlKind.EXPLICIT_TABLE) {
      QueryPlanner.Labels labels = queries.query(node, outer);
      if (ctx.touch != null && outer == null && kind.equals("select") && !ctx.readsRows) {
        ReadTouchPlanner.plan(ctx, queries, node, ctx.touch); // the top-level SELECT only
      }
      return labels;
    } else if (node.getKind() == SqlKind.VALUES) {
      // A bare VALUES list (a CTE's body): its columns are column1, column2, ...
      queries.nested(node);
      QueryPlanner.Labels labels = new QueryPlanner.Labels();
      SqlNode row = ((org.apache.calcite.sql.SqlCall) node).operand(0);
      int width = row instanceof org.apache.calcite.sql.SqlCall call ? call.operandCount() : 0;
      for (int k = 1; k <= width; k++) {
        labels.names.add("column" + k);
      }
      labels.complete = width > 0;
      return labels;
    } else {
      throw ctx.refuse(QueryPlanner.construct(node) + " is not supported on a migrating table yet");
    }
    if (onConflict >= 0) {
      new UpsertPlanner(ctx, writePlanner).plan(new String(base), onConflict, limit, target);
    }
    if (returning >= 0) {
      return returning(returning, to, target);
    }
    return null;
  }

  /**
   * Plans {@code WITH [RECURSIVE] name [(columns)] AS [[NOT] MATERIALIZED] (body), ... statement}
   * over tokens {@code [withToken, to)}: each body is planned as a statement of its own (a
   * data-modifying one exactly as at top level), and its output labels become the CTE's columns
   * for the bodies after it and the main statement.
   */
  private QueryPlanner.Labels with(int withToken, int to, Scope outer) throws RewriteRefusedException {
    SqlText text = ctx.text;
    Scope scope = new Scope(outer);
    int i = text.nextSignificant(withToken + 1, to);
    boolean recursive = i >= 0 && text.isKeyword(i, "recursive");
    if (recursive) {
      i = text.nextSignificant(i + 1, to);
    }
    record Cte(String name, int nameToken, List<String> columns, int from, int to) {}
    List<Cte> ctes = new ArrayList<>();
    int main;
    while (true) {
      if (i < 0 || !text.tokens().get(i).isIdentifier()) {
        throw ctx.refuse("a WITH clause the rewriter cannot read");
      }
      int j = text.nextSignificant(i + 1, to);
      List<String> columns = null;
      if (j >= 0 && text.tokens().get(j).kind() == TokenKind.LPAREN) {
        columns = new ArrayList<>();
        int close = text.matching(j);
        if (close < 0 || close >= to) {
          throw ctx.refuse("a WITH clause the rewriter cannot read");
        }
        for (int k = j + 1; k < close; k++) {
          Token t = text.tokens().get(k);
          if (t.isIdentifier()) {
            columns.add(text.folded(k));
          } else if (t.kind() != TokenKind.COMMA && !t.isTrivia()) {
            throw ctx.refuse("a WITH column list the rewriter cannot read");
          }
        }
        j = text.nextSignificant(close + 1, to);
      }
      if (j < 0 || !text.isKeyword(j, "as")) {
        throw ctx.refuse("a WITH clause the rewriter cannot read");
      }
      j = text.nextSignificant(j + 1, to);
      if (j >= 0 && text.isKeyword(j, "not")) {
        j = text.nextSignificant(j + 1, to);
        if (j < 0 || !text.isKeyword(j, "materialized")) {
          throw ctx.refuse("a WITH clause the rewriter cannot read");
        }
      }
      if (j >= 0 && text.isKeyword(j, "materialized")) {
        j = text.nextSignificant(j + 1, to);
      }
      if (j < 0 || text.tokens().get(j).kind() != TokenKind.LPAREN || text.matching(j) < 0 || text.matching(j) >= to) {
        throw ctx.refuse("a WITH clause the rewriter cannot read");
      }
      int close = text.matching(j);
      ctes.add(new Cte(text.folded(i), i, columns, j + 1, close));
      int after = text.nextSignificant(close + 1, to);
      if (after >= 0 && (text.isKeyword(after, "search") || text.isKeyword(after, "cycle"))) {
        throw ctx.refuse("WITH ... SEARCH / CYCLE is not supported on a migrating table yet");
      }
      if (after >= 0 && text.tokens().get(after).kind() == TokenKind.COMMA) {
        i = text.nextSignificant(after + 1, to);
        continue;
      }
      if (after < 0) {
        throw ctx.refuse("a WITH clause without a statement after it");
      }
      main = after;
      break;
    }
    if (recursive) {
      // Every name is visible in every body; columns known once a body has been planned.
      for (Cte c : ctes) {
        scope.defineCte(c.name(), queries.cte(c.name(), written(c.nameToken()), c.columns(), null));
      }
    }
    for (Cte c : ctes) {
      QueryPlanner.Labels labels = part(c.from(), c.to(), scope);
      scope.defineCte(c.name(), queries.cte(c.name(), written(c.nameToken()), c.columns(), labels));
    }
    return part(main, to, scope);
  }

  /**
   * For {@code UPDATE ... FROM list} or {@code DELETE ... USING list}: blanks the list in
   * {@code main} and returns it parsed apart (as {@code SELECT 1 FROM list} at the same positions),
   * or {@code null} when there is none.
   */
  private SqlNode extraFrom(char[] main, String kind, int first, int limit) throws RewriteRefusedException {
    SqlText text = ctx.text;
    boolean update = kind.equals("update");
    int keyword = -1;
    int depth = 0;
    int start = first + 1;
    if (!update) {
      int fromKw = text.nextSignificant(first + 1, limit);
      if (fromKw < 0 || !text.isKeyword(fromKw, "from")) {
        return null;
      }
      start = fromKw + 1;
    }
    for (int i = start; i < limit; i++) {
      Token t = text.tokens().get(i);
      switch (t.kind()) {
        case LPAREN, LBRACKET -> depth++;
        case RPAREN, RBRACKET -> depth--;
        default -> {
          if (depth != 0) {
            continue;
          }
          if (text.isKeyword(i, "where")) {
            return null;
          }
          if (update && text.isKeyword(i, "from")) {
            int before = text.previousSignificant(i - 1, first);
            if (before >= 0 && text.isKeyword(before, "distinct")) {
              continue; // IS [NOT] DISTINCT FROM
            }
            keyword = i;
          } else if (!update && text.isKeyword(i, "using")) {
            keyword = i;
          }
        }
      }
      if (keyword >= 0) {
        break;
      }
    }
    if (keyword < 0) {
      return null;
    }
    int end = limit;
    depth = 0;
    for (int i = keyword + 1; i < limit; i++) {
      Token t = text.tokens().get(i);
      if (t.kind() == TokenKind.LPAREN || t.kind() == TokenKind.LBRACKET) {
        depth++;
      } else if (t.kind() == TokenKind.RPAREN || t.kind() == TokenKind.RBRACKET) {
        depth--;
      } else if (depth == 0 && text.isKeyword(i, "where")) {
        end = i;
        break;
      }
    }
    CalciteMask.blank(main, offset(keyword), offset(end));
    char[] list = only(keyword, end);
    int target = text.nextSignificant(first + 1, keyword);
    if (target < 0 || text.tokens().get(target).start() <= text.tokens().get(first).end()) {
      throw ctx.refuse((update ? "UPDATE ... FROM" : "DELETE ... USING") + " written without a space after "
          + kind.toUpperCase(java.util.Locale.ROOT) + " cannot be read");
    }
    overwrite(list, first, "SELECT");
    list[offset(target)] = '1';
    if (!update) {
      overwrite(list, keyword, "FROM ");
    }
    SqlNode node = parse(list, update ? "the UPDATE's FROM list" : "the DELETE's USING list");
    if (!(node instanceof SqlSelect select) || select.getFrom() == null) {
      throw ctx.refuse("a " + (update ? "FROM" : "USING") + " list the rewriter cannot read");
    }
    return select.getFrom();
  }

  /**
   * Blanks each {@code DISTINCT ON (...)} list of tokens {@code [from, limit)} in {@code main} (Calcite
   * then reads a plain DISTINCT) and parses the list apart, as the select list of
   * {@code SELECT expr, ...} at the same positions, into {@link StatementContext#distinctOn}.
   */
  private void distinctOn(int from, int limit) throws RewriteRefusedException {
    SqlText text = ctx.text;
    for (int i = from; i < limit; i++) {
      if (!text.isKeyword(i, "select")) {
        continue;
      }
      int distinct = text.nextSignificant(i + 1, limit);
      if (distinct < 0 || !text.isKeyword(distinct, "distinct")) {
        continue;
      }
      int on = text.nextSignificant(distinct + 1, limit);
      if (on < 0 || !text.isKeyword(on, "on")) {
        continue;
      }
      int open = text.nextSignificant(on + 1, limit);
      int close = open < 0 || text.tokens().get(open).kind() != TokenKind.LPAREN ? -1 : text.matching(open);
      if (close < 0 || close >= limit) {
        throw ctx.refuse("a SELECT DISTINCT ON the rewriter cannot read");
      }
      if (ctx.distinctOn.containsKey(text.tokens().get(i).start())) {
        continue; // read already (a part is planned once, but be safe)
      }
      char[] list = only(open + 1, close);
      overwrite(list, i, "SELECT");
      SqlNode node = parse(list, "the DISTINCT ON list");
      if (!(node instanceof SqlSelect select) || select.getFrom() != null) {
        throw ctx.refuse("a DISTINCT ON list the rewriter cannot read");
      }
      ctx.distinctOn.put(text.tokens().get(i).start(), select.getSelectList());
      CalciteMask.blank(base, offset(on), offset(close + 1));
    }
  }

  /**
   * Blanks {@code LATERAL} before a function in FROM, which Calcite cannot read there: a function
   * in FROM sees the items before it with or without the keyword, so the reading is the same.
   */
  private void lateralFunctions(int from, int limit) {
    SqlText text = ctx.text;
    for (int i = from; i < limit; i++) {
      if (text.isKeyword(i, "lateral")) {
        int next = text.nextSignificant(i + 1, limit);
        if (next >= 0 && text.tokens().get(next).isIdentifier()) {
          CalciteMask.blank(base, offset(i), offset(i) + text.tokens().get(i).end() - text.tokens().get(i).start());
        }
      }
    }
  }

  /**
   * {@code SET col = DEFAULT}: Calcite reads no DEFAULT there, so the main parse sees {@code NULL}
   * (a constant, as DEFAULT is to the duplication check); edits copy the original text.
   */
  private void setDefaults(char[] main, int first, int limit) throws RewriteRefusedException {
    int depth = 0;
    for (int i = first; i < limit; i++) {
      Token t = ctx.text.tokens().get(i);
      if (t.kind() == TokenKind.LPAREN || t.kind() == TokenKind.LBRACKET) {
        depth++;
      } else if (t.kind() == TokenKind.RPAREN || t.kind() == TokenKind.RBRACKET) {
        depth--;
      } else if (depth == 0 && ctx.text.isKeyword(i, "default")) {
        int before = ctx.text.previousSignificant(i - 1, first);
        if (before >= 0 && "=".equals(ctx.text.tokens().get(before).text(ctx.text.sql()))) {
          overwrite(main, i, "NULL");
        }
      }
    }
  }

  /** The token index of a depth-0 {@code DEFAULT} followed by {@code VALUES} in {@code [from, limit)}, or -1. */
  private int defaultValues(int from, int limit) {
    int at = depthZeroKeyword("default", from, limit);
    if (at < 0) {
      return -1;
    }
    int next = ctx.text.nextSignificant(at + 1, limit);
    return next >= 0 && ctx.text.isKeyword(next, "values") ? at : -1;
  }

  private String written(int token) {
    return ctx.text.tokens().get(token).text(ctx.text.sql());
  }

  /** A copy of the masked statement with everything outside tokens {@code [from, to)} blanked. */
  private char[] only(int from, int to) {
    char[] chars = base.clone();
    CalciteMask.blank(chars, 0, offset(from));
    CalciteMask.blank(chars, offset(to), chars.length);
    return chars;
  }

  /** The offset in the masked statement where token {@code token} starts (its end for the statement's end). */
  private int offset(int token) {
    return token >= ctx.stmt.toToken() ? masked.length() : ctx.text.tokens().get(token).start() - ctx.stmt.start();
  }

  /** Writes {@code word} over token {@code token}, which is at least as long; the rest of it blanked. */
  private void overwrite(char[] chars, int token, String word) throws RewriteRefusedException {
    Token t = ctx.text.tokens().get(token);
    if (t.end() - t.start() < word.length()) {
      throw ctx.refuse("a statement shape the rewriter cannot read");
    }
    int at = offset(token);
    CalciteMask.blank(chars, at, at + t.end() - t.start());
    word.getChars(0, word.length(), chars, at);
  }

  private SqlNode parse(char[] chars, String what) throws RewriteRefusedException {
    try {
      return CalciteParser.parse(new String(chars));
    } catch (SqlParseException | RuntimeException e) {
      throw ctx.refuse("the SQL parser could not read " + what + " (" + firstLine(e.getMessage())
          + "); Cutover refuses rather than guess");
    }
  }

  /** Parses {@code RETURNING ...} (tokens {@code [returning, to)}) as {@code SELECT ...} at the same positions and plans it over the target. */
  private QueryPlanner.Labels returning(int returning, int to, Scope target) throws RewriteRefusedException {
    char[] chars = only(returning, to);
    overwrite(chars, returning, "SELECT");
    SqlNode node = parse(chars, "the RETURNING list");
    if (!(node instanceof SqlSelect select) || select.getFrom() != null) {
      throw ctx.refuse("a RETURNING clause the rewriter cannot read");
    }
    QueryPlanner.Labels labels = new QueryPlanner.Labels();
    queries.projection(select.getSelectList(), target, labels);
    return labels;
  }

  /**
   * {@code INSERT INTO t AS a ...}: Calcite's INSERT has no alias, so {@code AS a} is blanked in the
   * main parse and the alias token (returned, or -1 when there is none) names the target instead.
   */
  private int insertAlias(char[] main, int insertToken, int limit) {
    SqlText text = ctx.text;
    int into = text.nextSignificant(insertToken + 1, limit);
    if (into < 0 || !text.isKeyword(into, "into")) {
      return -1;
    }
    int name = text.nextSignificant(into + 1, limit);
    if (name < 0 || !text.tokens().get(name).isIdentifier()) {
      return -1;
    }
    int next = text.nextSignificant(name + 1, limit);
    while (next >= 0 && text.tokens().get(next).kind() == TokenKind.DOT) {
      name = text.nextSignificant(next + 1, limit);
      if (name < 0 || !text.tokens().get(name).isIdentifier()) {
        return -1;
      }
      next = text.nextSignificant(name + 1, limit);
    }
    if (next < 0 || !text.isKeyword(next, "as")) {
      return -1;
    }
    int alias = text.nextSignificant(next + 1, limit);
    if (alias < 0 || !text.tokens().get(alias).isIdentifier()) {
      return -1; // left to the parser, which refuses it
    }
    Token a = text.tokens().get(alias);
    CalciteMask.blank(main, offset(next), a.end() - ctx.stmt.start());
    return alias;
  }

  /**
   * Reads the clauses Calcite cannot parse in one pass over a part's tokens: {@code FETCH ... WITH
   * TIES} at any depth and, in a query, {@code SELECT ... INTO table}.
   */
  private void queryClauses(char[] main, int from, int to, boolean query) throws RewriteRefusedException {
    SqlText text = ctx.text;
    int into = -1;
    int depth = 0;
    for (int i = from; i < to; i++) {
      switch (text.tokens().get(i).kind()) {
        case LPAREN, LBRACKET -> depth++;
        case RPAREN, RBRACKET -> depth--;
        case IDENT -> {
          if (query && depth == 0 && into < 0 && text.isKeyword(i, "into")) {
            into = i;
          } else if (text.isKeyword(i, "ties")) {
            withTies(main, i, from);
          }
        }
        default -> { }
      }
    }
    if (into >= 0) {
      selectInto(main, into, to);
    }
  }

  /**
   * {@code FETCH FIRST n ROWS WITH TIES} (token {@code ties}) reads as {@code ... ROWS ONLY} for the
   * parser: the clause names no column (its ORDER BY is planned as usual) and the text keeps WITH TIES.
   */
  private void withTies(char[] main, int ties, int from) {
    SqlText text = ctx.text;
    int with = text.previousSignificant(ties - 1, from);
    int rows = with < 0 ? -1 : text.previousSignificant(with - 1, from);
    if (rows >= 0 && text.isKeyword(with, "with") && (text.isKeyword(rows, "rows") || text.isKeyword(rows, "row"))) {
      CalciteMask.blank(main, offset(with), offset(ties + 1));
      "ONLY".getChars(0, 4, main, offset(with));
    }
  }

  /**
   * Blanks {@code SELECT ... INTO [TEMP | TEMPORARY | UNLOGGED | LOCAL TEMP | GLOBAL TEMP] [TABLE] name},
   * which Calcite cannot parse: the query is planned as it is, and the new table's columns are its
   * labels. Refuses a new table named like a migrating table (it would hide it afterwards).
   */
  private void selectInto(char[] main, int into, int to) throws RewriteRefusedException {
    SqlText text = ctx.text;
    int i = text.nextSignificant(into + 1, to);
    for (String word : new String[] {"global", "local", "temp", "temporary", "unlogged", "table"}) {
      if (i >= 0 && (text.isKeyword(i, word) || word.equals("temp") && text.isKeyword(i, "temporary"))) {
        i = text.nextSignificant(i + 1, to);
      }
    }
    int name = i;
    while (name >= 0) {
      int next = text.nextSignificant(name + 1, to);
      if (next < 0 || text.tokens().get(next).kind() != TokenKind.DOT) {
        break;
      }
      name = text.nextSignificant(next + 1, to);
    }
    if (name < 0 || !text.tokens().get(name).isIdentifier()) {
      throw ctx.refuse("a SELECT ... INTO the rewriter cannot read");
    }
    for (ColumnMigration m : ctx.touched) {
      if (m.table().equals(text.folded(name))) {
        throw ctx.refuse(m, "SELECT ... INTO a table named like migrating table '" + m.table() + "' is not supported"
            + " (the new table would hide it from the statements after it)");
      }
    }
    ctx.touch = null; // the rows go to the new table, not to the application
    CalciteMask.blank(main, offset(into), text.tokens().get(name).end() - ctx.stmt.start());
  }

  /**
   * The whole text with every leading {@code (a, b) = (x, y)} / {@code (a, b) = ROW(x, y)} clause of
   * the SET list starting at token {@code first} written as {@code a = x, b = y}, which is how
   * PostgreSQL's grammar reads a row assignment from a row constructor; {@code null} when a clause is
   * anything else (a sub-SELECT source, a subscripted or field target, counts that differ, a single
   * value without ROW, which PostgreSQL rejects).
   */
  private String rowAssignments(int first, int limit) {
    SqlText text = ctx.text;
    String sql = text.sql();
    StringBuilder out = new StringBuilder(sql.length() + 16);
    int copied = 0;
    int i = first;
    while (i >= 0 && i < limit && text.tokens().get(i).kind() == TokenKind.LPAREN) {
      int clauseStart = text.tokens().get(i).start();
      List<int[]> targets = new ArrayList<>();
      int k = text.nextSignificant(i + 1, limit);
      while (true) {
        if (k < 0 || !text.tokens().get(k).isIdentifier()) {
          return null;
        }
        targets.add(new int[] {k, k});
        k = text.nextSignificant(k + 1, limit);
        if (k < 0) {
          return null;
        }
        TokenKind kind = text.tokens().get(k).kind();
        if (kind == TokenKind.RPAREN) {
          break;
        }
        if (kind != TokenKind.COMMA) {
          return null;
        }
        k = text.nextSignificant(k + 1, limit);
      }
      k = text.nextSignificant(k + 1, limit);
      if (k < 0 || !"=".equals(text.tokens().get(k).text(sql))) {
        return null;
      }
      k = text.nextSignificant(k + 1, limit);
      boolean row = k >= 0 && text.isKeyword(k, "row");
      if (row) {
        k = text.nextSignificant(k + 1, limit);
      }
      if (k < 0 || text.tokens().get(k).kind() != TokenKind.LPAREN) {
        return null;
      }
      int inner = text.nextSignificant(k + 1, limit);
      if (inner < 0 || text.isKeyword(inner, "select") || text.isKeyword(inner, "with")
          || text.isKeyword(inner, "values") || text.tokens().get(inner).kind() == TokenKind.LPAREN && !row) {
        return null; // a sub-SELECT (or what may be one): PostgreSQL runs it once per row, not rewritten here
      }
      List<int[]> values = new ArrayList<>();
      int depth = 0;
      int valueStart = inner;
      int close = -1;
      for (int j = inner; j < limit; j++) {
        TokenKind kind = text.tokens().get(j).kind();
        if (kind == TokenKind.LPAREN || kind == TokenKind.LBRACKET) {
          depth++;
        } else if ((kind == TokenKind.RPAREN || kind == TokenKind.RBRACKET) && depth > 0) {
          depth--;
        } else if (kind == TokenKind.RPAREN) {
          values.add(new int[] {valueStart, text.previousSignificant(j - 1, valueStart)});
          close = j;
          break;
        } else if (kind == TokenKind.COMMA && depth == 0) {
          values.add(new int[] {valueStart, text.previousSignificant(j - 1, valueStart)});
          valueStart = text.nextSignificant(j + 1, limit);
          if (valueStart < 0) {
            return null;
          }
        }
      }
      if (close < 0 || values.size() != targets.size() || values.size() == 1 && !row) {
        return null;
      }
      for (int[] v : values) {
        if (v[1] < v[0]) {
          return null; // an empty value
        }
      }
      int after = text.nextSignificant(close + 1, limit);
      boolean more = after >= 0 && text.tokens().get(after).kind() == TokenKind.COMMA;
      if (after >= 0 && !more && !text.isKeyword(after, "where") && !text.isKeyword(after, "from")
          && !text.isKeyword(after, "returning")) {
        return null; // (a, b) = (x, y) followed by more of an expression
      }
      out.append(sql, copied, clauseStart);
      // The brackets kept the clause apart from its neighbours: without them, SET(a, b) = (x, 1)WHERE
      // would run together as SETa and 1WHERE, so a space stands in where none was written.
      if (clauseStart > 0 && !Character.isWhitespace(sql.charAt(clauseStart - 1))) {
        out.append(' ');
      }
      for (int n = 0; n < targets.size(); n++) {
        if (n > 0) {
          out.append(", ");
        }
        out.append(text.tokens().get(targets.get(n)[0]).text(sql)).append(" = ")
            .append(sql, text.tokens().get(values.get(n)[0]).start(), text.tokens().get(values.get(n)[1]).end());
      }
      copied = text.tokens().get(close).end();
      if (!more) {
        if (copied < sql.length() && !Character.isWhitespace(sql.charAt(copied))) {
          out.append(' ');
        }
        break;
      }
      // The next clause: another row assignment, or a plain one left as it is (then no more are read).
      i = text.nextSignificant(after + 1, limit);
    }
    if (copied == 0) {
      return null;
    }
    out.append(sql, copied, sql.length());
    return out.toString();
  }

  /**
   * Finds the SET list's row assignments from a sub-SELECT, {@code (a, b) = (SELECT ...)}, and masks
   * each to read {@code a = (SELECT ...)} (the parenthesis before the first target and the other
   * targets blanked), so the sub-SELECT is parsed and planned where it stands; the write planner
   * then writes the whole clause (see {@code WritePlanner#rowFromSelect}). Returns, by the token of
   * each clause's first target, {@code {open, close}} of its target list and of its sub-SELECT.
   * Refuses any other row assignment (the plain ones were desugared before).
   */
  private java.util.Map<Integer, int[]> rowSelects(char[] main, int set, int limit) throws RewriteRefusedException {
    SqlText text = ctx.text;
    java.util.Map<Integer, int[]> out = new java.util.HashMap<>();
    boolean clauseStart = true;
    for (int i = text.nextSignificant(set + 1, limit); i >= 0 && i < limit; i = text.nextSignificant(i + 1, limit)) {
      Token t = text.tokens().get(i);
      if (t.kind() == TokenKind.COMMA) {
        clauseStart = true;
        continue;
      }
      if (t.kind() == TokenKind.IDENT && (text.isKeyword(i, "from") || text.isKeyword(i, "where")
          || text.isKeyword(i, "returning"))) {
        break;
      }
      if (clauseStart && t.kind() == TokenKind.LPAREN) {
        int close = text.matching(i);
        List<Integer> targets = new ArrayList<>();
        boolean plain = close > i;
        for (int k = text.nextSignificant(i + 1, close); plain && k >= 0 && k < close;
            k = text.nextSignificant(k + 1, close)) {
          boolean expectName = targets.size() == 0 || text.tokens().get(text.previousSignificant(k - 1, i)).kind()
              == TokenKind.COMMA;
          if (expectName && text.tokens().get(k).isIdentifier()) {
            targets.add(k);
          } else if (expectName || text.tokens().get(k).kind() != TokenKind.COMMA) {
            plain = false;
          }
        }
        int eq = close < 0 ? -1 : text.nextSignificant(close + 1, limit);
        int open = eq < 0 ? -1 : text.nextSignificant(eq + 1, limit);
        int inner = open < 0 ? -1 : text.nextSignificant(open + 1, limit);
        int end = open < 0 || text.tokens().get(open).kind() != TokenKind.LPAREN ? -1 : text.matching(open);
        int after = end < 0 ? -1 : text.nextSignificant(end + 1, limit);
        if (!plain || targets.isEmpty() || eq < 0 || !"=".equals(written(eq)) || end < 0 || inner < 0
            || !text.isKeyword(inner, "select") && !text.isKeyword(inner, "with")
            || after >= 0 && text.tokens().get(after).kind() != TokenKind.COMMA && !text.isKeyword(after, "from")
                && !text.isKeyword(after, "where") && !text.isKeyword(after, "returning")) {
          throw ctx.refuse("UPDATE ... SET (column, ...) = (...) (a row assignment) other than from a list of values,"
              + " ROW(...) or a sub-SELECT is not supported on a migrating table yet; assign each column on its own");
        }
        CalciteMask.blank(main, offset(i), offset(i) + 1);
        CalciteMask.blank(main, text.tokens().get(targets.get(0)).end() - ctx.stmt.start(), offset(close) + 1);
        out.put(targets.get(0), new int[] {i, close, open, end});
        i = end;
        clauseStart = false;
        continue;
      }
      clauseStart = false;
      if ((t.kind() == TokenKind.LPAREN || t.kind() == TokenKind.LBRACKET) && text.matching(i) > i) {
        i = text.matching(i);
      }
    }
    return out;
  }

  /**
   * Blanks the locking clauses ({@code FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF table, ...]
   * [NOWAIT | SKIP LOCKED]}, one or more, or the standard's {@code FOR READ ONLY}, which locks
   * nothing), which Calcite cannot parse. Only their words and table
   * names are blanked: PostgreSQL also accepts {@code LIMIT}, {@code OFFSET} and {@code FETCH} after
   * them, whose expressions may read columns, so the parser gets everything from the first token
   * that is no part of a locking clause (and refuses what it cannot read).
   */
  private void locking(char[] main, int from, int to) {
    SqlText text = ctx.text;
    int forToken = depthZeroKeyword("for", from, to);
    if (forToken >= 0) {
      lockingClause(main, forToken, to);
    }
    // A subquery's own locking clause, as in the queue idiom UPDATE ... WHERE id = (SELECT id ...
    // LIMIT 1 FOR UPDATE SKIP LOCKED): a FOR whose innermost bracket opens a SELECT (substring(x
    // FOR n) and the like are inside a function's brackets), up to that bracket's end.
    java.util.ArrayDeque<Integer> open = new java.util.ArrayDeque<>();
    for (int i = from; i < to; i++) {
      Token t = text.tokens().get(i);
      if (t.kind() == TokenKind.LPAREN || t.kind() == TokenKind.LBRACKET) {
        open.push(i);
      } else if (t.kind() == TokenKind.RPAREN || t.kind() == TokenKind.RBRACKET) {
        if (!open.isEmpty()) {
          open.pop();
        }
      } else if (!open.isEmpty() && text.isKeyword(i, "for")
          && text.tokens().get(open.peek()).kind() == TokenKind.LPAREN) {
        int first = text.nextSignificant(open.peek() + 1, to);
        int close = text.matching(open.peek());
        if (first >= 0 && (text.isKeyword(first, "select") || text.isKeyword(first, "with")) && close > i) {
          lockingClause(main, i, close);
        }
      }
    }
  }

  /** Blanks the locking clause at token {@code forToken} (if it is one), at most up to token {@code to}. */
  private void lockingClause(char[] main, int forToken, int to) {
    SqlText text = ctx.text;
    int next = text.nextSignificant(forToken + 1, to);
    if (next >= 0 && (text.isKeyword(next, "update") || text.isKeyword(next, "share")
        || text.isKeyword(next, "no") || text.isKeyword(next, "key") || text.isKeyword(next, "read"))) {
      int end = to;
      for (int i = forToken + 1; i < to; i++) {
        Token t = text.tokens().get(i);
        boolean lockingPart = t.isTrivia() || t.kind() == TokenKind.DOT || t.kind() == TokenKind.COMMA
            || t.isIdentifier() && !text.isKeyword(i, "limit") && !text.isKeyword(i, "offset")
            && !text.isKeyword(i, "fetch");
        if (!lockingPart) {
          end = i;
          break;
        }
      }
      CalciteMask.blank(main, offset(forToken), offset(end));
    }
  }

  /** The token index of a depth-0 {@code ON} followed by {@code CONFLICT}, or -1. */
  private int onConflict(int from, int to) {
    int depth = 0;
    for (int i = from; i < to; i++) {
      Token t = ctx.text.tokens().get(i);
      switch (t.kind()) {
        case LPAREN, LBRACKET -> depth++;
        case RPAREN, RBRACKET -> depth--;
        default -> {
          if (depth == 0 && ctx.text.isKeyword(i, "on")) {
            int next = ctx.text.nextSignificant(i + 1, to);
            if (next >= 0 && ctx.text.isKeyword(next, "conflict")) {
              return i;
            }
          }
        }
      }
    }
    return -1;
  }

  /** The first token in {@code [from, to)} that is keyword {@code word} outside brackets, or -1. */
  private int depthZeroKeyword(String word, int from, int to) {
    int depth = 0;
    for (int i = from; i < to; i++) {
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

  /**
   * The first construct recognised from the tokens that the rewriter does not handle, or {@code null}:
   * a MERGE anywhere but as the statement itself (token {@code first}), which PostgreSQL does not
   * allow in a CTE either.
   */
  private String unsupportedConstruct(int first) {
    SqlText text = ctx.text;
    for (int i = ctx.stmt.fromToken(); i < ctx.stmt.toToken(); i++) {
      if (i != first && text.tokens().get(i).kind() == TokenKind.IDENT && text.folded(i).equals("merge")) {
        return "MERGE (in a CTE or elsewhere in the statement)";
      }
    }
    return null;
  }

  /** Whether keyword {@code word} appears anywhere in the statement. */
  private boolean hasKeyword(String word) {
    for (int i = ctx.stmt.fromToken(); i < ctx.stmt.toToken(); i++) {
      if (ctx.text.isKeyword(i, word)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a touched migration fills lazily (dual_write, or a lazily cut-over read_new). */
  private boolean anyDualWrite() {
    for (ColumnMigration m : ctx.touched) {
      if (m.fillsLazily()) {
        return true;
      }
    }
    return false;
  }

  /** Whether an UPDATE could need the dual_write lazy fill of a touched migration. */
  private boolean updateMayFill() {
    for (ColumnMigration m : ctx.touched) {
      if (m.fillsLazily()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether an identifier token is a migration column name, or a {@code *} or {@code NATURAL}
   * appears (a natural join's columns depend on the phase's physical columns).
   */
  private boolean mentionsColumnOrStar() {
    SqlText text = ctx.text;
    for (int i = ctx.stmt.fromToken(); i < ctx.stmt.toToken(); i++) {
      Token t = text.tokens().get(i);
      if (t.kind() == TokenKind.IDENT && text.isKeyword(i, "natural")) {
        return true;
      }
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
