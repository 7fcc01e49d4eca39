-- SELECT forms over the migrating table: expressions, functions, aggregates, DISTINCT, joins of
-- every kind, quoting, ordering by label and position, LIMIT / OFFSET / FETCH.

--@ category: select/projection
SELECT id, full_name AS name FROM users WHERE id <= 5 ORDER BY id

SELECT id, display_name AS name FROM users WHERE id <= 5 ORDER BY id

SELECT full_name AS display_name FROM users WHERE id = 1

SELECT display_name AS full_name FROM users WHERE id = 2

SELECT full_name, display_name, full_name FROM users WHERE id IN (1, 2, 3) ORDER BY id

SELECT id, full_name fn, display_name dn FROM users WHERE id < 4 ORDER BY id

SELECT u.full_name, u.display_name FROM users AS u WHERE u.id = 6

SELECT mig_users.full_name FROM users mig_users WHERE mig_users.id = 9

SELECT length(full_name) AS len, id FROM users ORDER BY len DESC NULLS LAST, id

SELECT id, char_length(display_name) FROM users WHERE id < 10 ORDER BY id

SELECT substr(full_name, 1, 3) AS prefix, count(*) FROM users GROUP BY prefix ORDER BY prefix NULLS FIRST

SELECT split_part(display_name, ' ', 1) AS first_word FROM users WHERE id < 12 ORDER BY id

SELECT initcap(lower(full_name)) FROM users WHERE id BETWEEN 1 AND 6 ORDER BY id

SELECT reverse(display_name), id FROM users WHERE id < 5 ORDER BY id

SELECT replace(full_name, 'User', 'Member') AS member FROM users WHERE id BETWEEN 10 AND 15 ORDER BY id

SELECT concat(full_name, '/', display_name) FROM users WHERE id < 6 ORDER BY id

SELECT concat_ws(' - ', id, full_name, email) FROM users WHERE id < 6 ORDER BY id

SELECT format('%s <%s>', display_name, email) AS addr FROM users WHERE id < 6 ORDER BY id

SELECT nullif(full_name, 'Ada Lovelace') FROM users WHERE id < 4 ORDER BY id

SELECT greatest(full_name, display_name), least(full_name, 'M') FROM users WHERE id < 8 ORDER BY id

SELECT md5(coalesce(full_name, '')) FROM users WHERE id < 5 ORDER BY id

SELECT left(display_name, 4), right(display_name, 2) FROM users WHERE id < 5 ORDER BY id

SELECT position('a' IN full_name) FROM users WHERE id < 5 ORDER BY id

SELECT trim(both ' ' from full_name) AS trimmed FROM users WHERE id < 5 ORDER BY id

SELECT lpad(display_name, 20, '.') FROM users WHERE id < 4 ORDER BY id

SELECT 1 AS one, full_name, 'x' AS lit FROM users WHERE id = 1

SELECT id + 1000 AS shifted, display_name FROM users WHERE id < 3 ORDER BY shifted

SELECT (full_name) FROM users WHERE id = 5

SELECT ((display_name)) AS parens FROM users WHERE id = 5

SELECT full_name IS NULL AS missing, count(*) FROM users GROUP BY 1 ORDER BY 1

SELECT display_name IS NOT NULL AND score > 2 AS flag, id FROM users WHERE id < 10 ORDER BY id

SELECT CASE full_name WHEN 'Ada Lovelace' THEN 1 WHEN 'Alan Turing' THEN 2 ELSE 0 END AS rank, id FROM users WHERE id < 6 ORDER BY id

SELECT CASE WHEN display_name LIKE 'User%' THEN 'generic' WHEN display_name IS NULL THEN 'none' ELSE 'named' END AS kind, count(*) FROM users GROUP BY kind ORDER BY kind

--@ category: select/where
SELECT id FROM users WHERE full_name = 'Ada Lovelace'

SELECT id FROM users WHERE display_name = 'Alan Turing'

SELECT id FROM users WHERE full_name <> 'User 5' AND id < 8 ORDER BY id

SELECT id FROM users WHERE display_name != ? AND id < 8 ORDER BY id
--@ params: 'User 6'

SELECT id FROM users WHERE full_name > ? ORDER BY id
--@ params: 'User 3'

SELECT id FROM users WHERE display_name >= 'User 30' AND display_name < 'User 4' ORDER BY id

