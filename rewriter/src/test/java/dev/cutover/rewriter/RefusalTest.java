package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.migration.Phase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every refused construct names the migration and the construct. */
class RefusalTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      ALTER TABLE users RENAME COLUMN full_name TO x                         | cutover CLI
      DROP TABLE users                                                       | cutover CLI
      TRUNCATE users                                                         | cutover CLI
      CREATE INDEX users_n ON users (full_name)                              | cutover CLI
      SELECT * FROM users UNION SELECT id, full_name, email FROM users       | UNION
      SELECT id FROM orders WHERE (user_id, 1, 2, 3) IN (SELECT * FROM users) | subquery
      WITH x AS (SELECT * FROM users) SELECT id FROM orders UNION SELECT * FROM x | list the columns
      INSERT INTO orders SELECT * FROM (SELECT * FROM users) t               | list the columns
      WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r) SEARCH DEPTH FIRST BY n SET o SELECT full_name FROM users | SEARCH
      SELECT u.id FROM users u NATURAL JOIN accounts a                       | NATURAL JOIN
      SELECT u.id FROM users u NATURAL JOIN generate_series(1, 2) g          | NATURAL JOIN
      UPDATE users SET full_name = random()::text FROM orders o WHERE o.user_id = users.id | random()
      WITH u AS (UPDATE users SET full_name = random()::text RETURNING id) SELECT id FROM u | random()
      INSERT INTO users SELECT * FROM accounts                               | INSERT ... SELECT *
      INSERT INTO users (id, full_name) SELECT id, random()::text FROM accounts | random()
      SELECT full_name FROM users u, generate_series(1, 2) s                 | unknown columns
      SELECT id FROM users WHERE EXISTS (SELECT 1 FROM generate_series(1, 2) g WHERE g.g = full_name) | unknown columns
      SELECT full_name FROM users u, (SELECT id, 1 + 1 FROM orders) s        | unknown columns
      SELECT full_name FROM users JOIN mystery m ON m.id = users.id          | unknown columns
      SELECT full_name FROM users, accounts                                  | ambiguous
      SELECT * FROM users u JOIN orders o USING (id) JOIN orders o2 ON o2.id = u.id | has a namesake
      SELECT * FROM users u JOIN orders o USING (id), generate_series(1, 2) g | whose columns are not known
      SELECT * FROM users u JOIN users v USING (full_name)                   | a migration column
      SELECT a.id FROM users a JOIN accounts b USING (display_name)          | USING
      SELECT full_name FROM users WHERE id = $1                              | $n
      SELECT interval, full_name FROM users                                  | parser
      UPDATE users SET full_name = ?, display_name = ?                       | twice
      INSERT INTO users (full_name, display_name) VALUES (?, ?)              | twice
      INSERT INTO users (id, full_name, email) VALUES (?, random()::text, DEFAULT) | random()
      UPDATE users SET full_name = md5(random()::text) WHERE id = ?          | random()
      INSERT INTO users (id, full_name) VALUES (nextval('seq'), concat('Seq ', currval('seq'))) | computing the value written to both columns once
      INSERT INTO users (id, full_name) VALUES (nextval('s'), ?), (?, gen_random_uuid()::text) | gen_random_uuid()
      UPDATE users SET full_name = clock_timestamp()::text                   | clock_timestamp()
      UPDATE users SET full_name = upper((SELECT owner FROM accounts LIMIT 1)) | subquery
      UPDATE users SET full_name[1] = ? WHERE id = ?                         | element or slice
      UPDATE users SET email[length(full_name)] = ? WHERE id = ?             | parser
      MERGE INTO users u USING accounts a ON u.id = a.id WHEN NOT MATCHED BY SOURCE THEN DELETE | BY SOURCE
      MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN DELETE RETURNING u.full_name | RETURNING
      MERGE INTO users u USING accounts a ON u.id = a.id WHEN NOT MATCHED THEN INSERT VALUES (a.id, a.owner) | list the columns
      MERGE INTO users u USING accounts a ON u.id = a.id WHEN NOT MATCHED THEN INSERT (id, full_name) VALUES (a.id, random()::text) | random()
      MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN UPDATE SET full_name = random()::text | random()
      MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN UPDATE SET (full_name, email) = (a.owner, a.owner) | row assignment
      MERGE INTO users u USING accounts a JOIN orders o ON o.id = a.id ON u.id = a.id WHEN MATCHED THEN DELETE | a join
      WITH s AS (SELECT * FROM accounts) MERGE INTO users u USING s ON u.id = s.id WHEN MATCHED THEN DELETE | MERGE (in a CTE
      WITH m AS (MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED THEN DELETE) SELECT 1 | MERGE (in a CTE
      MERGE INTO users u USING accounts a ON u.id = a.id WHEN MATCHED AND u IS NOT NULL THEN DELETE | whole row of the MERGE target
      UPDATE users SET (full_name, email) = (SELECT * FROM accounts WHERE id = 1) WHERE id = ? | SELECT *
      UPDATE users SET (full_name, email) = (SELECT owner FROM accounts WHERE id = 1) WHERE id = ? | 1 columns for 2 targets
      UPDATE users SET (full_name, email) = (SELECT ?, ?) + 1 WHERE id = ?    | row assignment
      UPDATE users SET (full_name) = (?) WHERE id = ?                         | row assignment
      COPY users (full_name) FROM STDIN                                      | COPY
      EXPLAIN CREATE TABLE x AS SELECT full_name FROM users                  | EXPLAIN
      CREATE TEMP TABLE users AS SELECT full_name FROM users                 | hide it
      SELECT full_name INTO public.users FROM users                          | hide it
      CREATE TABLE x AS TABLE users                                          | CREATE TABLE ... AS TABLE
      CREATE TABLE x (LIKE users)                                            | cutover CLI
      """)
  void rewrite_refusesConstruct(String text, String construct) {
    String sql = text.replace("\\n", "\n");
    assertThatThrownBy(() -> Fixtures.rewrite(sql, Phase.DUAL_WRITE))
        .isInstanceOf(RewriteRefusedException.class)
        .hasMessageContaining(Fixtures.ID)
        .hasMessageContaining(construct)
        .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((RewriteRefusedException) e).migrationId())
            .isEqualTo(Fixtures.ID));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      READ_NEW   | SELECT a.id FROM users a JOIN accounts b USING (full_name)      | USING
      COMPLETED  | SELECT a.id FROM users a JOIN accounts b USING (full_name)      | USING
      PLANNED    | SELECT a.id FROM users a JOIN accounts b USING (display_name)   | USING
      """)
  void rewrite_refusesUsingWhoseSidesReadDifferentColumns(Phase phase, String sql, String construct) {
    assertThatThrownBy(() -> Fixtures.rewrite(sql, phase))
        .isInstanceOf(RewriteRefusedException.class)
        .hasMessageContaining(construct)
        .hasMessageContaining("write the join condition with ON");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      INSERT INTO users VALUES (?, ?, ?)              | catalog
      SELECT * FROM users                             | catalog
      """)
  void rewrite_refusesWhenCatalogDoesNotKnowTheTable(String sql, String construct) {
    assertThatThrownBy(() -> new StatementRewriter().rewrite(sql, Fixtures.snapshot(Phase.DUAL_WRITE),
            new MapCatalog().with("public", "orders", "id")))
        .isInstanceOf(RewriteRefusedException.class)
        .hasMessageContaining(construct);
  }
}
