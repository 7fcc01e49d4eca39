package dev.cutover.rewriter.parse;

import dev.cutover.rewriter.parse.generated.PostgresParserImpl;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.util.SourceStringReader;

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
 * {@code SqlParser} would. A parser that threw is discarded, in case it was left in a bad state.
 */
public final class CalciteParser {

  private static final SqlParser.Config CONFIG = SqlParser.config()
      .withParserFactory(PostgresParserImpl.FACTORY)
      .withQuoting(Quoting.DOUBLE_QUOTE)
      .withQuotedCasing(Casing.UNCHANGED)
      .withUnquotedCasing(Casing.UNCHANGED)
      .withConformance(SqlConformanceEnum.BABEL)
      .withIdentifierMaxLength(1024);

  private static final ThreadLocal<SqlAbstractParserImpl> PARSER = ThreadLocal.withInitial(CalciteParser::create);

  private CalciteParser() {}

  /** A parser with the settings {@code SqlParser} would apply for {@link #CONFIG}. */
  private static SqlAbstractParserImpl create() {
    SqlAbstractParserImpl parser = CONFIG.parserFactory().getParser(new SourceStringReader(""));
    parser.setQuotedCasing(CONFIG.quotedCasing());
    parser.setUnquotedCasing(CONFIG.unquotedCasing());
    parser.setIdentifierMaxLength(CONFIG.identifierMaxLength());
    parser.setConformance(CONFIG.conformance());
    return parser;
  }

  /**
   * Parses one statement.
   *
   * @throws SqlParseException when the statement is not in the grammar
   */
  public static SqlNode parse(String maskedStatement) throws SqlParseException {
    SqlAbstractParserImpl parser = PARSER.get();
    parser.ReInit(new SourceStringReader(maskedStatement));
    parser.setOriginalSql(maskedStatement);
    parser.setTabSize(1);
    parser.switchTo(SqlAbstractParserImpl.LexicalState.forConfig(CONFIG)); // ReInit resets it
    try {
      return parser.parseSqlStmtEof();
    } catch (Throwable e) {
      PARSER.remove();
      if (e instanceof Error error && !(e instanceof StackOverflowError)
          && error.getClass().getName().startsWith("java.")) {
        throw error;
      }
      throw parser.normalizeException(e);
    }
  }
}
