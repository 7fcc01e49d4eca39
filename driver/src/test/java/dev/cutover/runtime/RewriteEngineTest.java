package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import dev.cutover.rewriter.Rewrite;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.RewriterBugException;
import java.sql.SQLException;
import java.util.List;
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
}