SELECT id FROM users WHERE full_name IS NULL ORDER BY id

SELECT id FROM users WHERE display_name IS NULL ORDER BY id

SELECT id FROM users WHERE NOT (full_name IS NULL) AND id < 10 ORDER BY id

SELECT id FROM users WHERE full_name LIKE 'A%' OR display_name LIKE 'O%' ORDER BY id

SELECT id FROM users WHERE display_name NOT LIKE 'User%' ORDER BY id

SELECT id FROM users WHERE full_name BETWEEN 'B' AND 'V' ORDER BY id

SELECT id FROM users WHERE display_name NOT BETWEEN ? AND ? ORDER BY id
--@ params: 'B', 'V'

SELECT id FROM users WHERE full_name NOT IN ('User 5', 'User 6') AND id < 9 ORDER BY id

SELECT id FROM users WHERE (full_name, id) = ('User 5', 5)

SELECT id FROM users WHERE id = ? AND display_name = ?
--@ params: 8, 'User 8'

SELECT id FROM users WHERE ? = full_name
--@ params: 'User 9'

SELECT id FROM users WHERE upper(display_name) LIKE upper(?) ORDER BY id
--@ params: '%lovelace'

SELECT id FROM users WHERE coalesce(full_name, email) LIKE 'u%' ORDER BY id

SELECT id FROM users WHERE length(display_name) > 10 ORDER BY id

SELECT id FROM users WHERE full_name = display_name AND id = 10

SELECT id FROM users WHERE full_name || '' = display_name ORDER BY id

SELECT email FROM users WHERE full_name IS NOT NULL AND score = 0 ORDER BY id

SELECT id FROM users WHERE team_id = 1 AND (full_name LIKE '%1%' OR display_name LIKE '%2%') ORDER BY id

--@ category: select/aggregate
SELECT count(full_name), count(DISTINCT display_name) FROM users

SELECT team_id, count(full_name) FROM users GROUP BY team_id ORDER BY team_id NULLS FIRST

SELECT team_id, string_agg(display_name, ', ' ORDER BY display_name) FROM users WHERE id < 15 GROUP BY team_id ORDER BY team_id NULLS LAST

SELECT team_id, array_agg(full_name ORDER BY id) FROM users WHERE id < 10 GROUP BY team_id ORDER BY team_id NULLS LAST

SELECT min(full_name), max(display_name), count(*) FROM users WHERE team_id = ?
--@ params: 2

SELECT score, max(length(full_name)) FROM users GROUP BY score ORDER BY score

SELECT display_name, sum(score) FROM users GROUP BY display_name HAVING sum(score) > 3 ORDER BY display_name

SELECT team_id FROM users GROUP BY team_id HAVING count(full_name) > 5 ORDER BY team_id

SELECT team_id FROM users GROUP BY team_id HAVING max(display_name) LIKE 'User%' ORDER BY team_id

SELECT full_name, display_name, count(*) FROM users WHERE id < 6 GROUP BY full_name, display_name ORDER BY 1

SELECT count(*) FILTER (WHERE full_name LIKE 'User%') AS generic, count(*) FILTER (WHERE display_name IS NULL) AS anon FROM users

SELECT bool_and(full_name IS NOT NULL), bool_or(display_name = 'Ada Lovelace') FROM users

SELECT json_agg(display_name ORDER BY id) FROM users WHERE id < 5

SELECT jsonb_object_agg(id, full_name) FROM users WHERE id < 4

SELECT team_id, count(*) FROM users GROUP BY ROLLUP (team_id) ORDER BY team_id NULLS FIRST

SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY display_name) FROM users

SELECT mode() WITHIN GROUP (ORDER BY full_name) FROM users WHERE id < 3

--@ category: select/distinct
SELECT DISTINCT full_name FROM users WHERE id < 10

SELECT DISTINCT display_name, team_id FROM users WHERE id < 10

SELECT DISTINCT team_id FROM users WHERE display_name IS NOT NULL

SELECT count(*) FROM (SELECT DISTINCT full_name FROM users) AS d

--@ category: select/order-limit
SELECT id, full_name FROM users ORDER BY full_name NULLS FIRST, id LIMIT 5

SELECT id, display_name FROM users ORDER BY display_name DESC NULLS LAST, id LIMIT 5 OFFSET 2

