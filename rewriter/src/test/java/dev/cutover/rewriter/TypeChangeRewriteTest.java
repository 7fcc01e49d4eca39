package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Conversion;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Type changes (issue 4): reads through either name are converted at every phase, writes through
 * either name reach the other column converted, the dual_write fill uses {@code up}; in place, the
 * one name follows the read column.
 */
class TypeChangeRewriteTest {

  static final String UP = "(amount * 100)::bigint";
  static final String DOWN = "amount_cents / 100.0";

  static ColumnMigration cents(Phase phase) {
    return new ColumnMigration("orders-amount-cents", "public", "orders", "amount", "amount_cents", "amount_cents",
        UP, DOWN, "bigint", "numeric(10,2)", phase, phase.ordinal() + 1, "user_id");
  }

  static ColumnMigration inPlace(Phase phase) {
    return new ColumnMigration("items-qty", "public", "items", "qty", "qty", "qty__cutover_new",
        "qty::bigint", "qty::int", "bigint", "integer", phase, phase.ordinal() + 1, "id");
  }

  static MapCatalog catalog(Phase phase) {
    MapCatalog catalog = new MapCatalog();
    catalog = switch (phase) {
      case PLANNED -> catalog.with("public", "orders", "id", "user_id", "amount", "note");
      case DUAL_WRITE, READ_NEW, NEW_ONLY -> catalog.with("public", "orders", "id", "user_id", "amount", "note",
          "amount_cents");
      case COMPLETED -> catalog.with("public", "orders", "id", "user_id", "note", "amount_cents");
    };
    return switch (phase) {
      case PLANNED -> catalog.with("public", "items", "id", "qty", "name");
      case DUAL_WRITE, READ_NEW, NEW_ONLY -> catalog.with("public", "items", "id", "qty", "name", "qty__cutover_new");
      case COMPLETED -> catalog.with("public", "items", "id", "name", "qty");
    };
  }

  static Rewrite rewrite(String sql, Phase phase) throws RewriteRefusedException {
    MigrationSnapshot snapshot = new MigrationSnapshot(phase.ordinal() + 1, List.of(cents(phase), inPlace(phase)));
    return new StatementRewriter().rewrite(sql, snapshot, catalog(phase));
  }

