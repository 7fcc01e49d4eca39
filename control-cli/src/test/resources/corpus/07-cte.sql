-- WITH: plain, several, referencing each other, recursive, data-modifying (INSERT / UPDATE /
-- DELETE ... RETURNING inside WITH), and CTEs in front of writes.

--@ category: cte/read
WITH x AS (SELECT id, full_name FROM users WHERE id < 5) SELECT * FROM x ORDER BY id

WITH x AS (SELECT display_name FROM users WHERE id = 2) SELECT display_name FROM x

WITH x AS (SELECT full_name AS n FROM users) SELECT count(n) FROM x

WITH named AS (SELECT id, display_name FROM users WHERE display_name IS NOT NULL) SELECT n.id FROM named n WHERE n.display_name LIKE 'A%' ORDER BY n.id

WITH a AS (SELECT id, full_name FROM users WHERE id < 6), b AS (SELECT id FROM a WHERE full_name LIKE 'User%') SELECT * FROM b ORDER BY id

WITH t AS (SELECT lead_name FROM teams) SELECT u.id FROM users u JOIN t ON t.lead_name = u.full_name ORDER BY u.id

WITH u AS (SELECT * FROM users WHERE id < 3) SELECT * FROM u ORDER BY id

WITH counts AS (SELECT team_id, count(display_name) AS c FROM users GROUP BY team_id) SELECT t.name, c.c FROM teams t JOIN counts c ON c.team_id = t.id ORDER BY t.id

WITH x(n) AS (SELECT full_name FROM users WHERE id = 5) SELECT n FROM x

WITH x AS MATERIALIZED (SELECT display_name FROM users WHERE id = 6) SELECT * FROM x

WITH x AS NOT MATERIALIZED (SELECT full_name FROM users WHERE id = 7) SELECT full_name FROM x

WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT r.n, u.full_name FROM r JOIN users u ON u.id = r.n ORDER BY r.n

WITH RECURSIVE chain AS (SELECT id, display_name FROM users WHERE id = 1 UNION ALL SELECT u.id, u.display_name FROM users u JOIN chain c ON u.id = c.id + 1 WHERE u.id < 4) SELECT * FROM chain ORDER BY id

WITH x AS (SELECT id FROM users WHERE full_name = ?) SELECT id FROM x
--@ params: 'User 8'

WITH teams_led AS (SELECT id FROM teams WHERE lead_name IS NOT NULL) SELECT name FROM teams WHERE id IN (SELECT id FROM teams_led) ORDER BY id

SELECT id FROM users WHERE team_id IN (WITH t AS (SELECT id FROM teams WHERE name = 'red') SELECT id FROM t) AND display_name LIKE 'User 1%' ORDER BY id

--@ category: cte/write
WITH ins AS (INSERT INTO users (id, full_name) VALUES (?, ?) RETURNING id, full_name) SELECT * FROM ins
--@ params: $new, 'Cte insert $last'

WITH ins AS (INSERT INTO users (id, display_name) VALUES (?, ?) RETURNING display_name) SELECT display_name FROM ins
--@ params: $new, 'Cte insert new $last'

WITH upd AS (UPDATE users SET full_name = ? WHERE id = ? RETURNING id, display_name) SELECT * FROM upd
--@ params: 'Cte update $last', 39

WITH upd AS (UPDATE users SET display_name = display_name || '!' WHERE id = 40 RETURNING full_name) SELECT count(*) FROM upd

WITH del AS (DELETE FROM users WHERE full_name = 'Cte doomed' RETURNING id) SELECT count(*) FROM del

WITH src AS (SELECT id, full_name FROM users WHERE id = 5) UPDATE users SET display_name = src.full_name || ' (cte)' FROM src WHERE users.id = src.id + 1

WITH src AS (SELECT lead_name FROM teams WHERE id = 2) INSERT INTO users (id, full_name) SELECT ?, lead_name FROM src
--@ params: $new

WITH src AS (SELECT ? AS id, 'Cte values' AS n) INSERT INTO users (id, display_name) SELECT id, n FROM src
--@ params: $new

WITH moved AS (DELETE FROM users WHERE id = ? RETURNING id, full_name) INSERT INTO users (id, full_name) SELECT id + 500000000, full_name FROM moved
--@ params: $last

WITH t AS (SELECT 1) UPDATE users SET full_name = 'Cte plain update' WHERE id = 7

WITH t AS (SELECT 7 AS id) DELETE FROM users WHERE id IN (SELECT id + 100000000 FROM t) AND display_name IS NULL

WITH a AS (UPDATE users SET score = score + 1 WHERE id = 8 RETURNING id), b AS (UPDATE orders SET note = 'touched' WHERE user_id IN (SELECT id FROM a) RETURNING id) SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b)

WITH o AS (UPDATE orders SET status = 'paid' WHERE id = 3 RETURNING user_id) SELECT u.display_name FROM users u JOIN o ON o.user_id = u.id
