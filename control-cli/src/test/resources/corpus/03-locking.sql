-- Row locking clauses: FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE, OF, NOWAIT, SKIP LOCKED.

--@ category: select/locking
SELECT id, full_name FROM users WHERE id = ? FOR UPDATE
--@ params: 14

SELECT id, display_name FROM users WHERE id = ? FOR UPDATE
--@ params: 15

SELECT full_name FROM users WHERE id IN (16, 17) ORDER BY id FOR NO KEY UPDATE

SELECT display_name FROM users WHERE id = 18 FOR SHARE

SELECT full_name, display_name FROM users WHERE id = 19 FOR KEY SHARE

SELECT id FROM users WHERE full_name = 'User 21' FOR UPDATE NOWAIT

SELECT id FROM users WHERE display_name LIKE 'User 2%' ORDER BY id FOR UPDATE SKIP LOCKED

SELECT id, full_name FROM users WHERE id < 4 ORDER BY id FOR SHARE SKIP LOCKED

SELECT id, display_name FROM users WHERE id < 4 ORDER BY id FOR NO KEY UPDATE NOWAIT

SELECT id FROM users WHERE display_name = ? FOR KEY SHARE NOWAIT
--@ params: 'User 22'

SELECT u.id, u.full_name FROM users u WHERE u.id = 23 FOR UPDATE OF u

SELECT u.id, t.name, u.display_name FROM users u JOIN teams t ON t.id = u.team_id WHERE u.id = 24 FOR UPDATE OF u

SELECT u.id, t.name FROM users u JOIN teams t ON t.id = u.team_id WHERE u.full_name = 'User 25' FOR SHARE OF t

SELECT u.id FROM users u JOIN teams t ON t.id = u.team_id WHERE u.display_name = 'User 26' FOR UPDATE OF u, t NOWAIT

SELECT u.id FROM users u JOIN teams t ON t.id = u.team_id WHERE u.id = 27 FOR NO KEY UPDATE OF u SKIP LOCKED

SELECT id, full_name FROM users WHERE id = 29 FOR UPDATE OF users

SELECT id FROM users WHERE full_name IS NOT NULL ORDER BY id LIMIT 2 FOR UPDATE

SELECT id, full_name FROM users WHERE id < 5 ORDER BY id FOR READ ONLY

SELECT id, display_name FROM users WHERE full_name LIKE 'User 1%' ORDER BY id FOR READ ONLY LIMIT 3

SELECT id, display_name FROM users ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED
--@ params: 3

SELECT u.id FROM users u WHERE u.id = 30 FOR UPDATE OF u FOR SHARE

SELECT * FROM users WHERE id = 31 FOR UPDATE

SELECT u.* FROM users u WHERE u.id = 32 FOR SHARE OF u

SELECT id FROM users WHERE id = 33 AND display_name IS NOT DISTINCT FROM full_name FOR KEY SHARE

SELECT id, full_name FROM users WHERE id < 6 ORDER BY id FOR UPDATE LIMIT 2

SELECT id, display_name FROM users ORDER BY id FOR UPDATE OF users SKIP LOCKED OFFSET 1 LIMIT 2

SELECT u.id, u.full_name FROM users u WHERE u.display_name LIKE 'User 1%' ORDER BY u.id FOR NO KEY UPDATE OF u NOWAIT LIMIT ?
--@ params: 2

--@ category: select/locking-in-subqueries

UPDATE users SET full_name = ? WHERE id = (SELECT id FROM users WHERE display_name LIKE ? ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, display_name
--@ params: 'Queued', 'User 3%'

SELECT x.* FROM (SELECT id, full_name FROM users WHERE id < ? ORDER BY id FOR UPDATE OF users) x ORDER BY x.id
--@ params: 5

DELETE FROM users WHERE id IN (SELECT id FROM users WHERE full_name = ? FOR NO KEY UPDATE NOWAIT) RETURNING id, full_name
--@ params: 'User 39'

SELECT u.id, (SELECT v.display_name FROM users v WHERE v.id = u.id + 1 FOR SHARE) AS next_name FROM users u WHERE u.id < 4 ORDER BY u.id FOR KEY SHARE OF u
