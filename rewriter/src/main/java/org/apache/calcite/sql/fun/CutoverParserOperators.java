package org.apache.calcite.sql.fun;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.calcite.sql.SqlAsOperator;
import org.apache.calcite.sql.SqlBinaryOperator;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlFilterOperator;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlLateralOperator;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlOverOperator;
import org.apache.calcite.sql.SqlPostfixOperator;
import org.apache.calcite.sql.SqlPrefixOperator;
import org.apache.calcite.sql.SqlSetOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlUnnestOperator;
import org.apache.calcite.sql.SqlUtil;
import org.apache.calcite.sql.SqlValuesOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.parser.SqlParserUtil;
import org.apache.calcite.sql.parser.SqlParserUtil.ToTreeListItem;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.validate.SqlModality;
import org.apache.calcite.util.Litmus;
import org.apache.calcite.util.PrecedenceClimbingParser;

/**
 * The operators of everyday SQL that Cutover's generated parser ({@code PostgresParserImpl}) builds
 * trees with, each defined as {@link SqlStdOperatorTable} (or, for {@code ::}, {@code ILIKE} and
 * {@code NOT ILIKE}, {@link SqlLibraryOperators}) defines it: same class, name, kind and precedence,
 * so the same syntax and the same text when unparsed. The build rewrites the generated parser's
 * references to these operators to this class (rewriter/src/build/parser.xml), and its calls of
 * {@link SqlParserUtil#toTree} to {@link #toTree}.
 *
 * <p>Why: the first reference to any field of {@code SqlStdOperatorTable} initialises the whole
 * table, every operator Calcite has (some 260 classes and 150 lambdas, about 2 MB of native memory
 * in the application's JVM), when a statement needs a handful. Statements using an operator that is
 * not here still get it from {@code SqlStdOperatorTable}, which is then initialised as before.
 *
 * <p>Type strategies: the operators built here with a constructor that takes them have none (null):
 * only validation reads them, and Cutover never validates, while reading Calcite's constants
 * ({@code ReturnTypes}, {@code OperandTypes}, {@code InferTypes} and the {@code SqlTypeTransforms}
 * they use) initialises some 140 classes and lambdas. The operators whose Calcite constructors read
 * the constants themselves ({@code LIKE}, {@code IN}, {@code BETWEEN}, {@code CAST}...) are in
 * nested classes, by family, each initialised on the first use of one of its operators; {@code ROW}
 * is not Calcite's class (see {@link #ROW}).
 *
 * <p>Implementation notes: trees hold these instances instead of {@code SqlStdOperatorTable}'s,
 * which is the same to everything that reads a tree by kind, name, class or syntax, as the rewriter
 * does. Calcite compares operators by identity in a few places only; the parse path's are kept:
 * {@link #toTree} is {@code SqlParserUtil.toTree} with the identity tests on the unary {@code -}
 * and {@code +} (which stay {@code SqlStdOperatorTable}'s) made after a test of the kind, so that
 * reducing {@code NOT x} or {@code x IS NULL} no longer touches {@code SqlStdOperatorTable}. In
 * package {@code org.apache.calcite.sql.fun} because the constructors of {@code LIKE}, {@code IN},
 * {@code .}, literal chains, {@code DEFAULT} and {@code ::} are package-private.
 */
public final class CutoverParserOperators {

  private CutoverParserOperators() {}

  // Definitions copied from Calcite 1.42's SqlStdOperatorTable and SqlLibraryOperators, without
  // their type strategies (see the class comment); the test CutoverParserOperatorsTest compares
  // each with its original.

  public static final SqlBinaryOperator AND = new SqlBinaryOperator("AND", SqlKind.AND, 24, true, null, null, null);
  public static final SqlBinaryOperator OR = new SqlBinaryOperator("OR", SqlKind.OR, 22, true, null, null, null);
  public static final SqlPrefixOperator NOT = new SqlPrefixOperator("NOT", SqlKind.NOT, 26, null, null, null);

