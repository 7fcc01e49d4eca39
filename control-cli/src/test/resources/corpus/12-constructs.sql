-- Statements written by h-constructs for the constructs it teaches the rewriter (WITH, LATERAL,
-- DISTINCT ON, UPDATE ... FROM, DELETE ... USING, DEFAULT), from /work/notes/h-constructs-statements.sql.
-- Volatile ones are seeded (setseed) so that both sides compute the same values.

--@ category: constructs/with

WITH a AS (SELECT id, full_name FROM users) SELECT id, full_name FROM a ORDER BY id

WITH a AS (SELECT id, display_name FROM users) SELECT a.display_name, u.full_name FROM a JOIN users u ON u.id = a.id ORDER BY a.id

WITH a AS (SELECT id, full_name FROM users), b AS (SELECT full_name AS n, id FROM a) SELECT a.full_name, b.n FROM a JOIN b ON a.id = b.id ORDER BY a.id

WITH a AS (SELECT * FROM users) SELECT * FROM a ORDER BY id

WITH a(x, y) AS (SELECT id, full_name FROM users) SELECT y FROM a ORDER BY x

WITH a AS MATERIALIZED (SELECT id FROM users WHERE full_name = ?) SELECT u.display_name FROM users u JOIN a ON a.id = u.id
--@ params: 'Ada Lovelace'

WITH users AS (SELECT 1 AS id, 'cte' AS full_name) SELECT full_name FROM users

WITH t AS (SELECT id, name FROM teams) SELECT t.name, u.full_name FROM users u JOIN t ON t.id = u.team_id ORDER BY u.id

SELECT s.full_name FROM (WITH c AS (SELECT id, full_name FROM users) SELECT id, full_name FROM c) s ORDER BY s.id

WITH RECURSIVE r AS (SELECT id, full_name FROM users WHERE id = 1 UNION ALL SELECT u.id, u.full_name FROM users u JOIN r ON u.id = r.id + 1) SELECT id, full_name FROM r ORDER BY id

SELECT id FROM users WHERE full_name IN (WITH x AS (SELECT display_name FROM users WHERE id < 3) SELECT display_name FROM x) ORDER BY id

--@ category: constructs/with-data-modifying

WITH u AS (UPDATE users SET full_name = ? WHERE id = ? RETURNING *) SELECT * FROM u
--@ params: 'Grace Hopper', 1

WITH u AS (UPDATE users SET display_name = ? WHERE id = ? RETURNING id, full_name) SELECT full_name FROM u
--@ params: 'Grace Hopper', 2

WITH u AS (UPDATE users SET email = ? WHERE id = ? RETURNING id) SELECT id FROM u
--@ params: 'x@example.com', 2

WITH i AS (INSERT INTO users (id, full_name) VALUES (?, ?) RETURNING full_name, display_name) SELECT * FROM i
--@ params: 100, 'Edsger Dijkstra'

WITH d AS (DELETE FROM users WHERE id = ? RETURNING *) SELECT full_name, display_name FROM d
--@ params: 2

WITH d AS (DELETE FROM users WHERE id = ? RETURNING id, full_name) INSERT INTO users (id, full_name) SELECT id + 100, full_name FROM d
--@ params: 1

WITH t AS (SELECT id FROM teams WHERE name = 'red') UPDATE users SET full_name = ? WHERE team_id IN (SELECT id FROM t)
--@ params: 'Barbara Liskov'

WITH t AS (SELECT id, name FROM teams) INSERT INTO users (id, display_name) SELECT id + 200, name FROM t

WITH i AS (INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name || '!' RETURNING id, full_name) SELECT * FROM i
--@ params: 1, 'Ada Lovelace'

WITH u AS (UPDATE users SET team_id = 2 WHERE team_id = 1 RETURNING id, display_name) SELECT count(*), max(display_name) FROM u

WITH t AS (SELECT id FROM teams WHERE name = 'blue'), u AS (UPDATE users SET full_name = 'x' FROM t WHERE t.id = users.team_id RETURNING users.id, users.display_name) SELECT * FROM u ORDER BY id

DELETE FROM users WHERE id IN (WITH x AS (SELECT id FROM users WHERE full_name = ?) SELECT id FROM x) RETURNING id
--@ params: 'Ada Lovelace'

WITH u AS (DELETE FROM users WHERE display_name = ?) SELECT count(*) FROM users
--@ params: 'Alan Turing'

--@ category: constructs/lateral

WITH x AS (SELECT id, name FROM teams) SELECT u.id, l.n FROM users u, LATERAL (SELECT x.name || u.full_name AS n FROM x WHERE x.id = u.team_id) l ORDER BY u.id

SELECT u.id, x.f FROM users u, LATERAL (SELECT u.full_name AS f) x ORDER BY u.id

