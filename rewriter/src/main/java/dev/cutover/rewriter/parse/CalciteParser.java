package dev.cutover.rewriter.parse;

import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.validate.SqlConformanceEnum;

/**
 * Calcite's Babel parser, configured once. Case is kept exactly as written (quoted or not) so the
 * rewriter folds names itself from the original text, the way PostgreSQL does.
 */
public final class CalciteParser {

  private static final SqlParser.Config CONFIG = SqlParser.config()
      .withParserFactory(SqlBabelParserImpl.FACTORY)
      .withQuoting(Quoting.DOUBLE_QUOTE)
      .withQuotedCasing(Casing.UNCHANGED)
      .withUnquotedCasing(Casing.UNCHANGED)
      .withConformance(SqlConformanceEnum.BABEL)
      .withIdentifierMaxLength(1024);

  private CalciteParser() {}

  /**
   * Parses one statement.
   *
   * @throws SqlParseException when Calcite cannot parse it
   */
  public static SqlNode parse(String maskedStatement) throws SqlParseException {
    return SqlParser.create(maskedStatement, CONFIG).parseStmt();
  }
}
