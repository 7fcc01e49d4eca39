package dev.cutover.rewriter.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The generated grammar: PostgreSQL operators, names PostgreSQL does not reserve, positions. */
class CalciteParserTest {

  private static SqlNode where(String condition) throws SqlParseException {
    return ((SqlSelect) CalciteParser.parse("SELECT 1 FROM t WHERE " + condition)).getWhere();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', textBlock = """
      a -> 'k'       ; ->
      a ->> 'k'      ; ->>
      a #> '{x,y}'   ; #>
      a #>> '{x}'    ; #>>
      a @> b         ; @>
      a <@ b         ; <@
      a && b         ; &&
      a ?? 'k'       ; ??
      a ??| b        ; ??|
      a ??& b        ; ??&
      a ~ 'x'        ; POSIX REGEX CASE SENSITIVE
      a ~* 'x'       ; POSIX REGEX CASE INSENSITIVE
      a !~ 'x'       ; NEGATED POSIX REGEX CASE SENSITIVE
      a !~* 'x'      ; NEGATED POSIX REGEX CASE INSENSITIVE
      a ILIKE 'x'    ; ILIKE
      a NOT ILIKE 'x'; NOT ILIKE
      a::text        ; ::
      """)
  void postgresOperator_isOneCallWithTheColumnAsFirstOperand(String condition, String operator) throws Exception {
    SqlNode node = where(condition);

    assertThat(node).isInstanceOf(SqlBasicCall.class);
    SqlCall call = (SqlCall) node;
    assertThat(call.getOperator().getName()).isEqualTo(operator);
    SqlIdentifier a = (SqlIdentifier) call.operand(0);
    assertThat(a.getSimple()).isEqualTo("a");
    // "SELECT 1 FROM t WHERE " is 22 characters: the column starts at column 23.
    assertThat(a.getParserPosition().getColumnNum()).isEqualTo(23);
  }

  @Test
  void jsonOperators_chainLeftToRightAndKeepEveryPosition() throws Exception {
    SqlNode node = where("doc -> 'a' ->> 'b' = other");

    SqlCall eq = (SqlCall) node;
    SqlCall getText = (SqlCall) eq.operand(0);
    assertThat(getText.getOperator().getName()).isEqualTo("->>");
    SqlCall get = (SqlCall) getText.operand(0);
    assertThat(get.getOperator().getName()).isEqualTo("->");
    assertThat(((SqlIdentifier) get.operand(0)).getParserPosition().getColumnNum()).isEqualTo(23);
    SqlIdentifier other = (SqlIdentifier) eq.operand(1);
    assertThat(other.getSimple()).isEqualTo("other");
    assertThat(other.getParserPosition().getColumnNum()).isEqualTo(23 + "doc -> 'a' ->> 'b' = ".length());
  }

  @Test
  void escapedQuestionOperator_leavesTheNextPlaceholderAParameter() throws Exception {
    SqlCall call = (SqlCall) where("doc ?? ?");

    assertThat((Object) call.getOperator()).isSameAs(PostgresOperators.KEY_EXISTS);
    assertThat((Object) call.operand(1)).isInstanceOf(SqlDynamicParam.class);
  }

  @Test
  void threeQuestionMarks_areTheOperatorThenAPlaceholder() throws Exception {
    // pgjdbc reads "???" as "??" (the operator ?) followed by a placeholder.
    SqlCall call = (SqlCall) where("doc ??? ");

    assertThat((Object) call.getOperator()).isSameAs(PostgresOperators.KEY_EXISTS);
    assertThat((Object) call.operand(1)).isInstanceOf(SqlDynamicParam.class);
  }

  @Test
  void arrowInsideFunctionArguments_isTheJsonOperatorNotALambda() throws Exception {
    SqlCall call = (SqlCall) where("f(doc -> 'k', g(x -> 'j')) = ?");

    SqlCall f = call.operand(0);
    SqlCall arg = f.operand(0);
    assertThat((Object) arg.getOperator()).isSameAs(PostgresOperators.JSON_GET);
    SqlIdentifier doc = arg.operand(0);
    assertThat(doc.getParserPosition().getColumnNum()).isEqualTo(25);
    SqlCall g = f.operand(1);
    assertThat((Object) ((SqlCall) g.operand(0)).getOperator()).isSameAs(PostgresOperators.JSON_GET);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"value", "year", "month", "position", "uuid", "count", "max", "result", "language",
      "start", "second", "hour", "member", "method", "path", "rank", "version", "system", "percent", "names",
      "lower", "upper", "filter", "match", "element", "old", "new_value", "date", "time", "timestamp"})
  void keywordPostgresDoesNotReserve_isAColumnName(String name) throws Exception {
    SqlSelect select = (SqlSelect) CalciteParser.parse("SELECT " + name + ", t." + name + " FROM t WHERE " + name
        + " = ? GROUP BY " + name);

    assertThat(select.getSelectList().get(0)).isInstanceOf(SqlIdentifier.class);
    assertThat(((SqlIdentifier) select.getSelectList().get(0)).getSimple()).isEqualTo(name);
    assertThat(((SqlIdentifier) select.getSelectList().get(1)).names).isEqualTo(List.of("t", name));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', textBlock = """
      date '2020-01-01'                 ; DATE
      time '10:00'                      ; TIME
      timestamp '2020-01-01 10:00'      ; TIMESTAMP
      """)
  void datetimeLiteral_isStillALiteralWhereItsWordIsAlsoAName(String literal, String type) throws Exception {
    SqlSelect select = (SqlSelect) CalciteParser.parse("SELECT " + literal + ", date, time FROM t WHERE time > "
        + literal + " AND CAST(x AS " + type + ") = ? AND y::" + type + " = date");

    assertThat(select.getSelectList().get(0)).isInstanceOf(org.apache.calcite.sql.SqlLiteral.class);
    assertThat(((SqlIdentifier) select.getSelectList().get(1)).getSimple()).isEqualTo("date");
    assertThat(((SqlIdentifier) select.getSelectList().get(2)).getSimple()).isEqualTo("time");
    SqlCall and = (SqlCall) ((SqlCall) select.getWhere()).operand(0);
    SqlCall gt = and.operand(0);
    assertThat(((SqlIdentifier) gt.operand(0)).getSimple()).isEqualTo("time");
    assertThat((Object) gt.operand(1)).isInstanceOf(org.apache.calcite.sql.SqlLiteral.class);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"SELECT 1 FROM t WHERE", "SELECT a FROM", "SELECT a ->> FROM t", "SELECT a ?? FROM t"})
  void incompleteStatement_isAParseError(String sql) {
    assertThatThrownBy(() -> CalciteParser.parse(sql)).isInstanceOf(SqlParseException.class);
  }

  @Test
  void parseError_doesNotSpoilTheNextParse() throws Exception {
    assertThatThrownBy(() -> CalciteParser.parse("SELECT a ->> FROM t")).isInstanceOf(SqlParseException.class);

    assertThat(where("a ->> 'k' = ?")).isInstanceOf(SqlBasicCall.class);
  }

  @Test
  void lexicalState_isWhatCalciteChoosesForDoubleQuotedIdentifiers() throws SqlParseException {
    // The parser sets its lexical state itself, without a SqlParser.Config (whose default loads
    // Calcite's own parser): it must stay the one Calcite would choose for our quoting.
    assertThat(SqlAbstractParserImpl.LexicalState.forConfig(SqlParser.config().withQuoting(Quoting.DOUBLE_QUOTE)))
        .isEqualTo(SqlAbstractParserImpl.LexicalState.DQID);
    SqlIdentifier quoted = (SqlIdentifier) ((SqlSelect) CalciteParser.parse("SELECT \"Full Name\" FROM t"))
        .getSelectList().get(0);
    assertThat(quoted.getSimple()).isEqualTo("Full Name");
    SqlIdentifier plain = (SqlIdentifier) ((SqlSelect) CalciteParser.parse("SELECT Full_Name FROM t"))
        .getSelectList().get(0);
    assertThat(plain.getSimple()).isEqualTo("Full_Name");
  }

  @Test
  void parsesAcrossParserReplacements_eachReadTheirOwnStatement() throws Exception {
    // A thread's parser is replaced every few hundred parses (and after a failed parse): no state
    // may leak from one statement into the next across a replacement.
    for (int i = 0; i < 700; i++) {
      if (i % 97 == 0) {
        assertThatThrownBy(() -> CalciteParser.parse("SELECT (( FROM")).isInstanceOf(SqlParseException.class);
      }
      SqlSelect select = (SqlSelect) CalciteParser.parse("SELECT c" + i + " FROM t" + i + " WHERE x = ?");
      assertThat(((SqlIdentifier) select.getSelectList().get(0)).getSimple()).isEqualTo("c" + i);
      assertThat(((SqlIdentifier) select.getFrom()).getSimple()).isEqualTo("t" + i);
    }
  }
}
