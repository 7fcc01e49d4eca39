package dev.cutover.rewriter.plan;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.lex.CalciteMask;
import dev.cutover.rewriter.lex.Identifiers;
import dev.cutover.rewriter.lex.SqlText;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.parse.CalciteParser;
import dev.cutover.rewriter.resolve.FromItem;
import dev.cutover.rewriter.resolve.Scope;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.parser.SqlParseException;

/**
 * Plans {@code INSERT ... ON CONFLICT [target] DO NOTHING | DO UPDATE SET ... [WHERE ...]}.
 *
 * <p>Implementation notes: the conflict target names only columns of the INSERT's table, so its
 * migration names are replaced at token level by the read column (the column whose unique index
 * exists in the phase). {@code DO UPDATE} is parsed as an UPDATE at the same positions: the
 * {@code DO UPDATE} words are overwritten with {@code UPDATE x} and everything before them blanked;
 * it is then planned like an UPDATE over the target and {@code EXCLUDED} (the proposed row, which the
 * rewritten INSERT fills in every written column).
 */
final class UpsertPlanner {

  private final StatementContext ctx;
  private final WritePlanner writes;

  UpsertPlanner(StatementContext ctx, WritePlanner writes) {
    this.ctx = ctx;
    this.writes = writes;
  }

  void plan(String masked, int onToken, int limitToken, Scope insertScope) throws RewriteRefusedException {
    SqlText text = ctx.text;
    FromItem target = insertScope.items().get(0);
    int limit = Math.min(limitToken, ctx.stmt.toToken());
    int conflict = text.nextSignificant(onToken + 1, limit);
    int next = text.nextSignificant(conflict + 1, limit);
    int doToken = -1;
    for (int i = next; i >= 0 && i < limit; i++) {
      Token t = text.tokens().get(i);
      if (t.isIdentifier()) {
        if (text.isKeyword(i, "do")) {
          doToken = i;
          break;
        }
        int before = text.previousSignificant(i - 1, onToken);
        boolean field = before >= 0 && text.tokens().get(before).kind() == dev.cutover.rewriter.lex.TokenKind.DOT;
        // A name after a dot is a field of a composite value ((col).f in an index expression).
        ColumnMigration m = field ? null : target.migrationFor(text.folded(i));
        if (m != null) {
          ctx.used(m, text.folded(i));
          String arbiter = m.readColumn();
          if (m.lazyRead()) {
            // Rows the backfill has not reached have no new value, so the new column's unique index
            // cannot see a conflict with them; the old column holds every row's value. For a rename
            // it is the same value; for a type change old and new uniqueness may differ: refused.
            if (!m.isRename()) {
              throw ctx.refuse(m, "ON CONFLICT on column '" + text.folded(i) + "' is not supported while its type"
                  + " change is lazily cut over to read_new (rows not backfilled yet have no new value to conflict"
                  + " with); finish the backfill and verify, or name a constraint with ON CONFLICT ON CONSTRAINT");
            }
            arbiter = m.oldColumn();
          }
          if (!arbiter.equals(text.folded(i))) {
            ctx.edits.replace(t.start(), t.end(), Identifiers.quote(arbiter));
          }
        }
      }
    }
    if (doToken < 0) {
      throw ctx.refuse("an ON CONFLICT clause without DO");
    }
    int action = text.nextSignificant(doToken + 1, limit);
    if (action >= 0 && text.isKeyword(action, "nothing")) {
      return;
    }
    if (action < 0 || !text.isKeyword(action, "update") || !target.isMigrating() && !mentionsMigration(action, limit)) {
      if (action >= 0 && text.isKeyword(action, "update")) {
        return; // nothing of a migrating column in there
      }
      throw ctx.refuse("an ON CONFLICT action the rewriter cannot read");
    }
    int base = ctx.stmt.start();
    int from = text.tokens().get(doToken).start() - base;
    int to = text.tokens().get(action).end() - base;
    char[] chars = masked.toCharArray();
    int at = headerAt(chars, from, to);
    if (at < 0) {
      throw ctx.refuse("INSERT ... ON CONFLICT DO UPDATE with no line of 8 characters before its SET");
    }
    CalciteMask.blank(chars, 0, to);
    "UPDATE x".getChars(0, 8, chars, at);
    if (limit < ctx.stmt.toToken()) {
      CalciteMask.blank(chars, text.tokens().get(limit).start() - base, chars.length);
    }
    SqlNode node;
    try {
      node = CalciteParser.parse(new String(chars));
    } catch (SqlParseException | RuntimeException e) {
      throw ctx.refuse("the parser could not read the ON CONFLICT DO UPDATE clause");
    }
    if (!(node instanceof SqlUpdate update)) {
      throw ctx.refuse("an ON CONFLICT DO UPDATE clause the rewriter cannot read");
    }
    Scope scope = new Scope(writes.outer());
    scope.add(target);
    scope.addQualifiedOnly(new FromItem("excluded", null, null, "excluded", target.info(), target.migrations()));
    writes.update(update, limit, scope, target.qualifierText() + ".");
  }

  /**
   * Where {@code UPDATE x} can be written in {@code chars[0, to)}, the text before the UPDATE's SET
   * (it is all blanked): in {@code [from, to)} ({@code DO UPDATE}) when that stays on one line, else
   * the last stretch of 8 characters without a line break before it ({@code DO -- why\n UPDATE}), so
   * that every later token keeps its line and column; -1 when there is none.
   */
  private static int headerAt(char[] chars, int from, int to) {
    if (to - from >= 8 && noLineBreak(chars, from, from + 8)) {
      return from;
    }
    int run = 0;
    for (int k = to - 1; k >= 0; k--) {
      run = chars[k] == '\n' || chars[k] == '\r' ? 0 : run + 1;
      if (run == 8) {
        return k;
      }
    }
    return -1;
  }

  private static boolean noLineBreak(char[] chars, int from, int to) {
    for (int k = from; k < to; k++) {
      if (chars[k] == '\n' || chars[k] == '\r') {
        return false;
      }
    }
    return true;
  }

  private boolean mentionsMigration(int from, int limit) {
    for (int i = from; i < limit; i++) {
      if (ctx.text.tokens().get(i).isIdentifier() && ctx.index.isColumnName(ctx.text.folded(i))) {
        return true;
      }
    }
    return false;
  }
}
