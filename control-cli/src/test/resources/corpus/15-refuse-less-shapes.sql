-- The ordinary PostgreSQL shapes of the second refuse-less round: window frames GROUPS and
-- EXCLUDE, keyword labels, SELECT * with JOIN ... USING, array subscripts and slices, UPDATE from a
-- scalar subquery, VALUES anchors, column definition lists, MERGE.

--@ category: refuse-less/window-frames

SELECT id, count(*) OVER (ORDER BY score GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) AS c, full_name FROM users WHERE id < 12 ORDER BY id

SELECT id, string_agg(display_name, ',') OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW) FROM users WHERE id < 8 ORDER BY id

SELECT id, first_value(full_name) OVER (ORDER BY score, id RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE TIES) FROM users WHERE id < 10 ORDER BY id

SELECT id, count(full_name) OVER w, max(full_name) OVER w FROM users WHERE id < 10 WINDOW w AS (ORDER BY score GROUPS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE GROUP) ORDER BY id

SELECT id, max(display_name) OVER (PARTITION BY team_id ORDER BY score GROUPS 1 PRECEDING) FROM users WHERE id < 15 ORDER BY id

SELECT id, count(display_name) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW EXCLUDE NO OTHERS) FROM users WHERE id < 9 ORDER BY id

SELECT id, min(full_name) OVER (ORDER BY score GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING EXCLUDE TIES) FROM users WHERE id < 12 ORDER BY id

--@ category: refuse-less/keyword-labels

SELECT full_name AS next FROM users WHERE id = ?
--@ params: 3

SELECT id, display_name AS new FROM users WHERE id < 5 ORDER BY id

SELECT full_name AS over, display_name AS partition FROM users WHERE id = ?
--@ params: 6

SELECT u.display_name AS NEXT, u.id AS New FROM users u WHERE u.id IN (1, 2) ORDER BY u.id

SELECT t.name AS partition, count(u.full_name) AS over FROM teams t LEFT JOIN users u ON u.team_id = t.id GROUP BY t.name ORDER BY t.name

SELECT upper(full_name) AS next, lower(display_name) AS new FROM users WHERE id = 4

SELECT s.next FROM (SELECT full_name AS next, id FROM users) s WHERE s.id = ?
--@ params: 2

--@ category: refuse-less/using-star

SELECT * FROM users JOIN teams USING (id) ORDER BY id

SELECT * FROM users u LEFT JOIN orders o USING (id) WHERE u.id < 6 ORDER BY id

SELECT * FROM teams t FULL JOIN users u USING (id) WHERE id > 35 OR id < 3 ORDER BY id

SELECT * FROM orders o JOIN users u USING (id) WHERE o.amount > ? ORDER BY id
--@ params: 100

SELECT * FROM users u RIGHT JOIN teams t USING (id) ORDER BY id

SELECT * FROM users u JOIN users v USING (id) WHERE u.id = ?
--@ params: 5

SELECT * FROM users u JOIN teams t USING (id) JOIN orders o USING (id) ORDER BY id

SELECT * FROM users NATURAL JOIN teams ORDER BY id

--@ category: refuse-less/array-subscripts

SELECT tags[1], full_name FROM users WHERE id = ?
--@ params: 7

SELECT tags[1:2], display_name FROM users WHERE id < 4 ORDER BY id

SELECT id, tags[:1], tags[2:], full_name FROM users WHERE id < 5 ORDER BY id

SELECT u.tags[array_length(u.tags, 1)] AS last_tag, u.display_name FROM users u WHERE u.id = 9

SELECT id FROM users WHERE tags[1] = 't1' AND full_name IS NOT NULL ORDER BY id

SELECT (string_to_array(full_name, ' '))[1] AS first_word FROM users WHERE id = 12

UPDATE users SET tags[1] = ? WHERE full_name = ?
--@ params: 'first', 'User 10'

