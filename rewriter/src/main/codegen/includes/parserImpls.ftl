<#--
  Cutover's additions to Calcite's grammar (included into Parser.jj by FMPP; see ../config.fmpp).
  Every node keeps Calcite's positions: the rewriter maps them back to the SQL text.
-->

/** PostgreSQL's infix cast: expr::type. */
void InfixCast(List<Object> list, ExprContext exprContext, Span s) :
{
    final SqlDataTypeSpec type;
}
{
    <INFIX_CAST> {
        checkNonQueryExpression(exprContext);
    }
    type = DataType() {
        list.add(new SqlParserUtil.ToTreeListItem(SqlLibraryOperators.INFIX_CAST, s.pos()));
        list.add(type);
    }
}

/**
 * PostgreSQL's jsonb, containment, overlap, text search, prefix and pattern (~~, ~~*, !~~, !~~*: LIKE and
 * ILIKE as operators) operators, and pgjdbc's escaped "?" operators.
 */
void PostgresBinaryOperator(List<Object> list, ExprContext exprContext, Span s) :
{
    final SqlOperator op;
}
{
    (
        <LAMBDA> { op = PostgresOperators.JSON_GET; }
    |   <PG_JSON_GET_TEXT> { op = PostgresOperators.JSON_GET_TEXT; }
    |   <PG_PATH_GET> { op = PostgresOperators.PATH_GET; }
    |   <PG_PATH_GET_TEXT> { op = PostgresOperators.PATH_GET_TEXT; }
    |   <PG_CONTAINS> { op = PostgresOperators.CONTAINS; }
    |   <PG_CONTAINED_BY> { op = PostgresOperators.CONTAINED_BY; }
    |   <PG_OVERLAPS> { op = PostgresOperators.OVERLAPS; }
    |   <PG_KEY_EXISTS> { op = PostgresOperators.KEY_EXISTS; }
    |   <PG_ANY_KEY_EXISTS> { op = PostgresOperators.ANY_KEY_EXISTS; }
    |   <PG_ALL_KEYS_EXIST> { op = PostgresOperators.ALL_KEYS_EXIST; }
    |   <PG_TEXT_MATCH> { op = PostgresOperators.TEXT_MATCH; }
    |   <PG_STARTS_WITH> { op = PostgresOperators.STARTS_WITH; }
    |   <PG_LIKE> { op = PostgresOperators.LIKE; }
    |   <PG_ILIKE> { op = PostgresOperators.ILIKE; }
    |   <PG_NOT_LIKE> { op = PostgresOperators.NOT_LIKE; }
    |   <PG_NOT_ILIKE> { op = PostgresOperators.NOT_ILIKE; }
    )
    {
        checkNonQueryExpression(exprContext);
        list.add(new SqlParserUtil.ToTreeListItem(op, getPos()));
    }
    AddExpression2b(list, ExprContext.ACCEPT_SUB_QUERY)
}

/**
 * PostgreSQL's JSON aggregates with an aggregate ORDER BY: json_agg(x ORDER BY y), as jOOQ's
 * MULTISET writes them. The call has the shape Calcite gives STRING_AGG and ARRAY_AGG (the ORDER BY
 * list is the last operand), and takes FILTER and OVER as a named call does.
 */
SqlNode PostgresOrderedAggregateCall() :
{
    final SqlIdentifier name;
    final Span s;
    final List<SqlNode> args = new ArrayList<SqlNode>();
    SqlLiteral quantifier = null;
    final SqlNodeList orderBy;
    SqlCall call;
    final Span filterSpan;
    final SqlNode filter;
    final Span overSpan;
    final SqlNode over;
}
{
    ( <JSON_AGG> | <JSONB_AGG> | <JSON_OBJECT_AGG> | <JSONB_OBJECT_AGG> ) {
        s = span();
        name = new SqlIdentifier(unquotedIdentifier(), getPos());
    }
    <LPAREN>
    [ quantifier = AllOrDistinct() ]
    AddArg(args, ExprContext.ACCEPT_SUB_QUERY)
    ( <COMMA> AddArg(args, ExprContext.ACCEPT_SUB_QUERY) )*
    [ orderBy = OrderBy(true) { args.add(orderBy); } ]
    <RPAREN> {
        call = createCall(name, s.end(this), SqlFunctionCategory.USER_DEFINED_FUNCTION, quantifier, args);
    }
    [
        <FILTER> { filterSpan = span(); }
        <LPAREN>
        <WHERE>
        filter = Expression(ExprContext.ACCEPT_SUB_QUERY)
        <RPAREN> {
            call = SqlStdOperatorTable.FILTER.createCall(filterSpan.end(this), call, filter);
        }
    ]
    [
        <OVER> { overSpan = span(); }
        (
            over = SimpleIdentifier()
        |
            over = WindowSpecification()
        )
        {
            call = SqlStdOperatorTable.OVER.createCall(overSpan.end(over), call, over);
        }
    ]
    { return call; }
}

/**
 * PostgreSQL's expr COLLATE name. The collation is a name, never a column: it becomes a character
 * literal operand (the rewriter only reads its position), so nothing resolves it as a column.
 */
void PostgresCollate(List<Object> list, ExprContext exprContext, Span s) :
{
    final SqlIdentifier name;
}
{
    <COLLATE> {
        checkNonQueryExpression(exprContext);
    }
    name = CompoundIdentifier() {
        list.add(new SqlParserUtil.ToTreeListItem(PostgresOperators.COLLATE, s.pos()));
        list.add(SqlLiteral.createCharString(name.toString(), name.getParserPosition()));
    }
}

/** PostgreSQL's expr AT TIME ZONE zone (the zone is an expression, possibly a column). */
void PostgresAtTimeZone(List<Object> list, ExprContext exprContext, Span s) :
{
    final SqlNode zone;
}
{
    <AT> <TIME> <ZONE> {
        checkNonQueryExpression(exprContext);
        list.add(new SqlParserUtil.ToTreeListItem(PostgresOperators.AT_TIME_ZONE, getPos()));
    }
    zone = Expression3(ExprContext.ACCEPT_SUB_QUERY) {
        list.add(zone);
    }
}
