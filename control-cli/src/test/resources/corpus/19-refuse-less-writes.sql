-- Writes of the third refuse-less round: MERGE (every action, conditions, sources reading the
-- migrating column, several lines), and row assignments from a sub-SELECT (run once, volatile too).

--@ category: refuse-less/merge

MERGE INTO users u USING (VALUES (?, 'm1')) v(id, n) ON u.id = v.id WHEN MATCHED AND u.full_name IS DISTINCT FROM v.n THEN UPDATE SET display_name = v.n, score = u.score + 1 WHEN NOT MATCHED THEN INSERT (id, display_name, email) VALUES (v.id, v.n, v.id || '@merge')
--@ params: $new

MERGE INTO users u USING (VALUES (?, 'again')) v(id, n) ON u.id = v.id WHEN MATCHED AND u.display_name = 'm1' THEN UPDATE SET full_name = u.display_name || ' ' || v.n WHEN MATCHED THEN DO NOTHING WHEN NOT MATCHED THEN DO NOTHING
--@ params: $last

MERGE INTO users u USING (VALUES (?)) v(id) ON u.id = v.id WHEN MATCHED AND u.full_name LIKE 'm1%' THEN DELETE WHEN NOT MATCHED THEN INSERT (id) VALUES (v.id)
--@ params: $last

MERGE INTO users AS u USING (SELECT id, upper(full_name) AS up FROM users WHERE id BETWEEN 3 AND 5) s ON u.id = s.id WHEN MATCHED AND s.up LIKE 'USER%' THEN UPDATE SET full_name = s.up WHEN MATCHED THEN DO NOTHING

MERGE INTO users u USING (SELECT id, display_name FROM users WHERE id IN (6, 7)) s ON u.id = s.id + 500 WHEN NOT MATCHED THEN INSERT (id, full_name, score) VALUES (s.id + 500, lower(s.display_name), DEFAULT) WHEN MATCHED THEN UPDATE SET display_name = s.display_name || ' merged'

MERGE INTO users u
USING teams t
   ON u.team_id = t.id AND u.id < 6
WHEN MATCHED AND CASE WHEN t.name IS NULL THEN false ELSE true END THEN
  UPDATE SET full_name = t.name || '/' || u.id, email = DEFAULT
WHEN NOT MATCHED THEN
  DO NOTHING

MERGE INTO users u USING (VALUES (?, 'case')) v(id, n) ON u.id = v.id WHEN NOT MATCHED AND CASE WHEN v.n = 'case' THEN true ELSE false END THEN INSERT (id, full_name) VALUES (v.id, upper(v.n))
--@ params: $new

MERGE INTO teams t USING users u ON t.id = u.id WHEN MATCHED AND u.display_name IS NOT NULL THEN UPDATE SET lead_name = u.full_name

MERGE INTO users u USING orders o ON o.id = u.id AND o.id < 4 WHEN MATCHED THEN UPDATE SET display_name = o.status, score = DEFAULT

--@ category: refuse-less/update-row-subquery

UPDATE users u SET (full_name, score) = (SELECT t.name || ' ' || u.id, u.score + 1 FROM teams t WHERE t.id = u.team_id) WHERE u.id BETWEEN 21 AND 23

UPDATE users SET (email) = (SELECT x.full_name || '@row' FROM users x WHERE x.id = users.id) WHERE id = 24

SELECT setseed(0.4); UPDATE users SET (display_name, score) = (SELECT 'Rnd ' || floor(random() * 1000), 7) WHERE id = 32

UPDATE users SET (full_name, tags) = (SELECT display_name || '!', ARRAY['x'] FROM users WHERE id = 2) WHERE id = ? RETURNING full_name, display_name, tags
--@ params: 33

UPDATE users SET score = 2, (display_name, team_id) = (SELECT name, id FROM teams WHERE id = ?) WHERE id IN (34, 35) RETURNING id, full_name
--@ params: 1

UPDATE users SET (display_name, score) = (SELECT name, 1 FROM teams WHERE id = -1) WHERE id = 36 RETURNING full_name, score
