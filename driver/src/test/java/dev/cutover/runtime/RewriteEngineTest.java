package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.CutoverProperty;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import dev.cutover.rewriter.Rewrite;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.RewriterBugException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RewriteEngineTest {

  static final MigrationSnapshot DUAL = new MigrationSnapshot(3,
      List.of(ColumnMigration.rename("m1", "public", "users", "full_name", "display_name", Phase.DUAL_WRITE, 3)));
  static final MigrationSnapshot READ_NEW = new MigrationSnapshot(4, List.of(DUAL.migrations().get(0).at(Phase.READ_NEW, 4)));

  @Test
  void rewrite_sameTextAndSnapshot_callsRewriterOnce() throws SQLException {
    AtomicInteger calls = new AtomicInteger();
    RewriteEngine engine = new RewriteEngine((sql, s, c) -> {
      calls.incrementAndGet();
      return new Rewrite(sql + " /*" + s.epoch() + "*/", null, Set.of("m1"), Set.of(), s.epoch());
    }, false, 10);
    assertThat(engine.rewrite("SELECT * FROM users", DUAL, "public", null).sql()).endsWith("/*3*/");
    assertThat(engine.rewrite("SELECT * FROM users", DUAL, "public", null).sql()).endsWith("/*3*/");
    assertThat(calls).hasValue(1);
    // Another snapshot, even without invalidation, never serves the old rewrite.
    assertThat(engine.rewrite("SELECT * FROM users", READ_NEW, "public", null).sql()).endsWith("/*4*/");
    // Another search_path is another key.
    engine.rewrite("SELECT * FROM users", READ_NEW, "other, public", null);
    assertThat(calls).hasValue(3);
    assertThat(engine.drainNameUsage().oldUsed()).containsExactly("m1");
    assertThat(engine.drainNameUsage().oldUsed()).isEmpty();
  }

  @Test
  void rewrite_refused_rejectsWithFeatureNotSupported() {
    RewriteEngine engine = new RewriteEngine((sql, s, c) -> {
      throw new RewriteRefusedException("m1", "a window function over the migrating column");
    }, false, 10);
    try {
      engine.rewrite("SELECT full_name FROM users", DUAL, "public", null);
      throw new AssertionError("expected a refusal");
    } catch (SQLException e) {
      assertThat(e.getSQLState()).isEqualTo("0A000");
      assertThat(e.getMessage()).contains("'m1'", "a window function", "SELECT full_name FROM users",
          "cutover.onUnsupported=passthrough");
      assertThat(e.getCause()).isInstanceOf(RewriteRefusedException.class);
    }
    assertThat(engine.passthroughCount()).isZero();
  }

  @Test
  void rewrite_refusedWithPassthrough_returnsOriginalAndCounts() throws SQLException {
    AtomicInteger calls = new AtomicInteger();
    RewriteEngine engine = new RewriteEngine((sql, s, c) -> {
      calls.incrementAndGet();
      throw new RewriteRefusedException("m1", "unsupported");
    }, true, 10);
    for (int i = 0; i < 3; i++) {
      Rewrite r = engine.rewrite("SELECT full_name FROM users", DUAL, "public", null);
      assertThat(r.sql()).isEqualTo("SELECT full_name FROM users");
      assertThat(r.isUnchanged()).isTrue();
    }
    assertThat(engine.passthroughCount()).isEqualTo(3);
    assertThat(calls).hasValue(1); // the refusal is cached too
  }

  @Test
  void rewrite_rewriterBug_failsClosedWithInternalErrorEvenUnderPassthrough() {
    for (boolean passthrough : new boolean[] {false, true}) {
      RewriteEngine engine = new RewriteEngine((sql, s, c) -> {
        throw new RewriterBugException(sql, new ClassCastException("SqlBasicCall"));
      }, passthrough, 10);
      try {
        engine.rewrite("SELECT full_name FROM users", DUAL, "public", null);
        throw new AssertionError("expected an internal error");
      } catch (SQLException e) {
        assertThat(e.getSQLState()).isEqualTo("XX000");
        assertThat(e.getMessage()).contains("bug in Cutover", "ClassCastException", "SELECT full_name FROM users");
        assertThat(e.getCause()).isInstanceOf(RewriterBugException.class);
      }
      assertThat(engine.passthroughCount()).isZero();
    }
  }

  private static final dev.cutover.rewriter.Catalog CATALOG = (schema, table) -> table.equals("users")
      ? new dev.cutover.rewriter.TableInfo("public", "users", List.of("id", "email", "full_name", "display_name"))
      : null;

  @Test
  void rewrite_textsDifferingInConstantsOnly_shareOneCachedRewrite() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    RewriteFunction standard = RewriteFunction.standard();
    RewriteEngine engine = new RewriteEngine((sql, s, c) -> {
      calls.incrementAndGet();
      return standard.rewrite(sql, s, c);
    }, false, 100);
    for (int i = 0; i < 50; i++) {
      String sql = "UPDATE users SET full_name = 'n" + i + "' WHERE id = " + i + " AND email IN ('a', 'b" + i + "')";
      Rewrite r = engine.rewrite(sql, DUAL, "public", CATALOG);
      assertThat(r.sql()).isEqualTo(standard.rewrite(sql, DUAL, CATALOG).sql()).contains("'n" + i + "'", "'b" + i + "'");
    }
    // The first text makes the template, the second checks it; the other 48 are filled in.
    assertThat(calls).hasValue(2);
    // The same text again is a hit on its own entry.
    engine.rewrite("UPDATE users SET full_name = 'n7' WHERE id = 7 AND email IN ('a', 'b7')", DUAL, "public", CATALOG);
    assertThat(calls).hasValue(2);
    // Another shape, another snapshot: computed.
    engine.rewrite("UPDATE users SET full_name = 'x' WHERE id = 1", DUAL, "public", CATALOG);
    engine.rewrite("UPDATE users SET full_name = 'n1' WHERE id = 1 AND email IN ('a', 'b1')", READ_NEW, "public", CATALOG);
    assertThat(calls).hasValue(4);
  }

  @Test
  void rewrite_textServedFromATemplate_isCachedAtItsSecondSightingOnly() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    RewriteFunction standard = RewriteFunction.standard();
    RewriteEngine engine = new RewriteEngine((sql, s, c) -> {
      calls.incrementAndGet();
      return standard.rewrite(sql, s, c);
    }, false, 1000);
    for (int i = 0; i < 100; i++) {
      String sql = "UPDATE users SET full_name = 'n" + i + "' WHERE id = " + i;
      assertThat(engine.rewrite(sql, DUAL, "public", CATALOG).sql()).isEqualTo(standard.rewrite(sql, DUAL, CATALOG).sql());
    }
    // The two texts computed are cached; the 98 filled in from the template (each new) are not.
    assertThat(calls).hasValue(2);
    assertThat(engine.cachedTexts()).isEqualTo(2);
    // A text sent again is, and is then a hit on its own entry.
    String again = "UPDATE users SET full_name = 'n50' WHERE id = 50";
    for (int k = 0; k < 3; k++) {
      assertThat(engine.rewrite(again, DUAL, "public", CATALOG).sql())
          .isEqualTo(standard.rewrite(again, DUAL, CATALOG).sql());
    }
    assertThat(engine.cachedTexts()).isEqualTo(3);
    assertThat(calls).hasValue(2);
  }

  @Test
  void rewrite_textTheRewriterSendsAsWritten_isItsOwnSqlFromTheTemplate() throws Exception {
    // A SELECT through the old name in dual_write is sent as written (its use of the name recorded):
    // texts filled in from its template are the application's own String, not a copy.
    RewriteFunction standard = RewriteFunction.standard();
    RewriteEngine engine = new RewriteEngine(standard, false, 1000);
    for (int i = 0; i < 10; i++) {
      String sql = "SELECT id, full_name FROM users WHERE id = " + i + " AND email = 'e" + i + "'";
      Rewrite r = engine.rewrite(sql, DUAL, "public", CATALOG);
      assertThat(r.sql()).isEqualTo(standard.rewrite(sql, DUAL, CATALOG).sql()).isEqualTo(sql);
      assertThat(r.oldNameUsed()).containsExactly("m1");
      if (i >= 2) {
        assertThat(r.sql()).isSameAs(sql);
      }
    }
    // A text whose rewrite differs still gets its own text with its constants.
    for (int i = 0; i < 5; i++) {
      String sql = "UPDATE users SET full_name = 'n" + i + "' WHERE id = " + i;
      assertThat(engine.rewrite(sql, DUAL, "public", CATALOG).sql()).isEqualTo(standard.rewrite(sql, DUAL, CATALOG).sql())
          .contains("'n" + i + "'");
    }
  }

  @Test
  void rewrite_constantUncheckedBecauseAlwaysTheSame_isServedOnlyWithThatValue() throws SQLException {
    AtomicInteger calls = new AtomicInteger();
    RewriteFunction standard = RewriteFunction.standard();
    RewriteEngine engine = new RewriteEngine((sql, s, c) -> {
      calls.incrementAndGet();
      return standard.rewrite(sql, s, c);
    }, false, 100);
    for (int i = 0; i < 10; i++) {
      engine.rewrite("SELECT full_name FROM users WHERE email = 'tenant1' AND id = " + i, DUAL, "public", CATALOG);
    }
    assertThat(calls).hasValue(2);
    // The tenant constant never differed: a new value there is computed, and checks it.
    Rewrite r = engine.rewrite("SELECT full_name FROM users WHERE email = 'tenant2' AND id = 5", DUAL, "public", CATALOG);
    assertThat(calls).hasValue(3);
    assertThat(r.sql()).contains("'tenant2'", "= 5");
    engine.rewrite("SELECT full_name FROM users WHERE email = 'tenant3' AND id = 6", DUAL, "public", CATALOG);
    assertThat(calls).hasValue(3);
  }

  @Test
  void rewrite_rewriterAddingAConstantEqualToTheApplications_isNeverFilledIn() throws SQLException {
    // The rewriter's own "1" reads like the first text's constant 1: the second text's check catches it.
    AtomicInteger calls = new AtomicInteger();
    RewriteEngine engine = new RewriteEngine((sql, s, c) -> {
      calls.incrementAndGet();
      return new Rewrite(sql + " LIMIT 1", null, Set.of("m1"), Set.of(), s.epoch());
    }, false, 100);
    for (int i = 1; i <= 5; i++) {
      assertThat(engine.rewrite("SELECT full_name FROM users WHERE id = " + i, DUAL, "public", null).sql())
          .isEqualTo("SELECT full_name FROM users WHERE id = " + i + " LIMIT 1");
    }
    assertThat(calls).hasValue(5);
  }

  @Test
  void rewrite_rewriteDependingOnAConstantsValue_isNeverFilledIn() throws SQLException {
    AtomicInteger calls = new AtomicInteger();
    RewriteEngine engine = new RewriteEngine((sql, s, c) -> {
      calls.incrementAndGet();
      boolean even = Integer.parseInt(sql.substring(sql.lastIndexOf('=') + 2)) % 2 == 0;
      return new Rewrite(even ? sql.replace("full_name", "display_name") : sql, null, Set.of("m1"), Set.of(), s.epoch());
    }, false, 100);
    for (int i = 1; i <= 5; i++) {
      assertThat(engine.rewrite("SELECT full_name FROM users WHERE id = " + i, DUAL, "public", null).sql())
          .contains(i % 2 == 0 ? "display_name" : "full_name");
    }
    assertThat(calls).hasValue(5);
  }

  @Test
  void rewrite_constantsRepeatingOneAnother_shareARewriteWithTextsRepeatingThemAlike() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    RewriteFunction standard = RewriteFunction.standard();
    RewriteEngine engine = new RewriteEngine((sql, s, c) -> {
      calls.incrementAndGet();
      return standard.rewrite(sql, s, c);
    }, false, 100);
    for (int i = 0; i < 10; i++) {
      String sql = "UPDATE users SET full_name = 'x' WHERE id = " + i + " OR email = '" + i + "' OR id = " + i;
      assertThat(engine.rewrite(sql, DUAL, "public", CATALOG).sql()).isEqualTo(standard.rewrite(sql, DUAL, CATALOG).sql());
    }
    assertThat(calls).hasValue(2);
    // The same key with the two ids different is another shape: its own template, never the one above.
    for (int i = 0; i < 10; i++) {
      String sql = "UPDATE users SET full_name = 'x' WHERE id = " + i + " OR email = '" + i + "' OR id = " + (i + 100);
      assertThat(engine.rewrite(sql, DUAL, "public", CATALOG).sql()).isEqualTo(standard.rewrite(sql, DUAL, CATALOG).sql());
    }
    assertThat(calls).hasValue(4);
  }

  @Test
  void rewrite_workingSetOf50000DistinctTexts_isHeldByTheDefaultCacheSize() throws SQLException {
    // Texts differing in aliases and comments, not constants: each is an entry of its own, and one
    // with a constant (the update's "+ 1") a second one, its shape's. An application cycling through
    // 50,000 of them must find them cached once it has sent each one; with the cache smaller than
    // that (10,000 before), about nineteen lookups in twenty were a parse again.
    AtomicInteger calls = new AtomicInteger();
    RewriteEngine engine = new RewriteEngine((sql, s, c) -> {
      calls.incrementAndGet();
      return new Rewrite(sql.replace("full_name", "display_name"), null, Set.of("m1"), Set.of(), s.epoch());
    }, false, Long.parseLong(CutoverProperty.CACHE_SIZE.defaultValue()));
    List<String> texts = new ArrayList<>();
    for (int k = 0; k < 50_000 / 2; k++) {
      String tag = letters(k); // no digits in the tag: only the update's "1" is a constant
      texts.add("SELECT id, full_name AS name_" + tag + " FROM users WHERE id = ?");
      texts.add("UPDATE users SET full_name = ?, version = version + 1 WHERE id = ? /* request " + tag + " */");
    }
    for (String sql : texts) {
      engine.rewrite(sql, DUAL, "public", null);
    }
    assertThat(calls).hasValue(texts.size());
    Collections.shuffle(texts, new Random(42));
    calls.set(0);
    for (String sql : texts) {
      assertThat(engine.rewrite(sql, DUAL, "public", null).sql()).doesNotContain("full_name");
    }
    assertThat(calls.get()).as("texts parsed again").isLessThan(texts.size() / 100);
  }

  private static String letters(int k) {
    StringBuilder sb = new StringBuilder();
    do {
      sb.append((char) ('a' + k % 26));
      k /= 26;
    } while (k > 0);
    return sb.toString();
  }
}
