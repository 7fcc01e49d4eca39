-- More ORM-generated SQL, in each ORM's own spelling: Hibernate 6 (generated aliases, no spaces),
-- jOOQ (fully quoted, qualified), MyBatis (XML mapper whitespace), Spring Data JDBC (quoted aliases).

--@ category: orm/hibernate

select u1_0.id,u1_0.contact,u1_0.created_at,u1_0.email,u1_0.full_name,u1_0.profile,u1_0.score,u1_0.tags,u1_0.team_id from users u1_0 where u1_0.id=?
--@ params: 3

select u1_0.id,u1_0.contact,u1_0.created_at,u1_0.email,u1_0.full_name,u1_0.profile,u1_0.score,u1_0.tags,u1_0.team_id from users u1_0 where u1_0.email=?
--@ params: 'u10@example.com'

select u1_0.id,u1_0.contact,u1_0.created_at,u1_0.email,u1_0.full_name,u1_0.profile,u1_0.score,u1_0.tags,u1_0.team_id from users u1_0 where u1_0.full_name like ? escape '\' order by u1_0.id
--@ params: 'User 2%'

select u1_0.id,u1_0.contact,u1_0.created_at,u1_0.email,u1_0.full_name,u1_0.profile,u1_0.score,u1_0.tags,u1_0.team_id from users u1_0 where u1_0.team_id=? order by u1_0.full_name nulls last,u1_0.id
--@ params: 1

select count(*) from users u1_0 where u1_0.full_name is not null and u1_0.score>=?
--@ params: 1

select u1_0.id,u1_0.full_name,t1_0.id,t1_0.lead_name,t1_0.name from users u1_0 left join teams t1_0 on t1_0.id=u1_0.team_id where u1_0.id=?
--@ params: 5

select u1_0.full_name,count(o1_0.id) from users u1_0 join orders o1_0 on u1_0.id=o1_0.user_id group by u1_0.full_name order by 2 desc,1 nulls first

select u1_0.id from users u1_0 where u1_0.full_name in (?,?,?) order by u1_0.id
--@ params: 'User 5', 'User 6', 'User 8'

select u1_0.id,u1_0.full_name from users u1_0 where lower(u1_0.full_name) like lower(?) escape '\' order by u1_0.id offset ? rows fetch first ? rows only
--@ params: '%user 1%', 1, 3

select u1_0.id,u1_0.full_name from users u1_0 where exists(select 1 from orders o1_0 where o1_0.user_id=u1_0.id and o1_0.status=?) order by u1_0.id
--@ params: 'paid'

update users set full_name=?,score=score+1 where id=? and score=?
--@ params: 'Hib v0', 22, 2

update users set contact=?::contact_info,full_name=? where id=?
--@ params: '(c,d)', 'Hib contact 0', 24

insert into users (contact,created_at,email,full_name,profile,score,tags,team_id,id) values (?::contact_info,?::timestamp,?,?,?::jsonb,?,?::text[],?,?)
--@ params: null, '2024-05-01 10:00:00', 'hb0$last@example.com', 'Hib full 0', '{}', 0, '{a,b}', 2, $new

delete from users u1_0 where u1_0.full_name=? and u1_0.id>?
--@ params: 'Hib nobody 0', 1000

select u1_0.id,u1_0.full_name from users u1_0 where u1_0.id=? for no key update
--@ params: 7

select u1_0.full_name,u1_0.id from users u1_0 where u1_0.id in (select o1_0.user_id from orders o1_0 where o1_0.amount>?) order by u1_0.full_name nulls first,u1_0.id fetch first ? rows only
--@ params: 100, 4

select case when count(u1_0.id)>0 then 1 else 0 end from users u1_0 where u1_0.full_name=?
--@ params: 'User 9'

select u1_0.team_id,avg(u1_0.score),max(u1_0.full_name) from users u1_0 group by u1_0.team_id having count(u1_0.full_name)>? order by u1_0.team_id nulls first
--@ params: 2

select u1_0.id,u1_0.contact,u1_0.created_at,u1_0.email,u1_0.display_name,u1_0.profile,u1_0.score,u1_0.tags,u1_0.team_id from users u1_0 where u1_0.id=?
--@ params: 4

select u1_0.id,u1_0.contact,u1_0.created_at,u1_0.email,u1_0.display_name,u1_0.profile,u1_0.score,u1_0.tags,u1_0.team_id from users u1_0 where u1_0.email=?
--@ params: 'u11@example.com'

select u1_0.id,u1_0.contact,u1_0.created_at,u1_0.email,u1_0.display_name,u1_0.profile,u1_0.score,u1_0.tags,u1_0.team_id from users u1_0 where u1_0.display_name like ? escape '\' order by u1_0.id
--@ params: 'User 2%'