  public static final SqlBinaryOperator EQUALS = new SqlBinaryOperator("=", SqlKind.EQUALS, 30, true, null, null,
      null);
  public static final SqlBinaryOperator NOT_EQUALS = new SqlBinaryOperator("<>", SqlKind.NOT_EQUALS, 30, true, null,
      null, null);
  public static final SqlBinaryOperator LESS_THAN = new SqlBinaryOperator("<", SqlKind.LESS_THAN, 30, true, null,
      null, null);
  public static final SqlBinaryOperator LESS_THAN_OR_EQUAL = new SqlBinaryOperator("<=",
      SqlKind.LESS_THAN_OR_EQUAL, 30, true, null, null, null);
  public static final SqlBinaryOperator GREATER_THAN = new SqlBinaryOperator(">", SqlKind.GREATER_THAN, 30, true, null,
      null, null);
  public static final SqlBinaryOperator GREATER_THAN_OR_EQUAL = new SqlBinaryOperator(">=",
      SqlKind.GREATER_THAN_OR_EQUAL, 30, true, null, null, null);
  public static final SqlBinaryOperator IS_DISTINCT_FROM = new SqlBinaryOperator("IS DISTINCT FROM",
      SqlKind.IS_DISTINCT_FROM, 30, true, null, null, null);
  public static final SqlBinaryOperator IS_NOT_DISTINCT_FROM = new SqlBinaryOperator("IS NOT DISTINCT FROM",
      SqlKind.IS_NOT_DISTINCT_FROM, 30, true, null, null, null);

  public static final SqlBinaryOperator PLUS = new SqlMonotonicBinaryOperator("+", SqlKind.PLUS, 40, true, null, null,
      null);
  public static final SqlBinaryOperator MINUS = new SqlMonotonicBinaryOperator("-", SqlKind.MINUS, 40, true, null,
      null, null);
  public static final SqlBinaryOperator MULTIPLY = new SqlMonotonicBinaryOperator("*", SqlKind.TIMES, 60, true, null,
      null, null);
  public static final SqlBinaryOperator DIVIDE = new SqlBinaryOperator("/", SqlKind.DIVIDE, 60, true, null, null,
      null);
  public static final SqlBinaryOperator PERCENT_REMAINDER = new SqlBinaryOperator("%", SqlKind.MOD, 60, true, null,
      null, null);
  public static final SqlBinaryOperator CONCAT = new SqlBinaryOperator("||", SqlKind.OTHER, 60, true, null, null,
      null);

  public static final SqlPostfixOperator IS_NULL = new SqlPostfixOperator("IS NULL", SqlKind.IS_NULL, 28, null, null,
      null);
  public static final SqlPostfixOperator IS_NOT_NULL = new SqlPostfixOperator("IS NOT NULL", SqlKind.IS_NOT_NULL, 28,
      null, null, null);
  public static final SqlPostfixOperator IS_TRUE = new SqlPostfixOperator("IS TRUE", SqlKind.IS_TRUE, 28, null, null,
      null);
  public static final SqlPostfixOperator IS_NOT_TRUE = new SqlPostfixOperator("IS NOT TRUE", SqlKind.IS_NOT_TRUE, 28,
      null, null, null);
  public static final SqlPostfixOperator IS_FALSE = new SqlPostfixOperator("IS FALSE", SqlKind.IS_FALSE, 28, null,
      null, null);
  public static final SqlPostfixOperator IS_NOT_FALSE = new SqlPostfixOperator("IS NOT FALSE", SqlKind.IS_NOT_FALSE,
      28, null, null, null);
  public static final SqlPostfixOperator IS_UNKNOWN = new SqlPostfixOperator("IS UNKNOWN", SqlKind.IS_NULL, 28, null,
      null, null);
  public static final SqlPostfixOperator IS_NOT_UNKNOWN = new SqlPostfixOperator("IS NOT UNKNOWN", SqlKind.IS_NOT_NULL,
      28, null, null, null);
  public static final SqlSpecialOperator ESCAPE = new SqlSpecialOperator("ESCAPE", SqlKind.ESCAPE, 0);

  public static final SqlPrefixOperator EXISTS = new SqlPrefixOperator("EXISTS", SqlKind.EXISTS, 40, null, null,
      null) {
    @Override
    public boolean argumentMustBeScalar(int ordinal) {
      return false;
    }

    @Override
    public boolean validRexOperands(int count, Litmus litmus) {
      if (count != 0) {
        return litmus.fail("wrong operand count {} for {}", count, this);
      }
      return litmus.succeed();
    }
  };

