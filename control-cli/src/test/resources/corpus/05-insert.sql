-- INSERT: column lists in any order, RETURNING, INSERT ... SELECT, DEFAULT VALUES, VALUES with
-- DEFAULT, multi-row VALUES, ON CONFLICT DO NOTHING / DO UPDATE with EXCLUDED under either name.

--@ category: insert/values
INSERT INTO users (full_name, id) VALUES (?, ?)
--@ params: 'Reversed $last', $new

INSERT INTO users (email, display_name, id, score) VALUES (?, ?, ?, 2)
--@ params: 'e$last@x.org', 'Mixed order', $new

INSERT INTO users (id, full_name, email, score, team_id, tags, profile) VALUES (?, ?, ?, 1, 2, ARRAY['new'], '{"age": 50}')
--@ params: $new, 'All columns $last', 'all$last@x.org'

INSERT INTO users (id, display_name, tags) VALUES (?, ?, ?)
--@ params: $new, 'Tagged $last', ['a', 'b']

INSERT INTO users (id, full_name, profile) VALUES (?, ?, ?::jsonb)
--@ params: $new, 'Json $last', '{"city": "Oslo"}'

INSERT INTO users (id, full_name) VALUES (?, NULL)
--@ params: $new

INSERT INTO users (id, display_name) VALUES (?, NULL)
--@ params: $new

INSERT INTO users (id, full_name) VALUES (?, upper(?))
--@ params: $new, 'shouted $last'

INSERT INTO users (id, display_name) VALUES (?, ? || ' ' || ?)
--@ params: $new, 'Two', 'parts'

INSERT INTO users (id, full_name) VALUES (?, 'It''s quoted')
--@ params: $new

INSERT INTO users (id, display_name) VALUES (?, E'Tab\tin name')
--@ params: $new

INSERT INTO users (id, full_name) VALUES (?, $$Dollar 'quoted'$$)
--@ params: $new

INSERT INTO users (id, display_name, email) VALUES (?, 'A', ?), (?, 'B', ?), (?, 'C', ?)
--@ params: $new, 'a$last@x.org', $new, 'b$last@x.org', $new, 'c$last@x.org'

INSERT INTO users (id, full_name) VALUES (?, (SELECT name FROM teams WHERE id = 1))
--@ params: $new

INSERT INTO users (id, display_name) VALUES (?, (SELECT max(display_name) FROM users))
--@ params: $new

INSERT INTO users (id, full_name) VALUES (?, coalesce(?, 'fallback'))
--@ params: $new, null

INSERT INTO "users" ("id", "full_name") VALUES (?, ?)
--@ params: $new, 'Quoted $last'

INSERT INTO mig.users (id, display_name) VALUES (?, ?)
--@ params: $new, 'Qualified $last'

INSERT INTO users AS u (id, full_name) VALUES (?, ?)
--@ params: $new, 'Aliased $last'

INSERT INTO users VALUES (?, ?, ?, 4, 1, '{x}', '{}', '2024-05-05 00:00:00')
--@ params: $new, 'Positional all $last', 'pa$last@x.org'

INSERT INTO users VALUES (?, ?)
--@ params: $new, 'Positional two $last'

INSERT INTO users (id, full_name, display_name) VALUES (?, ?, ?)
--@ params: $new, 'Both', 'Both'

--@ category: insert/default
INSERT INTO users DEFAULT VALUES

INSERT INTO users DEFAULT VALUES RETURNING id, full_name, display_name

INSERT INTO users (id, full_name, email) VALUES (DEFAULT, ?, DEFAULT)
--@ params: 'Default id $last'

INSERT INTO users (id, display_name, score) VALUES (DEFAULT, ?, DEFAULT) RETURNING score, display_name
--@ params: 'Default score $last'

INSERT INTO users (id, full_name) VALUES (?, DEFAULT)
--@ params: $new

INSERT INTO users (id, display_name) VALUES (?, DEFAULT) RETURNING display_name
--@ params: $new

