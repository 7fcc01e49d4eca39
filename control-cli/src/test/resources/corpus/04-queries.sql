-- Subqueries (scalar, IN, EXISTS, FROM, LATERAL), set operations, window functions, DISTINCT ON,
-- VALUES lists.

--@ category: subquery/scalar
SELECT id, (SELECT name FROM teams t WHERE t.id = u.team_id) AS team, full_name FROM users u WHERE id < 5 ORDER BY id

SELECT (SELECT full_name FROM users WHERE id = 1) AS first_name

SELECT (SELECT display_name FROM users WHERE id = ?) AS n
--@ params: 2

SELECT t.name, (SELECT max(u.full_name) FROM users u WHERE u.team_id = t.id) AS top FROM teams t ORDER BY t.id

SELECT t.name, (SELECT count(*) FROM users u WHERE u.display_name = t.lead_name) FROM teams t ORDER BY t.id

SELECT id FROM users WHERE full_name = (SELECT lead_name FROM teams WHERE id = 1)

SELECT id FROM users WHERE display_name = (SELECT max(display_name) FROM users)

SELECT id, score - (SELECT avg(score) FROM users) AS delta FROM users WHERE full_name LIKE 'User 1%' ORDER BY id

SELECT o.id, (SELECT u.display_name FROM users u WHERE u.id = o.user_id) FROM orders o WHERE o.id < 6 ORDER BY o.id

--@ category: subquery/in-exists
SELECT id FROM users WHERE team_id IN (SELECT id FROM teams WHERE lead_name IS NOT NULL) AND full_name LIKE 'User 3%' ORDER BY id

SELECT name FROM teams WHERE lead_name IN (SELECT full_name FROM users) ORDER BY id

SELECT name FROM teams WHERE lead_name NOT IN (SELECT display_name FROM users WHERE display_name IS NOT NULL) ORDER BY id

SELECT name FROM teams t WHERE EXISTS (SELECT 1 FROM users u WHERE u.full_name = t.lead_name) ORDER BY id

SELECT name FROM teams t WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.display_name = t.lead_name) ORDER BY id

SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND o.status = 'paid') AND u.full_name IS NOT NULL ORDER BY u.id

SELECT id FROM users u WHERE u.display_name IN (SELECT u2.full_name FROM users u2 WHERE u2.id < 4) ORDER BY id

SELECT id FROM orders WHERE user_id IN (SELECT id FROM users WHERE display_name LIKE 'User 1%') ORDER BY id

SELECT id FROM users WHERE id IN (SELECT user_id FROM orders WHERE amount > ?) AND display_name IS NOT NULL ORDER BY id
--@ params: 150.0

SELECT id FROM users WHERE full_name > ALL (SELECT lead_name FROM teams WHERE lead_name IS NOT NULL) ORDER BY id

--@ category: subquery/from
SELECT x.full_name FROM (SELECT full_name, id FROM users WHERE id < 5) x ORDER BY x.id

SELECT x.n FROM (SELECT display_name AS n, id FROM users) AS x WHERE x.id = 7

SELECT x.display_name FROM (SELECT display_name, id FROM users) x WHERE x.id BETWEEN 5 AND 7 ORDER BY x.id

SELECT x.full_name, x.display_name FROM (SELECT full_name, display_name FROM users WHERE id = 8) x

SELECT count(*) FROM (SELECT full_name FROM users WHERE full_name LIKE 'User%') s

SELECT s.team_id, s.c FROM (SELECT team_id, count(display_name) AS c FROM users GROUP BY team_id) s ORDER BY s.team_id NULLS FIRST

SELECT x.* FROM (SELECT id, full_name FROM users WHERE id < 4) x ORDER BY x.id

SELECT * FROM (SELECT id, display_name FROM users WHERE id < 4) x ORDER BY id

SELECT y.id FROM (SELECT x.id, x.full_name FROM (SELECT id, full_name FROM users) x WHERE x.full_name IS NULL) y ORDER BY y.id

SELECT * FROM (SELECT * FROM users WHERE id < 3) s ORDER BY id

SELECT t.name, s.n FROM teams t JOIN (SELECT team_id, max(full_name) AS n FROM users GROUP BY team_id) s ON s.team_id = t.id ORDER BY t.id

--@ category: subquery/lateral
SELECT t.name, x.full_name FROM teams t CROSS JOIN LATERAL (SELECT u.full_name FROM users u WHERE u.team_id = t.id ORDER BY u.id LIMIT 1) x ORDER BY t.id

SELECT t.name, x.display_name FROM teams t LEFT JOIN LATERAL (SELECT display_name FROM users u WHERE u.team_id = t.id ORDER BY u.id DESC LIMIT 2) x ON true ORDER BY t.id, x.display_name

SELECT u.id, o.total FROM users u, LATERAL (SELECT sum(amount) AS total FROM orders WHERE user_id = u.id) o WHERE u.full_name LIKE 'User 1%' ORDER BY u.id

