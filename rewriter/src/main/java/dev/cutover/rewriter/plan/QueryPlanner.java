package dev.cutover.rewriter.plan;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.TableInfo;
import dev.cutover.rewriter.lex.Identifiers;
import dev.cutover.rewriter.lex.Token;
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
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;

/**
 * Plans the rewrite of queries and of the expressions of writes: name resolution against FROM
 * items, read-column substitution at identifier leaves, labels for select-list columns, and
 * {@code *} expansion.
 *
 * <p>Implementation notes: a column reference is rewritten only when it resolves with certainty to
 * a migrating column; anything uncertain about such a reference is refused. Nested queries are
 * not descended into: one that mentions a migration column, or selects {@code *} next to a
 * migrating table, is refused; others stay untouched and count as FROM items with unknown columns.
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
  }

  /** Plans a top-level query. */
  void query(SqlNode node) throws RewriteRefusedException {
    query(node, null);
  }

  /**
   * Plans a query (SELECT, with ORDER BY / LIMIT / OFFSET, or a set operation) whose correlated
   * names resolve in {@code parent}; returns its output labels.
   */
  Labels query(SqlNode node, Scope parent) throws RewriteRefusedException {
    if (node instanceof SqlOrderBy orderBy) {
      if (orderBy.query instanceof SqlSelect select) {
        return select(select, orderBy.orderList, parent);
      }
      // ORDER BY of a set operation can only name output columns: nothing to rewrite there.
      return query(orderBy.query, parent);
    }
    if (node instanceof SqlSelect select) {
      return select(select, null, parent);
    }
    if (SqlKind.SET_QUERY.contains(node.getKind())) {
      Labels first = null;
      starFree++;
      try {
        for (SqlNode branch : ((SqlCall) node).getOperandList()) {
          Labels labels = query(branch, parent);
          first = first == null ? labels : first;
        }
      } finally {
        starFree--;
      }
      return first;
    }
    throw ctx.refuse(construct(node) + " is not supported on a migrating table yet");
  }

  /** Plans a query whose column count must not change (the source of an INSERT ... SELECT). */
  Labels fixedWidthQuery(SqlNode node, Scope parent) throws RewriteRefusedException {
    starFree++;
    try {
      return query(node, parent);
    } finally {
      starFree--;
    }
  }

  /**
   * The select list of an INSERT's source query, whose labels PostgreSQL ignores: its type-change
   * columns are not labelled (the writer may wrap them in a conversion, where a label cannot stand).
   */
  SqlNodeList unlabelled;

  /** While positive, expanding {@code *} of a migrating table is refused (it would change a column count). */
  private int starFree;

  private Labels select(SqlSelect select, SqlNodeList outerOrder, Scope parent) throws RewriteRefusedException {
    List<SqlNode> joinConditions = new ArrayList<>();
    Scope scope = new Scope(parent);
    from(select.getFrom(), scope, joinConditions);
    Labels labels = new Labels();
    projection(select.getSelectList(), scope, labels);
    for (SqlNode condition : joinConditions) {
      expression(condition, scope);
    }
    expression(select.getWhere(), scope);
    expression(select.getGroup(), scope);
    expression(select.getHaving(), scope);
    expression(select.getWindowList(), scope);
    expression(select.getQualify(), scope);
    Set<String> names = new HashSet<>(labels.names);
    orderBy(select.getOrderList(), scope, names);
    orderBy(outerOrder, scope, names);
    return labels;
  }

  /** Plans a select list or RETURNING list over {@code scope}, collecting output labels. */
  void projection(SqlNodeList list, Scope scope, Labels labels) throws RewriteRefusedException {
    if (list == null) {
      return;
    }
    for (SqlNode item : list) {
      if (item instanceof SqlIdentifier id) {
        if (id.isStar()) {
          star(id, scope, labels);
        } else {
          List<String> names = ctx.folded(id);
          labels.names.add(names.get(names.size() - 1));
          column(id, names, scope, true, list == unlabelled);
        }
      } else if (item.getKind() == SqlKind.AS) {
        SqlCall as = (SqlCall) item;
        SqlNode alias = as.operand(1);
        if (alias instanceof SqlIdentifier aliasId) {
          labels.names.add(ctx.folded(aliasId).get(0));
        } else {
          labels.complete = false;
        }
        expression(as.operand(0), scope);
      } else {
        if (item instanceof SqlCall call && call.getOperator() instanceof org.apache.calcite.sql.SqlFunction) {
          labels.names.add(call.getOperator().getName().toLowerCase(java.util.Locale.ROOT));
        } else {
          labels.complete = false;
        }
        expression(item, scope);
      }
    }
  }

  private void orderBy(SqlNodeList list, Scope scope, Set<String> labels) throws RewriteRefusedException {
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
      expression(key, scope);
    }
  }

  // ---------------------------------------------------------------- FROM

  /** Adds the FROM items of {@code node} to {@code scope}. */
  void from(SqlNode node, Scope scope, List<SqlNode> joinConditions) throws RewriteRefusedException {
    if (node == null) {
      return;
    }
    if (node instanceof SqlJoin join) {
      from(join.getLeft(), scope, joinConditions);
      from(join.getRight(), scope, joinConditions);
      if (join.isNatural()) {
        scope.markMergedColumns();
      }
      if (join.getConditionType() == JoinConditionType.USING) {
        scope.markMergedColumns();
        for (SqlNode n : (SqlNodeList) join.getCondition()) {
          String name = ctx.folded((SqlIdentifier) n).get(0);
          if (ctx.index.isColumnName(name)) {
            throw ctx.refuse("JOIN ... USING (" + name + ") on a migration column is not supported;"
                + " write the join condition with ON");
          }
        }
      } else if (join.getCondition() != null) {
        joinConditions.add(join.getCondition());
      }
      return;
    }
    if (node.getKind() == SqlKind.AS) {
      SqlCall as = (SqlCall) node;
      SqlIdentifier aliasId = (SqlIdentifier) as.operand(1);
      String alias = ctx.folded(aliasId).get(0);
      Token aliasToken = ctx.text.tokens().get(ctx.tokenOf(aliasId, 0));
      String aliasText = aliasToken.text(ctx.text.sql());
      SqlNode target = as.operand(0);
      boolean columnAliases = as.operandCount() > 2;
      if (target instanceof SqlIdentifier tableId && !columnAliases) {
        scope.add(table(tableId, alias, aliasText));
      } else {
        if (target instanceof SqlIdentifier tableId) {
          FromItem renamed = table(tableId, alias, aliasText);
          if (renamed.isMigrating()) {
            throw ctx.refuse("a column alias list on a migrating table ('" + aliasText + "(...)') is not supported");
          }
          scope.add(new FromItem(alias, null, null, aliasText, null, List.of()));
        } else if (isQuery(target) && target.getKind() != SqlKind.VALUES && target.getKind() != SqlKind.WITH) {
          // A derived table sees the enclosing query's names, not its FROM siblings (no LATERAL).
          // Its own * may expand: a derived table's width never reaches the enclosing query's width.
          int saved = starFree;
          starFree = 0;
          Labels labels;
          try {
            labels = query(target, scope.parent());
          } finally {
            starFree = saved;
          }
          TableInfo columns = labels != null && labels.complete ? new TableInfo("", alias, labels.names) : null;
          scope.add(new FromItem(alias, null, null, aliasText, columns, List.of()));
        } else {
          nested(target);
          scope.add(new FromItem(alias, null, null, aliasText, null, List.of()));
        }
      }
      return;
    }
    if (node instanceof SqlIdentifier tableId) {
      scope.add(table(tableId, null, null));
      return;
    }
    nested(node);
    scope.add(new FromItem(null, null, null, null, null, List.of()));
  }

  /** The FROM item for a table name, resolved through the catalog. */
  FromItem table(SqlIdentifier id, String alias, String aliasText) throws RewriteRefusedException {
    List<String> names = ctx.folded(id);
    String table = names.get(names.size() - 1);
    String schema = names.size() >= 2 ? names.get(names.size() - 2) : null;
    int[] first = ctx.span(id, 0);
    int[] last = ctx.span(id, names.size() - 1);
    String written = ctx.text.sql().substring(first[0], last[1]);
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

  /** Plans every column reference in expression {@code node}. */
  void expression(SqlNode node, Scope scope) throws RewriteRefusedException {
    if (node == null) {
      return;
    }
    if (node instanceof SqlIdentifier id) {
      if (id.isStar()) {
        if (id.names.size() > 1) {
          FromItem item = scope.byQualifier(ctx.folded(id).subList(0, id.names.size() - 1));
          if (item != null && item.isMigrating()) {
            throw ctx.refuse(item.migrations().get(0), "'" + id + "' of a migrating table inside an expression"
                + " is not supported");
          }
        }
        return;
      }
      column(id, ctx.folded(id), scope, false);
      return;
    }
    if (node instanceof SqlNodeList list) {
      for (SqlNode n : list) {
        expression(n, scope);
      }
      return;
    }
    if (!(node instanceof SqlCall call)) {
      return;
    }
    if (isQuery(call)) {
      if (call.getKind() == SqlKind.VALUES || call.getKind() == SqlKind.WITH) {
        nested(call);
        return;
      }
      starFree++;
      try {
        query(call, scope);
      } finally {
        starFree--;
      }
      return;
    }
    if (call.getKind() == SqlKind.AS) {
      expression(call.operand(0), scope);
      return;
    }
    for (SqlNode operand : call.getOperandList()) {
      expression(operand, scope);
    }
  }

  static boolean isQuery(SqlNode node) {
    SqlKind kind = node.getKind();
    return kind == SqlKind.SELECT || kind == SqlKind.ORDER_BY || kind == SqlKind.WITH
        || SqlKind.SET_QUERY.contains(kind) || kind == SqlKind.VALUES || kind == SqlKind.EXPLICIT_TABLE;
  }

  /** Plans one column reference; {@code selectItem} when it is a bare select-list item that needs its label kept. */
  private void column(SqlIdentifier id, List<String> names, Scope scope, boolean selectItem)
      throws RewriteRefusedException {
    column(id, names, scope, selectItem, false);
  }

  private void column(SqlIdentifier id, List<String> names, Scope scope, boolean selectItem, boolean insertSource)
      throws RewriteRefusedException {
    Scope.Resolution r;
    try {
      r = scope.resolve(names);
    } catch (Scope.Unresolvable e) {
      throw ctx.refuse(e.migration, e.getMessage());
    }
    if (r == null) {
      return;
    }
    ColumnMigration m = r.migration();
    ctx.used(m, r.name());
    String read = m.readColumn();
    int[] span = ctx.span(id, names.size() - 1);
    String plain = m.readSql(r.name(), "");
    String replacement;
    if (plain.equals(Identifiers.quote(read))) {
      if (read.equals(r.name())) {
        return;
      }
      replacement = plain; // the leaf alone: any qualifier stays as written
    } else {
      // A conversion wraps the whole reference, qualifier included.
      int[] first = ctx.span(id, 0);
      String qualifier = names.size() > 1 ? ctx.text.sql().substring(first[0], ctx.span(id, names.size() - 2)[1]) + "."
          : "";
      replacement = m.readSql(r.name(), qualifier);
      span = new int[] {first[0], span[1]};
    }
    if (selectItem && !(insertSource && !m.isRename())) {
      // (a rename keeps its label even in an INSERT's source, as it always did: harmless there)
      replacement += " AS " + Identifiers.quote(r.name());
    }
    ctx.edits.replace(span[0], span[1], replacement);
  }

  // ---------------------------------------------------------------- star

  private void star(SqlIdentifier id, Scope scope, Labels labels) throws RewriteRefusedException {
    List<String> names = ctx.folded(id);
    int[] first = ctx.span(id, 0);
    int[] last = ctx.span(id, names.size() - 1);
    if (names.size() > 1) {
      FromItem item = scope.byQualifier(names.subList(0, names.size() - 1));
      if (item == null || !item.isMigrating()) {
        addColumns(item, labels);
        return;
      }
      refuseIfStarFree(item);
      int[] qualifierEnd = ctx.span(id, names.size() - 2);
      String prefix = ctx.text.sql().substring(first[0], qualifierEnd[1]) + ".";
      ctx.edits.replace(first[0], last[1], String.join(", ", expand(item, prefix, labels)));
      return;
    }
    if (!scope.anyMigrating()) {
      for (FromItem item : scope.items()) {
        addColumns(item, labels);
      }
      return;
    }
    if (scope.hasMergedColumns()) {
      throw ctx.refuse("SELECT * over a JOIN ... USING or NATURAL JOIN with a migrating table is not supported;"
          + " list the columns");
    }
    List<String> parts = new ArrayList<>();
    boolean single = scope.items().size() == 1;
    for (FromItem item : scope.items()) {
      if (!single && item.qualifierText() == null) {
        throw ctx.refuse("SELECT * next to a FROM item without a name (a subquery needs an alias)");
      }
      String prefix = single ? "" : item.qualifierText() + ".";
      if (item.isMigrating()) {
        refuseIfStarFree(item);
        parts.addAll(expand(item, prefix, labels));
      } else {
        addColumns(item, labels);
        parts.add(prefix + "*");
      }
    }
    ctx.edits.replace(first[0], last[1], String.join(", ", parts));
  }

  private void refuseIfStarFree(FromItem item) throws RewriteRefusedException {
    if (starFree > 0) {
      throw ctx.refuse(item.migrations().get(0), "SELECT * of migrating table '" + item.table()
          + "' inside a subquery expression, a UNION/INTERSECT/EXCEPT branch or an INSERT ... SELECT is not supported (expanding it"
          + " would change the column count); list the columns");
    }
  }

  private static void addColumns(FromItem item, Labels labels) {
    if (item != null && item.columnsKnown()) {
      labels.names.addAll(item.info().columns());
    } else {
      labels.complete = false;
    }
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
   */
  void nested(SqlNode node) throws RewriteRefusedException {
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