select u1_0.id,u1_0.contact,u1_0.created_at,u1_0.email,u1_0.display_name,u1_0.profile,u1_0.score,u1_0.tags,u1_0.team_id from users u1_0 where u1_0.team_id=? order by u1_0.display_name nulls last,u1_0.id
--@ params: 2

select count(*) from users u1_0 where u1_0.display_name is not null and u1_0.score>=?
--@ params: 2

select u1_0.id,u1_0.display_name,t1_0.id,t1_0.lead_name,t1_0.name from users u1_0 left join teams t1_0 on t1_0.id=u1_0.team_id where u1_0.id=?
--@ params: 6

select u1_0.display_name,count(o1_0.id) from users u1_0 join orders o1_0 on u1_0.id=o1_0.user_id group by u1_0.display_name order by 2 desc,1 nulls first

select u1_0.id from users u1_0 where u1_0.display_name in (?,?,?) order by u1_0.id
--@ params: 'User 5', 'User 6', 'User 8'

select u1_0.id,u1_0.display_name from users u1_0 where lower(u1_0.display_name) like lower(?) escape '\' order by u1_0.id offset ? rows fetch first ? rows only
--@ params: '%user 1%', 1, 3

select u1_0.id,u1_0.display_name from users u1_0 where exists(select 1 from orders o1_0 where o1_0.user_id=u1_0.id and o1_0.status=?) order by u1_0.id
--@ params: 'paid'

update users set display_name=?,score=score+1 where id=? and score=?
--@ params: 'Hib v1', 23, 3

update users set contact=?::contact_info,display_name=? where id=?
--@ params: '(c,d)', 'Hib contact 1', 25

insert into users (contact,created_at,email,display_name,profile,score,tags,team_id,id) values (?::contact_info,?::timestamp,?,?,?::jsonb,?,?::text[],?,?)
--@ params: null, '2024-05-02 10:00:00', 'hb1$last@example.com', 'Hib full 1', '{}', 0, '{a,b}', 2, $new

delete from users u1_0 where u1_0.display_name=? and u1_0.id>?
--@ params: 'Hib nobody 1', 1000

select u1_0.id,u1_0.display_name from users u1_0 where u1_0.id=? for no key update
--@ params: 8

select u1_0.display_name,u1_0.id from users u1_0 where u1_0.id in (select o1_0.user_id from orders o1_0 where o1_0.amount>?) order by u1_0.display_name nulls first,u1_0.id fetch first ? rows only
--@ params: 110, 4

select case when count(u1_0.id)>0 then 1 else 0 end from users u1_0 where u1_0.display_name=?
--@ params: 'User 9'

select u1_0.team_id,avg(u1_0.score),max(u1_0.display_name) from users u1_0 group by u1_0.team_id having count(u1_0.display_name)>? order by u1_0.team_id nulls first
--@ params: 2

--@ category: orm/jooq

select "mig"."users"."id", "mig"."users"."full_name" from "mig"."users" where "mig"."users"."id" = ?
--@ params: 8

select "users"."id", "users"."full_name", "users"."email" from "users" where "users"."full_name" like ? order by "users"."id" asc limit ? offset ?
--@ params: 'User 3%', 5, 0

select count(*) from "users" where ("users"."full_name" is not null and "users"."score" > ?)
--@ params: 1

select "t"."name", (select coalesce(jsonb_agg(jsonb_build_object('id', "u"."id", 'n', "u"."full_name") order by "u"."id"), jsonb_build_array()) from "users" as "u" where "u"."team_id" = "t"."id") as "members" from "teams" as "t" order by "t"."id"

select "u"."full_name", "o"."amount" from "users" as "u" join "orders" as "o" on "o"."user_id" = "u"."id" where "o"."status" = ? order by "o"."id" asc fetch next ? rows only
--@ params: 'shipped', 5

insert into "users" ("id", "full_name", "email") values (?, ?, ?) returning "users"."id", "users"."full_name"
--@ params: $new, 'jOOQ 0', 'jooq0$last@example.com'

update "users" set "full_name" = ?, "score" = "users"."score" + ? where "users"."id" = ? returning "users"."full_name"
--@ params: 'jOOQ upd 0', 1, 26

delete from "users" where "users"."full_name" = ? returning "users"."id"
--@ params: 'jOOQ gone 0'

select "alias_1"."full_name" from (select "users"."full_name", "users"."id" from "users" where "users"."id" < ?) as "alias_1" order by "alias_1"."id"
--@ params: 6

select "users"."id" from "users" where "users"."full_name" in (?, ?) order by "users"."id"
--@ params: 'User 5', 'User 6'

select "users"."full_name", row_number() over (partition by "users"."team_id" order by "users"."id") as "rn" from "users" where "users"."id" < ? order by "users"."id"
--@ params: 15

