-- Queries written the way PostgreSQL's regression tests write them (aggregates, window functions,
-- subqueries, CTEs, string, JSON, array and date functions, set operations, writes), each over
-- the migrating column through its old and its new name.

--@ category: regress/aggregates

SELECT count(full_name), count(DISTINCT full_name), min(full_name), max(full_name) FROM users

SELECT team_id, array_agg(full_name ORDER BY full_name DESC NULLS LAST) FROM users WHERE id < 15 GROUP BY team_id ORDER BY team_id NULLS FIRST

SELECT string_agg(DISTINCT full_name, ',' ORDER BY full_name) FROM users WHERE team_id = 1

SELECT team_id, count(*) FILTER (WHERE full_name LIKE 'User 1%') AS ones, count(*) FILTER (WHERE full_name IS NULL) AS nulls FROM users GROUP BY team_id ORDER BY team_id NULLS LAST

SELECT team_id, score, count(full_name) FROM users GROUP BY GROUPING SETS ((team_id), (score), ()) ORDER BY team_id NULLS FIRST, score NULLS FIRST, 3

SELECT team_id, score, min(full_name) FROM users WHERE id < 20 GROUP BY ROLLUP (team_id, score) ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3 NULLS FIRST

SELECT team_id, score, max(full_name) FROM users WHERE id < 20 GROUP BY CUBE (team_id, score) ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3 NULLS FIRST

SELECT bool_and(full_name IS NOT NULL), bool_or(full_name = 'Ada Lovelace'), every(score >= 0) FROM users

SELECT length(full_name) AS len, count(*) FROM users GROUP BY 1 ORDER BY 1 NULLS FIRST

SELECT percentile_disc(0.25) WITHIN GROUP (ORDER BY full_name) FROM users

SELECT mode() WITHIN GROUP (ORDER BY full_name) FROM users WHERE full_name IS NOT NULL AND id < 4

SELECT team_id FROM users GROUP BY team_id HAVING max(full_name) > 'User 3' ORDER BY team_id NULLS FIRST

SELECT json_agg(full_name ORDER BY id) FILTER (WHERE score = 1) FROM users

SELECT count(*) FROM (SELECT DISTINCT full_name FROM users) s

SELECT DISTINCT ON (team_id) team_id, full_name FROM users ORDER BY team_id NULLS FIRST, id DESC

SELECT count(display_name), count(DISTINCT display_name), min(display_name), max(display_name) FROM users

SELECT team_id, array_agg(display_name ORDER BY display_name DESC NULLS LAST) FROM users WHERE id < 15 GROUP BY team_id ORDER BY team_id NULLS FIRST

SELECT string_agg(DISTINCT display_name, ',' ORDER BY display_name) FROM users WHERE team_id = 2

SELECT team_id, count(*) FILTER (WHERE display_name LIKE 'User 1%') AS ones, count(*) FILTER (WHERE display_name IS NULL) AS nulls FROM users GROUP BY team_id ORDER BY team_id NULLS LAST

SELECT team_id, score, count(display_name) FROM users GROUP BY GROUPING SETS ((team_id), (score), ()) ORDER BY team_id NULLS FIRST, score NULLS FIRST, 3

SELECT team_id, score, min(display_name) FROM users WHERE id < 20 GROUP BY ROLLUP (team_id, score) ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3 NULLS FIRST

SELECT team_id, score, max(display_name) FROM users WHERE id < 20 GROUP BY CUBE (team_id, score) ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3 NULLS FIRST

SELECT bool_and(display_name IS NOT NULL), bool_or(display_name = 'Ada Lovelace'), every(score >= 0) FROM users

SELECT length(display_name) AS len, count(*) FROM users GROUP BY 1 ORDER BY 1 NULLS FIRST

SELECT percentile_disc(0.25) WITHIN GROUP (ORDER BY display_name) FROM users

SELECT mode() WITHIN GROUP (ORDER BY display_name) FROM users WHERE display_name IS NOT NULL AND id < 4

SELECT team_id FROM users GROUP BY team_id HAVING max(display_name) > 'User 3' ORDER BY team_id NULLS FIRST

SELECT json_agg(display_name ORDER BY id) FILTER (WHERE score = 2) FROM users

SELECT count(*) FROM (SELECT DISTINCT display_name FROM users) s

