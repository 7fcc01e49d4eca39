package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11's name-resolution classes: a field of a composite column named like the migrating
 * column is not that column; a table alias with a column list and a whole-row reference read a
 * derived table of the application's columns (their positions and shape are the phase's physical
 * ones otherwise); a migrating table's row type is refused; spliced text never runs into the text
 * around it.
 */
class RowAndFieldReferenceTest {

  /** The users fixture with one more column, {@code contact}, of a composite type that has a field {@code full_name}. */
  private static Rewrite rewrite(String sql, Phase phase) throws RewriteRefusedException {
    MapCatalog catalog = new MapCatalog().with("public", "orders", "id", "user_id", "total")
        .with("public", "accounts", "id", "owner", "full_name");
    catalog = switch (phase) {
      case PLANNED -> catalog.with("public", "users", "id", "full_name", "email", "contact");
      case DUAL_WRITE, READ_NEW, NEW_ONLY -> catalog.with("public", "users", "id", "full_name", "email", "contact",
          "display_name");
      case COMPLETED -> catalog.with("public", "users", "id", "email", "contact", "display_name");
    };
    // As the CLI records it: full_name followed id, so at completed it is shown after id again.
    MigrationSnapshot snapshot = new MigrationSnapshot(phase.ordinal() + 1,
        List.of(Fixtures.rename(phase).withOldColumnAfter("id")));
    return new StatementRewriter().rewrite(sql, snapshot, catalog);
  }