select "users"."team_id", string_agg("users"."full_name", ', ' order by "users"."id") from "users" group by "users"."team_id" order by "users"."team_id" nulls first

insert into "users" ("id", "full_name") select ? * 1000 + "t"."id", "t"."name" from "teams" as "t" where "t"."id" < 3
--@ params: $new

select exists (select 1 as "one" from "users" where "users"."full_name" = ?)
--@ params: 'Ada Lovelace'

select "users"."id", "users"."full_name" from "users" where "users"."id" = ? for update of "users" skip locked
--@ params: 30

select "mig"."users"."id", "mig"."users"."display_name" from "mig"."users" where "mig"."users"."id" = ?
--@ params: 9

select "users"."id", "users"."display_name", "users"."email" from "users" where "users"."display_name" like ? order by "users"."id" asc limit ? offset ?
--@ params: 'User 3%', 5, 0

select count(*) from "users" where ("users"."display_name" is not null and "users"."score" > ?)
--@ params: 2

select "t"."name", (select coalesce(jsonb_agg(jsonb_build_object('id', "u"."id", 'n', "u"."display_name") order by "u"."id"), jsonb_build_array()) from "users" as "u" where "u"."team_id" = "t"."id") as "members" from "teams" as "t" order by "t"."id"

select "u"."display_name", "o"."amount" from "users" as "u" join "orders" as "o" on "o"."user_id" = "u"."id" where "o"."status" = ? order by "o"."id" asc fetch next ? rows only
--@ params: 'shipped', 5

insert into "users" ("id", "display_name", "email") values (?, ?, ?) returning "users"."id", "users"."display_name"
--@ params: $new, 'jOOQ 1', 'jooq1$last@example.com'

update "users" set "display_name" = ?, "score" = "users"."score" + ? where "users"."id" = ? returning "users"."display_name"
--@ params: 'jOOQ upd 1', 1, 27

delete from "users" where "users"."display_name" = ? returning "users"."id"
--@ params: 'jOOQ gone 1'

select "alias_1"."display_name" from (select "users"."display_name", "users"."id" from "users" where "users"."id" < ?) as "alias_1" order by "alias_1"."id"
--@ params: 7

select "users"."id" from "users" where "users"."display_name" in (?, ?) order by "users"."id"
--@ params: 'User 5', 'User 6'

select "users"."display_name", row_number() over (partition by "users"."team_id" order by "users"."id") as "rn" from "users" where "users"."id" < ? order by "users"."id"
--@ params: 15

select "users"."team_id", string_agg("users"."display_name", ', ' order by "users"."id") from "users" group by "users"."team_id" order by "users"."team_id" nulls first

insert into "users" ("id", "display_name") select ? * 1000 + "t"."id", "t"."name" from "teams" as "t" where "t"."id" < 3
--@ params: $new

select exists (select 1 as "one" from "users" where "users"."display_name" = ?)
--@ params: 'Ada Lovelace'

select "users"."id", "users"."display_name" from "users" where "users"."id" = ? for update of "users" skip locked
--@ params: 31

--@ category: orm/mybatis

SELECT id, full_name, email, score
    FROM users
    WHERE id = ?
--@ params: 11

SELECT id, full_name AS name, email
    FROM users
    WHERE 1 = 1
      AND full_name LIKE '%' || ? || '%'
    ORDER BY id
--@ params: 'User 2'

SELECT id, full_name
    FROM users
    WHERE id IN
      (  ?
       , ?
       , ?  )
    ORDER BY id
--@ params: 1, 2, 3

INSERT INTO users (id, full_name, email, score)
    VALUES (?, ?, ?, ?)
--@ params: $new, 'MyBatis 0', 'mb0$last@example.com', 1

UPDATE users
    SET full_name = ?,
        email = ?
    WHERE id = ?
--@ params: 'MyBatis upd 0', 'mbu0@example.com', 28

DELETE FROM users WHERE id = ? AND full_name = ?
--@ params: 1000, 'nobody'

SELECT count(1) FROM users WHERE full_name IS NULL

SELECT u.id, u.full_name, t.name AS team_name
    FROM users u
    LEFT OUTER JOIN teams t ON t.id = u.team_id
    WHERE u.score >= ?
    ORDER BY u.id LIMIT ?
--@ params: 3, 5

SELECT id, full_name FROM users ORDER BY full_name ASC NULLS LAST, id LIMIT ? OFFSET ?
--@ params: 4, 2

INSERT INTO users (id, full_name)
    VALUES
      (?, ?),
      (?, ?)
--@ params: $new, 'MB multi a0', $new, 'MB multi b0'

SELECT id, full_name FROM users WHERE (full_name = ? OR email = ?) AND team_id IS NOT NULL ORDER BY id
--@ params: 'User 5', 'u6@example.com'

