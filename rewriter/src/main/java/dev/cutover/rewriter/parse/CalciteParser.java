package dev.cutover.rewriter.parse;

import dev.cutover.rewriter.parse.generated.PostgresParserImpl;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlLambda;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.validate.SqlConformance;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlDelegatingConformance;

/**
 * Cutover's SQL parser, configured once: Calcite's grammar extended for PostgreSQL at build time
 * ({@code rewriter/src/main/codegen}, generated into {@link PostgresParserImpl}): {@code ::} casts,
 * jsonb and containment operators, pgjdbc's {@code ??} operators, POSIX regex matches, and the
 * keywords PostgreSQL does not reserve usable as names. Case is kept exactly as written (quoted or
 * not) so the rewriter folds names itself from the original text, the way PostgreSQL does.
 *
 * <p>Implementation notes: one parse per statement, by one grammar. The rewriter cross-checks every
 * identifier it rewrites against the lexer. Constructing a parser costs more than parsing a short
 * statement, so each thread keeps one and re-initialises it per statement, applying the settings
 * {@code SqlParser} would. It is replaced every 256 parses so that it stays in the young generation
 * (why: see {@code PARSES_PER_PARSER}), and after a parse that threw, in case that left it in a bad
 * state.
 * Calcite's template reads {@code f(x -> e)} as a lambda before any operator can claim the arrow;
 * PostgreSQL has no lambdas, so such a node is turned back into the jsonb {@code ->} call it is
 * (same operands, same positions), and only when the text has an arrow at all.
 */
public final class CalciteParser {

  // Not a SqlParser.Config: its default instance names Calcite's own generated parser (SqlParserImpl,
  // a 550 KB class whose static initialisation loads more), which an application's JVM would then
  // load and keep only to have it replaced by ours. The settings SqlParser would apply are set here.
  private static final SqlConformance CONFORMANCE = new PostgresConformance();

  /**
   * Parses one parser serves before it is replaced. Why: a parse stores thousands of references to
   * new tokens into the parser's fields (its lookahead position above all); once the parser itself
   * has aged into the old generation, G1 makes each such store pay a memory fence in its write
   * barrier, which made a parse about 1.5 times slower after a few minutes of a benchmark (and always
   * in a long-running application). A parser replaced this often stays young: it rarely lives
   * through one collection, let alone the ones that promote it. Making one (about 45 KB, mostly
   * its character buffer) costs little over so many parses.
   *
   * <p>(For a while this was disabled: the Spring Boot example's test read 0 rows where it had written
   * one, in 3 of 14 runs with it and none of 9 without. The cause was elsewhere: during a rollback from
   * new_only, conditions on a type change's old name read the old column before it was refilled. The
   * replacement only changed the timing that made a request straddle that window.)
   */
  private static final int PARSES_PER_PARSER = 256;

  /** A thread's parser and how many parses it has served. */
  private static final class Held {
    SqlAbstractParserImpl parser;
    int parses = PARSES_PER_PARSER;
  }

  private static final ThreadLocal<Held> PARSER = ThreadLocal.withInitial(Held::new);

  private CalciteParser() {}

  /** Babel's conformance, plus PostgreSQL's explicit row constructor ROW(a, b) in any expression. */
  private static final class PostgresConformance extends SqlDelegatingConformance {
    PostgresConformance() {
      super(SqlConformanceEnum.BABEL);
    }

    @Override
    public boolean allowExplicitRowValueConstructor() {
      return true;
    }
  }

  /**
   * A parser with the settings {@code SqlParser} would apply for double-quoted identifiers, case kept
   * as written, identifiers up to 1,024 characters and {@link PostgresConformance}.
   */
  private static SqlAbstractParserImpl create() {
    SqlAbstractParserImpl parser = PostgresParserImpl.FACTORY.getParser(new StatementReader(""));
    parser.setQuotedCasing(Casing.UNCHANGED);
    parser.setUnquotedCasing(Casing.UNCHANGED);
    parser.setIdentifierMaxLength(1024);
    parser.setConformance(CONFORMANCE);
    return parser;
  }

  /**
   * Parses one statement.
   *
   * @throws SqlParseException when the statement is not in the grammar
   */
  public static SqlNode parse(String maskedStatement) throws SqlParseException {
    Held held = PARSER.get();
    if (held.parses++ >= PARSES_PER_PARSER) {
      held.parser = create();
      held.parses = 1;
    }
    SqlAbstractParserImpl parser = held.parser;
    parser.ReInit(new StatementReader(maskedStatement));
    parser.setOriginalSql(maskedStatement);
    parser.setTabSize(1);
    // Double-quoted identifiers (what LexicalState.forConfig picks for Quoting.DOUBLE_QUOTE); ReInit resets it.
    parser.switchTo(SqlAbstractParserImpl.LexicalState.DQID);
    SqlNode node;
    try {
      node = parser.parseSqlStmtEof();
    } catch (Throwable e) {
      held.parses = PARSES_PER_PARSER; // replaced at the next parse, in case it was left in a bad state
      if (e instanceof Error error && !(e instanceof StackOverflowError)
          && error.getClass().getName().startsWith("java.")) {
        throw error;
      }
      throw parser.normalizeException(e);
    }
    if (hasArrow(maskedStatement)) {
      replaceLambdas(node);
    }
    return node;
  }

  /** Whether {@code sql} has a {@code ->} that is not the start of {@code ->>}. */
  private static boolean hasArrow(String sql) {
    for (int i = sql.indexOf("->"); i >= 0; i = sql.indexOf("->", i + 2)) {
      if (i + 2 >= sql.length() || sql.charAt(i + 2) != '>') {
        return true;
      }
    }
    return false;
  }

  /** Replaces, in place, every {@code x -> e} lambda under {@code node} with {@code x -> e} the jsonb operator. */
  private static void replaceLambdas(SqlNode node) {
    if (node instanceof SqlNodeList list) {
      for (int i = 0; i < list.size(); i++) {
        SqlNode child = list.get(i);
        if (child instanceof SqlLambda lambda) {
          list.set(i, jsonGet(lambda));
        }
        replaceLambdas(list.get(i));
      }
    } else if (node instanceof SqlCall call) {
      for (int i = 0; i < call.operandCount(); i++) {
        SqlNode child = call.operand(i);
        if (child instanceof SqlLambda lambda) {
          call.setOperand(i, jsonGet(lambda));
        }
        replaceLambdas(call.operand(i));
      }
    }
  }

  private static SqlNode jsonGet(SqlLambda lambda) {
    SqlNodeList parameters = lambda.getParameters();
    if (parameters.size() != 1 || !(parameters.get(0) instanceof SqlIdentifier left)) {
      return lambda; // "(a, b) -> e" or "() -> e": no PostgreSQL reading; the planners refuse what they cannot walk
    }
    return PostgresOperators.JSON_GET.createCall(left.getParserPosition().plus(lambda.getParserPosition()), left,
        lambda.getExpression());
  }
}
