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

  @Test
  void of_fromTheScan_equalsOfFromTheTokenList() {
    // The one-pass normalisation (no token list) must agree with the one over Lexer.lex's tokens.
    String[] texts = {
      "SELECT 1, -2.5e3, .5, 'it''s', E'a\\'b', e'plain', B'101', X'ff', N'n', $$d$q$$, $t$x$t$ FROM t",
      "SELECT query_to_xml('select * from users', true, 'x'), U&'d\\0061t' UESCAPE '!' FROM t",
      "SELECT U&\"a\" uescape /* c */ '!' , 'y' -- 'z' 5\n FROM t WHERE a = $1 AND b = ? AND c ?? 'k'",
      "UPDATE t SET a = 'x', b = 'x' WHERE id = 7",
      "SELECT 'unterminated FROM t",
      "SELECT 1 /* unterminated",
      "SELECT a FROM t",
    };
    java.util.function.Predicate<String> keep = s -> s.toLowerCase(java.util.Locale.ROOT).contains("users");
    for (String sql : texts) {
      ConstantShape scanned = ConstantShape.of(sql, keep);
      ConstantShape listed = ConstantShape.mayHoldConstant(sql) ? ConstantShape.of(sql, Lexer.lex(sql), keep) : null;
      if (listed == null) {
        assertThat(scanned).as(sql).isNull();
      } else {
        assertThat(scanned.key()).as(sql).isEqualTo(listed.key());
        assertThat(scanned.constants()).as(sql).containsExactly(listed.constants());
      }
    }
  }

  @Test
  void equalities_manyConstants_sameAsFew() {
    StringBuilder distinct = new StringBuilder("SELECT 0");
    StringBuilder repeated = new StringBuilder("SELECT 0");
    for (int i = 1; i < 20; i++) {
      distinct.append(", ").append(i);
      repeated.append(", ").append(i == 19 ? 3 : i);
    }
    assertThat(shape(distinct.toString()).equalities()).isEmpty();
    assertThat(shape(repeated.toString()).equalities()).endsWith(",3,");
  }

  @Test
  void template_isIdentityOf_onlyTheKeyWithEachConstantInOrder() {
    ConstantShape s = shape("SELECT a FROM t WHERE id = 42 AND s = 'x'");
    assertThat(ConstantTemplate.of("SELECT a FROM t WHERE id = 42 AND s = 'x'", s.constants()).isIdentityOf(s.key()))
        .isTrue();
    // Rewritten: another text than the key's.
    assertThat(ConstantTemplate.of("SELECT b FROM t WHERE id = 42 AND s = 'x'", s.constants()).isIdentityOf(s.key()))
        .isFalse();
    // The constants' slots in another order.
    assertThat(ConstantTemplate.of("SELECT a FROM t WHERE id = 'x' AND s = 42", s.constants()).isIdentityOf(s.key()))
        .isFalse();
    // A constant of the rewriter's own equal to an application's: a slot too many.
    ConstantShape one = shape("SELECT a FROM t WHERE id = 0");
    assertThat(ConstantTemplate.of("SELECT COALESCE(a, 0) FROM t WHERE id = 0", one.constants()).isIdentityOf(one.key()))
        .isFalse();
    // A trailing difference after the last slot.
    assertThat(ConstantTemplate.of("SELECT a FROM t WHERE id = 0 ", one.constants()).isIdentityOf(one.key())).isFalse();
    assertThat(ConstantTemplate.of("SELECT a FROM t WHERE id = 0", one.constants()).isIdentityOf(one.key())).isTrue();
  }
}
