package dev.cutover.rewriter.parse;

import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.SqlParserImplFactory;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.parser.impl.SqlParserImpl;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.util.SourceStringReader;

/**
 * Calcite's parsers, configured once. Case is kept exactly as written (quoted or not) so the
 * rewriter folds names itself from the original text, the way PostgreSQL does.
 *
 * <p>Implementation notes: the core parser is tried first because it is about three times faster
 * than Babel on plain statements; PostgreSQL forms only Babel reads ({@code ::} casts, {@code ILIKE},
 * ...) fall back to Babel. Either way the rewriter cross-checks every identifier it rewrites against
 * the lexer. Constructing a parser costs more than parsing a short statement, so each thread keeps
 * one of each and re-initialises it per statement, applying the settings {@code SqlParser} would.
 * A parser that threw is discarded, in case it was left in a bad state.
 */
public final class CalciteParser {

  private static final SqlParser.Config BABEL = config(SqlBabelParserImpl.FACTORY, SqlConformanceEnum.BABEL);
  private static final SqlParser.Config CORE = config(SqlParserImpl.FACTORY, SqlConformanceEnum.LENIENT);

  private static final ThreadLocal<SqlAbstractParserImpl> BABEL_PARSER = ThreadLocal.withInitial(() -> create(BABEL));
  private static final ThreadLocal<SqlAbstractParserImpl> CORE_PARSER = ThreadLocal.withInitial(() -> create(CORE));

  private CalciteParser() {}

  private static SqlParser.Config config(SqlParserImplFactory factory, SqlConformanceEnum conformance) {
    return SqlParser.config()
        .withParserFactory(factory)
        .withQuoting(Quoting.DOUBLE_QUOTE)
        .withQuotedCasing(Casing.UNCHANGED)
        .withUnquotedCasing(Casing.UNCHANGED)
        .withConformance(conformance)
        .withIdentifierMaxLength(1024);
  }

  /** A parser with the settings {@code SqlParser} would apply for {@code config}. */
  private static SqlAbstractParserImpl create(SqlParser.Config config) {
    SqlAbstractParserImpl parser = config.parserFactory().getParser(new SourceStringReader(""));
    parser.setQuotedCasing(config.quotedCasing());
    parser.setUnquotedCasing(config.unquotedCasing());
    parser.setIdentifierMaxLength(config.identifierMaxLength());
    parser.setConformance(config.conformance());
    return parser;
  }

  /**
   * Parses one statement.
   *
   * @throws SqlParseException when neither parser can parse it (Babel's error is reported)
   */
  public static SqlNode parse(String maskedStatement) throws SqlParseException {
    try {
      return parse(maskedStatement, CORE_PARSER, CORE);
    } catch (SqlParseException | RuntimeException coreFailed) {
      return parse(maskedStatement, BABEL_PARSER, BABEL);
    }
  }

  private static SqlNode parse(String sql, ThreadLocal<SqlAbstractParserImpl> holder, SqlParser.Config config)
      throws SqlParseException {
    SqlAbstractParserImpl parser = holder.get();
    parser.ReInit(new SourceStringReader(sql));
    parser.setOriginalSql(sql);
    parser.setTabSize(1);
    parser.switchTo(SqlAbstractParserImpl.LexicalState.forConfig(config)); // ReInit resets it
    try {
      return parser.parseSqlStmtEof();
    } catch (Throwable e) {
      holder.remove();
      if (e instanceof Error error && !(e instanceof StackOverflowError)
          && error.getClass().getName().startsWith("java.")) {
        throw error;
      }
      throw parser.normalizeException(e);
    }
  }
}
