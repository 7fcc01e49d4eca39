-- DDL on the migrating table (refused: it must go through the cutover CLI; each is harmless should
-- it run), and statements that PostgreSQL rejects on both sides with the same SQLState.

--@ category: ddl
COMMENT ON COLUMN users.full_name IS 'the name'

COMMENT ON TABLE users IS 'people'

ALTER TABLE users ALTER COLUMN email SET STATISTICS 200

CREATE INDEX IF NOT EXISTS users_email_lower ON users (lower(email))

ANALYZE users

GRANT SELECT ON users TO PUBLIC

LOCK TABLE users IN ACCESS SHARE MODE

CREATE TEMP TABLE IF NOT EXISTS scratch AS SELECT id, full_name FROM users WHERE false

--@ category: errors
SELECT no_such_column FROM users

SELECT full_name FROM no_such_table

SELECT full_name FROM users u JOIN users v ON v.id = u.id

SELECT id FROM users u JOIN teams t ON t.id = u.team_id WHERE id = 1

SELECT full_name FROM users WHERE id = 'not a number'

SELECT display_name + 1 FROM users WHERE id = 1

SELECT full_name FROM users WHERE

SELECT full_name, count(*) FROM users

INSERT INTO users (id, full_name) VALUES (1, 'duplicate key')

INSERT INTO users (id, display_name, email) VALUES (?, 'dup email', 'u2@example.com')
--@ params: $new

UPDATE users SET score = NULL WHERE id = 2

UPDATE users SET id = 2 WHERE id = 3

INSERT INTO users (id, full_name) VALUES (?, ?, ?)
--@ params: $new, 'x', 'y'

SELECT full_name FROM users WHERE id = 1 FOR UPDATE OF no_such_alias

INSERT INTO users (id, full_name) VALUES (?, 'x') ON CONFLICT (full_name) DO NOTHING
--@ params: $new

SELECT 1/0 FROM users WHERE full_name = 'Ada Lovelace'
