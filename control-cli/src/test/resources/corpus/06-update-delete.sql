-- UPDATE and DELETE: SET over either name, expressions, subqueries, RETURNING, UPDATE ... FROM,
-- DELETE ... USING, aliases, ONLY, both names in one statement.

--@ category: update/set
UPDATE users SET full_name = 'Literal old' WHERE id = 14

UPDATE users SET display_name = 'Literal new' WHERE id = 15

UPDATE users SET full_name = ?, score = ? WHERE id = ?
--@ params: 'Two sets $last', 3, 16

UPDATE users SET score = ?, display_name = ? WHERE id = ?
--@ params: 2, 'Two sets new $last', 17

UPDATE users SET full_name = NULL WHERE id = 18

UPDATE users SET display_name = NULL WHERE id = 19

UPDATE users SET full_name = DEFAULT WHERE id = 21

UPDATE users SET display_name = DEFAULT WHERE id = 22

UPDATE users SET full_name = initcap(full_name) WHERE id BETWEEN 23 AND 25

UPDATE users SET display_name = display_name || ' ' || id WHERE id = 26

UPDATE users SET full_name = display_name || '~' WHERE id = 27

UPDATE users SET display_name = full_name || '^' WHERE id = 28

UPDATE users SET full_name = coalesce(full_name, 'was null') WHERE id IN (35, 42)

UPDATE users SET display_name = CASE WHEN score > 2 THEN upper(display_name) ELSE lower(display_name) END WHERE id BETWEEN 29 AND 31

UPDATE users SET full_name = (SELECT name FROM teams WHERE teams.id = users.team_id) WHERE id = 32

UPDATE users SET display_name = (SELECT lead_name FROM teams WHERE id = 1) WHERE id = 33

UPDATE users SET full_name = (SELECT max(u2.display_name) FROM users u2 WHERE u2.id < 5) WHERE id = 34

UPDATE users SET score = score + 1 WHERE display_name IN (SELECT lead_name FROM teams)

UPDATE users SET team_id = 3 WHERE full_name = (SELECT lead_name FROM teams WHERE id = 2)

UPDATE users SET email = lower(email) WHERE display_name LIKE ?
--@ params: 'User 3%'

UPDATE users SET full_name = ? WHERE full_name = ?
--@ params: 'Swapped back', 'Swapped'

UPDATE users SET display_name = ? WHERE display_name = ?
--@ params: 'Swapped', 'Swapped back'

UPDATE users SET profile = profile || jsonb_build_object('name', full_name) WHERE id = 36

UPDATE users SET tags = array_append(tags, display_name) WHERE id = 37

UPDATE users SET full_name = profile->>'city' WHERE id = 38

UPDATE users SET display_name = ?::text WHERE id = ?
--@ params: 'Cast param $last', 39

UPDATE users SET full_name = full_name WHERE id = 40

UPDATE users SET display_name = display_name WHERE id = 1

UPDATE users u SET full_name = u.full_name || '.' WHERE u.id = 2

UPDATE users AS u SET display_name = u.display_name || ',' WHERE u.id = 3

UPDATE ONLY users SET full_name = 'Only ' || id WHERE id = 5

UPDATE "users" SET "display_name" = 'Quoted update' WHERE "id" = 6

UPDATE mig.users SET full_name = 'Qualified update' WHERE id = 8

UPDATE users SET full_name = 'x', display_name = 'x' WHERE id = 9

UPDATE users SET (full_name, score) = (?, 4) WHERE id = 10
--@ params: 'Row set $last'

UPDATE users SET (score, display_name) = (SELECT 1, 'Row sub') WHERE id = 11

UPDATE users SET score = score WHERE full_name IS NULL

UPDATE users SET team_id = team_id WHERE display_name IS DISTINCT FROM full_name

UPDATE users SET full_name = replace(full_name, 'User', 'Member') WHERE id = 12

UPDATE users SET full_name = replace(full_name, 'Member', 'User') WHERE id = 12