INSERT INTO users (full_name) VALUES (?)
--@ params: 'Seq id $last'

INSERT INTO users (display_name) VALUES (?) RETURNING id, display_name
--@ params: 'Seq id new $last'

INSERT INTO users (full_name, display_name) VALUES (DEFAULT, DEFAULT)

--@ category: insert/returning
INSERT INTO users (id, full_name) VALUES (?, ?) RETURNING id
--@ params: $new, 'Ret $last'

INSERT INTO users (id, full_name) VALUES (?, ?) RETURNING full_name
--@ params: $new, 'Ret old $last'

INSERT INTO users (id, full_name) VALUES (?, ?) RETURNING display_name
--@ params: $new, 'Ret new $last'

INSERT INTO users (id, display_name) VALUES (?, ?) RETURNING id, full_name, display_name
--@ params: $new, 'Ret both $last'

INSERT INTO users (id, display_name) VALUES (?, ?) RETURNING *
--@ params: $new, 'Ret star $last'

INSERT INTO users AS u (id, full_name) VALUES (?, ?) RETURNING u.*
--@ params: $new, 'Ret alias star $last'

INSERT INTO users (id, full_name) VALUES (?, ?) RETURNING upper(display_name) AS up, length(full_name) len
--@ params: $new, 'Ret expr $last'

INSERT INTO users (id, display_name) VALUES (?, ?) RETURNING full_name AS n, id
--@ params: $new, 'Ret label $last'

INSERT INTO users (id, full_name) VALUES (?, ?), (?, ?) RETURNING id, display_name
--@ params: $new, 'Ret multi a $last', $new, 'Ret multi b $last'

INSERT INTO users (id, full_name) VALUES (?, ?) RETURNING users.full_name, users.id
--@ params: $new, 'Ret qualified $last'

INSERT INTO users (id, email) VALUES (?, ?) RETURNING full_name IS NULL AS no_name
--@ params: $new, 'rn$last@x.org'

--@ category: insert/select
INSERT INTO users (id, full_name, email) SELECT ? * 1000 + id, full_name, NULL FROM users WHERE id BETWEEN 1 AND 3
--@ params: $new

INSERT INTO users (id, display_name) SELECT ? * 1000 + id, display_name FROM users WHERE id IN (4, 5)
--@ params: $new

INSERT INTO users (id, full_name) SELECT ? * 1000 + id, display_name FROM users WHERE id = 6
--@ params: $new

INSERT INTO users (id, display_name) SELECT ? * 1000 + id, full_name || ' copy' FROM users WHERE id = 8
--@ params: $new

INSERT INTO users (id, full_name) SELECT ? * 1000 + t.id, t.lead_name FROM teams t WHERE t.lead_name IS NOT NULL
--@ params: $new

INSERT INTO users (id, display_name) SELECT ?, 'from values'
--@ params: $new

INSERT INTO users (id, full_name) SELECT ? * 1000 + id, full_name FROM users WHERE id = 9 RETURNING id, display_name
--@ params: $new

INSERT INTO users (id, full_name, team_id) SELECT ? * 1000 + u.id, u.full_name, t.id FROM users u JOIN teams t ON t.lead_name = u.display_name
--@ params: $new

INSERT INTO users (id, display_name) SELECT ? * 1000 + id, n FROM (SELECT id, full_name AS n FROM users WHERE id < 3) s
--@ params: $new

INSERT INTO users (id, full_name) SELECT ? * 1000 + id, display_name FROM users WHERE id = 10 UNION ALL SELECT ? * 1000 + 999, 'extra'
--@ params: $new, $last

INSERT INTO orders (id, user_id, amount, note) SELECT ? * 1000 + id, id, 1.5, full_name FROM users WHERE id < 4
--@ params: $new

INSERT INTO orders (id, user_id, amount, note) SELECT ?, id, 2.5, display_name FROM users WHERE id = 11
--@ params: $new

INSERT INTO teams (id, name, lead_name) SELECT ? * 1000 + id, 'team of ' || id, full_name FROM users WHERE id = 12
--@ params: $new