  @Test
  void conversion_holesAtColumnReferencesOnly() {
    Conversion c = Conversion.of("CASE WHEN amount IS NULL THEN NULL ELSE (t.amount + amount::amount)::bigint END",
        "amount");
    assertThat(c.holes()).isEqualTo(2);
    assertThat(c.apply("?")).isEqualTo("(CASE WHEN (?) IS NULL THEN NULL ELSE (t.amount + (?)::amount)::bigint END)");
    assertThat(Conversion.of("\"Amount\" * 2", "Amount").apply("x")).isEqualTo("((x) * 2)");
    assertThat(Conversion.of("amount(1) + Amount", "amount").holes()).isEqualTo(1);
    assertThatThrownBy(() -> Conversion.of("1 + 2", "amount")).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * A written value is taken to its name's type as an assignment would: through a common type with
   * a typed NULL (which fails with 42804 where the assignment does), plainly to a string type (to
   * which every value can be assigned).
   */
  @Test
  void conversion_ofValueCastTo_assignsTheValueToTheNamesTypeFirst() {
    assertThat(Conversion.of(UP, "amount").ofValueCastTo("numeric(10,2)").apply("?"))
        .isEqualTo("(((CAST(COALESCE(?, CAST(NULL AS numeric(10,2))) AS numeric(10,2))) * 100)::bigint)");
    assertThat(Conversion.of("code::int", "code").ofValueCastTo("text").apply("?")).isEqualTo("((CAST(? AS text))::int)");
    assertThat(Conversion.of("code::int", "code").ofValueCastTo("character varying(20)").apply("?"))
        .isEqualTo("((CAST(? AS character varying(20)))::int)");
    assertThat(Conversion.of("code::int", "code").ofValueCastTo("public.citext").apply("?"))
        .isEqualTo("((CAST(? AS public.citext))::int)");
    assertThat(Conversion.IDENTITY.ofValueCastTo("bigint")).isEqualTo(Conversion.IDENTITY);
  }

  @Test
  void fillSql_isTheOldColumnForARenameAndUpOtherwise() {
    assertThat(ColumnMigration.rename("r", "public", "users", "full_name", "Display", Phase.DUAL_WRITE, 1).fillSql())
        .isEqualTo("full_name");
    assertThat(cents(Phase.DUAL_WRITE).fillSql()).isEqualTo("CAST(((amount) * 100)::bigint AS bigint)");
    assertThat(cents(Phase.DUAL_WRITE).fillSql("o.")).isEqualTo("CAST(((o.amount) * 100)::bigint AS bigint)");
    assertThat(cents(Phase.NEW_ONLY).refillSql()).isEqualTo("CAST((amount_cents) / 100.0 AS numeric(10,2))");
    assertThat(inPlace(Phase.NEW_ONLY).refillSql()).isEqualTo("CAST((qty__cutover_new)::int AS integer)");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      PLANNED    | SELECT amount FROM orders WHERE id = ?                 | SELECT amount FROM orders WHERE id = ?
      PLANNED    | SELECT amount_cents FROM orders WHERE id = ?           | SELECT CAST(((amount) * 100)::bigint AS bigint) AS amount_cents FROM orders WHERE id = ?
      DUAL_WRITE | SELECT amount_cents FROM orders WHERE id = ?           | SELECT CAST(((amount) * 100)::bigint AS bigint) AS amount_cents FROM orders WHERE id = ?
      DUAL_WRITE | SELECT o.amount_cents + 1 FROM orders o                | SELECT CAST(((o.amount) * 100)::bigint AS bigint) + 1 FROM orders o
      DUAL_WRITE | SELECT id FROM orders WHERE amount = ?                 | SELECT id FROM orders WHERE amount = ?
      DUAL_WRITE | SELECT id FROM orders WHERE amount_cents = ?           | SELECT id FROM orders WHERE CAST(((amount) * 100)::bigint AS bigint) = ?
      READ_NEW   | SELECT amount FROM orders WHERE id = ?                 | SELECT CAST((amount_cents) / 100.0 AS numeric(10,2)) AS amount FROM orders WHERE id = ?
      READ_NEW   | SELECT amount_cents FROM orders WHERE id = ?           | SELECT amount_cents FROM orders WHERE id = ?
      READ_NEW   | SELECT amount FROM orders WHERE amount = ?             | SELECT CAST((amount_cents) / 100.0 AS numeric(10,2)) AS amount FROM orders WHERE amount = ?
      READ_NEW   | SELECT o.id FROM orders o JOIN items i ON o.amount > i.qty WHERE o.amount BETWEEN ? AND ? | SELECT o.id FROM orders o JOIN items i ON o.amount > i.qty__cutover_new WHERE o.amount BETWEEN ? AND ?
      READ_NEW   | SELECT id FROM orders WHERE amount_cents = ?           | SELECT id FROM orders WHERE amount_cents = ?
      READ_NEW   | SELECT o.amount, count(*) FROM orders o WHERE EXISTS (SELECT 1 FROM items i WHERE i.id = o.amount) GROUP BY o.amount | SELECT CAST((o.amount_cents) / 100.0 AS numeric(10,2)) AS amount, count(*) FROM orders o WHERE EXISTS (SELECT 1 FROM items i WHERE i.id = CAST((o.amount_cents) / 100.0 AS numeric(10,2))) GROUP BY CAST((o.amount_cents) / 100.0 AS numeric(10,2))
      READ_NEW   | SELECT name FROM items WHERE id IN (SELECT user_id FROM orders WHERE amount = ?) | SELECT name FROM items WHERE id IN (SELECT user_id FROM orders WHERE amount = ?)
      READ_NEW   | SELECT id FROM items WHERE id IN (SELECT user_id FROM orders GROUP BY user_id, amount HAVING amount > ?) | SELECT id FROM items WHERE id IN (SELECT user_id FROM orders GROUP BY user_id, CAST((amount_cents) / 100.0 AS numeric(10,2)) HAVING CAST((amount_cents) / 100.0 AS numeric(10,2)) > ?)
      READ_NEW   | SELECT amount, count(*) FROM orders GROUP BY amount HAVING amount > ? | SELECT CAST((amount_cents) / 100.0 AS numeric(10,2)) AS amount, count(*) FROM orders GROUP BY CAST((amount_cents) / 100.0 AS numeric(10,2)) HAVING CAST((amount_cents) / 100.0 AS numeric(10,2)) > ?
      NEW_ONLY   | SELECT id FROM orders WHERE amount = ?                 | SELECT id FROM orders WHERE CAST((amount_cents) / 100.0 AS numeric(10,2)) = ?
      DUAL_WRITE | SELECT id FROM orders WHERE amount_cents = ?           | SELECT id FROM orders WHERE CAST(((amount) * 100)::bigint AS bigint) = ?
      NEW_ONLY   | SELECT orders.amount FROM orders ORDER BY amount       | SELECT CAST((orders.amount_cents) / 100.0 AS numeric(10,2)) AS amount FROM orders ORDER BY amount
      COMPLETED  | SELECT sum(amount) FROM orders                         | SELECT sum(CAST((amount_cents) / 100.0 AS numeric(10,2))) FROM orders
      DUAL_WRITE | SELECT * FROM orders                                   | SELECT id, user_id, amount, note, CAST(((amount) * 100)::bigint AS bigint) AS amount_cents FROM orders
      READ_NEW   | SELECT * FROM orders                                   | SELECT id, user_id, CAST((amount_cents) / 100.0 AS numeric(10,2)) AS amount, note, amount_cents FROM orders
      COMPLETED  | SELECT * FROM orders                                   | SELECT id, user_id, CAST((amount_cents) / 100.0 AS numeric(10,2)) AS amount, note, amount_cents FROM orders
      DUAL_WRITE | SELECT qty FROM items                                  | SELECT qty FROM items
      READ_NEW   | SELECT i.qty FROM items i WHERE i.qty > ?              | SELECT i.qty__cutover_new AS qty FROM items i WHERE i.qty__cutover_new > ?
      READ_NEW   | SELECT * FROM items                                    | SELECT id, qty__cutover_new AS qty, name FROM items
      COMPLETED  | SELECT * FROM items                                    | SELECT id, qty, name FROM items
      """)
  void reads_convertedWhenTheReadColumnHoldsTheOtherType(Phase phase, String sql, String expected) throws Exception {
    assertThat(rewrite(sql, phase).sql()).isEqualTo(expected);
  }

  /**
   * Back in read_new from new_only, rows written in new_only have an empty or out-of-date old column
   * until the rollback's refill reaches them: a condition on the old name reads {@code down(new)},
   * as the select list does, instead of the old column and its index. (It read the old column, and
   * a payment written in new_only was missing from {@code WHERE amount >= ?} during the rollback.)
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      SELECT id FROM orders WHERE amount = ?                 | SELECT id FROM orders WHERE CAST((amount_cents) / 100.0 AS numeric(10,2)) = ?
      SELECT o.id FROM orders o JOIN items i ON o.amount > i.qty WHERE o.amount BETWEEN ? AND ? | SELECT o.id FROM orders o JOIN items i ON CAST((o.amount_cents) / 100.0 AS numeric(10,2)) > i.qty__cutover_new WHERE CAST((o.amount_cents) / 100.0 AS numeric(10,2)) BETWEEN ? AND ?
      UPDATE orders SET note = ? WHERE amount >= ?           | UPDATE orders SET note = ? WHERE CAST((amount_cents) / 100.0 AS numeric(10,2)) >= ?
      DELETE FROM orders WHERE amount < ?                    | DELETE FROM orders WHERE CAST((amount_cents) / 100.0 AS numeric(10,2)) < ?
      """)
  void readNewBackFromNewOnly_conditionsReadTheNewColumnUntilTheOldIsRefilled(String sql, String expected)
      throws Exception {
    MigrationSnapshot stale = new MigrationSnapshot(9, List.of(cents(Phase.READ_NEW).withOldStale(true),
        inPlace(Phase.READ_NEW)));
    assertThat(new StatementRewriter().rewrite(sql, stale, catalog(Phase.READ_NEW)).sql()).isEqualTo(expected);
    MigrationSnapshot refilled = new MigrationSnapshot(10, List.of(cents(Phase.READ_NEW), inPlace(Phase.READ_NEW)));
    assertThat(new StatementRewriter().rewrite(sql, refilled, catalog(Phase.READ_NEW)).sql())
        .as("refilled: the old column and its index again").endsWith(sql.substring(sql.indexOf(" WHERE ")));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      PLANNED    | INSERT INTO orders (id, amount) VALUES (?, ?)          | INSERT INTO orders (id, amount) VALUES (?, ?)                                                  | 1,2
      PLANNED    | INSERT INTO orders (id, amount_cents) VALUES (?, ?)    | INSERT INTO orders (id, amount) VALUES (?, CAST((CAST(COALESCE(?, CAST(NULL AS bigint)) AS bigint)) / 100.0 AS numeric(10,2)))                                      | 1,2
      DUAL_WRITE | INSERT INTO orders (id, amount) VALUES (?, ?)          | INSERT INTO orders (id, amount, amount_cents) VALUES (?, ?, CAST(((CAST(COALESCE(?, CAST(NULL AS numeric(10,2))) AS numeric(10,2))) * 100)::bigint AS bigint)) | 1,2,2
      DUAL_WRITE | INSERT INTO orders (id, amount_cents) VALUES (?, ?)    | INSERT INTO orders (id, amount, amount_cents) VALUES (?, CAST((CAST(COALESCE(?, CAST(NULL AS bigint)) AS bigint)) / 100.0 AS numeric(10,2)), ?)                     | 1,2,2
      READ_NEW   | INSERT INTO orders (id, amount) VALUES (?, 1.5), (?, ?) | INSERT INTO orders (id, amount, amount_cents) VALUES (?, 1.5, CAST(((CAST(COALESCE(1.5, CAST(NULL AS numeric(10,2))) AS numeric(10,2))) * 100)::bigint AS bigint)), (?, ?, CAST(((CAST(COALESCE(?, CAST(NULL AS numeric(10,2))) AS numeric(10,2))) * 100)::bigint AS bigint)) | 1,2,3,3
      NEW_ONLY   | INSERT INTO orders (id, amount) VALUES (?, ?)          | INSERT INTO orders (id, amount_cents) VALUES (?, CAST(((CAST(COALESCE(?, CAST(NULL AS numeric(10,2))) AS numeric(10,2))) * 100)::bigint AS bigint))                        | 1,2
      COMPLETED  | INSERT INTO orders (id, amount_cents) VALUES (?, ?)    | INSERT INTO orders (id, amount_cents) VALUES (?, ?)                                            | 1,2
      DUAL_WRITE | UPDATE orders SET amount = amount + ? WHERE id = ?     | UPDATE orders SET amount = amount + ?, amount_cents = CAST(((CAST(COALESCE(amount + ?, CAST(NULL AS numeric(10,2))) AS numeric(10,2))) * 100)::bigint AS bigint) WHERE id = ? | 1,1,2
      READ_NEW   | UPDATE orders SET amount = amount + ? WHERE id = ?     | UPDATE orders SET amount = CAST((amount_cents) / 100.0 AS numeric(10,2)) + ?, amount_cents = CAST(((CAST(COALESCE(CAST((amount_cents) / 100.0 AS numeric(10,2)) + ?, CAST(NULL AS numeric(10,2))) AS numeric(10,2))) * 100)::bigint AS bigint) WHERE id = ? | 1,1,2
      DUAL_WRITE | UPDATE orders SET note = ? WHERE id = ?                | UPDATE orders SET note = ?, amount_cents = CAST(((amount) * 100)::bigint AS bigint) WHERE id = ?             | 1,2
      DUAL_WRITE | INSERT INTO items (id, qty) VALUES (?, ?)              | INSERT INTO items (id, qty, qty__cutover_new) VALUES (?, ?, CAST((CAST(COALESCE(?, CAST(NULL AS integer)) AS integer))::bigint AS bigint))                     | 1,2,2
      READ_NEW   | INSERT INTO items (id, qty) VALUES (?, ?)              | INSERT INTO items (id, qty, qty__cutover_new) VALUES (?, CAST((CAST(COALESCE(?, CAST(NULL AS bigint)) AS bigint))::int AS integer), ?)                        | 1,2,2
      COMPLETED  | INSERT INTO items (id, qty) VALUES (?, ?)              | INSERT INTO items (id, qty) VALUES (?, ?)                                                      | 1,2
      DUAL_WRITE | INSERT INTO items VALUES (?, ?, ?)                     | INSERT INTO items (id, qty, name, qty__cutover_new) VALUES (?, ?, ?, CAST((CAST(COALESCE(?, CAST(NULL AS integer)) AS integer))::bigint AS bigint))           | 1,2,3,2
      """)
  void writes_convertedIntoTheOtherColumn(Phase phase, String sql, String expected, String params) throws Exception {
    Rewrite r = rewrite(sql, phase);
    assertThat(r.sql()).isEqualTo(expected);
    int[] map = params == null ? new int[0] : java.util.Arrays.stream(params.split(",")).mapToInt(Integer::parseInt).toArray();
    if (r.parameterMap() != null) {
      assertThat(r.parameterMap()).containsExactly(map);
    }
  }

  @Test
  void insertSelect_convertedSelectItemIsNotLabelledInsideAConversion() throws Exception {
    Rewrite r = rewrite("INSERT INTO orders (id, amount) SELECT id + 1000, amount FROM orders WHERE id = ?",
        Phase.READ_NEW);
    assertThat(r.sql()).isEqualTo("INSERT INTO orders (id, amount, amount_cents) SELECT id + 1000,"
        + " CAST((amount_cents) / 100.0 AS numeric(10,2)), CAST(((CAST(COALESCE(CAST((amount_cents) / 100.0"
        + " AS numeric(10,2)), CAST(NULL AS numeric(10,2))) AS numeric(10,2))) * 100)::bigint AS bigint) FROM orders"
        + " WHERE id = ?");
    Rewrite inPlace = rewrite("INSERT INTO items (id, qty) SELECT id + 1000, qty FROM items", Phase.READ_NEW);
    assertThat(inPlace.sql()).isEqualTo("INSERT INTO items (id, qty, qty__cutover_new) SELECT id + 1000,"
        + " CAST((CAST(COALESCE(qty__cutover_new, CAST(NULL AS bigint)) AS bigint))::int AS integer), qty__cutover_new FROM items");
  }

  @Test
  void writes_volatileValueConvertedIntoBothColumnsIsRefused() {
    assertThatThrownBy(() -> rewrite("INSERT INTO orders (id, amount) VALUES (1, random())", Phase.DUAL_WRITE))
        .isInstanceOf(RewriteRefusedException.class).hasMessageContaining("random()");
  }

  @Test
  void upsert_excludedThroughEitherNameIsConverted() throws Exception {
    Rewrite r = rewrite("INSERT INTO orders (id, amount) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET"
        + " amount = excluded.amount", Phase.READ_NEW);
    assertThat(r.sql()).isEqualTo("INSERT INTO orders (id, amount, amount_cents) VALUES (?, ?,"
        + " CAST(((CAST(COALESCE(?, CAST(NULL AS numeric(10,2))) AS numeric(10,2))) * 100)::bigint AS bigint)) ON CONFLICT (id) DO UPDATE SET"
        + " amount = CAST((excluded.amount_cents) / 100.0 AS numeric(10,2)), amount_cents ="
        + " CAST(((CAST(COALESCE(CAST((excluded.amount_cents) / 100.0 AS numeric(10,2)), CAST(NULL AS numeric(10,2)))"
        + " AS numeric(10,2))) * 100)::bigint AS bigint)");
  }

  /** A converted reference from a subquery into grouped rows would fail in PostgreSQL (42803): refused. */
  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      READ_NEW   | SELECT o.amount, count(*) FROM orders o GROUP BY o.amount HAVING EXISTS (SELECT 1 FROM items i WHERE i.id = o.amount)
      READ_NEW   | SELECT o.amount, (SELECT count(*) FROM items i WHERE i.id = o.amount) FROM orders o GROUP BY o.amount
      DUAL_WRITE | SELECT o.amount_cents FROM orders o GROUP BY o.amount_cents ORDER BY (SELECT max(i.id) FROM items i WHERE i.id = o.amount_cents)
      READ_NEW   | SELECT o.amount, (SELECT count(*) FROM items i WHERE i.id = o.amount UNION ALL SELECT 1 LIMIT 1) FROM orders o GROUP BY o.amount
      READ_NEW   | SELECT o.amount, (SELECT d.c FROM (SELECT count(*) AS c FROM items i WHERE i.id = o.amount) d) FROM orders o GROUP BY o.amount
      READ_NEW   | SELECT o.amount, (WITH w AS (SELECT 1 AS x) SELECT count(*) FROM w WHERE w.x = o.amount) FROM orders o GROUP BY o.amount
      """)
  void correlatedConvertedReferenceIntoGroupedRows_refused(Phase phase, String sql) {
    assertThatThrownBy(() -> rewrite(sql, phase)).isInstanceOf(RewriteRefusedException.class)
        .hasMessageContaining("grouped rows of the enclosing query");
  }
}
