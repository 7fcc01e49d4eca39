-- PostgreSQL expressions: casts, jsonb operators (pgjdbc's ?? for ?), ANY(?), arrays,
-- IS DISTINCT FROM, ILIKE, SIMILAR TO, regular expressions, intervals, E'' and dollar-quoted
-- strings, comments, unicode, quoted identifiers.

--@ category: expr/cast
SELECT full_name::text FROM users WHERE id = 1

SELECT display_name::varchar(5) AS short FROM users WHERE id < 5 ORDER BY id

SELECT CAST(full_name AS varchar(3)) FROM users WHERE id < 5 ORDER BY id

SELECT id::text || ':' || display_name FROM users WHERE id < 5 ORDER BY id

SELECT full_name::bytea FROM users WHERE id = 4

SELECT id FROM users WHERE full_name = ?::text
--@ params: 'User 5'

SELECT id FROM users WHERE display_name::text = 'User 6'::text

SELECT (full_name)::char(4) FROM users WHERE id = 2

SELECT to_jsonb(display_name) FROM users WHERE id = 3

SELECT full_name::regclass FROM users WHERE false

SELECT text(display_name) FROM users WHERE id = 5

--@ category: expr/jsonb
SELECT id, profile->'age' FROM users WHERE id < 4 ORDER BY id

SELECT id, full_name, profile->>'city' AS city FROM users WHERE id < 6 ORDER BY id

SELECT display_name, profile #> '{prefs,lang}' FROM users WHERE id < 4 ORDER BY id

SELECT full_name, profile #>> '{prefs,lang}' AS lang FROM users WHERE id < 4 ORDER BY id

SELECT id FROM users WHERE profile @> '{"city": "Rome"}' AND display_name IS NOT NULL ORDER BY id

SELECT id, full_name FROM users WHERE '{"vip": true}' <@ profile ORDER BY id

SELECT id FROM users WHERE profile ?? 'age' AND full_name LIKE 'User 1%' ORDER BY id
--@ mode: prepared

SELECT id FROM users WHERE profile ? 'age' AND full_name LIKE 'User 2%' ORDER BY id
--@ mode: plain

SELECT id FROM users WHERE profile ??| array['nope', 'city'] AND display_name < 'User 2' ORDER BY id
--@ mode: prepared

SELECT id FROM users WHERE profile ??& array['age', 'city'] AND display_name LIKE 'A%' ORDER BY id
--@ mode: prepared

SELECT jsonb_build_object('name', full_name, 'id', id) FROM users WHERE id < 4 ORDER BY id

SELECT json_build_object('n', display_name) AS doc FROM users WHERE id = 2

SELECT profile || jsonb_build_object('name', display_name) FROM users WHERE id = 1

SELECT id FROM users WHERE profile->>'city' = ? AND full_name IS NOT NULL ORDER BY id
--@ params: 'Oslo'

SELECT id, (profile->>'age')::int + length(display_name) FROM users WHERE id < 5 ORDER BY id

SELECT jsonb_agg(jsonb_build_object('n', full_name) ORDER BY id) FROM users WHERE team_id = 3

SELECT row_to_json(x) FROM (SELECT id, display_name FROM users WHERE id < 3) x ORDER BY x.id

SELECT jsonb_path_query_first(profile, '$.prefs.lang'), full_name FROM users WHERE id = 2

SELECT id FROM users WHERE profile @> ?::jsonb AND full_name IS NOT NULL ORDER BY id
--@ params: '{"prefs": {"lang": "en"}}'

--@ category: expr/arrays
SELECT id FROM users WHERE id = ANY(?) ORDER BY id
--@ params: [1, 2, 3, 5]

SELECT full_name FROM users WHERE id = ANY(?) ORDER BY id
--@ params: [4, 5, 6]

SELECT id FROM users WHERE full_name = ANY(?) ORDER BY id
--@ params: ['Ada Lovelace', 'User 5', 'nobody']

SELECT id FROM users WHERE display_name = ANY(?::text[]) ORDER BY id
--@ params: ['Alan Turing', 'User 6']

SELECT id FROM users WHERE display_name <> ALL(ARRAY['User 5', 'User 6']) AND id < 8 ORDER BY id

SELECT id FROM users WHERE full_name = ANY(ARRAY['User 8', 'User 9']) ORDER BY id

SELECT id FROM users WHERE full_name LIKE ANY(ARRAY['A%', 'O%']) ORDER BY id

SELECT ARRAY[full_name, display_name] FROM users WHERE id = 5

SELECT array_length(tags, 1), full_name FROM users WHERE id < 4 ORDER BY id

SELECT tags[1], display_name FROM users WHERE id < 4 ORDER BY id

SELECT id FROM users WHERE tags @> ARRAY['t1'] AND full_name IS NOT NULL ORDER BY id

SELECT id FROM users WHERE 'all' = ANY(tags) AND display_name LIKE 'User 3%' ORDER BY id

SELECT unnest(tags) AS tag, full_name FROM users WHERE id = 2 ORDER BY tag

SELECT array_to_string(ARRAY[display_name, email], ';') FROM users WHERE id < 4 ORDER BY id

SELECT string_to_array(full_name, ' ') FROM users WHERE id < 4 ORDER BY id

SELECT (string_to_array(display_name, ' '))[2] AS second FROM users WHERE id < 6 ORDER BY id

SELECT array_position(ARRAY['Ada Lovelace', 'Alan Turing'], full_name) FROM users WHERE id < 4 ORDER BY id

SELECT id FROM users WHERE tags && ? ORDER BY id
--@ params: ['t2']

--@ category: expr/distinct-from
SELECT id FROM users WHERE full_name IS DISTINCT FROM 'User 5' AND id < 9 ORDER BY id

SELECT id FROM users WHERE display_name IS NOT DISTINCT FROM NULL ORDER BY id

SELECT id FROM users WHERE full_name IS DISTINCT FROM display_name

SELECT id FROM users WHERE display_name IS NOT DISTINCT FROM ? ORDER BY id
--@ params: 'Alan Turing'

--@ category: expr/patterns
SELECT id FROM users WHERE full_name ILIKE 'ada%'

SELECT id FROM users WHERE display_name ILIKE ? ORDER BY id
--@ params: '%TURING'

SELECT id FROM users WHERE full_name NOT ILIKE 'user%' ORDER BY id

SELECT id FROM users WHERE display_name ~~* 'zoë%'

SELECT id FROM users WHERE full_name ~~ 'User 1_' ORDER BY id

SELECT id FROM users WHERE full_name SIMILAR TO 'User (1|2)%' ORDER BY id

SELECT id FROM users WHERE display_name NOT SIMILAR TO '%[0-9]%' ORDER BY id

SELECT id FROM users WHERE full_name ~ '^User [0-9]$' ORDER BY id

SELECT id FROM users WHERE display_name ~* '^a' ORDER BY id

SELECT id FROM users WHERE full_name !~ 'User' ORDER BY id

SELECT regexp_replace(display_name, '[aeiou]', '_', 'g') FROM users WHERE id < 5 ORDER BY id

SELECT substring(full_name from '[0-9]+') AS num FROM users WHERE id < 12 ORDER BY id

SELECT id FROM users WHERE full_name LIKE 'O''B%'

SELECT id FROM users WHERE display_name LIKE '%!%%' ESCAPE '!'

SELECT regexp_match(full_name, '(\w+) (\w+)') FROM users WHERE id < 3 ORDER BY id

--@ category: expr/intervals-and-time
SELECT id, created_at + interval '1 day' FROM users WHERE full_name = 'User 5'

SELECT id FROM users WHERE created_at > timestamp '2024-01-10' AND display_name IS NOT NULL ORDER BY id

SELECT id, display_name FROM users WHERE created_at < timestamp '2024-01-01' + interval '5 days' ORDER BY id

SELECT id FROM users WHERE created_at BETWEEN '2024-01-05' AND '2024-01-08' AND full_name LIKE 'User%' ORDER BY id

SELECT full_name, date_trunc('month', created_at) FROM users WHERE id < 4 ORDER BY id

SELECT display_name, extract(day FROM created_at) FROM users WHERE id < 4 ORDER BY id

SELECT full_name, created_at - interval '2 hours 30 minutes' AS shifted FROM users WHERE id = 6

SELECT display_name, to_char(created_at, 'YYYY-MM-DD') FROM users WHERE id < 4 ORDER BY id

SELECT id FROM users WHERE created_at > ?::timestamp - interval '1 week' AND full_name IS NOT NULL ORDER BY id
--@ params: '2024-01-12 00:00:00'

SELECT full_name, age(timestamp '2025-01-01', created_at) FROM users WHERE id = 2

SELECT interval '1 day' * id AS span, display_name FROM users WHERE id < 4 ORDER BY id

SELECT make_interval(days => id), full_name FROM users WHERE id < 3 ORDER BY id

--@ category: expr/strings-and-comments
SELECT E'tab\there' AS t, full_name FROM users WHERE id = 1

SELECT id FROM users WHERE full_name = E'O\'Brien'

SELECT id FROM users WHERE display_name = E'Ada\x20Lovelace'

SELECT $$display_name$$ AS literal, full_name FROM users WHERE id = 1

SELECT $tag$it's full_name$tag$ AS literal, display_name FROM users WHERE id = 2

SELECT id FROM users WHERE full_name = $$Alan Turing$$

SELECT 'full_name' AS word, display_name FROM users WHERE id = 3

SELECT id FROM users WHERE display_name = 'display_name' OR full_name = 'full_name'

SELECT full_name /* the old name */ FROM users WHERE id = 5

SELECT display_name -- the new name
FROM users WHERE id = 6

SELECT /* comment with display_name and 'quote */ full_name FROM users WHERE id = 7

SELECT full_name FROM users /* nested /* comment */ still comment */ WHERE id = 8

-- leading comment naming full_name
SELECT display_name FROM users WHERE id = 9

SELECT full_name FROM users WHERE id = 10 -- trailing comment ?

SELECT full_name
  FROM users
 WHERE id = 11
   AND display_name IS NOT NULL

SELECT	full_name	FROM	users	WHERE	id	=	12

SELECT U&'\0041da' || ' ' || split_part(full_name, ' ', 2) FROM users WHERE id = 1

SELECT id FROM users WHERE full_name = 'Zoë ünicode'

SELECT upper(display_name) FROM users WHERE id = 4

SELECT full_name AS "display name", display_name AS "full name" FROM users WHERE id = 5

SELECT full_name AS "Ünïcode label" FROM users WHERE id = 5

--@ category: expr/misc
SELECT id, full_name FROM users WHERE (id, full_name) IN (SELECT 5, 'User 5') 

SELECT ROW(id, display_name) FROM users WHERE id = 5

SELECT coalesce(nullif(full_name, ''), display_name, 'x') FROM users WHERE id < 8 ORDER BY id

SELECT id FROM users WHERE full_name IN (SELECT lead_name FROM teams) ORDER BY id

SELECT id, full_name = ANY(SELECT lead_name FROM teams) AS leads FROM users WHERE id < 4 ORDER BY id

SELECT id, display_name COLLATE "C" FROM users WHERE id < 4 ORDER BY id

SELECT hashtext(full_name) FROM users WHERE id = 2

SELECT id, full_name, lower(display_name) = lower(full_name) AS same FROM users WHERE id < 4 ORDER BY id

SELECT quote_ident(full_name), quote_literal(display_name) FROM users WHERE id = 3

SELECT id FROM users WHERE (full_name IS NULL) = (display_name IS NULL) AND id < 5 ORDER BY id

SELECT generate_series(1, 2) AS g, full_name FROM users WHERE id = 1 ORDER BY g
