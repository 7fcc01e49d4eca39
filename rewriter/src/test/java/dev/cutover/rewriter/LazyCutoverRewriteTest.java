package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The lazy cut-over (issue 4): in a {@code read_new} entered with {@code advance --lazy}, a read of
 * either name takes the new column where it is filled and computes the value from the old column
 * where it is not ({@code COALESCE(new, up(old))}, through {@code down} for the old name of a type
 * change); the UPDATE fill and the read touch of dual_write go on; what cannot be expressed
 * over the COALESCE is refused.
 */
class LazyCutoverRewriteTest {

  private static final String USERS_ID = "users-display-name";

  private static ColumnMigration rename(Phase phase, boolean lazy) {
    return ColumnMigration.rename(USERS_ID, "public", "users", "full_name", "display_name", phase, phase.ordinal() + 1)
        .withLazy(lazy);
  }

  private static Rewrite rewrite(String sql, boolean lazy) throws RewriteRefusedException {
    Phase phase = Phase.READ_NEW;
    MigrationSnapshot snapshot = new MigrationSnapshot(10, List.of(rename(phase, lazy),
        TypeChangeRewriteTest.cents(phase).withLazy(lazy), TypeChangeRewriteTest.inPlace(phase).withLazy(lazy)));
    MapCatalog catalog = TypeChangeRewriteTest.catalog(phase)
        .with("public", "users", "id", "full_name", "email", "display_name");
    return new StatementRewriter().rewrite(sql, snapshot, catalog);
  }

  @Test
  void lazyFlag_mattersOnlyInReadNew() {
    for (Phase p : Phase.values()) {
      assertThat(rename(p, true).lazyRead()).as(p.sqlName()).isEqualTo(p == Phase.READ_NEW);
      assertThat(rename(p, true).fillsLazily()).as(p.sqlName()).isEqualTo(p == Phase.DUAL_WRITE || p == Phase.READ_NEW);
      assertThat(rename(p, false).fillsLazily()).as(p.sqlName()).isEqualTo(p == Phase.DUAL_WRITE);
    }
    // The flag survives a phase change of the model only as recorded; at() keeps it.
    assertThat(rename(Phase.DUAL_WRITE, true).at(Phase.READ_NEW, 9).lazyRead()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      SELECT display_name FROM users WHERE id = ?                    | SELECT COALESCE(display_name, full_name) AS display_name FROM users WHERE id = ?
      SELECT u.full_name FROM users u WHERE u.display_name = ?       | SELECT COALESCE(u.display_name, u.full_name) AS full_name FROM users u WHERE COALESCE(u.display_name, u.full_name) = ?
      SELECT amount_cents FROM orders WHERE id = ?                   | SELECT COALESCE(amount_cents, CAST(((amount) * 100)::bigint AS bigint)) AS amount_cents FROM orders WHERE id = ?
      SELECT amount FROM orders WHERE id = ?                         | SELECT CAST((COALESCE(amount_cents, CAST(((amount) * 100)::bigint AS bigint))) / 100.0 AS numeric(10,2)) AS amount FROM orders WHERE id = ?
      SELECT qty FROM items WHERE qty > 0 ORDER BY qty               | SELECT COALESCE(qty__cutover_new, CAST((qty)::bigint AS bigint)) AS qty FROM items WHERE COALESCE(qty__cutover_new, CAST((qty)::bigint AS bigint)) > 0 ORDER BY qty
      SELECT qty FROM items ORDER BY qty                             | SELECT COALESCE(qty__cutover_new, CAST((qty)::bigint AS bigint)) AS qty FROM items ORDER BY qty
      """)
  void reads_coalesceTheNewColumnWithUpOfTheOld(String sql, String expected) throws Exception {
    assertThat(rewrite(sql, true).sql()).isEqualTo(expected);
  }

  @Test
  void withoutTheFlag_readNewReadsTheNewColumnAlone() throws Exception {
    assertThat(rewrite("SELECT display_name FROM users WHERE id = ?", false).sql())
        .isEqualTo("SELECT display_name FROM users WHERE id = ?");
    assertThat(rewrite("SELECT qty FROM items", false).sql()).isEqualTo("SELECT qty__cutover_new AS qty FROM items");
  }

  @Test
  void update_notSettingTheColumn_fillsItAsInDualWrite() throws Exception {
    assertThat(rewrite("UPDATE users SET email = ? WHERE id = ?", true).sql())
        .isEqualTo("UPDATE users SET email = ?, display_name = full_name WHERE id = ?");
    assertThat(rewrite("UPDATE users SET email = ? WHERE id = ?", false).sql())
        .isEqualTo("UPDATE users SET email = ? WHERE id = ?");
  }

  @Test
  void writes_stillGoToBothColumns_fromTheCoalescedValue() throws Exception {
    assertThat(rewrite("UPDATE users SET display_name = display_name || '!' WHERE id = ?", true).sql())
        .isEqualTo("UPDATE users SET full_name = COALESCE(display_name, full_name) || '!', display_name ="
            + " COALESCE(display_name, full_name) || '!' WHERE id = ?");
  }

  @Test
  void onConflict_renameArbitratesOnTheOldColumn_typeChangeRefused() throws Exception {
    assertThat(rewrite("INSERT INTO users (id, display_name) VALUES (?, ?) ON CONFLICT (display_name) DO NOTHING", true)
        .sql()).contains("ON CONFLICT (full_name) DO NOTHING");
    assertThat(rewrite("INSERT INTO users (id, display_name) VALUES (?, ?) ON CONFLICT (display_name) DO NOTHING", false)
        .sql()).contains("ON CONFLICT (display_name) DO NOTHING");
    assertThatThrownBy(() -> rewrite(
        "INSERT INTO orders (id, amount_cents) VALUES (?, ?) ON CONFLICT (amount_cents) DO NOTHING", true))
        .isInstanceOf(RewriteRefusedException.class).hasMessageContaining("lazily cut over");
  }

  @Test
  void joinUsing_onALazyColumn_refused() {
    assertThatThrownBy(() -> rewrite("SELECT u.id FROM users u JOIN users v USING (display_name)", true))
        .isInstanceOf(RewriteRefusedException.class).hasMessageContaining("lazily cut over");
  }

  @Test
  void readTouch_goesOnWhileLazilyCutOver() throws Exception {
    MigrationSnapshot snapshot = new MigrationSnapshot(10, List.of(rename(Phase.READ_NEW, true)));
    MapCatalog plain = Fixtures.catalog(Phase.READ_NEW);
    Catalog catalog = (schema, table) -> {
      TableInfo info = plain.table(schema, table);
      return info == null ? null : new TableInfo(info.schema(), info.name(), info.columns(), List.of("id"));
    };
    Rewrite r = new StatementRewriter(true).rewrite("SELECT u.email FROM users u WHERE u.id = ?", snapshot, catalog);
    assertThat(r.readTouch()).isNotNull();
    assertThat(r.readTouch().target().migrationIds()).containsExactly(USERS_ID);
    MigrationSnapshot plainReadNew = new MigrationSnapshot(10, List.of(rename(Phase.READ_NEW, false)));
    assertThat(new StatementRewriter(true).rewrite("SELECT u.email FROM users u WHERE u.id = ?", plainReadNew, catalog)
        .readTouch()).isNull();
  }
}
