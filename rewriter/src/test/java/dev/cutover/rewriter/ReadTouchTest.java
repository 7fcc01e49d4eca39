package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The hidden trailing columns of the lazy migration of rows a SELECT returns. */
class ReadTouchTest {

  private static final String HIDDEN_U =
      ", u.id AS \"cutover.key1\", ((u.display_name IS NULL AND u.full_name IS NOT NULL)) AS \"cutover.fill\" ";

  /** The users table with its primary key known (the driver's catalog reports it). */
  private static Catalog catalog(Phase phase) {
    MapCatalog plain = Fixtures.catalog(phase);
    return (schema, table) -> {
      TableInfo info = plain.table(schema, table);
      return info == null ? null : new TableInfo(info.schema(), info.name(), info.columns(), List.of("id"));
    };
  }

  private static Rewrite touch(String sql, Phase phase) throws RewriteRefusedException {
    return new StatementRewriter(true).rewrite(sql, Fixtures.snapshot(phase), catalog(phase));
  }

  @Test
  void select_inDualWrite_projectsKeyAndFillFlagBeforeFrom() throws Exception {
    Rewrite r = touch("SELECT u.email FROM users u WHERE u.id = ?", Phase.DUAL_WRITE);
    assertThat(r.sql()).isEqualTo("SELECT u.email " + HIDDEN_U + "FROM users u WHERE u.id = ?");
    assertThat(r.hiddenColumns()).isEqualTo(2);
    assertThat(r.readTouch().target()).isEqualTo(
        new ReadTouch.Target("public", "users", List.of("id"), List.of(Fixtures.ID)));
    assertThat(r.parameterMap()).containsExactly(1);
    // The rewrite without hidden columns: here the statement itself needs no change at all.
    assertThat(r.withoutReadTouch().sql()).isEqualTo("SELECT u.email FROM users u WHERE u.id = ?");
    assertThat(r.withoutReadTouch().parameterMap()).isNull();
    assertThat(r.withoutReadTouch().hiddenColumns()).isZero();
  }

  @Test
  void selectStar_expandedThenHiddenColumns_unaliasedTableQualifiesByName() throws Exception {
    Rewrite r = touch("select * from users where id > ? order by id limit 10 for update", Phase.DUAL_WRITE);
    assertThat(r.sql()).isEqualTo("select id, full_name, email, full_name AS display_name , users.id AS \"cutover.key1\","
        + " ((users.display_name IS NULL AND users.full_name IS NOT NULL)) AS \"cutover.fill\" from users"
        + " where id > ? order by id limit 10 for update");
    assertThat(r.withoutReadTouch().sql()).isEqualTo(
        "select id, full_name, email, full_name AS display_name from users where id > ? order by id limit 10 for update");
  }

  @Test
  void join_touchesTheMigratingTableOnly() throws Exception {
    Rewrite r = touch("SELECT o.total, u.full_name FROM orders o JOIN users u ON u.id = o.user_id", Phase.DUAL_WRITE);
    assertThat(r.sql()).isEqualTo("SELECT o.total, u.full_name " + HIDDEN_U
        + "FROM orders o JOIN users u ON u.id = o.user_id");
  }

