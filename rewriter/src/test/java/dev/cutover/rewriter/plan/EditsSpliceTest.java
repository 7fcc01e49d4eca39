package dev.cutover.rewriter.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.rewriter.lex.SqlText;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where spliced text meets the text around it, the two never run into one token. */
class EditsSpliceTest {

  @ParameterizedTest(name = "''{0}'' then ''{1}'': {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      s | F | true
      e | ' | true
      1 | a | true
      - | - | true
      / | * | true
      " | " | true
      ' | ' | true
      ) | F | false
      s | ( | false
      . | " | false
      = | ' | false
      s | , | false
      """)
  void runTogether(char before, char after, boolean expected) {
    assertThat(Edits.runTogether(before, after)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      SELECT(a)FROM t  | 9  | AS b | SELECT(a)AS b FROM t
      SELECT a FROM t  | 8  | AS b | SELECT a AS b FROM t
      SELECT a-1       | 9  | -2   | SELECT a- -2 1
      """)
  void insertion_isSeparatedFromTheTextAroundIt(String sql, int at, String inserted, String expected) {
    Edits edits = new Edits(new SqlText(sql));
    edits.insert(at, List.of(Edits.Piece.text(inserted)));

    assertThat(edits.apply().sql()).isEqualTo(expected);
  }
}
