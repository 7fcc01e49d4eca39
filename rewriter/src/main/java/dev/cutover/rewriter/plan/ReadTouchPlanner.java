package dev.cutover.rewriter.plan;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.rewriter.ReadTouch;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.lex.Identifiers;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.resolve.FromItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlIntervalQualifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;

/**
 * Decides whether a top-level SELECT can project the read touch's hidden columns (see {@link
 * ReadTouch}) and where: just before its top-level {@code FROM}, qualified by the migrating
 * table's alias.
 *
 * <p>Implementation notes: extra output columns are harmless only when they change neither the rows
 * nor the validity of the query, so the rules fail closed. Eligible: one statement in the text, a
 * plain SELECT (optionally with ORDER BY / LIMIT / OFFSET / FETCH / locking) without DISTINCT,
 * GROUP BY, HAVING, WINDOW, INTO or set operation; a select list and ORDER BY made of column
 * references, literals, parameters, operators and a fixed list of scalar functions (anything else
 * could be an aggregate, which would make the extra column an error, or a window function);
 * exactly one FROM item that is a migrating table in {@code dual_write} (or lazily cut over to
 * {@code read_new}) whose primary key and
 * both physical columns the catalog knows. Otherwise the statement is simply not touched. The needs-fill flag is {@code new
 * IS NULL AND old IS NOT NULL}, which cannot fail on any row (the fill expression itself, which
 * may, is evaluated only in the background).
 */
final class ReadTouchPlanner {

  /** Hidden column labels: unlikely to collide with the application's, and never visible to it. */
  static final String KEY_LABEL = "cutover.key";
  static final String FILL_LABEL = "cutover.fill";

  /** Functions that are never aggregates or window functions (lower-case names as Calcite reports them). */
  private static final Set<String> SCALAR_FUNCTIONS = Set.of(
      "cast", "coalesce", "nullif", "greatest", "least", "lower", "upper", "initcap", "trim", "btrim", "ltrim",
      "rtrim", "substring", "substr", "length", "char_length", "character_length", "octet_length", "concat",
      "concat_ws", "replace", "position", "strpos", "left", "right", "lpad", "rpad", "split_part", "md5", "abs",
      "round", "trunc", "floor", "ceil", "ceiling", "mod", "sign", "now", "current_timestamp", "current_date",
      "current_time", "localtimestamp", "localtime", "extract", "date_part", "date_trunc", "to_char", "to_date",
      "to_timestamp", "to_number", "age", "format", "reverse", "repeat", "translate", "overlay");

  private final StatementContext ctx;
  private final QueryPlanner queries;

  private ReadTouchPlanner(StatementContext ctx, QueryPlanner queries) {
    this.ctx = ctx;
    this.queries = queries;
  }

  /** Fills {@code plan} when top-level query {@code node} is eligible; otherwise leaves it unset. */
  static void plan(StatementContext ctx, QueryPlanner queries, SqlNode node, ReadTouchPlan plan) {
    try {
      new ReadTouchPlanner(ctx, queries).plan(node, plan);
    } catch (RewriteRefusedException | RuntimeException e) {
      // Anything unexpected: no touch. The statement itself was planned already.
      plan.target = null;
    }
  }

