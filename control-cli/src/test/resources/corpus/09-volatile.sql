-- Volatile expressions written to the migrating column: both columns must get the same value (or
-- the statement is refused). random() is seeded in the same string so that both sides agree;
-- clock_timestamp() and gen_random_uuid() are folded to deterministic values after being evaluated.

--@ category: volatile
SELECT setseed(0.25); UPDATE users SET full_name = 'Random ' || floor(random() * 1000) WHERE id = 25

SELECT setseed(0.5); UPDATE users SET display_name = 'Random new ' || floor(random() * 1000) WHERE id = 26

SELECT setseed(0.75); INSERT INTO users (id, full_name) VALUES (?, 'Random insert ' || floor(random() * 100))
--@ params: $new

SELECT setseed(0.125); INSERT INTO users (id, display_name) VALUES (?, md5(random()::text))
--@ params: $new

UPDATE users SET full_name = 'Seq ' || nextval('seq') WHERE id = 27

UPDATE users SET display_name = 'Seq new ' || nextval('seq') WHERE id = 28

INSERT INTO users (id, full_name) VALUES (?, 'Seq insert ' || nextval('seq'))
--@ params: $new

INSERT INTO users (id, display_name) VALUES (nextval('seq'), 'Seq id only')

INSERT INTO users (id, full_name) VALUES (nextval('seq'), 'Seq ' || currval('seq'))

UPDATE users SET full_name = CASE WHEN clock_timestamp() > '2000-01-01' THEN 'Clock late' ELSE 'Clock early' END WHERE id = 29

UPDATE users SET display_name = CASE WHEN clock_timestamp() > '2000-01-01' THEN 'Clock late new' END WHERE id = 30

UPDATE users SET full_name = 'Uuid ' || length(gen_random_uuid()::text) WHERE id = 31

INSERT INTO users (id, display_name) VALUES (?, 'Uuid ' || (gen_random_uuid() IS NOT NULL))
--@ params: $new

UPDATE users SET full_name = 'Now ' || (now() > '2000-01-01') WHERE id = 32

UPDATE users SET display_name = 'Stmt ' || (statement_timestamp() IS NOT NULL) WHERE id = 33

SELECT setseed(0.3); INSERT INTO users (id, full_name) SELECT ? * 1000 + id, 'r' || floor(random() * 10) FROM (SELECT id FROM users WHERE id IN (1, 2) ORDER BY id) s
--@ params: $new

SELECT setseed(0.9); UPDATE users SET full_name = full_name WHERE id = 34 AND random() >= 0

SELECT setseed(0.6); SELECT full_name, random() FROM users WHERE id = 35

SELECT setseed(0.2); INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET full_name = 'Upsert random ' || floor(random() * 50)
--@ params: 36, 'ignored'

UPDATE users SET score = floor(random() * 0) WHERE display_name = 'User 37'

UPDATE users SET full_name = 'Timeofday ' || (length(timeofday()) > 0) WHERE id = 38