SELECT id, display_name, email, score
    FROM users
    WHERE id = ?
--@ params: 12

SELECT id, display_name AS name, email
    FROM users
    WHERE 1 = 1
      AND display_name LIKE '%' || ? || '%'
    ORDER BY id
--@ params: 'User 2'

SELECT id, display_name
    FROM users
    WHERE id IN
      (  ?
       , ?
       , ?  )
    ORDER BY id
--@ params: 1, 2, 3

INSERT INTO users (id, display_name, email, score)
    VALUES (?, ?, ?, ?)
--@ params: $new, 'MyBatis 1', 'mb1$last@example.com', 1

UPDATE users
    SET display_name = ?,
        email = ?
    WHERE id = ?
--@ params: 'MyBatis upd 1', 'mbu1@example.com', 29

DELETE FROM users WHERE id = ? AND display_name = ?
--@ params: 1001, 'nobody'

SELECT count(1) FROM users WHERE display_name IS NULL

SELECT u.id, u.display_name, t.name AS team_name
    FROM users u
    LEFT OUTER JOIN teams t ON t.id = u.team_id
    WHERE u.score >= ?
    ORDER BY u.id LIMIT ?
--@ params: 3, 5

SELECT id, display_name FROM users ORDER BY display_name ASC NULLS LAST, id LIMIT ? OFFSET ?
--@ params: 4, 2

INSERT INTO users (id, display_name)
    VALUES
      (?, ?),
      (?, ?)
--@ params: $new, 'MB multi a1', $new, 'MB multi b1'

SELECT id, display_name FROM users WHERE (display_name = ? OR email = ?) AND team_id IS NOT NULL ORDER BY id
--@ params: 'User 5', 'u6@example.com'

--@ category: orm/spring-data

SELECT "users"."id" AS "id", "users"."full_name" AS "full_name", "users"."email" AS "email", "users"."score" AS "score" FROM "users" WHERE "users"."id" = ?
--@ params: 13

SELECT COUNT(*) FROM "users" WHERE "users"."full_name" = ?
--@ params: 'User 14'

INSERT INTO "users" ("id", "full_name", "email", "score") VALUES (?, ?, ?, ?)
--@ params: $new, 'Spring 0', 'sp0$last@example.com', 2

UPDATE "users" SET "full_name" = ?, "email" = ?, "score" = ? WHERE "users"."id" = ?
--@ params: 'Spring upd 0', 'spu0@example.com', 4, 31

SELECT "users"."id" AS "id", "users"."full_name" AS "full_name" FROM "users" WHERE "users"."full_name" LIKE ? ORDER BY "users"."full_name" DESC, "users"."id" ASC LIMIT 3 OFFSET 0
--@ params: 'User%'

DELETE FROM "users" WHERE "users"."full_name" = ?
--@ params: 'Spring nobody 0'

SELECT "users"."id" FROM "users" WHERE "users"."full_name" IS NOT NULL AND "users"."team_id" = ? ORDER BY "users"."id" ASC
--@ params: 1

SELECT EXISTS(SELECT 1 FROM "users" WHERE "users"."full_name" = ? AND "users"."id" <> ?)
--@ params: 'User 15', 1

select u.id, u.full_name from users u where u.full_name like ? order by u.id
--@ params: '%e 2%'

SELECT "users"."id" AS "id", "users"."display_name" AS "display_name", "users"."email" AS "email", "users"."score" AS "score" FROM "users" WHERE "users"."id" = ?
--@ params: 14

SELECT COUNT(*) FROM "users" WHERE "users"."display_name" = ?
--@ params: 'User 14'

INSERT INTO "users" ("id", "display_name", "email", "score") VALUES (?, ?, ?, ?)
--@ params: $new, 'Spring 1', 'sp1$last@example.com', 2

UPDATE "users" SET "display_name" = ?, "email" = ?, "score" = ? WHERE "users"."id" = ?
--@ params: 'Spring upd 1', 'spu1@example.com', 4, 32

SELECT "users"."id" AS "id", "users"."display_name" AS "display_name" FROM "users" WHERE "users"."display_name" LIKE ? ORDER BY "users"."display_name" DESC, "users"."id" ASC LIMIT 3 OFFSET 0
--@ params: 'User%'

DELETE FROM "users" WHERE "users"."display_name" = ?
--@ params: 'Spring nobody 1'

SELECT "users"."id" FROM "users" WHERE "users"."display_name" IS NOT NULL AND "users"."team_id" = ? ORDER BY "users"."id" ASC
--@ params: 2

SELECT EXISTS(SELECT 1 FROM "users" WHERE "users"."display_name" = ? AND "users"."id" <> ?)
--@ params: 'User 15', 1

select u.id, u.display_name from users u where u.display_name like ? order by u.id
--@ params: '%e 2%'