SELECT DISTINCT ON (team_id) team_id, display_name FROM users ORDER BY team_id NULLS FIRST, id DESC

--@ category: regress/window

SELECT id, full_name, rank() OVER (PARTITION BY team_id ORDER BY score DESC, id) FROM users WHERE id < 20 ORDER BY id

SELECT id, lag(full_name) OVER (ORDER BY id), lead(full_name, 2, 'none') OVER (ORDER BY id) FROM users WHERE id < 10 ORDER BY id

SELECT id, nth_value(full_name, 2) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM users WHERE id < 8 ORDER BY id

SELECT id, dense_rank() OVER w, percent_rank() OVER w, full_name FROM users WHERE id < 12 WINDOW w AS (ORDER BY score) ORDER BY id

SELECT id, ntile(3) OVER (ORDER BY id), full_name FROM users WHERE id <= 9 ORDER BY id

SELECT id, count(full_name) OVER (PARTITION BY score), sum(score) OVER (ORDER BY id RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM users WHERE id < 15 ORDER BY id

SELECT * FROM (SELECT id, full_name, row_number() OVER (PARTITION BY team_id ORDER BY id) AS rn FROM users) s WHERE s.rn = 1 ORDER BY id

SELECT id, first_value(full_name) OVER (PARTITION BY team_id ORDER BY id GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM users WHERE id < 14 ORDER BY id

SELECT id, cume_dist() OVER (ORDER BY full_name NULLS FIRST) FROM users WHERE id < 10 ORDER BY id

SELECT id, display_name, rank() OVER (PARTITION BY team_id ORDER BY score DESC, id) FROM users WHERE id < 20 ORDER BY id

SELECT id, lag(display_name) OVER (ORDER BY id), lead(display_name, 2, 'none') OVER (ORDER BY id) FROM users WHERE id < 10 ORDER BY id

SELECT id, nth_value(display_name, 2) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM users WHERE id < 8 ORDER BY id

SELECT id, dense_rank() OVER w, percent_rank() OVER w, display_name FROM users WHERE id < 12 WINDOW w AS (ORDER BY score) ORDER BY id

SELECT id, ntile(3) OVER (ORDER BY id), display_name FROM users WHERE id <= 9 ORDER BY id

SELECT id, count(display_name) OVER (PARTITION BY score), sum(score) OVER (ORDER BY id RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM users WHERE id < 15 ORDER BY id

SELECT * FROM (SELECT id, display_name, row_number() OVER (PARTITION BY team_id ORDER BY id) AS rn FROM users) s WHERE s.rn = 1 ORDER BY id

SELECT id, first_value(display_name) OVER (PARTITION BY team_id ORDER BY id GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM users WHERE id < 14 ORDER BY id

SELECT id, cume_dist() OVER (ORDER BY display_name NULLS FIRST) FROM users WHERE id < 10 ORDER BY id

--@ category: regress/subqueries

SELECT id FROM users WHERE full_name IN (SELECT t.lead_name FROM teams t) ORDER BY id

SELECT id FROM users u WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id) AND u.full_name IS NOT NULL ORDER BY id

SELECT t.id, (SELECT count(*) FROM users u WHERE u.team_id = t.id AND u.full_name LIKE 'User%') FROM teams t ORDER BY t.id

SELECT id FROM users WHERE full_name > ALL (SELECT name FROM teams) ORDER BY id

SELECT id FROM users WHERE full_name = ANY (SELECT lead_name FROM teams WHERE id < 3) ORDER BY id

SELECT u.id, s.total FROM users u JOIN (SELECT user_id, sum(amount) AS total FROM orders GROUP BY user_id) s ON s.user_id = u.id WHERE u.full_name IS NOT NULL ORDER BY u.id

SELECT u.full_name, x.cnt FROM users u, LATERAL (SELECT count(*) AS cnt FROM orders o WHERE o.user_id = u.id) x WHERE u.id < 6 ORDER BY u.id

SELECT (SELECT full_name FROM users WHERE id = t.id) AS n, t.name FROM teams t ORDER BY t.id

SELECT id FROM users WHERE (full_name, team_id) IN (SELECT lead_name, id FROM teams) ORDER BY id

SELECT id, full_name FROM users WHERE id = (SELECT min(user_id) FROM orders WHERE status = 'paid')

SELECT id FROM users WHERE display_name IN (SELECT t.lead_name FROM teams t) ORDER BY id

SELECT id FROM users u WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id) AND u.display_name IS NOT NULL ORDER BY id

SELECT t.id, (SELECT count(*) FROM users u WHERE u.team_id = t.id AND u.display_name LIKE 'User%') FROM teams t ORDER BY t.id

SELECT id FROM users WHERE display_name > ALL (SELECT name FROM teams) ORDER BY id

SELECT id FROM users WHERE display_name = ANY (SELECT lead_name FROM teams WHERE id < 3) ORDER BY id

SELECT u.id, s.total FROM users u JOIN (SELECT user_id, sum(amount) AS total FROM orders GROUP BY user_id) s ON s.user_id = u.id WHERE u.display_name IS NOT NULL ORDER BY u.id

SELECT u.display_name, x.cnt FROM users u, LATERAL (SELECT count(*) AS cnt FROM orders o WHERE o.user_id = u.id) x WHERE u.id < 6 ORDER BY u.id

SELECT (SELECT display_name FROM users WHERE id = t.id) AS n, t.name FROM teams t ORDER BY t.id

SELECT id FROM users WHERE (display_name, team_id) IN (SELECT lead_name, id FROM teams) ORDER BY id

SELECT id, display_name FROM users WHERE id = (SELECT min(user_id) FROM orders WHERE status = 'paid')

--@ category: regress/cte

WITH t AS (SELECT id, full_name FROM users WHERE id < 5) SELECT * FROM t ORDER BY id

WITH t AS MATERIALIZED (SELECT id, full_name AS n FROM users) SELECT n FROM t WHERE id = 3

WITH t AS NOT MATERIALIZED (SELECT team_id, max(full_name) AS m FROM users GROUP BY team_id) SELECT * FROM t ORDER BY team_id NULLS FIRST

WITH RECURSIVE r AS (SELECT id, full_name, 1 AS depth FROM users WHERE id = 1 UNION ALL SELECT u.id, u.full_name, r.depth + 1 FROM users u JOIN r ON u.id = r.id + 1 WHERE r.depth < 5) SELECT * FROM r ORDER BY depth

WITH a AS (SELECT id FROM users WHERE full_name LIKE 'User 1%'), b AS (SELECT id FROM a WHERE id > 12) SELECT count(*) FROM b

WITH upd AS (UPDATE users SET full_name = full_name || '!' WHERE id = 35 RETURNING id, full_name) SELECT * FROM upd

WITH ins AS (INSERT INTO users (id, full_name) VALUES (?, 'CTE ins 0') RETURNING full_name) SELECT full_name FROM ins
--@ params: $new

WITH del AS (DELETE FROM users WHERE full_name = 'nobody 0' RETURNING id) SELECT count(*) FROM del

WITH t AS (SELECT id, display_name FROM users WHERE id < 5) SELECT * FROM t ORDER BY id

WITH t AS MATERIALIZED (SELECT id, display_name AS n FROM users) SELECT n FROM t WHERE id = 3

WITH t AS NOT MATERIALIZED (SELECT team_id, max(display_name) AS m FROM users GROUP BY team_id) SELECT * FROM t ORDER BY team_id NULLS FIRST

WITH RECURSIVE r AS (SELECT id, display_name, 1 AS depth FROM users WHERE id = 1 UNION ALL SELECT u.id, u.display_name, r.depth + 1 FROM users u JOIN r ON u.id = r.id + 1 WHERE r.depth < 5) SELECT * FROM r ORDER BY depth

WITH a AS (SELECT id FROM users WHERE display_name LIKE 'User 1%'), b AS (SELECT id FROM a WHERE id > 12) SELECT count(*) FROM b

WITH upd AS (UPDATE users SET display_name = display_name || '!' WHERE id = 36 RETURNING id, display_name) SELECT * FROM upd

WITH ins AS (INSERT INTO users (id, display_name) VALUES (?, 'CTE ins 1') RETURNING display_name) SELECT display_name FROM ins
--@ params: $new

WITH del AS (DELETE FROM users WHERE display_name = 'nobody 1' RETURNING id) SELECT count(*) FROM del

--@ category: regress/strings

SELECT id, upper(full_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, lower(full_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, initcap(full_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, length(full_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, substr(full_name, 2, 3) FROM users WHERE id < 9 ORDER BY id

SELECT id, left(full_name, 4) FROM users WHERE id < 9 ORDER BY id

SELECT id, right(full_name, 2) FROM users WHERE id < 9 ORDER BY id

SELECT id, reverse(full_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, replace(full_name, 'User', 'Member') FROM users WHERE id < 9 ORDER BY id

SELECT id, split_part(full_name, ' ', 2) FROM users WHERE id < 9 ORDER BY id

SELECT id, position('e' IN full_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, overlay(full_name placing 'XX' from 1 for 2) FROM users WHERE id < 9 ORDER BY id

SELECT id, btrim(full_name, 'U') FROM users WHERE id < 9 ORDER BY id

SELECT id, lpad(full_name, 12, '*') FROM users WHERE id < 9 ORDER BY id

SELECT id, rpad(full_name, 12, '.') FROM users WHERE id < 9 ORDER BY id

SELECT id, md5(full_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, full_name || ' (' || id || ')' FROM users WHERE id < 9 ORDER BY id

SELECT id, concat_ws('/', full_name, email) FROM users WHERE id < 9 ORDER BY id

SELECT id, regexp_replace(full_name, '[0-9]+', '#') FROM users WHERE id < 9 ORDER BY id

SELECT id, translate(full_name, 'aeiou', 'AEIOU') FROM users WHERE id < 9 ORDER BY id

SELECT id, ascii(full_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, char_length(full_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, starts_with(full_name, 'User') FROM users WHERE id < 9 ORDER BY id

SELECT id, quote_literal(full_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, format('%s <%s>', full_name, email) FROM users WHERE id < 9 ORDER BY id

SELECT id, coalesce(full_name, '(none)') FROM users WHERE id < 9 ORDER BY id

SELECT id, nullif(full_name, 'User 5') FROM users WHERE id < 9 ORDER BY id

SELECT id, to_tsvector('simple', full_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, full_name ~ '^User [0-9]$' FROM users WHERE id < 9 ORDER BY id

SELECT id, full_name ILIKE 'user 2%' FROM users WHERE id < 9 ORDER BY id

SELECT id, full_name SIMILAR TO 'User (1|2)%' FROM users WHERE id < 9 ORDER BY id

SELECT id, upper(display_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, lower(display_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, initcap(display_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, length(display_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, substr(display_name, 2, 3) FROM users WHERE id < 9 ORDER BY id

SELECT id, left(display_name, 4) FROM users WHERE id < 9 ORDER BY id

SELECT id, right(display_name, 2) FROM users WHERE id < 9 ORDER BY id

SELECT id, reverse(display_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, replace(display_name, 'User', 'Member') FROM users WHERE id < 9 ORDER BY id

SELECT id, split_part(display_name, ' ', 2) FROM users WHERE id < 9 ORDER BY id

SELECT id, position('e' IN display_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, overlay(display_name placing 'XX' from 1 for 2) FROM users WHERE id < 9 ORDER BY id

SELECT id, btrim(display_name, 'U') FROM users WHERE id < 9 ORDER BY id

SELECT id, lpad(display_name, 12, '*') FROM users WHERE id < 9 ORDER BY id

SELECT id, rpad(display_name, 12, '.') FROM users WHERE id < 9 ORDER BY id

SELECT id, md5(display_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, display_name || ' (' || id || ')' FROM users WHERE id < 9 ORDER BY id

SELECT id, concat_ws('/', display_name, email) FROM users WHERE id < 9 ORDER BY id

SELECT id, regexp_replace(display_name, '[0-9]+', '#') FROM users WHERE id < 9 ORDER BY id

SELECT id, translate(display_name, 'aeiou', 'AEIOU') FROM users WHERE id < 9 ORDER BY id

SELECT id, ascii(display_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, char_length(display_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, starts_with(display_name, 'User') FROM users WHERE id < 9 ORDER BY id

SELECT id, quote_literal(display_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, format('%s <%s>', display_name, email) FROM users WHERE id < 9 ORDER BY id

SELECT id, coalesce(display_name, '(none)') FROM users WHERE id < 9 ORDER BY id

SELECT id, nullif(display_name, 'User 5') FROM users WHERE id < 9 ORDER BY id

SELECT id, to_tsvector('simple', display_name) FROM users WHERE id < 9 ORDER BY id

SELECT id, display_name ~ '^User [0-9]$' FROM users WHERE id < 9 ORDER BY id

SELECT id, display_name ILIKE 'user 2%' FROM users WHERE id < 9 ORDER BY id

SELECT id, display_name SIMILAR TO 'User (1|2)%' FROM users WHERE id < 9 ORDER BY id

--@ category: regress/conditionals

SELECT id, CASE WHEN full_name IS NULL THEN 'none' WHEN full_name LIKE 'User%' THEN 'user' ELSE 'named' END FROM users ORDER BY id

SELECT id, CASE full_name WHEN 'Ada Lovelace' THEN 1 WHEN 'Alan Turing' THEN 2 ELSE 0 END AS k FROM users WHERE id < 6 ORDER BY id

SELECT id, greatest(full_name, email), least(full_name, 'M') FROM users WHERE id < 7 ORDER BY id

SELECT id FROM users WHERE full_name IS DISTINCT FROM 'User 6' AND id < 9 ORDER BY id

SELECT id FROM users WHERE full_name IS NOT DISTINCT FROM 'Ada Lovelace' ORDER BY id

SELECT id FROM users WHERE full_name BETWEEN 'User 1' AND 'User 2' ORDER BY id

SELECT id FROM users WHERE full_name NOT BETWEEN SYMMETRIC 'User 9' AND 'A' ORDER BY id

SELECT id FROM users WHERE full_name NOT IN ('User 5', 'User 6') ORDER BY id

SELECT id FROM users WHERE NOT (full_name <> 'User 8') ORDER BY id

SELECT id, CASE WHEN display_name IS NULL THEN 'none' WHEN display_name LIKE 'User%' THEN 'user' ELSE 'named' END FROM users ORDER BY id

SELECT id, CASE display_name WHEN 'Ada Lovelace' THEN 1 WHEN 'Alan Turing' THEN 2 ELSE 0 END AS k FROM users WHERE id < 6 ORDER BY id

SELECT id, greatest(display_name, email), least(display_name, 'M') FROM users WHERE id < 7 ORDER BY id

SELECT id FROM users WHERE display_name IS DISTINCT FROM 'User 6' AND id < 9 ORDER BY id

SELECT id FROM users WHERE display_name IS NOT DISTINCT FROM 'Ada Lovelace' ORDER BY id

SELECT id FROM users WHERE display_name BETWEEN 'User 1' AND 'User 2' ORDER BY id

SELECT id FROM users WHERE display_name NOT BETWEEN SYMMETRIC 'User 9' AND 'A' ORDER BY id

SELECT id FROM users WHERE display_name NOT IN ('User 5', 'User 6') ORDER BY id

SELECT id FROM users WHERE NOT (display_name <> 'User 8') ORDER BY id

--@ category: regress/set-operations

SELECT full_name FROM users WHERE id < 4 UNION SELECT name FROM teams ORDER BY 1

SELECT full_name FROM users WHERE id < 6 INTERSECT SELECT lead_name FROM teams ORDER BY 1

SELECT full_name FROM users WHERE id < 10 EXCEPT ALL SELECT full_name FROM users WHERE id > 5 ORDER BY 1 NULLS FIRST

(SELECT id, full_name FROM users WHERE id < 3) UNION ALL (SELECT id, full_name FROM users WHERE id > 38) ORDER BY id

SELECT count(*) FROM (SELECT full_name FROM users UNION SELECT lead_name FROM teams) s

SELECT display_name FROM users WHERE id < 4 UNION SELECT name FROM teams ORDER BY 1

SELECT display_name FROM users WHERE id < 6 INTERSECT SELECT lead_name FROM teams ORDER BY 1

SELECT display_name FROM users WHERE id < 10 EXCEPT ALL SELECT display_name FROM users WHERE id > 5 ORDER BY 1 NULLS FIRST

(SELECT id, display_name FROM users WHERE id < 3) UNION ALL (SELECT id, display_name FROM users WHERE id > 38) ORDER BY id

SELECT count(*) FROM (SELECT display_name FROM users UNION SELECT lead_name FROM teams) s

--@ category: regress/json

SELECT id, jsonb_build_object('name', full_name, 'age', profile->'age') FROM users WHERE id < 5 ORDER BY id

SELECT id, to_jsonb(full_name), row_to_json(row(id, full_name)) FROM users WHERE id < 4 ORDER BY id

SELECT id FROM users WHERE profile->>'city' = 'Rome' AND full_name IS NOT NULL ORDER BY id

SELECT id, profile #>> '{prefs,lang}' AS lang, full_name FROM users WHERE id < 6 ORDER BY id

SELECT jsonb_object_agg(id, full_name) FROM users WHERE id < 5

SELECT id, profile || jsonb_build_object('n', full_name) FROM users WHERE id = 2

SELECT id FROM users WHERE profile @> '{"vip": true}' AND full_name LIKE 'User%' ORDER BY id

UPDATE users SET profile = jsonb_set(profile, '{name}', to_jsonb(full_name)) WHERE id = 36 RETURNING profile->>'name'

SELECT id, jsonb_build_object('name', display_name, 'age', profile->'age') FROM users WHERE id < 5 ORDER BY id

SELECT id, to_jsonb(display_name), row_to_json(row(id, display_name)) FROM users WHERE id < 4 ORDER BY id

SELECT id FROM users WHERE profile->>'city' = 'Rome' AND display_name IS NOT NULL ORDER BY id

SELECT id, profile #>> '{prefs,lang}' AS lang, display_name FROM users WHERE id < 6 ORDER BY id

SELECT jsonb_object_agg(id, display_name) FROM users WHERE id < 5

SELECT id, profile || jsonb_build_object('n', display_name) FROM users WHERE id = 3

SELECT id FROM users WHERE profile @> '{"vip": true}' AND display_name LIKE 'User%' ORDER BY id

UPDATE users SET profile = jsonb_set(profile, '{name}', to_jsonb(display_name)) WHERE id = 37 RETURNING profile->>'name'

--@ category: regress/arrays

SELECT id, array_append(tags, full_name) FROM users WHERE id < 4 ORDER BY id

SELECT id, ARRAY[full_name, email] FROM users WHERE id < 4 ORDER BY id

SELECT id FROM users WHERE full_name = ANY (ARRAY['User 5', 'User 6']) ORDER BY id

SELECT id, array_position(ARRAY['User 5', 'User 6'], full_name) FROM users WHERE id BETWEEN 4 AND 7 ORDER BY id

SELECT id, cardinality(tags), full_name FROM users WHERE 'all' = ANY (tags) AND id < 5 ORDER BY id

SELECT array_to_string(array_agg(full_name ORDER BY id), ';') FROM users WHERE id < 6

SELECT id, tags[1] || ':' || full_name FROM users WHERE id < 5 ORDER BY id

SELECT u.id, t.tag FROM users u, unnest(u.tags) AS t(tag) WHERE u.full_name = 'User 5' ORDER BY t.tag

SELECT id, array_append(tags, display_name) FROM users WHERE id < 4 ORDER BY id

SELECT id, ARRAY[display_name, email] FROM users WHERE id < 4 ORDER BY id

SELECT id FROM users WHERE display_name = ANY (ARRAY['User 5', 'User 6']) ORDER BY id

SELECT id, array_position(ARRAY['User 5', 'User 6'], display_name) FROM users WHERE id BETWEEN 4 AND 7 ORDER BY id

SELECT id, cardinality(tags), display_name FROM users WHERE 'all' = ANY (tags) AND id < 5 ORDER BY id

SELECT array_to_string(array_agg(display_name ORDER BY id), ';') FROM users WHERE id < 6

SELECT id, tags[1] || ':' || display_name FROM users WHERE id < 5 ORDER BY id

SELECT u.id, t.tag FROM users u, unnest(u.tags) AS t(tag) WHERE u.display_name = 'User 5' ORDER BY t.tag

--@ category: regress/dates

SELECT id, date_trunc('month', created_at), full_name FROM users WHERE id < 5 ORDER BY id

SELECT extract(dow FROM created_at) AS d, count(full_name) FROM users GROUP BY 1 ORDER BY 1

SELECT id, to_char(created_at, 'YYYY-MM-DD') || ' ' || full_name FROM users WHERE id < 4 ORDER BY id

SELECT id FROM users WHERE created_at > timestamp '2024-01-20' AND full_name IS NOT NULL ORDER BY id

SELECT id, age(timestamp '2025-01-01', created_at), full_name FROM users WHERE id < 3 ORDER BY id

SELECT id, created_at + interval '1 week', full_name FROM users WHERE id = 3

SELECT id, date_trunc('month', created_at), display_name FROM users WHERE id < 5 ORDER BY id

SELECT extract(dow FROM created_at) AS d, count(display_name) FROM users GROUP BY 1 ORDER BY 1

SELECT id, to_char(created_at, 'YYYY-MM-DD') || ' ' || display_name FROM users WHERE id < 4 ORDER BY id

SELECT id FROM users WHERE created_at > timestamp '2024-01-20' AND display_name IS NOT NULL ORDER BY id

SELECT id, age(timestamp '2025-01-01', created_at), display_name FROM users WHERE id < 3 ORDER BY id

SELECT id, created_at + interval '1 week', display_name FROM users WHERE id = 4

--@ category: regress/writes

UPDATE users SET full_name = initcap(full_name) WHERE id = 10 RETURNING id, full_name

UPDATE users SET full_name = NULL WHERE id = 12

UPDATE users SET full_name = DEFAULT WHERE id = 14

UPDATE users SET full_name = full_name || ' (' || t.name || ')' FROM teams t WHERE t.id = users.team_id AND users.id = 16

UPDATE users u SET full_name = o.status FROM orders o WHERE o.user_id = u.id AND o.id = 18 RETURNING u.id, u.full_name, o.status

DELETE FROM users USING teams t WHERE t.id = users.team_id AND users.full_name = 'nobody' AND t.id = 1

DELETE FROM users WHERE id IN (SELECT id FROM users WHERE full_name = 'gone 0')

INSERT INTO users (id, full_name, email) VALUES (?, 'Regress 0', NULL) RETURNING *
--@ params: $new

INSERT INTO users (id, full_name) SELECT ? * 1000 + g, 'Series ' || g FROM generate_series(1, 3) g
--@ params: $new

INSERT INTO users (id, full_name) VALUES (?, 'Conflict 0') ON CONFLICT DO NOTHING
--@ params: $new

INSERT INTO users (id, full_name) VALUES (?, 'Upsert 0') ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.full_name RETURNING full_name
--@ params: 20

UPDATE users SET score = score + 1 WHERE full_name LIKE 'User 3%' RETURNING id, full_name, score

UPDATE users SET (full_name, score) = ('Row ' || id, score * 2) WHERE id = 24

INSERT INTO users (id, email, full_name) VALUES (?, NULL, ?), (?, NULL, ?) RETURNING id, full_name
--@ params: $new, 'Two a0', $new, 'Two b0'

UPDATE users SET display_name = initcap(display_name) WHERE id = 11 RETURNING id, display_name

UPDATE users SET display_name = NULL WHERE id = 13

UPDATE users SET display_name = DEFAULT WHERE id = 15

UPDATE users SET display_name = display_name || ' (' || t.name || ')' FROM teams t WHERE t.id = users.team_id AND users.id = 17

UPDATE users u SET display_name = o.status FROM orders o WHERE o.user_id = u.id AND o.id = 19 RETURNING u.id, u.display_name, o.status

DELETE FROM users USING teams t WHERE t.id = users.team_id AND users.display_name = 'nobody' AND t.id = 1

DELETE FROM users WHERE id IN (SELECT id FROM users WHERE display_name = 'gone 1')

INSERT INTO users (id, display_name, email) VALUES (?, 'Regress 1', NULL) RETURNING *
--@ params: $new

INSERT INTO users (id, display_name) SELECT ? * 1000 + g, 'Series ' || g FROM generate_series(1, 3) g
--@ params: $new

INSERT INTO users (id, display_name) VALUES (?, 'Conflict 1') ON CONFLICT DO NOTHING
--@ params: $new

INSERT INTO users (id, display_name) VALUES (?, 'Upsert 1') ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name RETURNING display_name
--@ params: 21

UPDATE users SET score = score + 1 WHERE display_name LIKE 'User 3%' RETURNING id, display_name, score

UPDATE users SET (display_name, score) = ('Row ' || id, score * 2) WHERE id = 25

INSERT INTO users (id, email, display_name) VALUES (?, NULL, ?), (?, NULL, ?) RETURNING id, display_name
--@ params: $new, 'Two a1', $new, 'Two b1'

--@ category: regress/misc

SELECT id, full_name::varchar(6) FROM users WHERE id < 5 ORDER BY id

SELECT id, CAST(full_name AS char(3)) AS c3 FROM users WHERE id < 5 ORDER BY id

SELECT count(*) FROM users u1 JOIN users u2 ON u1.full_name = u2.full_name AND u1.id < u2.id

SELECT u.id, t.name FROM users u CROSS JOIN teams t WHERE u.full_name = t.lead_name ORDER BY u.id

SELECT id, full_name FROM users ORDER BY full_name COLLATE "C" NULLS LAST, id LIMIT 5

SELECT id, full_name FROM users WHERE id > ? ORDER BY id LIMIT ALL
--@ params: 37

SELECT id, full_name FROM users ORDER BY id DESC OFFSET 35

SELECT full_name FROM users WHERE id = 1 FOR SHARE

SELECT full_name FROM users WHERE id = 2 FOR UPDATE NOWAIT

SELECT id, full_name FROM users u WHERE u.team_id IS NULL ORDER BY id

SELECT id, full_name FROM users WHERE id = ? AND ?::int IS NULL
--@ params: 4, null

SELECT ?::text || full_name FROM users WHERE id = ?
--@ params: 'pre ', 5

SELECT id, full_name FROM users WHERE full_name = $$User 7$$

SELECT id, full_name FROM users WHERE full_name = E'O\'Brien'

SELECT id /* comment with full_name */, full_name -- trailing
FROM users WHERE id = 3

SELECT
  id,
  full_name
FROM
  users
WHERE
  id = 6

select ID, FULL_NAME from USERS where ID = 7

SELECT "id", "full_name" FROM "users" WHERE "id" = 8

SELECT mig.users.full_name FROM mig.users WHERE mig.users.id = 9

SELECT users.full_name FROM users WHERE users.id = 10

SELECT x.full_name FROM users AS x WHERE x.id = 11

SELECT count(*) FROM users WHERE full_name ~~ 'User _'

SELECT id, display_name::varchar(6) FROM users WHERE id < 5 ORDER BY id

SELECT id, CAST(display_name AS char(3)) AS c3 FROM users WHERE id < 5 ORDER BY id

SELECT count(*) FROM users u1 JOIN users u2 ON u1.display_name = u2.display_name AND u1.id < u2.id

SELECT u.id, t.name FROM users u CROSS JOIN teams t WHERE u.display_name = t.lead_name ORDER BY u.id, t.id

SELECT id, display_name FROM users ORDER BY display_name COLLATE "C" NULLS LAST, id LIMIT 5

SELECT id, display_name FROM users WHERE id > ? ORDER BY id LIMIT ALL
--@ params: 37

SELECT id, display_name FROM users ORDER BY id DESC OFFSET 35

SELECT display_name FROM users WHERE id = 1 FOR SHARE

SELECT display_name FROM users WHERE id = 2 FOR UPDATE NOWAIT

SELECT id, display_name FROM users u WHERE u.team_id IS NULL ORDER BY id

SELECT id, display_name FROM users WHERE id = ? AND ?::int IS NULL
--@ params: 4, null

SELECT ?::text || display_name FROM users WHERE id = ?
--@ params: 'pre ', 5

SELECT id, display_name FROM users WHERE display_name = $$User 7$$

SELECT id, display_name FROM users WHERE display_name = E'O\'Brien'

SELECT id /* comment with display_name */, display_name -- trailing
FROM users WHERE id = 3

SELECT
  id,
  display_name
FROM
  users
WHERE
  id = 6

select ID, DISPLAY_NAME from USERS where ID = 7

SELECT "id", "display_name" FROM "users" WHERE "id" = 8

SELECT mig.users.display_name FROM mig.users WHERE mig.users.id = 9

SELECT users.display_name FROM users WHERE users.id = 10

SELECT x.display_name FROM users AS x WHERE x.id = 11

SELECT count(*) FROM users WHERE display_name ~~ 'User _'