SELECT u.full_name, l.c FROM users u JOIN LATERAL (SELECT count(*) AS c FROM orders o WHERE o.user_id = u.id) l ON true WHERE u.id < 5 ORDER BY u.id

SELECT u.id, w.word FROM users u, LATERAL unnest(string_to_array(u.display_name, ' ')) AS w(word) WHERE u.id < 3 ORDER BY u.id, w.word

--@ category: set-operations
SELECT full_name FROM users WHERE id < 3 UNION SELECT lead_name FROM teams

SELECT display_name FROM users WHERE id < 3 UNION ALL SELECT name FROM teams

SELECT full_name FROM users UNION SELECT display_name FROM users

SELECT full_name AS n FROM users WHERE id < 5 UNION ALL SELECT display_name FROM users WHERE id > 38 ORDER BY n NULLS FIRST

SELECT lead_name FROM teams INTERSECT SELECT full_name FROM users

SELECT lead_name FROM teams EXCEPT SELECT display_name FROM users

SELECT full_name FROM users WHERE id < 10 EXCEPT ALL SELECT full_name FROM users WHERE id < 5

SELECT id, full_name FROM users WHERE id = 1 UNION SELECT id, display_name FROM users WHERE id = 2 ORDER BY 1

SELECT id, display_name FROM users WHERE id = ? UNION ALL SELECT id, full_name FROM users WHERE id = ?
--@ params: 3, 4

(SELECT full_name FROM users WHERE id = 5) UNION (SELECT display_name FROM users WHERE id = 6)

SELECT full_name FROM users WHERE id < 3 UNION SELECT name FROM teams INTERSECT SELECT lead_name FROM teams

SELECT x.n FROM (SELECT full_name AS n FROM users WHERE id < 4 UNION SELECT name FROM teams) x ORDER BY x.n

SELECT count(*) FROM (SELECT display_name FROM users UNION SELECT full_name FROM users) s

SELECT * FROM users WHERE id = 1 UNION ALL SELECT * FROM users WHERE id = 2

SELECT full_name FROM users WHERE id = 1 UNION ALL SELECT 'literal' ORDER BY 1

--@ category: window
SELECT id, full_name, row_number() OVER (ORDER BY full_name NULLS LAST, id) FROM users WHERE id < 10 ORDER BY id

SELECT id, display_name, rank() OVER (PARTITION BY team_id ORDER BY display_name) FROM users WHERE id < 12 ORDER BY id

SELECT id, count(*) OVER (PARTITION BY full_name) FROM users WHERE id < 10 ORDER BY id

SELECT id, lag(full_name) OVER (ORDER BY id) AS prev FROM users WHERE id < 6 ORDER BY id

SELECT id, lead(display_name, 2) OVER (ORDER BY id) FROM users WHERE id < 6 ORDER BY id

SELECT id, first_value(full_name) OVER w, last_value(display_name) OVER w FROM users WHERE id < 8 WINDOW w AS (PARTITION BY team_id ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) ORDER BY id

SELECT id, string_agg(full_name, ',') OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM users WHERE id < 6 ORDER BY id

SELECT display_name, dense_rank() OVER (ORDER BY score DESC) FROM users WHERE id < 8 ORDER BY id

SELECT id, ntile(3) OVER (ORDER BY display_name NULLS FIRST, id) FROM users WHERE id < 10 ORDER BY id

SELECT x.id FROM (SELECT id, row_number() OVER (PARTITION BY team_id ORDER BY full_name NULLS LAST, id) AS rn FROM users) x WHERE x.rn = 1 ORDER BY x.id

SELECT id, max(display_name) OVER (PARTITION BY score) FROM users WHERE id < 10 ORDER BY id

SELECT id, full_name, sum(score) OVER (ORDER BY full_name NULLS FIRST, id) FROM users WHERE id < 10 ORDER BY id

--@ category: distinct-on
SELECT DISTINCT ON (team_id) team_id, full_name FROM users ORDER BY team_id, id

SELECT DISTINCT ON (team_id) team_id, display_name FROM users ORDER BY team_id, display_name NULLS LAST, id

SELECT DISTINCT ON (full_name) full_name, id FROM users WHERE id < 10 ORDER BY full_name, id

SELECT DISTINCT ON (display_name) id FROM users WHERE id < 10 ORDER BY display_name, id DESC

SELECT DISTINCT ON (u.team_id) u.team_id, u.full_name, t.name FROM users u JOIN teams t ON t.id = u.team_id ORDER BY u.team_id, u.id DESC

--@ category: values
SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(id, full_name) ORDER BY id

SELECT v.n, u.id FROM (VALUES ('Ada Lovelace'), ('User 5')) v(n) JOIN users u ON u.full_name = v.n ORDER BY u.id

SELECT u.id FROM users u JOIN (VALUES (?), (?)) v(n) ON v.n = u.display_name ORDER BY u.id
--@ params: 'User 11', 'Alan Turing'
