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

/** PostgreSQL's jsonb, containment and overlap operators, and pgjdbc's escaped "?" operators. */
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
    )
    {
        checkNonQueryExpression(exprContext);
        list.add(new SqlParserUtil.ToTreeListItem(op, getPos()));
    }
    AddExpression2b(list, ExprContext.ACCEPT_SUB_QUERY)
}
