-- The statements of issue 2 (projection labels, WHERE, ORDER BY, GROUP BY, HAVING, JOIN ... ON,
-- aliases, qualified and unqualified, quoted and unquoted names; INSERT with column lists,
-- multi-row VALUES and no column list; UPDATE with expressions; DELETE). Format: see Corpus.java.

--@ category: basics/select
SELECT full_name FROM users WHERE id = ?
--@ params: 1

SELECT display_name FROM users WHERE id = ?
--@ params: 2

SELECT id, full_name, display_name FROM users ORDER BY id

SELECT u.full_name FROM users u WHERE u.id = ?
--@ params: 3

SELECT u.display_name AS n FROM users u ORDER BY u.display_name NULLS FIRST, u.id

SELECT "full_name" FROM users WHERE "id" = ?
--@ params: 4

SELECT "display_name", id FROM "users" WHERE id < ? ORDER BY id
--@ params: 6

SELECT FULL_NAME FROM USERS WHERE ID = ?
--@ params: 5

SELECT Display_Name FROM Users WHERE Id = ?
--@ params: 5

SELECT users.full_name FROM users WHERE users.id = ?
--@ params: 8

SELECT users.display_name, users.email FROM users WHERE users.id > ? ORDER BY users.id
--@ params: 30

SELECT count(*) FROM users WHERE full_name LIKE ?
--@ params: 'User 1%'

SELECT count(display_name) FROM users

SELECT upper(full_name) FROM users ORDER BY id

SELECT lower(display_name) AS lowered FROM users ORDER BY id

SELECT full_name, count(*) FROM users GROUP BY full_name ORDER BY full_name

SELECT display_name, count(*) AS c FROM users GROUP BY display_name HAVING count(*) >= ? ORDER BY display_name
--@ params: 1

SELECT u.id, t.name, u.full_name FROM users u JOIN teams t ON t.id = u.team_id ORDER BY u.id

SELECT u.id FROM users u JOIN teams t ON t.lead_name = u.display_name ORDER BY u.id

SELECT t.name, u.display_name FROM teams t LEFT JOIN users u ON u.full_name = t.lead_name ORDER BY t.id

SELECT full_name FROM users WHERE full_name IS NOT NULL AND id BETWEEN ? AND ? ORDER BY full_name DESC
--@ params: 3, 12

SELECT id FROM users WHERE display_name IN (?, ?) ORDER BY id
--@ params: 'Ada Lovelace', 'User 9'

SELECT id, full_name || ' <' || email || '>' AS contact FROM users ORDER BY id

SELECT COALESCE(display_name, 'none') FROM users ORDER BY id

SELECT id FROM users WHERE lower(display_name) = lower(?)
--@ params: 'ADA LOVELACE'

SELECT max(full_name), min(display_name) FROM users

SELECT full_name AS "Name" FROM users ORDER BY 1 NULLS LAST, id

SELECT upper(full_name) AS full_name FROM users ORDER BY full_name, id

SELECT id, score FROM users WHERE full_name = display_name ORDER BY id

SELECT CASE WHEN full_name IS NULL THEN 'anonymous' ELSE full_name END AS who FROM users ORDER BY id

SELECT full_name FROM users ORDER BY id LIMIT ? OFFSET ?
--@ params: 5, 3

SELECT * FROM users ORDER BY id

SELECT u.* FROM users u WHERE u.id <= ? ORDER BY u.id
--@ params: 3

SELECT id, email FROM users WHERE score > ? ORDER BY id
--@ params: 2

--@ category: basics/write
INSERT INTO users (id, full_name, email, score, team_id) VALUES (?, ?, ?, ?, ?)
--@ params: $new, 'Inserted $last', 'i$last@example.com', 3, 1

INSERT INTO users (id, display_name, email) VALUES (?, ?, ?)
--@ params: $new, 'New name $last', 'n$last@example.com'

INSERT INTO users (id, full_name) VALUES (?, ?), (?, ?)
--@ params: $new, 'Multi $last', $new, 'Multi $last'

INSERT INTO users (id, "display_name", team_id) VALUES (?, 'Literal ' || ?, 2)
--@ params: $new, '$last'

INSERT INTO users (id, email) VALUES (?, ?)
--@ params: $new, 'nameless$last@example.com'

INSERT INTO users VALUES (?, ?, ?, ?, ?)
--@ params: $new, 'Positional $last', 'p$last@example.com', 1, 3

UPDATE users SET full_name = ? WHERE id = ?
--@ params: 'Renamed $last', 10

UPDATE users SET display_name = ? WHERE id = ?
--@ params: 'Via new $last', 11

UPDATE users SET full_name = full_name || ? WHERE id = ?
--@ params: '!', 12

UPDATE users SET display_name = upper(display_name) WHERE id % 9 = 0

UPDATE users SET score = score + 1 WHERE full_name LIKE ?
--@ params: 'User 2%'

UPDATE users SET email = ? WHERE display_name = ?
--@ params: 'ada$last@example.org', 'Ada Lovelace'

UPDATE users SET team_id = 2 WHERE id = ?
--@ params: 13

DELETE FROM users WHERE full_name = ?
--@ params: 'User 20'

DELETE FROM users WHERE display_name IS NULL AND id > ?
--@ params: 1005
