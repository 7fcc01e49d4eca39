package dev.cutover.rewriter.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.rewriter.parse.generated.ParseException;
import dev.cutover.rewriter.parse.generated.PostgresParserImpl;
import dev.cutover.rewriter.parse.generated.PostgresParserImplConstants;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;
import org.junit.jupiter.api.Test;

/**
 * The guard of the grammar's non-reserved keyword choice: it must admit every keyword the choice
 * accepts, or a keyword used as a name would stop parsing where the parser only looks ahead.
 */
class NonReservedKeywordsTest {

  private static final String[] IMAGES = PostgresParserImplConstants.tokenImage;

  /**
   * The words each third's production itself accepts (unguarded: it is a plain choice of tokens), as
   * the oracle the guard is checked against: index 3 holds the union.
   */
  private static List<List<String>> acceptedByTheGrammar() {
    List<List<String>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (int kind = 0; kind < IMAGES.length; kind++) {
      if (!IMAGES[kind].matches("\"[A-Z][A-Z0-9_]*\"")) {
        continue;
      }
      String word = IMAGES[kind].substring(1, IMAGES[kind].length() - 1).toLowerCase(Locale.ROOT);
      for (int part = 0; part < 3; part++) {
        if (accepts(part, word)) {
          parts.get(part).add(word);
          parts.get(3).add(word);
        }
      }
    }
    return parts;
  }

  private static boolean accepts(int part, String word) {
    PostgresParserImpl parser = new PostgresParserImpl(new StatementReader(word));
    try {
      switch (part) {
        case 0 -> parser.NonReservedKeyWord0of3();
        case 1 -> parser.NonReservedKeyWord1of3();
        default -> parser.NonReservedKeyWord2of3();
      }
      return parser.getNextToken().kind == PostgresParserImplConstants.EOF;
    } catch (ParseException e) {
      return false;
    }
  }

  private static int kindOf(String word) {
    return Arrays.asList(IMAGES).indexOf("\"" + word.toUpperCase(Locale.ROOT) + "\"");
  }

  @Test
  void guard_admitsExactlyTheWordsOfEachThird() {
    List<List<String>> parts = acceptedByTheGrammar();
    for (int part = 0; part < 3; part++) {
      assertThat(parts.get(part)).as("third %d", part).hasSizeGreaterThan(100);
      int admitted = 0;
      for (int kind = 0; kind < IMAGES.length; kind++) {
        admitted += NonReservedKeywords.in(part, kind) ? 1 : 0;
      }
      assertThat(admitted).as("third %d", part).isEqualTo(parts.get(part).size());
      for (String word : parts.get(part)) {
        assertThat(NonReservedKeywords.in(part, kindOf(word))).as(word).isTrue();
      }
    }
  }

  @Test
  void thirds_areDisjointAndHoldKeywordsOnly() {
    int total = 0;
    for (int kind = 0; kind < IMAGES.length; kind++) {
      int parts = 0;
      for (int part = 0; part < 3; part++) {
        parts += NonReservedKeywords.in(part, kind) ? 1 : 0;
      }
      assertThat(parts).as(IMAGES[kind]).isLessThanOrEqualTo(1);
      if (parts == 1) {
        assertThat(IMAGES[kind]).as("a keyword's image").matches("\"[A-Z][A-Z0-9_]*\"");
      }
      total += parts;
    }
    assertThat(total).isGreaterThan(300);
    assertThat(acceptedByTheGrammar().get(3)).contains("version", "name", "value", "data");
    assertThat(NonReservedKeywords.in(0, PostgresParserImplConstants.IDENTIFIER)
        || NonReservedKeywords.in(1, PostgresParserImplConstants.IDENTIFIER)
        || NonReservedKeywords.in(2, PostgresParserImplConstants.IDENTIFIER)).isFalse();
    assertThat(NonReservedKeywords.in(0, -1)).isFalse();
    assertThat(NonReservedKeywords.in(0, IMAGES.length)).isFalse();
  }

  @Test
  void everyNonReservedKeyword_readsAsAQualifiedName() throws Exception {
    // After a dot the parser decides by lookahead whether another name segment follows: the guard's path.
    for (String word : acceptedByTheGrammar().get(3)) {
      SqlNode node = CalciteParser.parse("SELECT t." + word + ", t.x." + word + " FROM s.t WHERE t." + word + " = ?");
      SqlSelect select = (SqlSelect) node;
      assertThat(((SqlIdentifier) select.getSelectList().get(0)).names).as(word).containsExactly("t", word);
      assertThat(((SqlIdentifier) select.getSelectList().get(1)).names).as(word).containsExactly("t", "x", word);
    }
  }

  @Test
  void aNameThatIsNoKeyword_andAPlaceholder_stillParseAroundTheGuard() throws Exception {
    SqlSelect select = (SqlSelect) CalciteParser.parse(
        "SELECT u.id, u.version, count(o.id) FROM users u JOIN orders o ON o.user_id = u.id WHERE u.email = ? AND ? = u.name");
    assertThat(select.getSelectList()).hasSize(3);
    assertThat(((SqlIdentifier) select.getSelectList().get(1)).names).containsExactly("u", "version");
  }
}