SELECT u.id, x.f FROM users u CROSS JOIN LATERAL (SELECT upper(u.display_name) || t.name AS f FROM teams t WHERE t.id = u.team_id) x ORDER BY u.id

SELECT u.id, x.* FROM users u LEFT JOIN LATERAL (SELECT t.name, u.full_name FROM teams t WHERE t.id = u.team_id) x ON true ORDER BY u.id

SELECT t.name, x.full_name FROM teams t, LATERAL (SELECT full_name FROM users WHERE team_id = t.id ORDER BY id LIMIT 1) x ORDER BY t.id

SELECT t.name, x.n FROM teams t CROSS JOIN LATERAL (SELECT count(display_name) AS n FROM users u WHERE u.team_id = t.id) x ORDER BY t.id

SELECT u.id, w FROM users u, unnest(string_to_array(u.full_name, ' ')) w ORDER BY u.id, w

SELECT u.id, g FROM users u, LATERAL generate_series(1, length(full_name) % 3) g ORDER BY u.id, g

SELECT u.id, g.n FROM users u CROSS JOIN LATERAL generate_series(1, length(u.display_name) % 3) AS g(n) ORDER BY u.id, g.n

--@ category: constructs/distinct-on

SELECT DISTINCT ON (full_name) full_name, id FROM users ORDER BY full_name, id

SELECT DISTINCT ON (team_id) team_id, display_name FROM users ORDER BY team_id, display_name

SELECT DISTINCT ON (u.full_name, lower(email)) id FROM users u ORDER BY u.full_name, lower(email), id

SELECT * FROM (SELECT DISTINCT ON (team_id) team_id, full_name FROM users ORDER BY team_id, full_name DESC) s ORDER BY team_id

INSERT INTO users (id, full_name) SELECT DISTINCT ON (team_id) id + 10, full_name FROM users ORDER BY team_id, id

UPDATE teams SET name = s.full_name FROM (SELECT DISTINCT ON (team_id) team_id, full_name FROM users ORDER BY team_id, id) s WHERE s.team_id = teams.id

--@ category: constructs/update-from-delete-using

UPDATE users SET full_name = ? FROM teams t WHERE t.id = users.team_id AND t.name = 'red' RETURNING t.name, users.full_name, display_name
--@ params: 'Grace'

UPDATE users SET full_name = t.name FROM teams t WHERE t.id = users.team_id AND users.id = ?
--@ params: 1

UPDATE users u SET email = t.name FROM teams t WHERE t.id = u.team_id RETURNING u.id, u.full_name, t.name

UPDATE users SET display_name = upper(u2.full_name) FROM users u2 WHERE u2.id = users.id + 1 RETURNING users.id, users.full_name

UPDATE teams SET name = u.full_name FROM users u WHERE u.team_id = teams.id AND u.display_name IS NOT NULL AND u.id = 1

UPDATE users SET email = full_name IS DISTINCT FROM 'x' FROM teams WHERE teams.id = users.team_id

DELETE FROM users USING teams t WHERE t.id = users.team_id AND users.full_name = ?
--@ params: 'Ada Lovelace'

DELETE FROM teams USING users u WHERE u.team_id = teams.id AND u.full_name = ? RETURNING teams.id, u.display_name
--@ params: 'Ada Lovelace'

DELETE FROM users u USING teams t WHERE t.id = u.team_id AND t.name = 'blue' RETURNING *

DELETE FROM teams t USING users u WHERE u.team_id = t.id AND u.display_name = 'Alan Turing'

UPDATE users SET email = u2.display_name FROM users u2 WHERE u2.id = users.id - 1

--@ category: constructs/default-values

INSERT INTO users VALUES (?, DEFAULT, DEFAULT, 1)
--@ params: 301

UPDATE users SET full_name = DEFAULT WHERE id = ?
--@ params: 1

UPDATE users SET display_name = DEFAULT, email = 'd' WHERE id = ? RETURNING full_name, display_name
--@ params: 2

--@ category: constructs/join-using

SELECT a.id, full_name FROM users a JOIN users b USING (full_name) WHERE b.id = 1

SELECT a.id, b.id, display_name FROM users a JOIN users b USING (id, display_name) ORDER BY a.id

--@ category: constructs/volatile

SELECT setseed(0.4); INSERT INTO users (id, full_name) VALUES (?, md5(random()::text))
--@ params: 400

SELECT setseed(0.4); INSERT INTO users(id,display_name)VALUES(410,md5(random()::text)) RETURNING *

SELECT setseed(0.4); INSERT INTO users (id, display_name) VALUES (?, md5(random()::text) || ?) RETURNING full_name = display_name
--@ params: 401, '-x'

SELECT setseed(0.4); INSERT INTO users VALUES (?, md5(random()::text), ?, 1) ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name
--@ params: 402, 'e'

INSERT INTO users (full_name, id) VALUES ((SELECT full_name FROM users WHERE id = ?), ?)
--@ params: 2, 403
