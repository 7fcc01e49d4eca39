package dev.cutover.rewriter.plan;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.TableInfo;
import dev.cutover.rewriter.lex.Identifiers;
import dev.cutover.rewriter.lex.SqlText;
import dev.cutover.rewriter.parse.PostgresOperators;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.lex.TokenKind;
import dev.cutover.rewriter.resolve.AppColumns;
import dev.cutover.rewriter.resolve.FromItem;
import dev.cutover.rewriter.resolve.Scope;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.calcite.sql.JoinConditionType;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCollectionTypeNameSpec;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlTypeNameSpec;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;

/**
 * Plans the rewrite of queries and of the expressions of writes: name resolution against FROM
 * items, read-column substitution at identifier leaves, labels for select-list columns, and
 * {@code *} expansion.
 *
 * <p>Implementation notes: a column reference is rewritten only when it resolves with certainty to
 * a migrating column; anything uncertain about such a reference is refused. Subqueries (in FROM,
 * LATERAL, expressions, nested {@code WITH}) are planned in their own scope, whose parent is the
 * enclosing query (or, for LATERAL and functions in FROM, the items before them); their output
 * labels become the columns of the FROM item they form, so a derived table or CTE that selects
 * {@code full_name} exposes a column {@code full_name} that is not the table's. CTE names are looked
 * up through the scope chain before the catalog, as PostgreSQL does. Constructs still not descended
 * into (VALUES lists, other table functions) are refused when they mention a migration column, or
 * select {@code *} next to a migrating table. A {@code *} expansion adds one column (the new name):
 * where a column count is fixed (set operations, subquery expressions, INSERT ... SELECT) it is
 * refused, also through a derived table or CTE that expanded one ({@code widened}).
 *
 * <p>Names are read as PostgreSQL reads them: in {@code (x).f} the field {@code f} is never a
 * column (only {@code x} is a reference: a column, or a FROM item's row, when {@code (x).f} is
 * column {@code f} of it); a name that is no column but a FROM item is that item's whole row. The
 * whole row of a migrating table, and a column alias list over it, would have the phase's physical
 * columns and positions: such a FROM item is sent as a derived table of the application's columns
 * (those {@code SELECT *} gives) under the same name ({@link #derived}); a whole-row reference found
 * after its FROM item was planned asks for the statement to be planned again ({@link Replan}).
 */
final class QueryPlanner {

  private final StatementContext ctx;

  QueryPlanner(StatementContext ctx) {
    this.ctx = ctx;
  }

  // ---------------------------------------------------------------- queries

  /**
   * The output column names of a query, in order, as PostgreSQL labels them; {@code complete} is
   * false when some label could not be determined (so a FROM item made of it has unknown columns).
   */
  static final class Labels {
    final List<String> names = new ArrayList<>();
    boolean complete = true;
    /** Whether a {@code *} of a migrating table added the new name as one more column. */
    boolean widened;
  }