  /** {@code SqlAsOperator}'s public constructor reads the type strategies; its protected one takes them. */
  public static final SqlAsOperator AS = new SqlAsOperator("AS", SqlKind.AS, 20, true, null, null, null) {};
  public static final SqlPostfixOperator DESC = new SqlPostfixOperator("DESC", SqlKind.DESCENDING, 20, null, null,
      null);
  public static final SqlPostfixOperator NULLS_FIRST = new SqlPostfixOperator("NULLS FIRST", SqlKind.NULLS_FIRST, 18,
      null, null, null);
  public static final SqlPostfixOperator NULLS_LAST = new SqlPostfixOperator("NULLS LAST", SqlKind.NULLS_LAST, 18,
      null, null, null);
  public static final SqlSpecialOperator VALUES = new SqlValuesOperator();
  public static final SqlSetOperator UNION = new SqlSetOperator("UNION", SqlKind.UNION, 12, false, null, null, null);
  public static final SqlSetOperator UNION_ALL = new SqlSetOperator("UNION ALL", SqlKind.UNION, 12, true, null, null,
      null);
  public static final SqlSetOperator INTERSECT = new SqlSetOperator("INTERSECT", SqlKind.INTERSECT, 14, false, null,
      null, null);
  public static final SqlSetOperator INTERSECT_ALL = new SqlSetOperator("INTERSECT ALL", SqlKind.INTERSECT, 14, true,
      null, null, null);
  public static final SqlSetOperator EXCEPT = new SqlSetOperator("EXCEPT", SqlKind.EXCEPT, 12, false, null, null,
      null);
  public static final SqlSetOperator EXCEPT_ALL = new SqlSetOperator("EXCEPT ALL", SqlKind.EXCEPT, 12, true, null,
      null, null);
  public static final SqlOperator DOT = new SqlDotOperator();
  public static final SqlPrefixOperator EXPLICIT_TABLE = new SqlPrefixOperator("TABLE", SqlKind.EXPLICIT_TABLE, 2,
      null, null, null);

  // Operators whose Calcite constructors read the type strategies themselves: built on first use,
  // by family, so that a statement without them loads neither them nor the strategies.

  /**
   * {@code ROW}, of every {@code INSERT ... VALUES}: {@link SqlRowOperator}'s only constructor reads
   * the type strategies, so this is a {@link SqlSpecialOperator} with its name, kind, precedence and
   * unparsing instead (Calcite and the rewriter tell a row by its kind; its other methods are
   * validation's).
   */
  public static final SqlSpecialOperator ROW = new SqlSpecialOperator("ROW", SqlKind.ROW, 200, false, null, null,
      null) {
    @Override
    public void unparse(SqlWriter writer, SqlCall call, int leftPrec, int rightPrec) {
      SqlUtil.unparseFunctionSyntax(this, writer, call, false);
    }

    @Override
    public boolean requiresDecimalExpansion() {
      return false;
    }
  };

  /** {@code IN}, {@code BETWEEN} and the quantified comparisons ({@code = ANY (...)} and the like). */
  public static final class Comparisons {
    private Comparisons() {}

    public static final SqlBinaryOperator IN = new SqlInOperator(SqlKind.IN);
    public static final SqlBinaryOperator NOT_IN = new SqlInOperator(SqlKind.NOT_IN);
    public static final SqlBetweenOperator BETWEEN = new SqlBetweenOperator(SqlBetweenOperator.Flag.ASYMMETRIC,
        false);
    public static final SqlBetweenOperator NOT_BETWEEN = new SqlBetweenOperator(SqlBetweenOperator.Flag.ASYMMETRIC,
        true);
    public static final SqlQuantifyOperator SOME_EQ = new SqlQuantifyOperator(SqlKind.SOME, SqlKind.EQUALS);
    public static final SqlQuantifyOperator SOME_GT = new SqlQuantifyOperator(SqlKind.SOME, SqlKind.GREATER_THAN);
    public static final SqlQuantifyOperator SOME_GE = new SqlQuantifyOperator(SqlKind.SOME,
        SqlKind.GREATER_THAN_OR_EQUAL);
    public static final SqlQuantifyOperator SOME_LT = new SqlQuantifyOperator(SqlKind.SOME, SqlKind.LESS_THAN);
    public static final SqlQuantifyOperator SOME_LE = new SqlQuantifyOperator(SqlKind.SOME,
        SqlKind.LESS_THAN_OR_EQUAL);
    public static final SqlQuantifyOperator SOME_NE = new SqlQuantifyOperator(SqlKind.SOME, SqlKind.NOT_EQUALS);
    public static final SqlQuantifyOperator ALL_EQ = new SqlQuantifyOperator(SqlKind.ALL, SqlKind.EQUALS);
    public static final SqlQuantifyOperator ALL_GT = new SqlQuantifyOperator(SqlKind.ALL, SqlKind.GREATER_THAN);
    public static final SqlQuantifyOperator ALL_GE = new SqlQuantifyOperator(SqlKind.ALL,
        SqlKind.GREATER_THAN_OR_EQUAL);
    public static final SqlQuantifyOperator ALL_LT = new SqlQuantifyOperator(SqlKind.ALL, SqlKind.LESS_THAN);
    public static final SqlQuantifyOperator ALL_LE = new SqlQuantifyOperator(SqlKind.ALL, SqlKind.LESS_THAN_OR_EQUAL);
    public static final SqlQuantifyOperator ALL_NE = new SqlQuantifyOperator(SqlKind.ALL, SqlKind.NOT_EQUALS);
  }

