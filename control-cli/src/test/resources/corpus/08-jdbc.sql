-- JDBC: escapes ({fn}, {d}, {t}, {ts}, {escape}, {oj}), several statements in one string,
-- parameters written to both columns (remapped), batches through addBatch.

--@ category: jdbc/escapes
SELECT {fn ucase(full_name)} FROM users WHERE id = 1

SELECT {fn lcase(display_name)} AS low FROM users WHERE id = 2

SELECT {fn concat(full_name, '!')} FROM users WHERE id = 5

SELECT {fn length(display_name)} FROM users WHERE id = 6

SELECT id FROM users WHERE created_at > {ts '2024-01-20 00:00:00'} AND full_name IS NOT NULL ORDER BY id

SELECT id, display_name FROM users WHERE created_at < {d '2024-01-05'} ORDER BY id

SELECT full_name, {t '12:30:00'} FROM users WHERE id = 3

SELECT id FROM users WHERE full_name LIKE 'User!_%' {escape '!'} ORDER BY id

SELECT u.full_name, t.name FROM {oj users u LEFT OUTER JOIN teams t ON t.id = u.team_id} WHERE u.id < 4 ORDER BY u.id

SELECT {fn ifnull(display_name, 'anon')} FROM users WHERE id = 7

SELECT {fn substring(full_name, 1, 4)} FROM users WHERE id = 8

UPDATE users SET full_name = {fn concat('Escaped ', ?)} WHERE id = ?
--@ params: 'update $last', 9

INSERT INTO users (id, display_name, created_at) VALUES (?, ?, {ts '2024-06-01 10:00:00'})
--@ params: $new, 'Escaped insert $last'

UPDATE users SET display_name = {fn ucase(display_name)} WHERE id = 10 AND created_at >= {d '2024-01-01'}

--@ category: jdbc/multi-statement
SELECT full_name FROM users WHERE id = 1; SELECT display_name FROM users WHERE id = 2

SELECT count(*) FROM teams; SELECT full_name FROM users WHERE id = 3

UPDATE users SET full_name = ? WHERE id = ?; SELECT display_name FROM users WHERE id = ?
--@ params: 'Multi stmt $last', 11, 11

INSERT INTO users (id, full_name) VALUES (?, ?); UPDATE users SET display_name = display_name || '!' WHERE id = ?
--@ params: $new, 'Multi insert $last', $last

SELECT 1; SELECT full_name FROM users WHERE id = 4;

UPDATE teams SET name = name WHERE id = 1; UPDATE users SET display_name = 'Multi second' WHERE id = 12

SELECT display_name FROM users WHERE id = 13; SELECT display_name FROM users WHERE id = 14; SELECT full_name FROM users WHERE id = 15

DELETE FROM users WHERE full_name = 'nobody'; INSERT INTO users (id, display_name) VALUES (?, 'after delete') RETURNING id, full_name
--@ params: $new

--@ category: jdbc/parameters
UPDATE users SET full_name = ? || full_name WHERE id = ?
--@ params: '>', 16

UPDATE users SET display_name = ? || display_name || ? WHERE id = ?
--@ params: '[', ']', 17

UPDATE users SET full_name = substr(?, 1, ?) WHERE id = ?
--@ params: 'Truncated parameter', 9, 18

INSERT INTO users (id, full_name, score) VALUES (?, ?, ?)
--@ params: $new, 'Three params $last', 7

INSERT INTO users (id, score, display_name, team_id) VALUES (?, ?, ?, ?)
--@ params: $new, 1, 'Four params $last', 2

UPDATE users SET full_name = CASE WHEN ? THEN ? ELSE full_name END WHERE id = ?
--@ params: true, 'Conditional $last', 19

SELECT id FROM users WHERE full_name = ? OR display_name = ? ORDER BY id
--@ params: 'User 24', 'User 26'

SELECT ? AS p, full_name FROM users WHERE id = ?
--@ params: 'label', 21

--@ category: jdbc/batch
INSERT INTO users (id, full_name) VALUES (?, ?)
--@ params: $new, 'Batch old $last'
--@ batch

INSERT INTO users (id, email, display_name) VALUES (?, ?, ?)
--@ params: $new, 'batch$last@x.org', 'Batch new $last'
--@ batch

UPDATE users SET full_name = ? WHERE id = ? AND score >= 0
--@ params: 'Batch update $last', 22
--@ batch

UPDATE users SET display_name = display_name || ? WHERE id = ?
--@ params: '.', 23
--@ batch

DELETE FROM users WHERE display_name = ?
--@ params: 'Batch nothing'
--@ batch

INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.full_name, score = users.score + 1
--@ params: 24, 'Batch upsert $last'
--@ batch
