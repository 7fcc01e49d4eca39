-- Issue 11: names that are not the migrating column although they look like it, and references
-- whose shape is the phase's physical columns: fields of a composite column named like the
-- migrating column (users.contact is a contact_info with fields full_name and display_name),
-- field selection of a row, table aliases with column lists (positions), whole-row references,
-- and text where the rewrite meets odd spacing.

--@ category: rows-fields/composite-field

SELECT id, (contact).full_name FROM users ORDER BY id

SELECT (u.contact).full_name, (u.contact).display_name FROM users u WHERE (u.contact).full_name LIKE 'c1%' ORDER BY u.id

SELECT id FROM users WHERE (contact).display_name = ? ORDER BY id
--@ params: 'd3'

SELECT (contact).display_name, display_name FROM users WHERE id = ?
--@ params: 4

SELECT ((contact).full_name), full_name FROM users WHERE id < 4 ORDER BY id

SELECT id FROM users ORDER BY (contact).full_name NULLS FIRST, id

UPDATE users SET contact.full_name = ? WHERE id = ?
--@ params: 'changed', 3

UPDATE users SET contact.display_name = ?, full_name = ? WHERE id = ?
--@ params: 'field', 'column', 5

UPDATE users u SET contact.full_name = u.full_name WHERE u.id < ?
--@ params: 10

INSERT INTO users (id, contact.full_name) VALUES (?, ?)
--@ params: $new, 'only the field'

INSERT INTO users (id, full_name, contact.display_name) VALUES (?, ?, ?)
--@ params: $new, 'the column', 'the field'

--@ category: rows-fields/row-field

SELECT (u).full_name FROM users u WHERE u.id < ? ORDER BY u.id
--@ params: 6

SELECT (users).display_name FROM users WHERE id = ?
--@ params: 2

SELECT (u).full_name::text, (u).display_name FROM users u ORDER BY u.id

SELECT id FROM users u WHERE (u).full_name = ? ORDER BY id
--@ params: 'Alan Turing'

--@ category: rows-fields/alias-list

SELECT n FROM users AS a(i, n) ORDER BY i

SELECT a.i, a.n, a.e FROM users a(i, n, e) WHERE a.i < ? ORDER BY a.i
--@ params: 8

SELECT * FROM users AS a(i, n) WHERE i = ?
--@ params: 3

SELECT n, count(*) FROM users a(i, n) GROUP BY n ORDER BY n NULLS FIRST

SELECT x.n, t.name FROM users x(i, n, e, s, tid) JOIN teams t ON t.id = x.tid ORDER BY x.i

SELECT a.display_name, a.n FROM users a(i, n) WHERE a.n = ? ORDER BY a.i
--@ params: 'Ada Lovelace'

SELECT n FROM users AS a(i, n) WHERE i = ? FOR UPDATE
--@ params: 4

--@ category: rows-fields/whole-row

SELECT to_jsonb(u) FROM users u WHERE u.id = ?
--@ params: 1

SELECT row_to_json(users) FROM users WHERE id < ? ORDER BY id
--@ params: 5

SELECT u FROM users u WHERE u.id = ?
--@ params: 3

SELECT u::text FROM users u ORDER BY u.id

SELECT count(u), count(u.*) FROM users u

SELECT id, u IS NULL, u IS NOT NULL FROM users u WHERE id < 5 ORDER BY id

SELECT to_jsonb(u) ->> 'full_name', to_jsonb(u) ->> 'display_name' FROM users u WHERE id = ?
--@ params: 2

SELECT (SELECT to_jsonb(u) FROM users u WHERE u.id = o.user_id) FROM orders o WHERE o.id < ? ORDER BY o.id
--@ params: 6

SELECT x FROM users u, LATERAL (SELECT u AS x) l WHERE u.id = ?
--@ params: 4

SELECT md5(u::text) FROM users u WHERE u.id = ? FOR UPDATE
--@ params: 5

SELECT to_jsonb(u) FROM ONLY users u WHERE u.id = ?
--@ params: 6

UPDATE orders SET note = left(u::text, 30) FROM users u WHERE u.id = orders.user_id AND orders.id = ?
--@ params: 7

SELECT * FROM users u WHERE u IS NOT NULL AND id = ?
--@ params: 8

SELECT u.*, to_jsonb(u) FROM users u WHERE id = ?
--@ params: 9

SELECT to_jsonb(users) FROM users WHERE users.full_name = ?
--@ params: 'Ada Lovelace'

SELECT t.name, count(u) FROM teams t LEFT JOIN users u ON u.team_id = t.id GROUP BY t.name ORDER BY t.name

WITH c AS (SELECT to_jsonb(u) AS j FROM users u WHERE u.id < 4) SELECT j FROM c ORDER BY j ->> 'id'

SELECT jsonb_populate_record(NULL::users, '{"id": 1}')

INSERT INTO users (id, full_name) VALUES (?, ?) RETURNING to_jsonb(users)
--@ params: $new, 'returned row'

--@ category: rows-fields/odd-spacing

SELECT(full_name)FROM users WHERE id=?
--@ params: 1

SELECT(display_name)FROM users WHERE(id)=?
--@ params: 2

SELECT full_name/*c*/FROM users WHERE id = ?
--@ params: 3

SELECT"full_name"FROM"users"WHERE"id"=?
--@ params: 4

SELECT u.full_name--label
FROM users u WHERE u.id = ?
--@ params: 5

SELECT id FROM users WHERE full_name='Ada Lovelace'OR display_name='Alan Turing' ORDER BY id

SELECT(full_name)AS n FROM users WHERE id = ?
--@ params: 6

SELECT id,full_name,display_name FROM users WHERE id=?
--@ params: 7

INSERT INTO users(id,full_name)VALUES(?,?)
--@ params: $new, 'tight'

SELECT(SELECT(full_name)FROM users WHERE id=?)AS x
--@ params: 8

UPDATE users SET(full_name)=(?)WHERE id=?
--@ params: 'row', 9

SELECT(u).full_name,(u.contact).full_name FROM users u WHERE u.id=?
--@ params: 10
