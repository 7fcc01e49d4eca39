-- Statements that name no migrating table: they must never be refused, even when the parser
-- cannot read them, and reach pgjdbc unchanged.

--@ category: unrelated
SELECT 1

SELECT now() IS NOT NULL

SELECT name FROM teams ORDER BY id

SELECT id, lead_name FROM teams WHERE lead_name IS NOT NULL ORDER BY id

SELECT * FROM teams ORDER BY id

SELECT t.* FROM teams t WHERE t.id = ?
--@ params: 2

SELECT count(*), sum(amount) FROM orders

SELECT status, count(*) FROM orders GROUP BY status ORDER BY status

SELECT o.id, t.name FROM orders o JOIN teams t ON t.id = o.user_id % 4 + 1 WHERE o.id < 5 ORDER BY o.id

SELECT DISTINCT ON (status) status, id FROM orders ORDER BY status, id

WITH x AS (SELECT id FROM teams) SELECT count(*) FROM x

SELECT id FROM orders WHERE amount > ANY(?) ORDER BY id
--@ params: [200, 300]

SELECT note::text, amount::int FROM orders WHERE id = 4

SELECT id FROM orders WHERE placed_at > {ts '2024-02-10 00:00:00'} ORDER BY id

SELECT 'users' AS word, 'full_name' AS other

SELECT $$SELECT full_name FROM users$$

SELECT 1 /* FROM users */

SELECT E'users\n' AS s

SELECT "full_name" FROM (SELECT 'x' AS "full_name") users_like

SELECT jsonb_build_object('users', 1) ?? 'users'
--@ mode: prepared

SELECT jsonb_build_object('a', 1) -> 'a', '{"b": 2}'::jsonb ->> 'b'

SELECT ARRAY[1, 2] && ARRAY[2, 3]

SELECT generate_series(1, 3) ORDER BY 1

SELECT name FROM teams FOR UPDATE

SELECT id FROM orders WHERE id = 1 FOR NO KEY UPDATE SKIP LOCKED

SELECT id FROM teams t WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = t.id) ORDER BY id

SELECT name FROM teams UNION SELECT status FROM orders ORDER BY 1

SELECT id, rank() OVER (ORDER BY amount DESC) FROM orders WHERE id < 6 ORDER BY id

SELECT x FROM LATERAL generate_series(1, 2) x

SELECT current_setting('search_path') IS NOT NULL

SELECT pg_typeof(1::int8)::text

SELECT count(*) FROM pg_catalog.pg_class WHERE relname = 'no_such_relation'

VALUES (1, 'a'), (2, 'b')

TABLE teams

SELECT a.x FROM (VALUES (1), (2)) a(x) ORDER BY 1

SELECT to_char(123.456, '999D99') AS formatted

SELECT split_part('a b', ' ', 2)

SELECT {fn ucase('users')}

INSERT INTO teams (id, name) VALUES (?, ?)
--@ params: $new, 'team $last'

INSERT INTO teams (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING RETURNING id
--@ params: 1, 'red again'

INSERT INTO teams (id, name, lead_name) VALUES (?, 'upserted', NULL) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name || '!'
--@ params: $last

UPDATE teams SET lead_name = lead_name WHERE id = 1

UPDATE teams SET name = name || '' WHERE id = ? RETURNING *
--@ params: 2

UPDATE orders o SET note = t.name FROM teams t WHERE t.id = 1 AND o.id = 7

DELETE FROM teams WHERE id = ?
--@ params: $last

DELETE FROM orders o USING teams t WHERE o.user_id = t.id + 1000000

INSERT INTO orders (id, user_id, amount) VALUES (?, 1, 3.25) RETURNING *
--@ params: $new

INSERT INTO orders (id, user_id, amount) SELECT ? * 1000 + id, id, 0.5 FROM teams
--@ params: $new

INSERT INTO orders (id, user_id, amount, status) VALUES (?, 2, 1.0, DEFAULT)
--@ params: $new

WITH d AS (DELETE FROM orders WHERE id = ? RETURNING id) SELECT count(*) FROM d
--@ params: $last

SELECT setseed(0.1); SELECT random() < 2

SELECT nextval('seq') > 0

UPDATE orders SET amount = amount WHERE status = 'never'; SELECT count(*) FROM teams

SELECT id FROM teams WHERE name SIMILAR TO '(red|blue)' ORDER BY id

SELECT id FROM teams WHERE name ILIKE 'R%' OR name ~ '^g' ORDER BY id

SELECT id FROM teams WHERE lead_name IS DISTINCT FROM NULL ORDER BY id

SELECT interval '1 day' + timestamp '2024-01-01'

SELECT users FROM teams users WHERE false