INSERT INTO users SELECT ? * 1000 + id, full_name, NULL FROM users WHERE id = 13
--@ params: $new

INSERT INTO users SELECT * FROM users WHERE false

--@ category: insert/on-conflict
INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT DO NOTHING
--@ params: 5, 'Conflict ignored'

INSERT INTO users (id, display_name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING
--@ params: 6, 'Conflict ignored new'

INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING RETURNING id
--@ params: $new, 'No conflict $last'

INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.full_name
--@ params: 15, 'Upsert old $last'

INSERT INTO users (id, display_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name
--@ params: 16, 'Upsert new $last'

INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.full_name
--@ params: 17, 'Upsert cross $last'

INSERT INTO users (id, display_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.display_name
--@ params: 18, 'Upsert cross new $last'

INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.display_name
--@ params: 19, 'Upsert excluded new $last'

INSERT INTO users (id, display_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.full_name
--@ params: 21, 'Upsert excluded old $last'

INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET full_name = users.full_name || '+' || EXCLUDED.full_name
--@ params: 22, 'x'

INSERT INTO users (id, display_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET display_name = users.display_name || '*' WHERE users.display_name LIKE 'User%'
--@ params: 23, 'ignored'

INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET score = users.score + 1 WHERE users.full_name IS NOT NULL
--@ params: 24, 'ignored'

INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.full_name RETURNING id, full_name, display_name
--@ params: 25, 'Upsert returning $last'

INSERT INTO users (id, display_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name RETURNING *
--@ params: 26, 'Upsert star $last'

INSERT INTO users AS u (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET full_name = u.full_name || EXCLUDED.full_name WHERE u.id = EXCLUDED.id
--@ params: 27, '.'

INSERT INTO users (id, email, full_name) VALUES (?, ?, ?) ON CONFLICT (email) DO UPDATE SET full_name = EXCLUDED.full_name
--@ params: $new, 'u28@example.com', 'By email $last'

INSERT INTO users (id, email, display_name) VALUES (?, ?, ?) ON CONFLICT (email) DO UPDATE SET display_name = EXCLUDED.display_name, score = EXCLUDED.score
--@ params: $new, 'u29@example.com', 'By email new $last'

INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT ON CONSTRAINT users_pkey DO UPDATE SET full_name = EXCLUDED.full_name
--@ params: 30, 'By constraint $last'

INSERT INTO users (id, full_name) VALUES (?, ?), (?, ?) ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.full_name
--@ params: 31, 'Multi upsert a $last', $new, 'Multi upsert b $last'

INSERT INTO users (id, full_name) SELECT id, full_name || ' again' FROM users WHERE id = 32 ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.full_name

INSERT INTO users (id, display_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET display_name = ? WHERE users.score < 100
--@ params: 33, 'ignored', 'Param upsert $last'

INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.full_name, display_name = EXCLUDED.display_name
--@ params: 34, 'Both upsert'

INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET score = length(EXCLUDED.display_name)
--@ params: 35, 'Length source'

INSERT INTO users (id, full_name) VALUES (?, ?)
ON CONFLICT (id)
DO UPDATE
SET full_name = EXCLUDED.full_name
--@ params: 36, 'Multiline upsert $last'

INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) WHERE id > 0 DO NOTHING
--@ params: 37, 'ignored'

INSERT INTO users (id, full_name) VALUES (?, ?) ON CONFLICT (id) DO -- the application's note
UPDATE SET full_name = EXCLUDED.full_name RETURNING id, full_name
--@ params: 38, 'Commented upsert $last'

INSERT INTO users (id, display_name) VALUES (?, ?) ON -- on the key
CONFLICT (id) DO /* keep */ UPDATE SET display_name = EXCLUDED.display_name WHERE users.id > 0 -- only real ids
--@ params: 39, 'Commented upsert new $last'

INSERT INTO orders (id, user_id, amount) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET amount = EXCLUDED.amount
--@ params: 5, 6, 99.5