  /** {@code LIKE}, {@code ILIKE}, {@code SIMILAR TO} and the POSIX regular expressions ({@code ~} and the like). */
  public static final class Patterns {
    private Patterns() {}

    public static final SqlSpecialOperator LIKE = new SqlLikeOperator("LIKE", SqlKind.LIKE, false, true);
    public static final SqlSpecialOperator NOT_LIKE = new SqlLikeOperator("NOT LIKE", SqlKind.LIKE, true, true);
    public static final SqlSpecialOperator ILIKE = new SqlLikeOperator("ILIKE", SqlKind.LIKE, false, false);
    public static final SqlSpecialOperator NOT_ILIKE = new SqlLikeOperator("NOT ILIKE", SqlKind.LIKE, true, false);
    public static final SqlSpecialOperator SIMILAR_TO = new SqlLikeOperator("SIMILAR TO", SqlKind.SIMILAR, false,
        true);
    public static final SqlSpecialOperator NOT_SIMILAR_TO = new SqlLikeOperator("NOT SIMILAR TO", SqlKind.SIMILAR,
        true, true);
    public static final SqlBinaryOperator POSIX_REGEX_CASE_SENSITIVE = new SqlPosixRegexOperator(
        "POSIX REGEX CASE SENSITIVE", SqlKind.POSIX_REGEX_CASE_SENSITIVE, true, false);
    public static final SqlBinaryOperator POSIX_REGEX_CASE_INSENSITIVE = new SqlPosixRegexOperator(
        "POSIX REGEX CASE INSENSITIVE", SqlKind.POSIX_REGEX_CASE_INSENSITIVE, false, false);
    public static final SqlBinaryOperator NEGATED_POSIX_REGEX_CASE_SENSITIVE = new SqlPosixRegexOperator(
        "NEGATED POSIX REGEX CASE SENSITIVE", SqlKind.POSIX_REGEX_CASE_SENSITIVE, true, true);
    public static final SqlBinaryOperator NEGATED_POSIX_REGEX_CASE_INSENSITIVE = new SqlPosixRegexOperator(
        "NEGATED POSIX REGEX CASE INSENSITIVE", SqlKind.POSIX_REGEX_CASE_INSENSITIVE, false, true);
  }

  /** {@code CAST} and PostgreSQL's {@code ::} (as {@link SqlLibraryOperators#INFIX_CAST}). */
  public static final class Casts {
    private Casts() {}

    public static final SqlFunction CAST = new SqlCastFunction();
    public static final SqlOperator INFIX_CAST = new SqlCastOperator();
  }

  /** The rest: subscripts, literal chains, {@code DEFAULT}, arrays, windows, table functions, string functions. */
  public static final class Others {
    private Others() {}

    public static final SqlOperator ITEM = new SqlItemOperator("ITEM", OperandTypes.ARRAY_OR_MAP_OR_VARIANT, 1, true);
    public static final SqlLiteralChainOperator LITERAL_CHAIN = new SqlLiteralChainOperator();
    public static final SqlSpecialOperator DEFAULT = new SqlDefaultOperator();
    public static final SqlArrayValueConstructor ARRAY_VALUE_CONSTRUCTOR = new SqlArrayValueConstructor();
    public static final SqlFilterOperator FILTER = new SqlFilterOperator();
    public static final SqlBinaryOperator OVER = new SqlOverOperator();
    /** Only for {@code UNNEST (...)}: the parser's table references no longer read it (rewriter/src/build/parser.xml). */
    public static final SqlUnnestOperator UNNEST = new SqlUnnestOperator(false);
    public static final SqlUnnestOperator UNNEST_WITH_ORDINALITY = new SqlUnnestOperator(true);
    public static final SqlSpecialOperator LATERAL = new SqlLateralOperator(SqlKind.LATERAL);
    public static final SqlSpecialOperator COLLECTION_TABLE = new SqlCollectionTableOperator("TABLE",
        SqlModality.RELATION);
    public static final SqlFunction EXTRACT = new SqlExtractFunction("EXTRACT", false);
    public static final SqlFunction POSITION = new SqlPositionFunction("POSITION");
    public static final SqlFunction SUBSTRING = new SqlSubstringFunction();
    public static final SqlFunction TRIM = SqlTrimFunction.INSTANCE;
    public static final SqlFunction OVERLAY = new SqlOverlayFunction();
  }

