package dev.cutover.rewriter.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.rewriter.parse.generated.PostgresParserImplConstants;
import java.util.ArrayList;
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

  private static List<String> nonReserved() {
    List<String> words = new ArrayList<>();
    for (int kind = 0; kind < IMAGES.length; kind++) {
      if (NonReservedKeywords.in(0, kind) || NonReservedKeywords.in(1, kind) || NonReservedKeywords.in(2, kind)) {
        words.add(IMAGES[kind].substring(1, IMAGES[kind].length() - 1).toLowerCase(Locale.ROOT));
      }
    }
    return words;
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
    assertThat(nonReserved()).contains("version", "name", "value", "data");
    assertThat(NonReservedKeywords.in(0, PostgresParserImplConstants.IDENTIFIER)
        || NonReservedKeywords.in(1, PostgresParserImplConstants.IDENTIFIER)
        || NonReservedKeywords.in(2, PostgresParserImplConstants.IDENTIFIER)).isFalse();
    assertThat(NonReservedKeywords.in(0, -1)).isFalse();
    assertThat(NonReservedKeywords.in(0, IMAGES.length)).isFalse();
  }

  @Test
  void everyNonReservedKeyword_readsAsAQualifiedNameAndAnAlias() throws Exception {
    // After a dot the parser decides by lookahead whether another name segment follows: the guard's path.
    for (String word : nonReserved()) {
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