SELECT full_name FROM users ORDER BY id DESC LIMIT 3

SELECT display_name FROM users ORDER BY id OFFSET 35

SELECT id, full_name FROM users ORDER BY id FETCH FIRST 3 ROWS ONLY

SELECT id, display_name FROM users ORDER BY id OFFSET 2 ROWS FETCH NEXT 2 ROWS ONLY

SELECT id, full_name FROM users ORDER BY id OFFSET ? ROWS FETCH FIRST ? ROWS ONLY
--@ params: 4, 3

SELECT id, full_name FROM users ORDER BY full_name COLLATE "C", id LIMIT 6

SELECT full_name AS n FROM users ORDER BY n DESC NULLS LAST, id LIMIT 4

SELECT display_name AS n FROM users ORDER BY lower(n), id LIMIT 4

SELECT id, full_name FROM users ORDER BY 2, 1 LIMIT 5

SELECT id FROM users ORDER BY display_name USING <, id LIMIT 5

SELECT id, display_name FROM users ORDER BY length(display_name) DESC NULLS LAST, id LIMIT ?
--@ params: 4

SELECT id, full_name FROM users ORDER BY id LIMIT ALL

--@ category: select/join
SELECT u.full_name, t.name FROM users u INNER JOIN teams t ON u.team_id = t.id WHERE u.id < 6 ORDER BY u.id

SELECT u.display_name, t.name FROM users u LEFT OUTER JOIN teams t ON u.team_id = t.id ORDER BY u.id

SELECT u.full_name, t.name FROM teams t RIGHT JOIN users u ON u.team_id = t.id WHERE u.id < 12 ORDER BY u.id

SELECT u.display_name, t.name FROM users u FULL JOIN teams t ON t.lead_name = u.full_name ORDER BY u.id NULLS LAST, t.id

SELECT u.full_name, t.name FROM users u CROSS JOIN teams t WHERE u.id = 1 ORDER BY t.id

SELECT u.full_name, t.name FROM users u, teams t WHERE u.team_id = t.id AND u.id < 5 ORDER BY u.id

SELECT a.id, b.id FROM users a JOIN users b ON a.full_name = b.display_name AND a.id <> b.id ORDER BY a.id, b.id

SELECT a.id, a.display_name, b.full_name FROM users a JOIN users b ON b.id = a.id + 1 WHERE a.id < 5 ORDER BY a.id

SELECT o.id, u.full_name, o.amount FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id < 10 ORDER BY o.id

SELECT o.id, u.display_name FROM orders o LEFT JOIN users u ON u.id = o.user_id WHERE o.id BETWEEN 38 AND 48 ORDER BY o.id

SELECT u.display_name, sum(o.amount) AS total FROM users u JOIN orders o ON o.user_id = u.id GROUP BY u.display_name ORDER BY total DESC, u.display_name NULLS LAST LIMIT 5

SELECT t.name, count(u.full_name) FROM teams t LEFT JOIN users u ON u.team_id = t.id GROUP BY t.name ORDER BY t.name

SELECT t.name, u.full_name, o.status FROM teams t JOIN users u ON u.team_id = t.id JOIN orders o ON o.user_id = u.id WHERE o.id < 8 ORDER BY o.id

SELECT users.full_name, teams.name FROM users JOIN teams ON teams.id = users.team_id WHERE users.id = 4

SELECT display_name, name FROM users JOIN teams ON teams.id = users.team_id WHERE users.id = 5

SELECT u.id FROM users u JOIN teams t ON t.id = u.team_id AND t.lead_name = u.display_name

SELECT u.id, t.id FROM users u LEFT JOIN teams t ON t.lead_name = u.full_name WHERE u.id < 4 ORDER BY u.id, t.id

SELECT u.full_name FROM users u JOIN teams t USING (id) ORDER BY u.id

SELECT u.full_name, t.name FROM users u NATURAL JOIN teams t

SELECT "u"."full_name" FROM "users" AS "u" WHERE "u"."id" = 7

SELECT u."display_name" FROM users u WHERE u."id" = 8

SELECT mig.users.full_name FROM mig.users WHERE mig.users.id = 3

SELECT u.display_name FROM mig.users u WHERE u.id = 3

SELECT display_name FROM mig.users WHERE id = 4

SELECT "USERS".id FROM users "USERS" WHERE "USERS".full_name IS NULL ORDER BY 1