  /** {@link SqlStdOperatorTable#some}: {@code = ANY (...)} and the like. */
  public static SqlQuantifyOperator some(SqlKind comparisonKind) {
    switch (comparisonKind) {
      case EQUALS:
        return Comparisons.SOME_EQ;
      case NOT_EQUALS:
        return Comparisons.SOME_NE;
      case LESS_THAN:
        return Comparisons.SOME_LT;
      case LESS_THAN_OR_EQUAL:
        return Comparisons.SOME_LE;
      case GREATER_THAN:
        return Comparisons.SOME_GT;
      case GREATER_THAN_OR_EQUAL:
        return Comparisons.SOME_GE;
      default:
        throw new AssertionError(comparisonKind);
    }
  }

  /** {@link SqlStdOperatorTable#all}: {@code = ALL (...)} and the like. */
  public static SqlQuantifyOperator all(SqlKind comparisonKind) {
    switch (comparisonKind) {
      case EQUALS:
        return Comparisons.ALL_EQ;
      case NOT_EQUALS:
        return Comparisons.ALL_NE;
      case LESS_THAN:
        return Comparisons.ALL_LT;
      case LESS_THAN_OR_EQUAL:
        return Comparisons.ALL_LE;
      case GREATER_THAN:
        return Comparisons.ALL_GT;
      case GREATER_THAN_OR_EQUAL:
        return Comparisons.ALL_GE;
      default:
        throw new AssertionError(comparisonKind);
    }
  }

  /**
   * {@link SqlParserUtil#toTree}, reducing a list of operands and {@link ToTreeListItem operators} to
   * a tree by precedence, without referring to {@code SqlStdOperatorTable} unless the list has a
   * unary {@code -} or {@code +} (which are {@code SqlStdOperatorTable}'s, so it is initialised then).
   */
  public static SqlNode toTree(List<Object> list) {
    if (list.size() == 1 && list.get(0) instanceof SqlNode node) {
      return node; // the common case, as in SqlParserUtil
    }
    ListSequence sequence = new ListSequence(list);
    PrecedenceClimbingParser parser = sequence.parser(0, token -> false);
    int beforeSize = parser.all().size();
    parser.partialParse();
    int afterSize = parser.all().size();
    SqlNode node = convert(parser.all().get(0));
    sequence.replaceSublist(0, beforeSize - afterSize + 1, node);
    return node;
  }

  /** {@code SqlParserUtil.convert}, testing the kind before the identity (see the class comment). */
  static SqlNode convert(PrecedenceClimbingParser.Token token) {
    switch (token.type) {
      case ATOM:
        return (SqlNode) token.o;
      case CALL:
        PrecedenceClimbingParser.Call call = (PrecedenceClimbingParser.Call) token;
        List<SqlNode> operands = new ArrayList<>();
        for (PrecedenceClimbingParser.Token arg : call.args) {
          operands.add(convert(arg));
        }
        ToTreeListItem item = (ToTreeListItem) call.op.o();
        SqlOperator op = item.getOperator();
        if (operands.size() == 1 && operands.get(0) instanceof SqlNumericLiteral literal) {
          if (op.kind == SqlKind.MINUS_PREFIX && op == SqlStdOperatorTable.UNARY_MINUS) {
            return SqlLiteral.createNegative(literal, item.getPos().plusAll(operands));
          }
          if (op.kind == SqlKind.PLUS_PREFIX && op == SqlStdOperatorTable.UNARY_PLUS) {
            return literal;
          }
        }
        return op.createCall(item.getPos().plusAll(operands), operands);
      default:
        throw new AssertionError(token);
    }
  }