  private void plan(SqlNode node, ReadTouchPlan plan) throws RewriteRefusedException {
    SqlSelect select;
    SqlNodeList outerOrder = null;
    if (node instanceof SqlOrderBy orderBy && orderBy.query instanceof SqlSelect s) {
      select = s;
      outerOrder = orderBy.orderList;
    } else if (node instanceof SqlSelect s) {
      select = s;
    } else {
      return;
    }
    if (select.isDistinct() || select.getGroup() != null || select.getHaving() != null
        || select.getWindowList() != null && !select.getWindowList().isEmpty() || select.getQualify() != null
        || select.getFrom() == null) {
      return;
    }
    if (!safe(select.getSelectList()) || !safe(select.getOrderList()) || !safe(outerOrder)) {
      return;
    }
    List<FromItem> migrating = new ArrayList<>();
    if (!tables(select.getFrom(), migrating) || migrating.size() != 1) {
      return;
    }
    FromItem item = migrating.get(0);
    if (item.info() == null || item.info().primaryKey().isEmpty() || item.qualifierText() == null) {
      return;
    }
    List<ColumnMigration> filling = new ArrayList<>();
    for (ColumnMigration m : item.migrations()) {
      // Both physical columns must be in the catalog (the new one exists from the dual_write DDL on).
      // A lazily cut-over read_new still writes both columns: filling the rest is as safe there.
      if (m.fillsLazily() && item.info().columns().contains(m.physicalNewColumn())
          && item.info().columns().contains(m.oldColumn())) {
        filling.add(m);
      }
    }
    if (filling.isEmpty()) {
      return;
    }
    int from = topLevelFrom();
    if (from < 0) {
      return;
    }
    String q = item.qualifierText() + ".";
    StringBuilder text = new StringBuilder(", ");
    List<String> key = item.info().primaryKey();
    for (int i = 0; i < key.size(); i++) {
      text.append(q).append(Identifiers.quote(key.get(i))).append(" AS \"").append(KEY_LABEL).append(i + 1).append("\", ");
    }
    text.append('(');
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < filling.size(); i++) {
      ColumnMigration m = filling.get(i);
      ids.add(m.id());
      text.append(i == 0 ? "" : " OR ").append('(').append(q).append(Identifiers.quote(m.physicalNewColumn()))
          .append(" IS NULL AND ").append(q).append(Identifiers.quote(m.oldColumn())).append(" IS NOT NULL)");
    }
    text.append(") AS \"").append(FILL_LABEL).append("\" ");
    plan.at = ctx.text.tokens().get(from).start();
    plan.text = text.toString();
    plan.target = new ReadTouch.Target(item.info().schema(), item.info().name(), key, ids);
  }

  /**
   * Collects the migrating tables among the FROM items; false when an item is something other than
   * a table, an aliased table or a join of those.
   */
  private boolean tables(SqlNode node, List<FromItem> migrating) throws RewriteRefusedException {
    if (node instanceof SqlJoin join) {
      return tables(join.getLeft(), migrating) && tables(join.getRight(), migrating);
    }
    FromItem item;
    if (node instanceof SqlIdentifier id) {
      item = queries.table(id, null, null, null);
    } else if (node.getKind() == SqlKind.AS && ((SqlCall) node).operandCount() == 2
        && ((SqlCall) node).operand(0) instanceof SqlIdentifier id) {
      SqlIdentifier aliasId = ((SqlCall) node).operand(1);
      int t = ctx.tokenOf(aliasId, 0);
      if (t < 0) {
        return false;
      }
      item = queries.table(id, ctx.folded(aliasId).get(0), ctx.text.tokens().get(t).text(ctx.text.sql()), null);
    } else {
      return false;
    }
    if (item.isMigrating()) {
      migrating.add(item);
    }
    return true;
  }

  /** Whether every expression of {@code node} is sure to be neither an aggregate nor a window function. */
  private static boolean safe(SqlNode node) {
    if (node == null || node instanceof SqlIdentifier || node instanceof SqlLiteral || node instanceof SqlDynamicParam
        || node instanceof SqlDataTypeSpec || node instanceof SqlIntervalQualifier) {
      return true;
    }
    if (node instanceof SqlNodeList list) {
      for (SqlNode n : list) {
        if (!safe(n)) {
          return false;
        }
      }
      return true;
    }
    if (!(node instanceof SqlCall call) || QueryPlanner.isQuery(node)) {
      return false;
    }
    SqlKind kind = call.getKind();
    if (kind == SqlKind.OVER || kind == SqlKind.FILTER || kind == SqlKind.WITHIN_GROUP
        || kind == SqlKind.WITHIN_DISTINCT || kind == SqlKind.SCALAR_QUERY || kind == SqlKind.EXISTS
        || call.getOperator().isAggregator()) {
      return false;
    }
    if (call.getOperator() instanceof SqlFunction function
        && !SCALAR_FUNCTIONS.contains(function.getName().toLowerCase(Locale.ROOT))) {
      return false;
    }
    for (SqlNode operand : call.getOperandList()) {
      if (!safe(operand)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The token of the statement's top-level {@code FROM} keyword (depth 0, not the one of {@code IS
   * DISTINCT FROM}), or -1; also -1 when a top-level {@code INTO} (SELECT INTO creates a table) or
   * a second top-level SELECT appears.
   */
  private int topLevelFrom() {
    int depth = 0;
    int found = -1;
    for (int i = ctx.stmt.fromToken(); i < ctx.stmt.toToken(); i++) {
      Token t = ctx.text.tokens().get(i);
      switch (t.kind()) {
        case LPAREN, LBRACKET -> depth++;
        case RPAREN, RBRACKET -> depth--;
        default -> {
          if (depth != 0) {
            continue;
          }
          if (ctx.text.isKeyword(i, "into") || ctx.text.isKeyword(i, "union") || ctx.text.isKeyword(i, "intersect")
              || ctx.text.isKeyword(i, "except")) {
            return -1;
          }
          if (found < 0 && ctx.text.isKeyword(i, "from")) {
            int previous = ctx.text.previousSignificant(i - 1, ctx.stmt.fromToken());
            if (previous < 0 || !ctx.text.isKeyword(previous, "distinct")) {
              found = i;
            }
          }
        }
      }
    }
    return found;
  }
}
