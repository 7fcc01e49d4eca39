package dev.cutover.rewriter.lex;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConstantShapeTest {

  private static ConstantShape shape(String sql) {
    return ConstantShape.of(sql, s -> s.toLowerCase(java.util.Locale.ROOT).contains("users"));
  }

  @Test
  void of_everyConstantForm_takesItOutAndFillGivesTheTextBack() {
    String sql = "SELECT 1, -2.5e3, .5, 'it''s', E'a\\'b', e'plain', B'101', X'ff', N'n', $$d$q$$, $t$x$t$,"
        + " '{1,2}'::int[], INTERVAL '1 day', numeric(10,2) FROM t WHERE id IN (1,2,3) LIMIT 10 -- 'c' 5\n"
        + "/* 7 */ AND x = ?";
    ConstantShape s = shape(sql);
    assertThat(s.constants()).containsExactly("1", "2.5e3", ".5", "'it''s'", "e'plain'", "B'101'", "X'ff'",
        "N'n'", "$$d$q$$", "$t$x$t$", "'{1,2}'", "'1 day'", "10", "2", "1", "2", "3", "10");
    assertThat(s.key()).doesNotContain("'it''s'").contains("E'a\\'b'", "-- 'c' 5", "/* 7 */", "?");
    assertThat(s.fill(s.constants())).isEqualTo(sql);
  }

  @Test
  void of_textsDifferingInConstantsOnly_shareOneKey() {
    assertThat(shape("SELECT * FROM t WHERE id = 42 AND s = 'a'").key())
        .isEqualTo(shape("SELECT * FROM t WHERE id = 43 AND s = 'bcd'").key());
    assertThat(shape("SELECT * FROM t WHERE id IN (1, 2)").key())
        .isNotEqualTo(shape("SELECT * FROM t WHERE id IN (1, 2, 3)").key());
    assertThat(shape("SELECT * FROM t WHERE id = a")).isNull();
  }

  @Test
  void of_valuesTheRewriterReads_stayInTheKey() {
    // A string that may name a migrating table (scanned in DO bodies and SQL-running functions),
    // escape syntax the rewriter cannot scan, and UESCAPE's character stay as written.
    ConstantShape s = shape("SELECT query_to_xml('select * from users', true, 'x'), U&'d\\0061t' UESCAPE '!',"
        + " E'\\\\n' FROM t");
    assertThat(s.constants()).containsExactly("'x'");
    assertThat(s.key()).contains("'select * from users'", "U&'d\\0061t'", "'!'", "E'\\\\n'", "true");
  }

  @Test
  void of_nothingToTakeOutOrNotLexable_isNull() {
    assertThat(shape("SELECT a FROM t WHERE id = ?")).isNull();
    assertThat(shape("SELECT 'unterminated FROM t")).isNull();
    assertThat(shape("SELECT 1 /* unterminated")).isNull();
    assertThat(shape("SELECT 1, '\0'")).isNull();
  }

  @Test
  void template_slotsEveryCopyAndKeepsTheRewritersOwnConstants() {
    String[] constants = {"'x'", "7"};
    ConstantTemplate t = ConstantTemplate.of("UPDATE t SET a = 'x', b = 'x', c = COALESCE(d, 0) WHERE id = 7",
        constants);
    assertThat(t.fill(new String[] {"'y'", "8"})).isEqualTo("UPDATE t SET a = 'y', b = 'y', c = COALESCE(d, 0) WHERE id = 8");
    assertThat(ConstantTemplate.of("SELECT 1 WHERE a = 1 AND b = 2", new String[] {"1", "1", "2"})
        .fill(new String[] {"5", "5", "6"})).isEqualTo("SELECT 5 WHERE a = 5 AND b = 6");
  }

  @Test
  void equalities_repeatedConstants_tellTextsApart() {
    assertThat(shape("SELECT 1 WHERE a = 2").equalities()).isEmpty();
    assertThat(shape("SELECT 1 WHERE a = 2 AND b = 1 AND c = 'x'").equalities()).isEqualTo("0,1,0,3,");
    assertThat(shape("SELECT 1 WHERE a = 1 AND b = 1").equalities())
        .isNotEqualTo(shape("SELECT 1 WHERE a = 1 AND b = 2").equalities());
  }
}