  /** {@code SqlParserUtil.OldTokenSequenceImpl}: the parser's list of operands and operators. */
  private static final class ListSequence implements SqlSpecialOperator.TokenSequence {
    private final List<Object> list;

    ListSequence(List<Object> list) {
      this.list = list;
    }

    @Override
    public PrecedenceClimbingParser parser(int start, Predicate<PrecedenceClimbingParser.Token> predicate) {
      PrecedenceClimbingParser.Builder builder = new PrecedenceClimbingParser.Builder();
      for (Object o : list.subList(start, list.size())) {
        if (o instanceof ToTreeListItem item) {
          SqlOperator op = item.getOperator();
          if (op instanceof SqlPrefixOperator) {
            builder.prefix(item, op.getLeftPrec());
          } else if (op instanceof SqlPostfixOperator) {
            builder.postfix(item, op.getRightPrec());
          } else if (op instanceof SqlBinaryOperator) {
            builder.infix(item, op.getLeftPrec(), op.getLeftPrec() < op.getRightPrec());
          } else if (op instanceof SqlSpecialOperator) {
            builder.special(item, op.getLeftPrec(), op.getRightPrec(), (parser, op2) -> {
              List<PrecedenceClimbingParser.Token> tokens = parser.all();
              SqlSpecialOperator op1 = (SqlSpecialOperator) ((ToTreeListItem) op2.o).getOperator();
              SqlSpecialOperator.ReduceResult r = op1.reduceExpr(tokens.indexOf(op2), new ParserSequence(parser));
              return new PrecedenceClimbingParser.Result(tokens.get(r.startOrdinal), tokens.get(r.endOrdinal - 1),
                  parser.atom(r.node));
            });
          } else {
            throw new AssertionError();
          }
        } else {
          builder.atom(o);
        }
      }
      return builder.build();
    }

    @Override
    public int size() {
      return list.size();
    }

    @Override
    public SqlOperator op(int i) {
      return ((ToTreeListItem) list.get(i)).getOperator();
    }

    @Override
    public SqlParserPos pos(int i) {
      Object o = list.get(i);
      return o instanceof ToTreeListItem item ? item.getPos() : ((SqlNode) o).getParserPosition();
    }

    @Override
    public boolean isOp(int i) {
      return list.get(i) instanceof ToTreeListItem;
    }

    @Override
    public SqlNode node(int i) {
      return (SqlNode) list.get(i);
    }

    @Override
    public void replaceSublist(int start, int end, SqlNode e) {
      SqlParserUtil.replaceSublist(list, start, end, e);
    }
  }

  /** {@code SqlParserUtil.TokenSequenceImpl}: a precedence parser's tokens, for a special operator's reduction. */
  private static final class ParserSequence implements SqlSpecialOperator.TokenSequence {
    private final List<PrecedenceClimbingParser.Token> list;
    private final PrecedenceClimbingParser parser;

    ParserSequence(PrecedenceClimbingParser parser) {
      this.parser = parser;
      this.list = parser.all();
    }

    @Override
    public PrecedenceClimbingParser parser(int start, Predicate<PrecedenceClimbingParser.Token> predicate) {
      return parser.copy(start, predicate);
    }

    @Override
    public int size() {
      return list.size();
    }

    @Override
    public SqlOperator op(int i) {
      return ((ToTreeListItem) list.get(i).o).getOperator();
    }

    private static SqlParserPos pos(PrecedenceClimbingParser.Token token) {
      switch (token.type) {
        case ATOM:
          return ((SqlNode) token.o).getParserPosition();
        case CALL:
          PrecedenceClimbingParser.Call call = (PrecedenceClimbingParser.Call) token;
          SqlParserPos pos = ((ToTreeListItem) call.op.o()).getPos();
          for (PrecedenceClimbingParser.Token arg : call.args) {
            pos = pos.plus(pos(arg));
          }
          return pos;
        default:
          return ((ToTreeListItem) token.o).getPos();
      }
    }

    @Override
    public SqlParserPos pos(int i) {
      return pos(list.get(i));
    }

    @Override
    public boolean isOp(int i) {
      return list.get(i).o instanceof ToTreeListItem;
    }

    @Override
    public SqlNode node(int i) {
      return convert(list.get(i));
    }

    @Override
    public void replaceSublist(int start, int end, SqlNode e) {
      SqlParserUtil.replaceSublist(list, start, end, parser.atom(e));
    }
  }
}
