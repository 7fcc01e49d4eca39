package dev.cutover.rewriter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.Phase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Ordinary PostgreSQL shapes that were refused on a migrating table and are now rewritten: window
 * frames in GROUPS units, keyword labels after AS, array slices and subscripted assignment, a SET
 * from a scalar subquery (once, through a row assignment), VALUES as a query, column definition
 * lists, SELECT * over JOIN ... USING and NATURAL JOIN (chains included), and explicit tables ({@code TABLE users}, PostgreSQL's
 * {@code SELECT * FROM users}), {@code ROWS FROM} of one function, a FROM function whose first argument is a call, and {@code unnest(...)} in an expression. The corpus ({@code 15-refuse-less-shapes.sql}) runs
 * the same shapes against PostgreSQL at every phase.
 */
class RefuseLessRewriteTest {

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      READ_NEW   | SELECT id, count(*) OVER (ORDER BY id GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE TIES), full_name FROM users | SELECT id, count(*) OVER (ORDER BY id GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE TIES), display_name AS full_name FROM users
      READ_NEW   | SELECT id, max(full_name) OVER (GROUPS BETWEEN CURRENT ROW AND 2 FOLLOWING) FROM users | SELECT id, max(display_name) OVER (GROUPS BETWEEN CURRENT ROW AND 2 FOLLOWING) FROM users
      READ_NEW   | SELECT id, max(full_name) OVER (PARTITION BY email ORDER BY id DESC GROUPS 1 PRECEDING) FROM users | SELECT id, max(display_name) OVER (PARTITION BY email ORDER BY id DESC GROUPS 1 PRECEDING) FROM users
      READ_NEW   | SELECT full_name AS next, email AS partition FROM users | SELECT display_name AS next, email AS partition FROM users
      READ_NEW   | SELECT full_name AS new, id AS over FROM users | SELECT display_name AS new, id AS over FROM users
      READ_NEW   | SELECT id FROM users WHERE full_name[1:2] = ? | SELECT id FROM users WHERE display_name[1:2] = ?
      READ_NEW   | SELECT id FROM users WHERE full_name[:2] = ? AND full_name[2:] = ? | SELECT id FROM users WHERE display_name[:2] = ? AND display_name[2:] = ?
      READ_NEW   | UPDATE users SET email[1] = ? WHERE full_name = ? | UPDATE users SET email[1] = ? WHERE display_name = ?
      DUAL_WRITE | UPDATE users SET full_name = (SELECT owner FROM accounts WHERE accounts.id = users.id) WHERE id = ? | UPDATE users SET (full_name, display_name) = (SELECT cutover_once.v, cutover_once.v FROM (SELECT owner FROM accounts WHERE accounts.id = users.id) AS cutover_once(v)) WHERE id = ?
      READ_NEW   | UPDATE users SET display_name = (SELECT max(full_name) FROM users), email = ? | UPDATE users SET (full_name, display_name) = (SELECT cutover_once.v, cutover_once.v FROM (SELECT max(display_name) FROM users) AS cutover_once(v)), email = ?
      COMPLETED  | UPDATE users SET full_name = (SELECT owner FROM accounts LIMIT 1) | UPDATE users SET display_name = (SELECT owner FROM accounts LIMIT 1)
      READ_NEW   | SELECT u.id, v.x FROM users u, LATERAL (VALUES (u.full_name), (u.email)) v(x) | SELECT u.id, v.x FROM users u, LATERAL (VALUES (u.display_name), (u.email)) v(x)
      READ_NEW   | WITH RECURSIVE r(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT u.full_name FROM r JOIN users u ON u.id = r.n | WITH RECURSIVE r(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT u.display_name AS full_name FROM r JOIN users u ON u.id = r.n
      READ_NEW   | SELECT u.id, m.a FROM users u, jsonb_to_record(u.email::jsonb) AS m(a text, b numeric(10, 2)) WHERE u.full_name = ? | SELECT u.id, m.a FROM users u, jsonb_to_record(u.email::jsonb) AS m(a text, b numeric(10, 2)) WHERE u.display_name = ?
      READ_NEW   | SELECT * FROM users u JOIN orders o USING (id) | SELECT id, u.display_name AS full_name, u.email, u.display_name, o.user_id, o.total FROM users u JOIN orders o USING (id)
      COMPLETED  | SELECT * FROM orders o LEFT JOIN users u USING (id) | SELECT id, o.user_id, o.total, u.email, u.display_name AS full_name, u.display_name FROM orders o LEFT JOIN users u USING (id)
      READ_NEW   | SELECT * FROM users NATURAL JOIN orders | SELECT id, users.display_name AS full_name, users.email, users.display_name, orders.user_id, orders.total FROM users NATURAL JOIN orders
      READ_NEW   | SELECT * FROM users u JOIN orders o USING (id) JOIN orders o2 USING (id, user_id) | SELECT id, user_id, u.display_name AS full_name, u.email, u.display_name, o.total, o2.total FROM users u JOIN orders o USING (id) JOIN orders o2 USING (id, user_id)
      COMPLETED  | SELECT * FROM orders o FULL JOIN users u USING (id) NATURAL JOIN orders o2 | SELECT id, user_id, total, u.email, u.display_name AS full_name, u.display_name FROM orders o FULL JOIN users u USING (id) NATURAL JOIN orders o2
      READ_NEW   | SELECT u.id, x.* FROM users u, jsonb_to_recordset(jsonb_build_array(jsonb_build_object('k', u.full_name))) AS x(k text) | SELECT u.id, x.* FROM users u, jsonb_to_recordset((jsonb_build_array(jsonb_build_object('k', u.display_name)))) AS x(k text)
      READ_NEW   | SELECT u.full_name FROM users u JOIN LATERAL generate_series(abs(u.id), 3) g ON true | SELECT u.display_name AS full_name FROM users u JOIN LATERAL generate_series((abs(u.id)), 3) g ON true
      READ_NEW   | SELECT f(g(1)), full_name FROM users | SELECT f(g(1)), display_name AS full_name FROM users
      READ_NEW   | TABLE users | SELECT id, display_name AS full_name, email, display_name FROM users
      PLANNED    | table users | SELECT id, full_name, email, full_name AS display_name FROM users
      READ_NEW   | SELECT * FROM (TABLE users) t ORDER BY id | SELECT * FROM (SELECT id, display_name AS full_name, email, display_name FROM users) t ORDER BY id
      READ_NEW   | TABLE orders | TABLE orders
      READ_NEW   | SELECT unnest(tags) AS tag, full_name FROM users WHERE id = 2 ORDER BY tag | SELECT unnest(tags) AS tag, display_name AS full_name FROM users WHERE id = 2 ORDER BY tag
      COMPLETED  | SELECT id, unnest(ARRAY[full_name, email]) FROM users | SELECT id, unnest(ARRAY[display_name, email]) FROM users
      READ_NEW   | SELECT u.full_name FROM users u CROSS JOIN LATERAL unnest(ARRAY[u.full_name]) AS t(x) | SELECT u.display_name AS full_name FROM users u CROSS JOIN LATERAL unnest(ARRAY[u.display_name]) AS t(x)
      READ_NEW   | SELECT t.x, u.full_name FROM users u, unnest(ARRAY[1, 2]) AS t(x) | SELECT t.x, u.display_name AS full_name FROM users u, unnest(ARRAY[1, 2]) AS t(x)
      READ_NEW   | SELECT u.full_name, g.n FROM users u, ROWS FROM (generate_series(1, 2)) AS g(n) WHERE u.id = g.n | SELECT u.display_name AS full_name, g.n FROM users u, ROWS FROM (generate_series(1, 2)) AS g(n) WHERE u.id = g.n
      COMPLETED  | SELECT g.x FROM ROWS FROM (generate_series(1, 3)) g(x) JOIN users ON users.id = g.x WHERE users.full_name = ? | SELECT g.x FROM ROWS FROM (generate_series(1, 3)) g(x) JOIN users ON users.id = g.x WHERE users.display_name = ?
      READ_NEW   | LOCK TABLE users IN SHARE MODE | LOCK TABLE users IN SHARE MODE
      """)
  void rewrite_ordinaryShape_isRewritten(Phase phase, String sql, String expected) throws Exception {
    Rewrite r = Fixtures.rewrite(sql, phase);
    RenameMatrixTest.checkInvariants(sql, r, phase);
    assertThat(r.sql()).isEqualTo(expected);
  }
}