  // ---------------------------------------------------------------- 1. composite fields

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      READ_NEW   | SELECT (contact).full_name FROM users
      COMPLETED  | SELECT (contact).full_name FROM users
      COMPLETED  | SELECT (u.contact).full_name FROM users u WHERE (u.contact).full_name = ?
      COMPLETED  | SELECT id FROM users ORDER BY (contact).full_name
      NEW_ONLY   | SELECT ((contact).full_name).x FROM users
      READ_NEW   | UPDATE users SET contact.full_name = ? WHERE id = ?
      COMPLETED  | UPDATE users SET contact.full_name = ? WHERE id = ?
      NEW_ONLY   | INSERT INTO users (id, contact.full_name) VALUES (?, ?)
      COMPLETED  | INSERT INTO users (id, contact.full_name) VALUES (?, ?)
      COMPLETED  | INSERT INTO users (id) VALUES (?) ON CONFLICT ((contact).full_name) DO NOTHING
      """)
  void compositeField_namedLikeTheColumn_isLeftAlone(Phase phase, String sql) throws Exception {
    assertThat(rewrite(sql, phase).sql()).isEqualTo(sql);
  }

  @Test
  void compositeField_updateInDualWrite_fillsTheNewColumnAndLeavesTheFieldAlone() throws Exception {
    // Before the fix the field assignment was taken for the column: full_name and display_name overwritten.
    assertThat(rewrite("UPDATE users SET contact.full_name = ? WHERE id = ?", Phase.DUAL_WRITE).sql())
        .isEqualTo("UPDATE users SET contact.full_name = ?, display_name = full_name WHERE id = ?");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "UPDATE users SET full_name.x = ? WHERE id = ?",
      "INSERT INTO users (id, full_name.x) VALUES (?, ?)"})
  void compositeField_ofTheMigratingColumnAssigned_isRefused(String sql) {
    assertThatThrownBy(() -> rewrite(sql, Phase.DUAL_WRITE))
        .isInstanceOf(RewriteRefusedException.class)
        .hasMessageContaining("field of migrating column 'full_name'");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      READ_NEW   | SELECT (u).full_name FROM users u                    | SELECT (u).display_name AS full_name FROM users u
      COMPLETED  | SELECT (u).full_name::text, id FROM users u          | SELECT (u).display_name::text AS full_name, id FROM users u
      PLANNED    | SELECT (users).display_name FROM users               | SELECT (users).full_name AS display_name FROM users
      COMPLETED  | SELECT id FROM users u WHERE (u).full_name = ?       | SELECT id FROM users u WHERE (u).display_name = ?
      COMPLETED  | SELECT (full_name).x FROM users                      | SELECT (display_name).x FROM users
      """)
  void fieldOfTheRow_isTheColumnAndKeepsItsLabel(Phase phase, String sql, String expected) throws Exception {
    assertThat(rewrite(sql, phase).sql()).isEqualTo(expected);
  }

  // ---------------------------------------------------------------- 8. labels and splicing

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      SELECT(full_name)FROM users                    | SELECT(display_name) AS full_name FROM users
      SELECT full_name/*c*/FROM users                | SELECT display_name AS full_name/*c*/FROM users
      SELECT(u.full_name)FROM users u                | SELECT(u.display_name) AS full_name FROM users u
      SELECT(full_name)::text FROM users             | SELECT(display_name)::text AS full_name FROM users
      SELECT id FROM users WHERE(full_name)='x'      | SELECT id FROM users WHERE(display_name)='x'
      SELECT(u).full_name FROM users u               | SELECT(u).display_name AS full_name FROM users u
      """)
  void splice_addsTheWhitespaceItNeeds(String sql, String expected) throws Exception {
    assertThat(rewrite(sql, Phase.COMPLETED).sql()).isEqualTo(expected);
  }

  // ---------------------------------------------------------------- 2. column alias lists

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      PLANNED    | SELECT o FROM (SELECT id, full_name, email, contact, full_name AS display_name FROM users) AS a(i, o)
      DUAL_WRITE | SELECT o FROM (SELECT id, full_name, email, contact, full_name AS display_name FROM users) AS a(i, o)
      READ_NEW   | SELECT o FROM (SELECT id, display_name AS full_name, email, contact, display_name FROM users) AS a(i, o)
      NEW_ONLY   | SELECT o FROM (SELECT id, display_name AS full_name, email, contact, display_name FROM users) AS a(i, o)
      COMPLETED  | SELECT o FROM (SELECT id, display_name AS full_name, email, contact, display_name FROM users) AS a(i, o)
      """)
  void aliasList_renamesTheApplicationsColumnsByTheirOldPositions(Phase phase, String expected) throws Exception {
    // Before the fix it went through unchanged: o was the stale old column in new_only, email at completed.
    Rewrite r = rewrite("SELECT o FROM users AS a(i, o)", phase);

    assertThat(r.sql()).isEqualTo(expected);
    assertThat(r.isUnchanged()).isFalse();
  }

  @Test
  void aliasList_referencesThroughTheAliasAreNotRewrittenAgain() throws Exception {
    assertThat(rewrite("SELECT a.o, a.display_name FROM users a(i, o) WHERE a.email = ? ORDER BY a.i", Phase.COMPLETED)
        .sql()).isEqualTo("SELECT a.o, a.display_name FROM (SELECT id, display_name AS full_name, email, contact,"
        + " display_name FROM users) a(i, o) WHERE a.email = ? ORDER BY a.i");
  }

  // ---------------------------------------------------------------- 3. whole rows

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "SELECT to_jsonb(u) FROM users u WHERE u.id = ?",
      "SELECT u FROM users u WHERE u.id = ?",
      "SELECT u::text FROM users u WHERE u.id = ?",
      "SELECT count(u) FROM users u WHERE u.id = ?",
      "SELECT u IS NULL FROM users u WHERE u.id = ?",
      "SELECT f(u.*) FROM users u WHERE u.id = ?",
      "SELECT count(u.*) FROM users u WHERE u.id = ?",
      "SELECT (SELECT to_jsonb(u) FROM orders o WHERE o.user_id = u.id LIMIT 1) FROM users u WHERE u.id = ?",
      "SELECT x FROM users u, LATERAL (SELECT u AS x) l WHERE u.id = ?"})
  void wholeRow_readsTheApplicationsColumnsInTheirOldOrder(String sql) throws Exception {
    // Before the fix these passed through: the row carried display_name from dual_write on, and at
    // completed lost full_name.
    String derived = "(SELECT id, display_name AS full_name, email, contact, display_name FROM users) u";
    Rewrite r = rewrite(sql, Phase.COMPLETED);

    assertThat(r.sql()).isEqualTo(sql.replace("users u", derived));
    assertThat(r.parameterMap()).containsExactly(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Phase.class)
  void wholeRow_ofAnUnaliasedTable_keepsTheTablesName(Phase phase) throws Exception {
    Rewrite r = rewrite("SELECT row_to_json(users) FROM users WHERE users.full_name = ?", phase);

    assertThat(r.sql()).startsWith("SELECT row_to_json(users) FROM (SELECT id, ")
        .endsWith(" FROM users) AS users WHERE users.full_name = ?");
  }

  @Test
  void wholeRow_columnReferencesToTheDerivedTableAreUsesOfTheName() throws Exception {
    Rewrite r = rewrite("SELECT to_jsonb(u), u.full_name FROM users u", Phase.NEW_ONLY);

    assertThat(r.sql()).isEqualTo("SELECT to_jsonb(u), u.full_name FROM (SELECT id, display_name AS full_name,"
        + " email, contact, display_name FROM users) u");
    assertThat(r.oldNameUsed()).containsExactly(Fixtures.ID);
  }

  @Test
  void wholeRow_fromOnlyAndLocking_stayInsideAndOutsideTheDerivedTable() throws Exception {
    assertThat(rewrite("SELECT to_jsonb(u) FROM ONLY users u FOR UPDATE OF u", Phase.READ_NEW).sql())
        .isEqualTo("SELECT to_jsonb(u) FROM (SELECT id, display_name AS full_name, email, contact, display_name"
            + " FROM ONLY users) u FOR UPDATE OF u");
  }

  @Test
  void wholeRow_ofAnotherTable_isLeftAlone() throws Exception {
    String sql = "SELECT users.full_name, accounts FROM users, accounts";
    assertThat(rewrite(sql, Phase.COMPLETED).sql()).isEqualTo("SELECT users.display_name AS full_name, accounts"
        + " FROM users, accounts");
  }

  // A VALUES list is planned like a select list now (was refused): the subquery's whole row gets its derived table.
  @Test
  void wholeRow_insideAValuesList_getsTheDerivedTable() throws Exception {
    String sql = rewrite("SELECT v.x FROM (VALUES ((SELECT to_jsonb(u) FROM users u WHERE u.id = 1))) v(x)",
        Phase.READ_NEW).sql();
    assertThat(sql).startsWith("SELECT v.x FROM (VALUES ((SELECT to_jsonb(u) FROM (SELECT id, display_name AS full_name,")
        .endsWith(" FROM users) u WHERE u.id = 1))) v(x)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      UPDATE users u SET email = ? WHERE to_jsonb(u) IS NOT NULL                     | the target of an INSERT
      INSERT INTO users (id) VALUES (?) RETURNING to_jsonb(users)                   | the target of an INSERT
      INSERT INTO users (id) VALUES (?) ON CONFLICT (id) DO UPDATE SET email = to_jsonb(excluded)::text | EXCLUDED
      SELECT jsonb_populate_record(NULL::users, ?::jsonb)                           | row type
      SELECT CAST(? AS users) FROM orders                                           | row type
      SELECT u.ctid, to_jsonb(u) FROM users u                                       | system column
      SELECT public.users.id, to_jsonb(users) FROM public.users                     | schema-qualified
      SELECT u FROM users u, generate_series(1, 2) g                                | unknown
      """)
  void wholeRow_whereNoDerivedTableCanStand_isRefused(String sql, String reason) {
    assertThatThrownBy(() -> rewrite(sql, Phase.DUAL_WRITE))
        .isInstanceOf(RewriteRefusedException.class)
        .hasMessageContaining(reason);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "SELECT id FROM users WHERE email = ?",
      "SELECT u.id FROM users u WHERE u.email = ?",
      "SELECT id FROM users u JOIN orders o ON o.user_id = u.id",
      "UPDATE users SET email = ? WHERE id = ?"})
  void noWholeRow_noDerivedTable(String sql) throws Exception {
    assertThat(rewrite(sql, Phase.COMPLETED).sql()).isEqualTo(sql);
  }

  @Test
  void typeChange_wholeRowReadsConvertedColumnsUnderBothNames() throws Exception {
    assertThat(TypeChangeRewriteTest.rewrite("SELECT to_jsonb(o) FROM orders o", Phase.NEW_ONLY).sql())
        .isEqualTo("SELECT to_jsonb(o) FROM (SELECT id, user_id, CAST((amount_cents) / 100.0 AS numeric(10,2)) AS"
            + " amount, note, amount_cents FROM orders) o");
  }
}
