package dev.cutover.rewriter.parse;

import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.util.SourceStringReader;

/**
 * Calcite's Babel parser, configured once. Case is kept exactly as written (quoted or not) so the
 * rewriter folds names itself from the original text, the way PostgreSQL does.
 *
 * <p>Implementation notes: constructing a Babel parser costs more than parsing a short statement,
 * so each thread keeps one and re-initialises it per statement, applying the same settings
 * {@code SqlParser} would. A parser that threw is discarded, in case it was left in a bad state.
 */
public final class CalciteParser {

  private static final SqlParser.Config CONFIG = SqlParser.config()
      .withParserFactory(SqlBabelParserImpl.FACTORY)
      .withQuoting(Quoting.DOUBLE_QUOTE)
      .withQuotedCasing(Casing.UNCHANGED)
      .withUnquotedCasing(Casing.UNCHANGED)
      .withConformance(SqlConformanceEnum.BABEL)
      .withIdentifierMaxLength(1024);

  private static final SqlAbstractParserImpl.LexicalState LEXICAL_STATE =
      SqlAbstractParserImpl.LexicalState.forConfig(CONFIG);

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
   * @throws SqlParseException when Calcite cannot parse it
   */
  public static SqlNode parse(String maskedStatement) throws SqlParseException {
    SqlAbstractParserImpl parser = PARSER.get();
    parser.ReInit(new SourceStringReader(maskedStatement));
    parser.setOriginalSql(maskedStatement);
    parser.setTabSize(1);
    parser.switchTo(LEXICAL_STATE); // ReInit resets the token manager's lexical state
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