UPDATE users SET tags[2] = 'second', display_name = upper(display_name) WHERE id = ? RETURNING tags, full_name
--@ params: 11

UPDATE users SET score = score + 1, tags[1:2] = ARRAY['a', 'b'] WHERE display_name = ? RETURNING id, tags
--@ params: 'User 13'

--@ category: refuse-less/update-subquery

UPDATE users SET full_name = (SELECT name FROM teams WHERE teams.id = users.team_id) WHERE id = 14

UPDATE users SET display_name = (SELECT lead_name FROM teams WHERE id = 2), score = 3 WHERE id = 15

UPDATE users u SET full_name = (SELECT max(o.status) FROM orders o WHERE o.user_id = u.id) WHERE u.id BETWEEN 16 AND 18

UPDATE users SET display_name = (SELECT t.name || ' member' FROM teams t WHERE t.id = users.team_id) WHERE team_id = ? RETURNING id, full_name, display_name
--@ params: 3

UPDATE users SET full_name = (SELECT lead_name FROM teams WHERE id = 99) WHERE id = 19

UPDATE users SET (full_name, email) = (SELECT name, name || '@team.example' FROM teams WHERE teams.id = 1) WHERE id = 20

INSERT INTO users (id, full_name) VALUES (?, 'Upsert sub') ON CONFLICT (id) DO UPDATE SET display_name = (SELECT name FROM teams WHERE id = 4)
--@ params: $new

--@ category: refuse-less/values-anchor

WITH RECURSIVE r(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM r WHERE n < 4) SELECT r.n, u.full_name FROM r JOIN users u ON u.id = r.n ORDER BY r.n

WITH RECURSIVE chain(id, depth) AS (VALUES (1, 0) UNION ALL SELECT c.id + 1, c.depth + 1 FROM chain c WHERE c.depth < 3) SELECT chain.depth, users.display_name FROM chain JOIN users USING (id) ORDER BY chain.depth

SELECT u.id, v.x FROM users u, LATERAL (VALUES (u.full_name), (u.email)) v(x) WHERE u.id < 3 ORDER BY u.id, v.x

SELECT u.id, v.k, v.val FROM users u CROSS JOIN LATERAL (VALUES ('name', u.display_name), ('mail', u.email)) AS v(k, val) WHERE u.id = ? ORDER BY v.k
--@ params: 5

SELECT v.n, u.full_name FROM (VALUES (1), (2), (3)) v(n) JOIN users u ON u.id = v.n ORDER BY v.n

--@ category: refuse-less/column-definition-list

SELECT u.id, m.city FROM users u, jsonb_to_record(u.profile) AS m(city text, age int) WHERE u.full_name IS NOT NULL AND u.id < 5 ORDER BY u.id

SELECT u.display_name, m.age FROM users u CROSS JOIN LATERAL jsonb_to_record(u.profile) AS m(age int) WHERE u.id = ?
--@ params: 6

SELECT x.full_name, x.n FROM jsonb_to_recordset('[{"full_name": "a", "n": 1}]') AS x(full_name text, n int)

SELECT u.id, x.* FROM users u, jsonb_to_recordset(jsonb_build_array(jsonb_build_object('k', u.full_name))) AS x(k text) WHERE u.id < 4 ORDER BY u.id

SELECT u.id, p.vip FROM users u, json_to_record(u.profile::json) AS p(vip boolean, city varchar(10)) WHERE u.display_name LIKE 'User 1%' ORDER BY u.id

--@ category: refuse-less/merge

MERGE INTO users u USING teams t ON u.id = t.id WHEN MATCHED THEN UPDATE SET full_name = t.name

MERGE INTO users u USING (VALUES (?, 'merge')) v(id, n) ON u.id = v.id WHEN MATCHED THEN UPDATE SET email = v.n || '@m' WHEN NOT MATCHED THEN INSERT (id, full_name) VALUES (v.id, v.n)
--@ params: $new