--@ category: update/returning
UPDATE users SET full_name = ? WHERE id = ? RETURNING id, full_name
--@ params: 'Ret upd $last', 13

UPDATE users SET display_name = ? WHERE id = ? RETURNING full_name
--@ params: 'Ret upd new $last', 14

UPDATE users SET score = score + 1 WHERE id = ? RETURNING display_name, score
--@ params: 15

UPDATE users SET full_name = upper(full_name) WHERE id = 16 RETURNING *

UPDATE users u SET display_name = lower(u.display_name) WHERE u.id = 17 RETURNING u.*

UPDATE users SET full_name = full_name || '#' WHERE id = 18 RETURNING display_name AS now_called, length(full_name)

UPDATE users SET score = 0 WHERE full_name LIKE 'User 2%' RETURNING id, full_name

UPDATE users SET email = email WHERE id < 4 RETURNING id, display_name, full_name

--@ category: update/from
UPDATE users u SET full_name = t.name || ' member' FROM teams t WHERE t.id = u.team_id AND u.id = ?
--@ params: 19

UPDATE users SET display_name = teams.lead_name FROM teams WHERE teams.id = users.team_id AND users.id = ?
--@ params: 21

UPDATE users u SET score = u.score + 1 FROM teams t WHERE t.lead_name = u.full_name

UPDATE users u SET team_id = t.id FROM teams t WHERE t.lead_name = u.display_name AND u.id = 1

UPDATE users u SET full_name = o.note FROM orders o WHERE o.user_id = u.id AND o.id = 22

UPDATE users u SET display_name = s.n FROM (SELECT id, 'Sub ' || id AS n FROM teams) s WHERE s.id + 20 = u.id

UPDATE users u SET full_name = u2.display_name || ' twin' FROM users u2 WHERE u2.id = u.id + 1 AND u.id = 24 RETURNING u.id, u.full_name

UPDATE teams t SET lead_name = u.full_name FROM users u WHERE u.id = 1 AND t.id = 3

UPDATE teams t SET lead_name = NULL FROM users u WHERE u.display_name = 'nobody at all' AND t.id = u.team_id

UPDATE orders o SET note = u.display_name FROM users u WHERE u.id = o.user_id AND o.id = 25

--@ category: delete
DELETE FROM users WHERE id = ?
--@ params: $last

INSERT INTO users (id, full_name) VALUES (?, 'doomed old')
--@ params: $new

DELETE FROM users WHERE full_name = 'doomed old'

INSERT INTO users (id, display_name) VALUES (?, 'doomed new')
--@ params: $new

DELETE FROM users WHERE display_name = 'doomed new' RETURNING id, full_name, display_name

INSERT INTO users (id, full_name, team_id) VALUES (?, 'doomed using', 4)
--@ params: $new

DELETE FROM users u USING teams t WHERE t.id = u.team_id AND t.name = 'empty' AND u.full_name LIKE 'doomed%'

INSERT INTO users (id, display_name, team_id) VALUES (?, 'doomed using new', 4)
--@ params: $new

DELETE FROM users USING teams WHERE teams.id = users.team_id AND users.display_name = 'doomed using new' RETURNING users.id

DELETE FROM users u WHERE u.full_name IN (SELECT 'doomed ' || name FROM teams)

DELETE FROM users WHERE display_name LIKE 'Ret %' AND id > 5000 RETURNING *

DELETE FROM users AS u WHERE u.display_name = ? RETURNING u.*
--@ params: 'Conflict ignored'

DELETE FROM users WHERE full_name IS NULL AND email IS NULL AND id > 100000

DELETE FROM orders o USING users u WHERE u.id = o.user_id AND u.full_name = 'nobody'

DELETE FROM orders WHERE user_id IN (SELECT id FROM users WHERE display_name = 'nobody')

DELETE FROM users WHERE id = (SELECT max(id) FROM users WHERE full_name LIKE 'Seq id%') RETURNING display_name

DELETE FROM ONLY users WHERE full_name = 'never there'
