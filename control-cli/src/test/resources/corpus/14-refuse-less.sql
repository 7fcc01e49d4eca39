-- Ordinary PostgreSQL that Cutover refused on a migrating table (issue "Refuse less"): aggregate
-- ORDER BY in the JSON aggregates (jOOQ's MULTISET), COLLATE, AT TIME ZONE, ROW(...), @@, ^@.

--@ category: refuse-less/aggregate-order-by

SELECT json_agg(full_name ORDER BY id DESC) FROM users WHERE id < 8

SELECT jsonb_agg(display_name ORDER BY display_name NULLS FIRST, id) FROM users WHERE id < 8

SELECT json_object_agg(id, full_name ORDER BY id) FROM users WHERE id < 6

SELECT jsonb_object_agg(display_name, id ORDER BY id) FILTER (WHERE display_name IS NOT NULL) FROM users WHERE id < 6

SELECT t.id, (SELECT coalesce(jsonb_agg(jsonb_build_object('id', u.id, 'name', u.full_name) ORDER BY u.id), '[]') FROM users u WHERE u.team_id = t.id) AS members FROM teams t ORDER BY t.id

SELECT json_agg(DISTINCT full_name ORDER BY full_name) FROM users WHERE id < 10

SELECT id, jsonb_agg(full_name) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM users WHERE id < 6 ORDER BY id

--@ category: refuse-less/collate

SELECT full_name COLLATE "C", id FROM users WHERE id < 6 ORDER BY id

SELECT id FROM users WHERE display_name COLLATE "C" < ? ORDER BY display_name COLLATE "C", id
--@ params: 'U'

SELECT u.display_name::text COLLATE "POSIX" AS n FROM users u WHERE u.id = ?
--@ params: 3

--@ category: refuse-less/at-time-zone

SELECT id, created_at AT TIME ZONE 'UTC' AT TIME ZONE 'Europe/Paris', full_name FROM users WHERE id < 4 ORDER BY id

SELECT id FROM users WHERE (created_at AT TIME ZONE 'UTC') < now() AND full_name IS NOT NULL ORDER BY id

--@ category: refuse-less/row

SELECT ROW(id, full_name) FROM users WHERE id = ?
--@ params: 4

SELECT id FROM users WHERE ROW(id, display_name) IS NOT NULL AND id < 5 ORDER BY id

SELECT id FROM users WHERE (id, full_name) = ROW(?, 'User 2') ORDER BY id
--@ params: 2

--@ category: refuse-less/operators

SELECT id FROM users WHERE full_name ^@ 'User 1' ORDER BY id

SELECT id FROM users WHERE to_tsvector('simple', display_name) @@ to_tsquery('simple', 'user') AND id < 5 ORDER BY id

UPDATE users SET score = score + 1 WHERE display_name ^@ ? AND id < 4
--@ params: 'User'

--@ category: refuse-less/insert-alias

INSERT INTO users AS u (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET display_name = u.full_name || '+' WHERE u.id > 0 RETURNING u.full_name, u.display_name
--@ params: $new, 'Alias ins'

INSERT INTO users AS u (id, display_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.display_name || u.full_name
--@ params: 3, 'Alias upd '

INSERT INTO users AS "U" (id, email) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email WHERE "U".display_name IS NOT NULL RETURNING "U".*
--@ params: 4, 'alias4@example.com'

--@ category: refuse-less/set-operation-star

SELECT * FROM users WHERE id = 3 UNION SELECT * FROM users WHERE id < 3 ORDER BY id

SELECT * FROM users u WHERE u.id < 4 EXCEPT SELECT * FROM users WHERE full_name IS NULL ORDER BY 1

--@ category: refuse-less/explain

EXPLAIN (COSTS OFF) SELECT full_name, display_name FROM users WHERE false

EXPLAIN (COSTS OFF) UPDATE users SET display_name = ? WHERE false
--@ params: 'never'

--@ category: refuse-less/create-table-as

DROP TABLE IF EXISTS pg_temp.rl_ctas; CREATE TEMP TABLE rl_ctas AS SELECT id, full_name, display_name FROM users WHERE id < 6; SELECT * FROM rl_ctas ORDER BY id

DROP TABLE IF EXISTS pg_temp.rl_into; SELECT u.full_name AS n, u.display_name, id INTO TEMP rl_into FROM users u WHERE id < 6; SELECT * FROM rl_into ORDER BY id

--@ category: refuse-less/row-assignment

UPDATE users SET (display_name, score) = ROW(?, score + 1) WHERE id = ?
--@ params: 'Row assigned', 7

UPDATE users u SET (score, full_name) = (u.score + 2, upper(u.display_name)), email = u.email WHERE u.id = ? RETURNING u.full_name, u.display_name, u.score
--@ params: 8

--@ category: refuse-less/with-ties

SELECT id, full_name FROM users WHERE id < 20 ORDER BY team_id NULLS LAST, display_name FETCH FIRST 3 ROWS WITH TIES
--@ unordered

SELECT count(*) FROM (SELECT id FROM users ORDER BY score FETCH FIRST 1 ROW WITH TIES) t WHERE id > 0

SELECT id FROM users WHERE full_name IN (SELECT full_name FROM users ORDER BY full_name NULLS LAST OFFSET 1 ROWS FETCH NEXT 2 ROWS WITH TIES) ORDER BY id
