package dev.cutover.rewriter.plan;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.lex.SqlText;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.lex.TokenKind;
import dev.cutover.rewriter.resolve.MigrationIndex;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses SQL that the server runs later or elsewhere, out of the rewrite's reach, when it may use a
 * migrating table: the body of a {@code DO} block or of a function or procedure created through the
 * driver, and the query text handed to a function that runs it ({@code query_to_xml('select ...')}).
 *
 * <p>Such a body is a string to the rewriter, which cannot rewrite PL/pgSQL or text assembled at run
 * time; a write in it would reach one physical column only. So each string of such a statement
 * gets the same all-spellings word scan as a whole text ({@link MigrationIndex#mayName}); a string
 * in escape syntax ({@code E'...\...'}, {@code U&'...'}) cannot be scanned as written and is
 * refused as well. A body that builds a table name from pieces at run time ({@code 'us' || 'ers'})
 * cannot be seen by any scan: that limit is documented, not checked.
 */
final class DeferredText {

  /** Built-in and common extension functions whose text argument is SQL they run, or a table they read whole. */
  private static final Set<String> SQL_RUNNING_FUNCTIONS = Set.of(
      "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema", "table_to_xml", "table_to_xmlschema",
      "table_to_xml_and_xmlschema", "ts_stat", "ts_rewrite", "crosstab", "crosstab2", "crosstab3", "crosstab4",
      "connectby", "dblink", "dblink_exec", "dblink_open", "dblink_send_query");

  private DeferredText() {}

  /** Refuses statement {@code stmt} of {@code text} when it hands the server SQL that may use a migrating table. */
  static void check(SqlText text, SqlText.Statement stmt, MigrationIndex index) throws RewriteRefusedException {
    if (index.all().isEmpty()) {
      return;
    }
    String what = null; // found only once a string needs it: most statements hold no suspicious string
    for (int i = stmt.fromToken(); i < stmt.toToken(); i++) {
      Token t = text.tokens().get(i);
      if (t.kind() != TokenKind.STRING && t.kind() != TokenKind.PREFIXED_STRING && t.kind() != TokenKind.DOLLAR_STRING) {
        continue;
      }
      String body = t.text(text.sql());
      char prefix = Character.toLowerCase(body.charAt(0));
      boolean escaped = t.kind() == TokenKind.PREFIXED_STRING
          && (prefix == 'u' || prefix == 'e' && body.indexOf('\\') >= 0);
      boolean names = !escaped && index.mayName(body);
      if (!escaped && !names) {
        continue;
      }
      what = what != null ? what : deferredKind(text, stmt);
      if (what.isEmpty()) {
        return;
      }
      if (escaped) {
        throw new RewriteRefusedException(index.all().get(0).id(), what + " holds a string in escape syntax ("
            + abbreviate(body) + "), which Cutover cannot check for a migrating table while a migration runs;"
            + " write it as a plain or dollar-quoted string");
      }
      ColumnMigration m = index.namedIn(body);
      throw new RewriteRefusedException(m.id(), what + " may use migrating table '" + m.table()
          + "': the server runs that SQL itself, where Cutover cannot rewrite it (a read there would see the"
          + " wrong column, a write would reach one column only). Run it before the migration starts or after it completes, or send its statements"
          + " through the driver as plain SQL");
    }
  }

  /** What in the statement is SQL run later ("the DO block", ...), or "" when nothing is. */
  private static String deferredKind(SqlText text, SqlText.Statement stmt) {
    int first = text.nextSignificant(stmt.fromToken(), stmt.toToken());
    if (first < 0) {
      return "";
    }
    if (text.isKeyword(first, "do")) {
      return "the DO block";
    }
    if (text.isKeyword(first, "create")) {
      int i = text.nextSignificant(first + 1, stmt.toToken());
      if (i >= 0 && text.isKeyword(i, "or")) {
        i = text.nextSignificant(i + 1, stmt.toToken()); // REPLACE
        i = i < 0 ? -1 : text.nextSignificant(i + 1, stmt.toToken());
      }
      if (i >= 0 && (text.isKeyword(i, "function") || text.isKeyword(i, "procedure"))) {
        return "the body of the " + text.folded(i).toUpperCase(Locale.ROOT) + " created here";
      }
      return "";
    }
    for (int i = first; i < stmt.toToken(); i++) {
      if (text.tokens().get(i).isIdentifier() && SQL_RUNNING_FUNCTIONS.contains(text.folded(i))) {
        int open = text.nextSignificant(i + 1, stmt.toToken());
        if (open >= 0 && text.tokens().get(open).kind() == TokenKind.LPAREN) {
          return "the text passed to " + text.folded(i) + "(...)";
        }
      }
    }
    return "";
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