  @Test
  void isDistinctFromInSelectList_hiddenColumnsGoBeforeTheRealFrom() throws Exception {
    Rewrite r = touch("SELECT u.email IS DISTINCT FROM 'x' FROM users u", Phase.DUAL_WRITE);
    assertThat(r.sql()).isEqualTo("SELECT u.email IS DISTINCT FROM 'x' " + HIDDEN_U + "FROM users u");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT lower(u.email), coalesce(u.full_name, '') FROM users u",
      "SELECT CASE WHEN u.id > 1 THEN u.email ELSE 'x' END FROM users u",
      "SELECT u.id::text, CAST(u.id AS bigint), now() - interval '1 day' FROM users u",
      "SELECT u.email FROM users u ORDER BY lower(u.email)",
      "SELECT u.email FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE o.id IS NULL",
      "SELECT u.email FROM users u WHERE u.id IN (SELECT user_id FROM orders) FOR SHARE"})
  void eligibleSelect_touched(String sql) throws Exception {
    Rewrite r = touch(sql, Phase.DUAL_WRITE);
    assertThat(r.readTouch()).as(sql).isNotNull();
    assertThat(r.sql()).contains(HIDDEN_U + "FROM users u");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT count(*) FROM users",
      "SELECT max(full_name) FROM users",
      "SELECT DISTINCT email FROM users",
      "SELECT email, count(*) FROM users GROUP BY email",
      "SELECT 1 FROM users HAVING count(*) > 1",
      "SELECT email FROM users ORDER BY count(*)",
      "SELECT row_number() OVER (ORDER BY id) FROM users",
      "SELECT my_function(email) FROM users",
      "SELECT (SELECT max(o.total) FROM orders o WHERE o.user_id = u.id) FROM users u",
      "SELECT email FROM users UNION SELECT owner FROM accounts",
      "SELECT a.email FROM users a JOIN users b ON a.id = b.id",
      "SELECT email FROM (SELECT * FROM users) x",
      "SELECT email INTO copy_of_users FROM users",
      "SELECT email FROM users; SELECT 1",
      "(SELECT email FROM users)",
      "SELECT email FROM users WHERE $1 = 1"})
  void ineligibleSelect_notTouched(String sql) throws Exception {
    Rewrite r;
    try {
      r = touch(sql, Phase.DUAL_WRITE);
    } catch (RewriteRefusedException e) {
      return; // refused exactly as without the touch: fine, the touch added nothing
    }
    assertThat(r.readTouch()).as(sql).isNull();
    assertThat(r.sql()).as(sql).doesNotContain("cutover.");
    // And the same as the rewriter without the touch.
    assertThat(r.sql()).isEqualTo(new StatementRewriter(false).rewrite(sql, Fixtures.snapshot(Phase.DUAL_WRITE),
        catalog(Phase.DUAL_WRITE)).sql());
  }

  @ParameterizedTest
  @EnumSource(value = Phase.class, names = "DUAL_WRITE", mode = EnumSource.Mode.EXCLUDE)
  void otherPhases_notTouched(Phase phase) throws Exception {
    Rewrite r = touch("SELECT u.email FROM users u WHERE u.id = ?", phase);
    assertThat(r.readTouch()).isNull();
    assertThat(r.sql()).doesNotContain("cutover.");
  }

  @Test
  void noPrimaryKey_orTouchDisabled_notTouched() throws Exception {
    Rewrite noKey = new StatementRewriter(true).rewrite("SELECT email FROM users", Fixtures.snapshot(Phase.DUAL_WRITE),
        Fixtures.catalog(Phase.DUAL_WRITE));
    assertThat(noKey.readTouch()).isNull();
    Rewrite disabled = new StatementRewriter(false).rewrite("SELECT email FROM users",
        Fixtures.snapshot(Phase.DUAL_WRITE), catalog(Phase.DUAL_WRITE));
    assertThat(disabled.readTouch()).isNull();
    assertThat(disabled.sql()).isEqualTo("SELECT email FROM users");
  }

  @Test
  void newColumnMissingFromCatalog_notTouched() throws Exception {
    Catalog withoutNew = (schema, table) -> table.equals("users")
        ? new TableInfo("public", "users", List.of("id", "full_name", "email"), List.of("id")) : null;
    Rewrite r = new StatementRewriter(true).rewrite("SELECT email FROM users", Fixtures.snapshot(Phase.DUAL_WRITE),
        withoutNew);
    assertThat(r.readTouch()).isNull();
  }

  @Test
  void writes_notTouched() throws Exception {
    assertThat(touch("UPDATE users SET email = ? WHERE id = ?", Phase.DUAL_WRITE).readTouch()).isNull();
    assertThat(touch("DELETE FROM users WHERE id = ? RETURNING email", Phase.DUAL_WRITE).readTouch()).isNull();
  }
}
