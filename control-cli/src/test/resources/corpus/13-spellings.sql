-- Every spelling PostgreSQL's lexer accepts for the migrating table and column, and SQL the server
-- runs later (DO blocks, function bodies, PREPARE, text handed to query_to_xml): each is rewritten,
-- or refused (0A000, listed in known-refusals.txt), never sent unchanged to read or write one column.

--@ category: spellings/table-sample

SELECT full_name FROM users TABLESAMPLE SYSTEM (100) ORDER BY id

SELECT u.display_name FROM users AS u TABLESAMPLE BERNOULLI (100) REPEATABLE (7) WHERE u.id < ? ORDER BY u.id
--@ params: 10

SELECT count(*) FROM users TABLESAMPLE SYSTEM (100) WHERE full_name LIKE ?
--@ params: 'User%'

UPDATE users SET full_name = full_name || '' WHERE id IN (SELECT id FROM users TABLESAMPLE SYSTEM (100) WHERE id = ?)
--@ params: 3

--@ category: spellings/case-and-quotes

SELECT FULL_NAME, Display_Name FROM USERS WHERE ID = ?
--@ params: 2

SELECT "full_name" FROM "users" WHERE "id" = ?
--@ params: 4

SELECT "display_name" AS "Label" FROM "mig"."users" WHERE id = 5

SELECT full_name FROM MIG.Users WHERE id = 6

SELECT "FULL_NAME" FROM users WHERE id = 1

UPDATE "users" SET "display_name" = ? WHERE "id" = ?
--@ params: 'Quoted Update', 8

--@ category: spellings/no-spaces

SELECT(full_name)FROM users WHERE(id=?)
--@ params: 3

SELECT id FROM users WHERE full_name=?OR display_name=?ORDER BY id
--@ params: 'Ada Lovelace', 'Alan Turing'

SELECT id,full_name||'!'FROM users WHERE id<?ORDER BY id
--@ params: 4

UPDATE users SET full_name=upper(full_name)WHERE id=?
--@ params: 9

UPDATE users SET(full_name,score)=(?,score+1)WHERE id=?
--@ params: 'Glued Row', 11

UPDATE users SET (display_name,score)=(lower(full_name),2)RETURNING id,display_name

INSERT INTO users(id,full_name,email)VALUES(?,?,?)
--@ params: $new, 'No Spaces', 'nospace$last@example.com'

UPDATE users SET display_name=?WHERE id=?RETURNING full_name
--@ params: 'Tight Returning', 10

--@ category: spellings/comments

SELECT full_name/* a comment */FROM/**/users WHERE id = ?
--@ params: 2

SELECT display_name -- to the end of the line
FROM users WHERE id = ?
--@ params: 3

UPDATE/* c */users/* c */SET/* c */full_name/* c */=/* c */?/* c */WHERE id = ?
--@ params: 'Commented', 11

SELECT /* nested /* comment */ users */ full_name FROM users WHERE id = 4

--@ category: spellings/only-and-star

SELECT full_name FROM ONLY users WHERE id = ? ORDER BY id
--@ params: 5

UPDATE ONLY users SET display_name = ? WHERE id = ?
--@ params: 'Only Update', 12

DELETE FROM ONLY users WHERE full_name = ? AND id >= 1000
--@ params: 'nobody'

SELECT full_name FROM users * WHERE id = ?
--@ params: 6

--@ category: spellings/table-and-rows-from

TABLE users

TABLE teams ORDER BY id LIMIT 2

SELECT * FROM (TABLE users) t ORDER BY id

SELECT u.full_name, g.n FROM users u, ROWS FROM (generate_series(1, 2)) AS g(n) WHERE u.id = g.n ORDER BY g.n

SELECT g.n FROM ROWS FROM (generate_series(1, 3)) AS g(n) WHERE g.n IN (SELECT id FROM users) ORDER BY g.n

--@ category: spellings/strings

SELECT id FROM users WHERE full_name <> E'it\'s' ORDER BY id

SELECT id, full_name FROM users WHERE display_name = E'Alan\x20Turing'

SELECT id FROM users WHERE full_name = $$Ada Lovelace$$

SELECT $q$users$q$ AS word, full_name FROM users WHERE id = ?
--@ params: 7

SELECT id, U&'\0041' || full_name AS x FROM users WHERE id = 2

--@ category: spellings/unicode-escapes

SELECT U&"\0066ull_name" FROM users WHERE id = ?
--@ params: 3

SELECT full_name FROM U&"\0075sers" WHERE id = ?
--@ params: 3

SELECT id FROM U&"!0075sers" UESCAPE '!' WHERE id = 2

UPDATE U&"\0075sers" SET U&"\0064isplay_name" = ? WHERE id = ?
--@ params: 'Unicode Update', 13

SELECT U&"\006Eame" FROM teams WHERE id = 1

SELECT name FROM U&"d!0074eams" UESCAPE '!' WHERE id = 1

--@ category: spellings/multi-statement
--@ mode: plain

SELECT count(*) FROM teams; SELECT full_name FROM users WHERE id = 1

UPDATE users SET full_name = 'Multi One' WHERE id = 14; SELECT display_name FROM users WHERE id = 14

--@ category: deferred/do-blocks

DO $$BEGIN UPDATE users SET full_name = 'do block' WHERE id = 1; END$$

DO LANGUAGE plpgsql 'BEGIN PERFORM count(*) FROM users; END'

DO $d$BEGIN EXECUTE $q$UPDATE users SET display_name = 'dynamic' WHERE id = 2$q$; END$d$

DO $$BEGIN UPDATE teams SET name = name WHERE id = 1; END$$

DO $$BEGIN PERFORM 1; END$$

--@ category: deferred/functions

CREATE OR REPLACE FUNCTION corpus_touch_users() RETURNS void LANGUAGE sql AS $$UPDATE users SET full_name = full_name WHERE false$$

CREATE OR REPLACE PROCEDURE corpus_touch_users_proc() LANGUAGE plpgsql AS 'BEGIN DELETE FROM users WHERE false; END'

CREATE OR REPLACE FUNCTION corpus_team_count() RETURNS bigint LANGUAGE sql AS $$SELECT count(*) FROM teams$$

SELECT corpus_team_count()

SELECT query_to_xml('SELECT full_name FROM users WHERE id = 1', true, false, '')::text

SELECT query_to_xml('SELECT name FROM teams WHERE id = 1', true, false, '')::text

--@ category: deferred/prepare-and-cursors
--@ mode: plain

PREPARE corpus_users_upd AS UPDATE users SET full_name = $1 WHERE id = $2

PREPARE corpus_teams_sel AS SELECT name FROM teams WHERE id = $1; EXECUTE corpus_teams_sel(1); DEALLOCATE corpus_teams_sel

DECLARE corpus_cur CURSOR WITH HOLD FOR SELECT full_name FROM users WHERE id < 4 ORDER BY id; FETCH ALL FROM corpus_cur; CLOSE corpus_cur

DECLARE corpus_cur2 NO SCROLL CURSOR WITH HOLD FOR SELECT id FROM users WHERE display_name = 'Ada Lovelace'; FETCH ALL FROM corpus_cur2; CLOSE corpus_cur2

DECLARE corpus_cur3 CURSOR WITH HOLD FOR SELECT id, full_name FROM users WHERE id < 4 ORDER BY id FOR READ ONLY; FETCH ALL FROM corpus_cur3; CLOSE corpus_cur3