  /**
   * FROM items (derived tables, CTEs) whose columns include a {@code *} expansion that added the
   * new name: a {@code *} over them is wider than before the migration too.
   */
  private final Set<FromItem> widened = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());


  /** Plans a top-level query. */
  void query(SqlNode node) throws RewriteRefusedException {
    query(node, null, Clause.TOP);
  }

  /**
   * Plans a query (SELECT, with ORDER BY / LIMIT / OFFSET, or a set operation) whose correlated
   * names resolve in {@code parent}; returns its output labels.
   */
  Labels query(SqlNode node, Scope parent) throws RewriteRefusedException {
    return query(node, parent, Clause.TOP);
  }

  /** {@link #query(SqlNode, Scope)} nested in {@code enclosing}. */
  private Labels query(SqlNode node, Scope parent, Clause enclosing) throws RewriteRefusedException {
    Clause clause = enclosing.nestedQuery();
    if (node instanceof SqlOrderBy orderBy) {
      if (orderBy.query instanceof SqlSelect select) {
        return select(select, orderBy.orderList, parent, clause);
      }
      // ORDER BY of a set operation can only name output columns: nothing to rewrite there.
      return query(orderBy.query, parent, clause);
    }
    if (node instanceof SqlSelect select) {
      return select(select, null, parent, clause);
    }
    if (node instanceof SqlWith with) {
      return with(with, parent, clause);
    }
    if (SqlKind.SET_QUERY.contains(node.getKind())) {
      // Where a * may widen the output (a top-level query), each branch may expand its *, as long as
      // every branch then widens alike: the same labels in the same order, as a * over the same
      // table gives. Elsewhere (an INSERT's source, a subquery expression) the width is fixed.
      boolean widthFree = !clause.fixedWidth();
      List<Labels> branches = new ArrayList<>(2);
      for (SqlNode branch : ((SqlCall) node).getOperandList()) {
        branches.add(query(branch, parent, clause));
      }
      Labels first = branches.get(0);
      boolean widened = false;
      for (Labels labels : branches) {
        widened |= labels.widened;
      }
      if (widened && widthFree) {
        for (Labels labels : branches) {
          if (!labels.widened || !labels.complete || !labels.names.equals(first.names)) {
            throw ctx.refuse("SELECT * of a migrating table in a UNION/INTERSECT/EXCEPT branch is supported only when"
                + " every branch selects * of the same columns (expanding it would change the column count); list"
                + " the columns");
          }
        }
      }
      first.widened |= widened;
      return first;
    }
    if (node.getKind() == SqlKind.VALUES) {
      return values((SqlCall) node, parent, clause);
    }
    throw ctx.refuse(construct(node) + " is not supported on a migrating table yet");
  }

  /**
   * A VALUES list in a query position (a recursive CTE's anchor, a UNION branch, {@code FROM (VALUES
   * ...)}, {@code LATERAL (VALUES ...)}): each value is an expression over the enclosing names (the
   * FROM siblings too, when LATERAL: {@code parent} is then the lateral scope); its columns are
   * {@code column1, column2, ...}, as PostgreSQL names them.
   */
  private Labels values(SqlCall values, Scope parent, Clause enclosing) throws RewriteRefusedException {
    Scope scope = new Scope(parent, enclosing.afterGrouping());
    Clause clause = enclosing.withAfterGrouping(false);
    int width = -1;
    for (SqlNode row : values.getOperandList()) {
      if (row.getKind() != SqlKind.ROW) {
        throw ctx.refuse("a VALUES row the rewriter cannot read");
      }
      SqlCall r = (SqlCall) row;
      if (width >= 0 && r.operandCount() != width) {
        throw ctx.refuse("VALUES rows of different lengths");
      }
      width = r.operandCount();
      for (SqlNode value : r.getOperandList()) {
        expression(value, scope, clause);
      }
    }
    Labels labels = new Labels();
    for (int k = 1; k <= width; k++) {
      labels.names.add("column" + k);
    }
    return labels;
  }

  /**
   * Plans a nested read-only {@code WITH} (PostgreSQL allows data-modifying ones only at the top
   * level, which the statement planner splits from the tokens): each CTE's output labels become the
   * columns of a FROM item its name designates in the later CTEs and the body.
   */
  private Labels with(SqlWith with, Scope parent, Clause enclosing) throws RewriteRefusedException {
    Scope scope = new Scope(parent, enclosing.afterGrouping());
    Clause clause = enclosing.withAfterGrouping(false);
    List<SqlWithItem> items = new ArrayList<>();
    for (SqlNode n : with.withList) {
      items.add((SqlWithItem) n);
    }
    boolean recursive = false;
    for (SqlWithItem item : items) {
      recursive |= item.recursive != null && item.recursive.booleanValue();
    }
    if (recursive) {
      for (SqlWithItem item : items) {
        scope.defineCte(ctx.folded(item.name).get(0), cteItem(item, null));
      }
    }
    for (SqlWithItem item : items) {
      scope.defineCte(ctx.folded(item.name).get(0), cteItem(item, query(item.query, scope, clause)));
    }
    return query(with.body, scope, clause);
  }

  private FromItem cteItem(SqlWithItem item, Labels labels) throws RewriteRefusedException {
    List<String> columns = null;
    if (item.columnList != null) {
      columns = new ArrayList<>();
      for (SqlNode c : item.columnList) {
        columns.add(ctx.folded((SqlIdentifier) c).get(0));
      }
    }
    String written = ctx.text.tokens().get(ctx.tokenOf(item.name, 0)).text(ctx.text.sql());
    return cte(ctx.folded(item.name).get(0), written, columns, labels);
  }

  /**
   * The FROM item a CTE's name designates: its columns are the body's output labels, renamed by
   * the CTE's column list; unknown when a label is unknown ({@code labels == null}: not planned
   * yet, or a write without RETURNING; then the column list alone, if any).
   */
  FromItem cte(String name, String written, List<String> columns, Labels labels) {
    List<String> names = null;
    if (labels != null && labels.complete) {
      names = renamed(labels.names, columns);
    } else if (labels == null) {
      names = columns;
    }
    FromItem item = new FromItem(null, null, name, written, names == null ? null : new TableInfo("", name, names),
        List.of());
    if (labels != null && labels.widened) {
      widened.add(item);
    }
    return item;
  }

  /** {@code labels} with the first ones renamed by {@code aliases} (PostgreSQL's column alias list), or {@code null}. */
  private static List<String> renamed(List<String> labels, List<String> aliases) {
    if (aliases == null) {
      return labels;
    }
    if (aliases.size() > labels.size()) {
      return null;
    }
    List<String> out = new ArrayList<>(labels);
    for (int k = 0; k < aliases.size(); k++) {
      out.set(k, aliases.get(k));
    }
    return out;
  }

  /**
   * Plans the source query of an INSERT ... SELECT: its column count must not change, and the labels
   * of its select list, which PostgreSQL ignores, are not added to type-change columns there.
   */
  Labels insertSource(SqlNode node, Scope parent) throws RewriteRefusedException {
    Clause clause = Clause.insertSource();
    SqlNode top = node instanceof SqlOrderBy orderBy ? orderBy.query : node;
    if (top instanceof SqlSelect select) {
      return select(select, node instanceof SqlOrderBy orderBy ? orderBy.orderList : null, parent, clause);
    }
    return query(node, parent, clause.labelled());
  }

  private Labels select(SqlSelect select, SqlNodeList outerOrder, Scope parent, Clause enclosing)
      throws RewriteRefusedException {
    // The select's own clauses: FROM, WHERE and GROUP BY run before grouping, the rest after it
    // when the query is grouped; only the select list itself may be an INSERT source's.
    boolean grouped = select.getGroup() != null && !select.getGroup().isEmpty();
    Clause clause = enclosing.labelled().withAfterGrouping(false);
    Clause grouping = clause.withAfterGrouping(grouped);
    List<SqlNode> joinConditions = new ArrayList<>();
    Scope scope = new Scope(parent, enclosing.afterGrouping());
    scope.recordFromTree(from(select.getFrom(), scope, joinConditions, clause));
    Labels labels = new Labels();
    projection(select.getSelectList(), scope, labels, enclosing.withAfterGrouping(grouped));
    for (SqlNode condition : joinConditions) {
      expression(condition, scope, clause.condition());
    }
    expression(select.getWhere(), scope, clause.condition());
    expression(select.getGroup(), scope, clause);
    // Not a predicate() for the old column: HAVING runs after grouping, where only the GROUP BY
    // expressions (the converted read) exist, not the old column itself.
    expression(select.getHaving(), scope, grouping);
    expression(select.getWindowList(), scope, grouping);
    expression(select.getQualify(), scope, grouping);
    Set<String> names = new HashSet<>(labels.names);
    // DISTINCT ON expressions are read by ORDER BY's rules (an output label first).
    orderBy(ctx.distinctOn.get(ctx.positions.start(select.getParserPosition())), scope, names, grouping);
    orderBy(select.getOrderList(), scope, names, grouping);
    orderBy(outerOrder, scope, names, grouping);
    return labels;
  }

  /** Plans a select list or RETURNING list over {@code scope}, collecting output labels. */
  void projection(SqlNodeList list, Scope scope, Labels labels) throws RewriteRefusedException {
    projection(list, scope, labels, Clause.TOP);
  }

  private void projection(SqlNodeList list, Scope scope, Labels labels, Clause clause) throws RewriteRefusedException {
    if (list == null) {
      return;
    }
    for (SqlNode item : list) {
      if (item instanceof SqlIdentifier id) {
        if (id.isStar()) {
          star(id, scope, labels, clause);
        } else {
          List<String> names = ctx.folded(id);
          labels.names.add(names.get(names.size() - 1));
          column(id, names, scope, item, clause);
        }
      } else if (item.getKind() == SqlKind.AS) {
        SqlCall as = (SqlCall) item;
        SqlNode alias = as.operand(1);
        if (alias instanceof SqlIdentifier aliasId) {
          labels.names.add(ctx.folded(aliasId).get(0));
        } else {
          labels.complete = false;
        }
        expression(as.operand(0), scope, clause);
      } else if (labelled(item) != null && !clause.unlabelled()) {
        // PostgreSQL labels x::t, CAST(x AS t), x COLLATE c, x[i], (x).f and (x).f::t with the
        // column's or the field's name: keep the application's.
        SqlNode inner = item;
        while (inner.getKind() == SqlKind.CAST || inner.getKind() == SqlKind.ITEM
            || inner instanceof SqlCall c && c.getOperator() == PostgresOperators.COLLATE) {
          SqlCall cast = (SqlCall) inner;
          for (int k = 1; k < cast.operandCount(); k++) {
            expression(cast.operand(k), scope, clause); // the type (never a migrating table's row type), or the subscript
          }
          inner = cast.operand(0);
        }
        if (inner instanceof SqlIdentifier id) {
          List<String> names = ctx.folded(id);
          labels.names.add(names.get(names.size() - 1));
          column(id, names, scope, item, clause);
        } else {
          labels.names.add(ctx.folded(field(inner)).get(0));
          dot((SqlCall) inner, scope, item, clause);
        }
      } else {
        if (item instanceof SqlCall call && call.getOperator() instanceof org.apache.calcite.sql.SqlFunction) {
          labels.names.add(call.getOperator().getName().toLowerCase(java.util.Locale.ROOT));
        } else {
          labels.complete = false;
        }
        expression(item, scope, clause);
      }
    }
  }

  private void orderBy(SqlNodeList list, Scope scope, Set<String> labels, Clause clause) throws RewriteRefusedException {
    if (list == null) {
      return;
    }
    for (SqlNode item : list) {
      SqlNode key = item;
      while (key instanceof SqlCall call && (key.getKind() == SqlKind.DESCENDING
          || key.getKind() == SqlKind.NULLS_FIRST || key.getKind() == SqlKind.NULLS_LAST)) {
        key = call.operand(0);
      }
      // PostgreSQL: a bare name in ORDER BY that is an output column label means that output column.
      if (key instanceof SqlIdentifier id && id.names.size() == 1 && !id.isStar()
          && labels.contains(ctx.folded(id).get(0))) {
        continue;
      }
      expression(key, scope, clause);
    }
  }

  // ---------------------------------------------------------------- FROM

  /** Adds the FROM items of {@code node} to {@code scope}. */
  void from(SqlNode node, Scope scope, List<SqlNode> joinConditions) throws RewriteRefusedException {
    from(node, scope, joinConditions, Clause.TOP);
  }

  /**
   * Adds the FROM items of {@code node} to {@code scope}; returns how they join, for {@code SELECT *}
   * over merged columns, or {@code null} where that is not known (an item that is not one FROM item).
   */
  private Scope.FromTree from(SqlNode node, Scope scope, List<SqlNode> joinConditions, Clause clause)
      throws RewriteRefusedException {
    if (node == null) {
      return null;
    }
    if (node instanceof SqlJoin join) {
      int before = scope.items().size();
      Scope.FromTree leftTree = from(join.getLeft(), scope, joinConditions, clause);
      int middle = scope.items().size();
      Scope.FromTree rightTree = from(join.getRight(), scope, joinConditions, clause);
      List<FromItem> left = List.copyOf(scope.items().subList(before, middle));
      List<FromItem> right = List.copyOf(scope.items().subList(middle, scope.items().size()));
      List<String> merged = List.of();
      if (join.isNatural()) {
        scope.markMergedColumns();
        natural(left, right);
        natural(right, left);
        merged = commonColumns(leftTree, rightTree);
      }
      if (join.getConditionType() == JoinConditionType.USING) {
        scope.markMergedColumns();
        List<String> names = new ArrayList<>();
        for (SqlNode n : (SqlNodeList) join.getCondition()) {
          names.add(ctx.folded((SqlIdentifier) n).get(0));
          using((SqlIdentifier) n, left, right, scope);
        }
        merged = List.copyOf(names);
      } else if (join.getCondition() != null) {
        joinConditions.add(join.getCondition());
      }
      return leftTree == null || rightTree == null || merged == null ? null
          : new Scope.FromTree.Join(leftTree, rightTree, merged);
    }
    int before = scope.items().size();
    fromItem(node, scope, joinConditions, clause);
    return scope.items().size() == before + 1 ? new Scope.FromTree.Item(scope.items().get(before)) : null;
  }

  /**
   * The names a NATURAL join merges: the columns both sides have, in the left side's order (as the
   * application names them; {@link #natural} refused a migration column's names on both sides), or
   * {@code null} when a side's columns are unknown.
   */
  private List<String> commonColumns(Scope.FromTree left, Scope.FromTree right) throws RewriteRefusedException {
    List<String> l = left == null ? null : columnNames(left);
    List<String> r = right == null ? null : columnNames(right);
    if (l == null || r == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (String c : l) {
      if (r.contains(c) && !out.contains(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /** The column names of {@code tree}'s rows as the application sees them, or {@code null} when unknown. */
  private List<String> columnNames(Scope.FromTree tree) throws RewriteRefusedException {
    if (tree instanceof Scope.FromTree.Item leaf) {
      FromItem item = leaf.item();
      if (!item.columnsKnown()) {
        return null;
      }
      if (!item.isMigrating()) {
        return item.info().columns();
      }
      List<AppColumns.AppColumn> columns = AppColumns.of(item.info(), item.migrations());
      if (columns == null) {
        return null;
      }
      List<String> out = new ArrayList<>();
      for (AppColumns.AppColumn c : columns) {
        out.add(c.name());
      }
      return out;
    }
    Scope.FromTree.Join join = (Scope.FromTree.Join) tree;
    List<String> l = columnNames(join.left());
    List<String> r = columnNames(join.right());
    if (l == null || r == null) {
      return null;
    }
    List<String> out = new ArrayList<>(join.merged());
    for (List<String> side : List.of(l, r)) {
      for (String c : side) {
        if (!join.merged().contains(c)) {
          out.add(c);
        }
      }
    }
    return out;
  }

  /** Adds the FROM item {@code node} (not a join) to {@code scope}. */
  private void fromItem(SqlNode node, Scope scope, List<SqlNode> joinConditions, Clause clause)
      throws RewriteRefusedException {
    if (node.getKind() == SqlKind.TABLESAMPLE) {
      // t [AS a] TABLESAMPLE method (n) [REPEATABLE (s)]: the sample reads t's columns by the same
      // names; its arguments are literals (Calcite reads nothing else there).
      from(((SqlCall) node).operand(0), scope, joinConditions, clause);
      return;
    }
    if (node.getKind() == SqlKind.AS) {
      SqlCall as = (SqlCall) node;
      SqlIdentifier aliasId = (SqlIdentifier) as.operand(1);
      String alias = ctx.folded(aliasId).get(0);
      Token aliasToken = ctx.text.tokens().get(ctx.tokenOf(aliasId, 0));
      String aliasText = aliasToken.text(ctx.text.sql());
      SqlNode target = as.operand(0);
      boolean lateral = target.getKind() == SqlKind.LATERAL;
      if (lateral) {
        target = ((SqlCall) target).operand(0);
      }
      boolean columnAliases = as.operandCount() > 2;
      if (target instanceof SqlIdentifier tableId && !columnAliases) {
        scope.add(fromTable(tableId, alias, aliasText, scope));
      } else {
        if (target instanceof SqlIdentifier tableId) {
          FromItem renamed = table(tableId, alias, aliasText, scope);
          if (renamed.isMigrating()) {
            // The list renames by position, and the physical positions change with the phase.
            scope.add(derived(renamed, tableId, aliasText, aliasNames(as)));
          } else {
            scope.add(new FromItem(alias, null, null, aliasText, null, List.of()));
          }
        } else if (isQuery(target)) {
          // A derived table sees the enclosing query's names, not its FROM siblings, unless LATERAL.
          // Its own * may expand: a derived table's width never reaches the enclosing query's width
          // (a * over the derived table in a fixed-width place is refused instead, see widened).
          Clause derived = lateral ? clause.withFreeWidth()
              : clause.withFreeWidth().withAfterGrouping(scope.parentAfterGrouping());
          Labels labels = query(target, lateral ? scope.lateralParent() : scope.parent(), derived);
          List<String> names = labels != null && labels.complete
              ? renamed(labels.names, columnAliases ? aliasNames(as) : null) : null;
          TableInfo columns = names != null ? new TableInfo("", alias, names) : null;
          FromItem item = new FromItem(alias, null, null, aliasText, columns, List.of());
          if (labels != null && labels.widened) {
            widened.add(item);
          }
          scope.add(item);
        } else {
          functionOrNested(target, scope, clause);
          scope.add(new FromItem(alias, null, null, aliasText, null, List.of()));
        }
      }
      return;
    }
    if (node instanceof SqlIdentifier tableId) {
      scope.add(fromTable(tableId, null, null, scope));
      return;
    }
    if (node.getKind() == SqlKind.LATERAL && isQuery(((SqlCall) node).operand(0))) {
      SqlNode target = ((SqlCall) node).operand(0);
      query(target, scope.lateralParent(), clause.withFreeWidth());
      scope.add(new FromItem(null, null, null, null, null, List.of()));
      return;
    }
    functionOrNested(node, scope, clause);
    scope.add(new FromItem(null, null, null, null, null, List.of()));
  }

  /**
   * A function in FROM ({@code generate_series(...)}, {@code unnest(...)}, with or without LATERAL):
   * PostgreSQL lets its arguments refer to the FROM items before it, so they are planned over those;
   * its own columns stay unknown. Anything else is a nested construct (see {@link #nested}).
   */
  private void functionOrNested(SqlNode node, Scope scope, Clause clause) throws RewriteRefusedException {
    SqlNode call = node.getKind() == SqlKind.LATERAL ? ((SqlCall) node).operand(0) : node;
    if (call.getKind() == SqlKind.COLLECTION_TABLE && ((SqlCall) call).operandCount() == 1) {
      call = ((SqlCall) call).operand(0);
    }
    boolean function = call.getKind() == SqlKind.UNNEST || call instanceof SqlBasicCall basic
        && basic.getOperator() instanceof org.apache.calcite.sql.SqlFunction;
    if (!function) {
      if (nested(node)) {
        // Its columns would come from the migrating table through a construct the planner does not
        // follow: a reference to them could not be rewritten. Never passed through.
        throw ctx.refuse(construct(node) + " over a migrating table in FROM is not supported yet");
      }
      return;
    }
    Scope arguments = new Scope(scope.lateralParent());
    for (SqlNode operand : ((SqlCall) call).getOperandList()) {
      expression(operand, arguments, clause);
    }
  }

  /**
   * A NATURAL JOIN joins on the columns both sides have, which for a migrating table depend on the
   * phase unless the other side has neither the old nor the new name: refused otherwise.
   */
  private void natural(List<FromItem> side, List<FromItem> other) throws RewriteRefusedException {
    for (FromItem item : side) {
      for (ColumnMigration m : item.migrations()) {
        for (FromItem o : other) {
          if (!o.columnsKnown() || o.hasColumn(m.oldColumn()) || o.hasColumn(m.newColumn())
              || o.hasColumn(m.physicalNewColumn())) {
            throw ctx.refuse(m, "NATURAL JOIN of migrating table '" + item.table() + "' with "
                + (o.columnsKnown() ? "a table that has a column named like the migrating one"
                : "a FROM item whose columns are unknown")
                + " is not supported (the columns it joins on change with the phase); write the join condition with ON");
          }
        }
      }
    }
  }

  private List<String> aliasNames(SqlCall as) throws RewriteRefusedException {
    List<String> out = new ArrayList<>();
    for (int k = 2; k < as.operandCount(); k++) {
      SqlNode n = as.operand(k);
      if (n instanceof SqlNodeList list) {
        for (SqlNode c : list) {
          out.add(ctx.folded((SqlIdentifier) c).get(0));
        }
      } else {
        out.add(ctx.folded((SqlIdentifier) n).get(0));
      }
    }
    return out;
  }

  /**
   * One name of {@code JOIN ... USING (...)}: when it is a migration column of either side, both
   * sides must read the same physical column in the phase (a self-join of the migrating table, or
   * a phase that reads the name as written); the name is then replaced by that column and an
   * unqualified reference to the merged column resolves to it. Otherwise refused.
   */
  private void using(SqlIdentifier id, List<FromItem> left, List<FromItem> right, Scope scope)
      throws RewriteRefusedException {
    String name = ctx.folded(id).get(0);
    if (!ctx.index.isColumnName(name)) {
      return;
    }
    FromItem l = usingProvider(left, name);
    FromItem r = usingProvider(right, name);
    ColumnMigration lm = l == null ? null : l.migrationFor(name);
    ColumnMigration rm = r == null ? null : r.migrationFor(name);
    if (lm == null && rm == null) {
      return;
    }
    ColumnMigration m = lm != null ? lm : rm;
    if (l == null || r == null) {
      throw ctx.refuse(m, "JOIN ... USING (" + name + ") on a migration column where a side's columns are unknown"
          + " is not supported; write the join condition with ON");
    }
    if (lm != null && lm.lazyRead() || rm != null && rm.lazyRead()) {
      // A lazily cut-over column reads COALESCE(new, up(old)), which no USING list can name.
      throw ctx.refuse(m, "JOIN ... USING (" + name + ") on a migration column is not supported while it is lazily"
          + " cut over to read_new; write the join condition with ON");
    }
    String lp = lm == null ? name : lm.readColumn();
    String rp = rm == null ? name : rm.readColumn();
    if (!lp.equals(rp)) {
      throw ctx.refuse(m, "JOIN ... USING (" + name + ") on a migration column is not supported in phase "
          + m.phase().sqlName() + " (the two sides read columns of different names, " + lp + " and " + rp
          + "); write the join condition with ON");
    }
    ctx.used(m, name);
    if (!lp.equals(name)) {
      int[] span = ctx.span(id, 0);
      ctx.edits.replace(span[0], span[1], Identifiers.quote(lp));
    }
    scope.merge(name, new Scope.Resolution(lm != null ? l : r, m, name));
  }

  /** The one item of a join side that has column {@code name}; {@code null} when unknown or ambiguous. */
  private static FromItem usingProvider(List<FromItem> side, String name) {
    FromItem found = null;
    for (FromItem item : side) {
      if (!item.columnsKnown() && !item.isMigrating()) {
        return null;
      }
      if (item.hasColumn(name)) {
        if (found != null) {
          return null;
        }
        found = item;
      }
    }
    return found;
  }

  /**
   * The FROM item for a table name: a CTE of {@code scope} when unqualified and defined there
   * (as PostgreSQL looks CTE names up first), else resolved through the catalog.
   */
  FromItem table(SqlIdentifier id, String alias, String aliasText, Scope scope) throws RewriteRefusedException {
    List<String> names = ctx.folded(id);
    String table = names.get(names.size() - 1);
    String schema = names.size() >= 2 ? names.get(names.size() - 2) : null;
    int[] first = ctx.span(id, 0);
    int[] last = ctx.span(id, names.size() - 1);
    String written = ctx.text.sql().substring(first[0], last[1]);
    FromItem cte = schema == null && scope != null ? scope.cte(table) : null;
    if (cte != null) {
      FromItem item = new FromItem(alias, null, cte.table(), aliasText != null ? aliasText : written, cte.info(),
          List.of());
      if (widened.contains(cte)) {
        widened.add(item);
      }
      return item;
    }
    TableInfo info = ctx.catalog.table(schema, table);
    List<ColumnMigration> migrations;
    if (info != null) {
      migrations = ctx.index.forTable(info.schema(), info.name());
    } else {
      // Unknown to the catalog but named like a migrating table: treat it as that table with unknown
      // columns, so that anything needing its columns is refused rather than guessed.
      migrations = schema != null ? ctx.index.forTable(schema, table) : ctx.index.forTableName(table);
    }
    return new FromItem(alias, schema, table, aliasText != null ? aliasText : written, info, migrations);
  }

  // ---------------------------------------------------------------- expressions

  /**
   * Plans a condition ({@code WHERE}, {@code ON}): as {@link #expression}, but a
   * name whose value the old column still holds exactly is read there, where its index is.
   */
  void predicate(SqlNode node, Scope scope) throws RewriteRefusedException {
    expression(node, scope, Clause.TOP.condition());
  }

  /** Plans every column reference in expression {@code node}. */
  void expression(SqlNode node, Scope scope) throws RewriteRefusedException {
    expression(node, scope, Clause.TOP);
  }

  /** Plans every column reference in expression {@code node}, which stands in {@code clause}. */
  private void expression(SqlNode node, Scope scope, Clause clause) throws RewriteRefusedException {
    if (node == null) {
      return;
    }
    if (node instanceof SqlDataTypeSpec type) {
      rowType(type);
      return;
    }
    if (node instanceof SqlIdentifier id) {
      if (id.isStar()) {
        if (id.names.size() > 1) {
          // t.* inside an expression (f(t.*), count(t.*)) is t's whole row.
          List<String> qualifier = ctx.folded(id).subList(0, id.names.size() - 1);
          FromItem item = scope.relation(qualifier);
          if (item != null) {
            wholeRowOf(item, String.join(".", qualifier) + ".*");
          }
        }
        return;
      }
      column(id, ctx.folded(id), scope, null, clause);
      return;
    }
    if (node instanceof SqlNodeList list) {
      for (SqlNode n : list) {
        expression(n, scope, clause);
      }
      return;
    }
    if (!(node instanceof SqlCall call)) {
      return;
    }
    if (isQuery(call)) {
      if (call.getKind() == SqlKind.VALUES) {
        nested(call);
        return;
      }
      query(call, scope, clause.withFixedWidth());
      return;
    }
    if (call.getKind() == SqlKind.AS) {
      expression(call.operand(0), scope, clause);
      return;
    }
    if (field(call) != null) {
      dot(call, scope, null, clause);
      return;
    }
    for (SqlNode operand : call.getOperandList()) {
      expression(operand, scope, clause);
    }
  }

  static boolean isQuery(SqlNode node) {
    SqlKind kind = node.getKind();
    return kind == SqlKind.SELECT || kind == SqlKind.ORDER_BY || kind == SqlKind.WITH
        || SqlKind.SET_QUERY.contains(kind) || kind == SqlKind.VALUES || kind == SqlKind.EXPLICIT_TABLE;
  }

  /**
   * The node PostgreSQL takes a select item's label from when the item is a cast of a column
   * ({@code x::a::b}, {@code CAST(x AS t)}) or a field selection {@code (x).f}, possibly cast: the
   * column, or the field selection; {@code null} otherwise.
   */
  private static SqlNode labelled(SqlNode item) {
    SqlNode inner = item;
    while (inner instanceof SqlCall call && call.operandCount() >= 1
        && (call.getKind() == SqlKind.CAST || call.getKind() == SqlKind.ITEM
            || call.getOperator() == PostgresOperators.COLLATE)) {
      inner = call.operand(0);
    }
    if (inner != item && inner instanceof SqlIdentifier id && !id.isStar()) {
      return id;
    }
    return field(inner) != null ? inner : null;
  }

  /** The field name of field selection {@code (x).f}, or {@code null} when {@code node} is none. */
  private static SqlIdentifier field(SqlNode node) {
    return node.getKind() == SqlKind.DOT && node instanceof SqlCall call && call.operandCount() == 2
        && call.operand(1) instanceof SqlIdentifier f && f.names.size() == 1 && !f.isStar() ? f : null;
  }

  /**
   * Where a label goes after select item {@code item} whose column is {@code id}: after the item's
   * last token and after any parentheses that only wrap it ({@code (full_name)}, {@code ((x))::t}),
   * never inside them. Refuses when the parser's end of the item does not fall on a token.
   */
  private int labelEnd(SqlNode item, SqlIdentifier id) throws RewriteRefusedException {
    SqlText text = ctx.text;
    int startToken = ctx.tokenOf(id, 0);
    int end = item == id ? ctx.span(id, id.names.size() - 1)[1] : ctx.positions.end(item.getParserPosition());
    int last = -1;
    for (int t = startToken; t >= 0 && t < ctx.stmt.toToken(); t++) {
      if (text.tokens().get(t).end() == end) {
        last = t;
        break;
      }
      if (text.tokens().get(t).end() > end) {
        break;
      }
    }
    if (startToken < 0 || last < 0) {
      throw ctx.refuse("the parser's extent of select item '" + item + "' does not match the SQL text");
    }
    while (true) {
      int close = text.nextSignificant(last + 1, ctx.stmt.toToken());
      if (close < 0 || text.tokens().get(close).kind() != TokenKind.RPAREN) {
        break;
      }
      int open = text.matching(close);
      if (open < 0 || open >= startToken || !onlyOpenParens(open, startToken)) {
        break;
      }
      last = close;
    }
    return text.tokens().get(last).end();
  }

  /** Whether the significant tokens in {@code [from, to)} are all {@code (}. */
  private boolean onlyOpenParens(int from, int to) {
    for (int t = from; t < to; t++) {
      Token token = ctx.text.tokens().get(t);
      if (!token.isTrivia() && token.kind() != TokenKind.LPAREN) {
        return false;
      }
    }
    return true;
  }

  /**
   * Plans one column reference; {@code labelItem} is the select item whose label the application
   * expects from it (a bare column, or a cast of one), or {@code null}. A name that is no column
   * but a FROM item is that item's whole row.
   */
  private void column(SqlIdentifier id, List<String> names, Scope scope, SqlNode labelItem, Clause clause)
      throws RewriteRefusedException {
    Scope.Resolution r = resolve(names, scope);
    if (r == null) {
      FromItem row = wholeRow(names, scope);
      if (row != null) {
        wholeRowOf(row, String.join(".", names));
      }
      return;
    }
    int[] first = ctx.span(id, 0);
    String qualifier = names.size() > 1
        ? ctx.text.sql().substring(first[0], ctx.span(id, names.size() - 2)[1]) + "." : "";
    emit(r, scope, String.join(".", names), ctx.span(id, names.size() - 1), first[0], qualifier, labelItem, id,
        clause);
  }

  /**
   * Plans field selection {@code (x).f}: {@code f} is never a column of its own. When {@code x} is a
   * FROM item's name (its whole row), {@code (x).f} is column {@code f} of that item; when {@code x}
   * is a column (perhaps a migrating column of a composite type), only {@code x} is a reference.
   */
  private void dot(SqlCall dot, Scope scope, SqlNode labelItem, Clause clause) throws RewriteRefusedException {
    SqlNode base = dot.operand(0);
    SqlIdentifier field = field(dot);
    if (!(base instanceof SqlIdentifier id) || id.isStar()) {
      expression(base, scope, clause);
      return;
    }
    List<String> names = ctx.folded(id);
    if (resolve(names, scope) != null) {
      column(id, names, scope, null, clause); // a migrating column: its field stays as written
      return;
    }
    FromItem row = wholeRow(names, scope);
    if (row == null) {
      return; // a column that is not migrating, or nothing Cutover knows
    }
    String name = ctx.folded(field).get(0);
    ColumnMigration m = row.migrationFor(name);
    Scope.Resolution r = m != null ? new Scope.Resolution(row, m, name)
        : row.appliedFor(name) != null ? new Scope.Resolution(row, row.appliedFor(name), name, true) : null;
    if (r == null) {
      return;
    }
    int start = ctx.positions.start(dot.getParserPosition());
    int[] leaf = ctx.span(field, 0);
    int open = ctx.text.tokenStartingAt(start);
    if (open < 0 || ctx.text.tokens().get(open).kind() != TokenKind.LPAREN || start >= leaf[0]) {
      throw ctx.refuse(m, "the parser's reading of field selection '" + dot + "' does not match the SQL text");
    }
    emit(r, scope, "(" + String.join(".", names) + ")." + name, leaf, start, ctx.text.sql().substring(start, leaf[0]),
        labelItem, field, clause);
  }

  /** {@link Scope#resolve}, a refusal when PostgreSQL's choice is uncertain. */
  private Scope.Resolution resolve(List<String> names, Scope scope) throws RewriteRefusedException {
    try {
      return scope.resolve(names);
    } catch (Scope.Unresolvable e) {
      throw ctx.refuse(e.migration, e.getMessage());
    }
  }

  /** {@link Scope#wholeRow}, a refusal when PostgreSQL's choice is uncertain. */
  private FromItem wholeRow(List<String> names, Scope scope) throws RewriteRefusedException {
    try {
      return scope.wholeRow(names);
    } catch (Scope.Unresolvable e) {
      throw ctx.refuse(e.migration, e.getMessage());
    }
  }

  /**
   * Rewrites one resolved reference to a migrating column.
   *
   * @param written the reference as the application wrote it, for messages
   * @param leaf the offsets of the column name
   * @param start where the whole reference starts (its qualifier, or the leaf)
   * @param qualifier the text from {@code start} to the leaf ({@code ""}, {@code u.} or {@code (u).})
   * @param labelItem the select item the label goes after, or {@code null} (see {@link #column})
   * @param labelLeaf the identifier whose name PostgreSQL labels {@code labelItem} with
   */
  private void emit(Scope.Resolution r, Scope scope, String written, int[] leaf, int start, String qualifier,
      SqlNode labelItem, SqlIdentifier labelLeaf, Clause clause) throws RewriteRefusedException {
    ColumnMigration m = r.migration();
    ctx.used(m, r.name());
    if (r.applied()) {
      return; // a derived table Cutover made reads the phase's column under this name already
    }
    // Only a column of this query level: a correlated reference to an enclosing query may stand
    // after that query's GROUP BY, where only the grouped (converted) expression exists.
    if (clause.predicate() && labelItem == null && m.predicateReadsOld(r.name()) && scope.owns(r.item())) {
      return; // the old column, as written
    }
    String read = m.readColumn();
    int[] span = leaf;
    String plain = m.readSql(r.name(), "");
    String replacement;
    if (plain.equals(Identifiers.quote(read))) {
      if (read.equals(r.name())) {
        return;
      }
      replacement = plain; // the leaf alone: any qualifier stays as written
    } else {
      if (scope.isGroupedOuterItem(r.item())) {
        // PostgreSQL matches a grouped expression only outside subqueries: the converted
        // reference would fail with 42803 "subquery uses ungrouped column" naming a column the
        // application never wrote.
        throw ctx.refuse(m, "'" + written + "' refers from a subquery to the grouped rows of the"
            + " enclosing query, and is read converted in phase " + m.phase().sqlName() + " (PostgreSQL cannot match"
            + " the grouped expression inside a subquery); compare in the enclosing query's WHERE, or use the name"
            + " this phase reads");
      }
      // A conversion wraps the whole reference, qualifier included.
      replacement = m.readSql(r.name(), qualifier);
      span = new int[] {start, leaf[1]};
      if (indirectionFollows(leaf[0])) {
        // PostgreSQL takes a subscript or a field selection only after a column name or a
        // parenthesised expression: CAST(...)[1] and COALESCE(...).f are syntax errors (42601).
        replacement = "(" + replacement + ")";
      }
    }
    if (labelItem != null && !(clause.unlabelled() && !m.isRename())) {
      // (a rename keeps its label even in an INSERT's source, as it always did: harmless there)
      int labelAt = labelEnd(labelItem, labelLeaf);
      if (labelAt == span[1]) {
        replacement += " AS " + Identifiers.quote(r.name());
      } else {
        ctx.edits.insert(labelAt, List.of(Edits.Piece.text(" AS " + Identifiers.quote(r.name()))));
      }
    }
    ctx.edits.replace(span[0], span[1], replacement);
  }

  /**
   * Whether the column name whose token starts at {@code leafStart} is followed by a subscript
   * ({@code col[1]}, {@code col[1:2]}) or a field selection ({@code (t).col.f}).
   */
  private boolean indirectionFollows(int leafStart) {
    int leaf = ctx.text.tokenStartingAt(leafStart);
    if (leaf < 0) {
      return false;
    }
    int next = ctx.text.nextSignificant(leaf + 1, ctx.stmt.toToken());
    if (next < 0) {
      return false;
    }
    TokenKind kind = ctx.text.tokens().get(next).kind();
    return kind == TokenKind.LBRACKET || kind == TokenKind.DOT;
  }

  // ---------------------------------------------------------------- whole rows

  /**
   * A whole-row reference to {@code item} ({@code t}, {@code t.*} inside an expression, {@code (t)}):
   * for a migrating table, its physical row has the phase's columns, so the FROM item is planned
   * again as a derived table of the application's columns under the same name ({@link Replan}).
   * Refused where no derived table can stand: the target of a write, or {@code EXCLUDED}.
   */
  private void wholeRowOf(FromItem item, String written) throws RewriteRefusedException {
    if (!item.isMigrating()) {
      return;
    }
    ColumnMigration m = item.migrations().get(0);
    Integer at = sources.get(item);
    if (at == null) {
      throw ctx.refuse(m, "the whole row of '" + written + "' (the target of an INSERT, UPDATE or DELETE, or"
          + " EXCLUDED) is not supported while its column '" + m.oldColumn() + "' migrates: the row's physical"
          + " columns change with the phase; list the columns");
    }
    if (!item.columnsKnown()) {
      throw ctx.refuse(m, "the whole row of table '" + item.table() + "', whose columns the catalog does not know");
    }
    throw new Replan(at);
  }

  /**
   * Refuses a type that is a migrating table's row type ({@code NULL::t}, {@code CAST(x AS t[])},
   * {@code jsonb_populate_record(NULL::t, ...)}): its fields are the phase's physical columns.
   */
  private void rowType(SqlDataTypeSpec type) throws RewriteRefusedException {
    SqlTypeNameSpec spec = type.getTypeNameSpec();
    while (spec instanceof SqlCollectionTypeNameSpec collection) {
      spec = collection.getElementTypeName();
    }
    SqlIdentifier name = spec.getTypeName();
    if (name == null || name.names.isEmpty()) {
      return;
    }
    int last = name.names.size() - 1;
    int t = ctx.tokenOf(name, last);
    String folded = t >= 0 ? ctx.text.folded(t) : name.names.get(last).toLowerCase(java.util.Locale.ROOT);
    List<ColumnMigration> migrations = ctx.index.forTableName(folded);
    if (migrations.isEmpty() && t < 0) {
      migrations = ctx.index.forTableName(name.names.get(last));
    }
    if (!migrations.isEmpty()) {
      throw ctx.refuse(migrations.get(0), "the row type of migrating table '" + folded + "' (as in NULL::" + folded
          + " or jsonb_populate_record(NULL::" + folded + ", ...)) is not supported while its column '"
          + migrations.get(0).oldColumn() + "' migrates: its fields are the phase's physical columns; build the"
          + " row from the columns you need");
    }
  }

  /**
   * The derived table that replaces migrating table {@code item} in FROM, where the application
   * uses its whole row or renames its columns by position ({@code t AS a(x, y)}): {@code (SELECT
   * <the columns SELECT * gives> FROM t) AS a}, so that the row, and the positions, are the
   * application's columns in the order the table had before the migration (the new name last).
   */
  private FromItem derived(FromItem item, SqlIdentifier tableId, String aliasText, List<String> columnAliases)
      throws RewriteRefusedException {
    ColumnMigration m = item.migrations().get(0);
    if (!item.columnsKnown()) {
      throw ctx.refuse(m, "the whole row or a column alias list of table '" + item.table() + "', whose columns the"
          + " catalog does not know");
    }
    SqlText text = ctx.text;
    List<String> names = ctx.folded(tableId);
    int firstToken = ctx.tokenOf(tableId, 0);
    int lastToken = ctx.tokenOf(tableId, names.size() - 1);
    int start = text.tokens().get(firstToken).start();
    int before = text.previousSignificant(firstToken - 1, ctx.stmt.fromToken());
    if (before >= 0 && text.isKeyword(before, "only")) {
      start = text.tokens().get(before).start(); // FROM ONLY t: the derived table reads ONLY t
    }
    int after = text.nextSignificant(lastToken + 1, ctx.stmt.toToken());
    if (after >= 0 && "*".equals(text.tokens().get(after).text(text.sql()))) {
      throw ctx.refuse(m, "'" + item.table() + " *' read as a whole row or with a column alias list");
    }
    for (int i = ctx.stmt.fromToken(); i < ctx.stmt.toToken(); i++) {
      Token t = text.tokens().get(i);
      if (t.isIdentifier() && SYSTEM_COLUMNS.contains(text.folded(i))) {
        throw ctx.refuse(m, "system column '" + text.folded(i) + "' in a statement that reads migrating table '"
            + item.table() + "' as a whole row or with a column alias list");
      }
      if (aliasText == null && t.isIdentifier() && text.folded(i).equals(item.table())) {
        int p = text.previousSignificant(i - 1, ctx.stmt.fromToken());
        int n = text.nextSignificant(i + 1, ctx.stmt.toToken());
        if (p >= 0 && n >= 0 && text.tokens().get(p).kind() == TokenKind.DOT
            && text.tokens().get(n).kind() == TokenKind.DOT) {
          throw ctx.refuse(m, "a schema-qualified column reference to table '" + item.table() + "', which the"
              + " statement reads as a whole row; give the table an alias and qualify with it");
        }
      }
    }
    Labels labels = new Labels();
    List<String> columns = expand(item, "", labels);
    String sub = "(SELECT " + String.join(", ", columns) + " FROM " + text.sql().substring(start,
        text.tokens().get(lastToken).end()) + ")";
    String qualifierText = aliasText;
    String alias;
    if (aliasText == null) {
      qualifierText = text.tokens().get(lastToken).text(text.sql());
      alias = names.get(names.size() - 1);
      sub += " AS " + qualifierText;
    } else {
      alias = item.alias();
    }
    ctx.edits.replace(start, text.tokens().get(lastToken).end(), sub);
    ctx.readsRows = true;
    List<String> columnNames = renamed(labels.names, columnAliases);
    FromItem out = new FromItem(alias, null, null, qualifierText,
        columnNames == null ? null : new TableInfo("", alias, columnNames), List.of(), item.migrations());
    if (labels.widened) {
      widened.add(out);
    }
    return out;
  }

  /** PostgreSQL's system columns: a derived table does not have them. */
  private static final Set<String> SYSTEM_COLUMNS = Set.of("ctid", "xmin", "xmax", "cmin", "cmax", "tableoid");

  /**
   * Where each migrating table of a FROM clause starts in the text: the key under which a whole-row
   * reference asks for it to be planned again as a derived table.
   */
  private final java.util.Map<FromItem, Integer> sources = new java.util.IdentityHashMap<>();

  /**
   * The FROM item for table name {@code tableId} in a FROM clause: a migrating table whose whole row
   * the statement uses ({@link StatementContext#rowSources}) becomes a derived table.
   */
  private FromItem fromTable(SqlIdentifier tableId, String alias, String aliasText, Scope scope)
      throws RewriteRefusedException {
    FromItem item = table(tableId, alias, aliasText, scope);
    if (!item.isMigrating()) {
      return item;
    }
    int at = ctx.span(tableId, 0)[0];
    if (ctx.rowSources.contains(at)) {
      return derived(item, tableId, aliasText, null);
    }
    sources.put(item, at);
    return item;
  }

  // ---------------------------------------------------------------- star

  private void star(SqlIdentifier id, Scope scope, Labels labels, Clause clause) throws RewriteRefusedException {
    List<String> names = ctx.folded(id);
    int[] first = ctx.span(id, 0);
    int[] last = ctx.span(id, names.size() - 1);
    if (names.size() > 1) {
      FromItem item = scope.byQualifier(names.subList(0, names.size() - 1));
      if (item == null || !item.isMigrating()) {
        FromItem outer = item == null ? scope.relation(names.subList(0, names.size() - 1)) : null;
        if (outer != null) {
          wholeRowOf(outer, String.join(".", names.subList(0, names.size() - 1)) + ".*"); // an enclosing query's row
        }
        addColumns(item, labels, clause);
        return;
      }
      refuseIfFixedWidth(item, clause);
      int[] qualifierEnd = ctx.span(id, names.size() - 2);
      String prefix = ctx.text.sql().substring(first[0], qualifierEnd[1]) + ".";
      ctx.edits.replace(first[0], last[1], String.join(", ", expand(item, prefix, labels)));
      return;
    }
    if (!scope.anyMigrating()) {
      for (FromItem item : scope.items()) {
        addColumns(item, labels, clause);
      }
      return;
    }
    if (scope.hasMergedColumns()) {
      if (scope.fromTree() == null) {
        throw ctx.refuse("SELECT * over a NATURAL JOIN or JOIN ... USING next to a FROM item whose columns are not"
            + " known (a subquery needs an alias, a function a column list) is not supported with a migrating table;"
            + " list the columns");
      }
      List<StarColumn> columns = mergedStar(scope.fromTree(), clause);
      Set<String> seen = new HashSet<>();
      for (StarColumn c : columns) {
        if (!seen.add(c.label()) && columns.stream().anyMatch(o -> o.merged() && o.label().equals(c.label()))) {
          // An unqualified merged name would be ambiguous beside another column of that name.
          throw ctx.refuse("SELECT * over JOIN ... USING or NATURAL JOIN whose merged column '" + c.label()
              + "' has a namesake elsewhere in the FROM clause is not supported with a migrating table; list the"
              + " columns");
        }
      }
      List<String> parts = new ArrayList<>();
      for (StarColumn c : columns) {
        parts.add(c.text());
        labels.names.add(c.label());
        labels.widened |= c.widened();
      }
      ctx.edits.replace(first[0], last[1], String.join(", ", parts));
      return;
    }
    List<String> parts = new ArrayList<>();
    boolean single = scope.items().size() == 1;
    for (FromItem item : scope.items()) {
      if (!single && item.qualifierText() == null) {
        throw ctx.refuse("SELECT * next to a FROM item without a name (a subquery needs an alias)");
      }
      String prefix = single ? "" : item.qualifierText() + ".";
      if (item.isMigrating()) {
        refuseIfFixedWidth(item, clause);
        parts.addAll(expand(item, prefix, labels));
      } else {
        addColumns(item, labels, clause);
        parts.add(prefix + "*");
      }
    }
    ctx.edits.replace(first[0], last[1], String.join(", ", parts));
  }

  private void refuseIfFixedWidth(FromItem item, Clause clause) throws RewriteRefusedException {
    if (clause.fixedWidth()) {
      throw ctx.refuse(item.migrations().get(0), "SELECT * of migrating table '" + item.table()
          + "' inside a subquery expression, a UNION/INTERSECT/EXCEPT branch or an INSERT ... SELECT is not supported (expanding it"
          + " would change the column count); list the columns");
    }
  }

  /** The columns of a {@code *} over a non-migrating item; refused when they are wider than before the migration where width is fixed. */
  private void addColumns(FromItem item, Labels labels, Clause clause) throws RewriteRefusedException {
    if (item != null && widened.contains(item)) {
      if (clause.fixedWidth()) {
        throw ctx.refuse("SELECT * of '" + item.qualifierText() + "', which selects * of a migrating table, inside"
            + " a subquery expression, a UNION/INTERSECT/EXCEPT branch or an INSERT ... SELECT is not supported"
            + " (the expansion would change the column count); list the columns");
      }
      labels.widened = true;
    }
    if (item != null && item.columnsKnown()) {
      labels.names.addAll(item.info().columns());
    } else {
      labels.complete = false;
    }
  }

  /**
   * One column of a {@code SELECT *} over joins: its label, the text that selects it, whether it is
   * a merged column (written unqualified, as PostgreSQL names it), and whether it widens the row.
   */
  private record StarColumn(String label, String text, boolean merged, boolean widened) {}

  /**
   * {@code SELECT *} over joins that merge columns (USING, NATURAL), as PostgreSQL expands it: at
   * each join, the merged names (unqualified, so a FULL JOIN's merge is kept), then the left side's
   * other columns, then the right's. Refused when a merged name is a migration column (which
   * physical column the merge shows differs by phase) or an item's columns are unknown.
   */
  private List<StarColumn> mergedStar(Scope.FromTree tree, Clause clause) throws RewriteRefusedException {
    if (tree instanceof Scope.FromTree.Join join) {
      List<StarColumn> out = new ArrayList<>();
      for (String name : join.merged()) {
        if (ctx.index.isColumnName(name)) {
          throw ctx.refuse("SELECT * over JOIN ... USING (" + name + ") or a NATURAL JOIN merging it, a migration"
              + " column, is not supported; list the columns or join with ON");
        }
        out.add(new StarColumn(name, Identifiers.quote(name), true, false));
      }
      for (Scope.FromTree side : List.of(join.left(), join.right())) {
        for (StarColumn c : mergedStar(side, clause)) {
          if (!join.merged().contains(c.label())) {
            out.add(c);
          }
        }
      }
      return out;
    }
    FromItem item = ((Scope.FromTree.Item) tree).item();
    if (item.qualifierText() == null || !item.columnsKnown()) {
      throw ctx.refuse("SELECT * over JOIN ... USING or NATURAL JOIN next to a FROM item whose columns are not known"
          + " (a subquery needs an alias); list the columns");
    }
    String prefix = item.qualifierText() + ".";
    List<StarColumn> out = new ArrayList<>();
    Labels mine = new Labels();
    if (item.isMigrating()) {
      refuseIfFixedWidth(item, clause);
      List<String> columns = expand(item, prefix, mine);
      for (int i = 0; i < columns.size(); i++) {
        out.add(new StarColumn(mine.names.get(i), columns.get(i), false, mine.widened));
      }
    } else {
      addColumns(item, mine, clause);
      for (String c : item.info().columns()) {
        out.add(new StarColumn(c, prefix + Identifiers.quote(c), false, mine.widened));
      }
    }
    return out;
  }

  /** The explicit column list replacing {@code *} of a migrating item. */
  private List<String> expand(FromItem item, String prefix, Labels labels) throws RewriteRefusedException {
    ColumnMigration first = item.migrations().get(0);
    if (!item.columnsKnown()) {
      throw ctx.refuse(first, "SELECT * on table '" + item.table() + "' whose columns the catalog does not know");
    }
    List<AppColumns.AppColumn> columns = AppColumns.of(item.info(), item.migrations());
    if (columns == null) {
      throw ctx.refuse(first, "the catalog shows neither the old nor the new column of table '" + item.table()
          + "'; cannot expand *");
    }
    List<String> out = new ArrayList<>(columns.size() + 1);
    for (AppColumns.AppColumn c : columns) {
      labels.names.add(c.name());
      if (c.migration() == null) {
        out.add(prefix + Identifiers.quote(c.name()));
      } else {
        out.add(labelled(prefix, c.migration(), c.name()));
      }
    }
    for (ColumnMigration m : item.migrations()) {
      if (m.isInPlace()) {
        continue; // one name, already in the list
      }
      labels.names.add(m.newColumn());
      out.add(labelled(prefix, m, m.newColumn()));
      labels.widened = true;
    }
    return out;
  }

  private static String labelled(String prefix, ColumnMigration m, String label) {
    String sql = m.readSql(label, prefix);
    return sql.equals(prefix + Identifiers.quote(label)) ? sql : sql + " AS " + Identifiers.quote(label);
  }

  // ---------------------------------------------------------------- nested queries

  /**
   * A nested query, function or other FROM item Cutover does not descend into: refused when it
   * mentions a migration column, or selects {@code *} while mentioning a migrating table.
   *
   * @return whether it names a migrating table (a caller that takes columns from it refuses then)
   */
  boolean nested(SqlNode node) throws RewriteRefusedException {
    List<SqlIdentifier> ids = new ArrayList<>();
    collectIdentifiers(node, ids);
    boolean star = false;
    boolean migratingTable = false;
    for (SqlIdentifier id : ids) {
      if (id.isStar()) {
        star = true;
      }
      for (int i = 0; i < id.names.size(); i++) {
        String name = id.names.get(i);
        if (name.isEmpty()) {
          continue;
        }
        int t = ctx.tokenOf(id, i);
        String folded = t >= 0 ? ctx.text.folded(t) : name.toLowerCase(java.util.Locale.ROOT);
        if (i == id.names.size() - 1 && ctx.index.isColumnName(folded)) {
          throw ctx.refuse(construct(node) + " that uses migration column '" + folded
              + "' is not supported yet");
        }
        if (!ctx.index.forTableName(folded).isEmpty()) {
          migratingTable = true;
        }
      }
    }
    if (star && migratingTable) {
      throw ctx.refuse(construct(node) + " selecting * with a migrating table is not supported yet; list the columns");
    }
    if (migratingTable && ctx.mayUseRows()) {
      throw ctx.refuse(construct(node) + " that may use a migrating table's whole row is not supported yet; list the"
          + " columns");
    }
    return migratingTable;
  }

  private static void collectIdentifiers(SqlNode node, List<SqlIdentifier> out) {
    if (node instanceof SqlIdentifier id) {
      out.add(id);
    } else if (node instanceof SqlNodeList list) {
      for (SqlNode n : list) {
        collectIdentifiers(n, out);
      }
    } else if (node instanceof SqlCall call) {
      for (SqlNode n : call.getOperandList()) {
        collectIdentifiers(n, out);
      }
    }
  }

  /** A short name for the construct {@code node} is, for refusal messages. */
  static String construct(SqlNode node) {
    if (node == null) {
      return "an empty statement";
    }
    SqlKind kind = node.getKind();
    if (SqlKind.SET_QUERY.contains(kind)) {
      return kind.sql.replace('_', ' ');
    }
    return switch (kind) {
      case SELECT, ORDER_BY -> "a subquery";
      case WITH -> "WITH (a common table expression)";
      case VALUES -> "a VALUES list";
      case LATERAL -> "LATERAL";
      case COLLECTION_TABLE -> "a table function";
      case UNNEST -> "UNNEST";
      default -> node instanceof SqlBasicCall c ? "function or construct " + c.getOperator().getName()
          : kind.sql.replace('_', ' ');
    };
  }
}
