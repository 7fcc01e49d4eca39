-- Hibernate ORM 6.6 (PostgreSQLDialect), as examples/hibernate-differential captured it with a
-- StatementInspector: its entities' table customer is users here, its @Version column is score,
-- its payment table is orders. Hibernate 6.6 writes LIKE ... escape '' (an empty escape), names
-- the new-name entity's alias uv1_0, aliases the target of an HQL insert ... select, and sends
-- IDENTITY inserts without the key, batch inserts with the key last.

--@ category: orm/hibernate-6.6
insert into users (email,full_name,score) values (?,?,?)
--@ params: null, 'H66 identity', 0

insert into users (display_name,email,score) values (?,?,?)
--@ params: 'H66 identity new', null, 0

insert into users (email,full_name,score,id) values (?,?,?,?)
--@ batch
--@ params: 'h66b$last@example.com', 'H66 batch', 0, $new

insert into users (display_name,email,score,id) values (?,?,?,?)
--@ batch
--@ params: 'H66 batch new', null, 0, $new

select uv1_0.id,uv1_0.display_name,uv1_0.email,uv1_0.score from users uv1_0 where uv1_0.id=?
--@ params: 5

select u1_0.id,u1_0.email,u1_0.full_name,u1_0.score from users u1_0 where u1_0.id=? for no key update
--@ params: 6

select uv1_0.id,uv1_0.display_name,uv1_0.email,uv1_0.score from users uv1_0 where uv1_0.id=? for share
--@ params: 8

update users set score=? where id=? and score=?
--@ params: 4, 12, 2

select u1_0.id,u1_0.email,u1_0.full_name,u1_0.score from users u1_0 where u1_0.full_name like ? escape '' order by u1_0.full_name desc,u1_0.id offset ? rows fetch first ? rows only
--@ params: 'User 1%', 1, 4

select uv1_0.id,uv1_0.display_name,uv1_0.email,uv1_0.score from users uv1_0 where uv1_0.display_name in (?,?,?) or uv1_0.display_name is null order by uv1_0.display_name,uv1_0.id fetch first ? rows only
--@ params: 'User 5', 'Ada Lovelace', 'nobody', 5

select count(u1_0.id) from users u1_0 where u1_0.full_name like ? escape '' and u1_0.email is not null
--@ params: 'User 2%'

select count(uv1_0.id) from users uv1_0 where uv1_0.display_name like ? escape ''
--@ params: 'User 1%'

select u1_0.full_name,count(u1_0.id),max(u1_0.score) from users u1_0 where u1_0.email like ? escape '' group by u1_0.full_name order by u1_0.full_name offset ? rows fetch first ? rows only
--@ params: 'u1%', 1, 5

select u1_0.id,upper(u1_0.full_name),character_length(u1_0.full_name),coalesce(u1_0.full_name,?) from users u1_0 where lower(u1_0.full_name) like ? escape '' or u1_0.full_name is null or exists(select o1_0.id from orders o1_0 where o1_0.user_id=u1_0.id and o1_0.amount>?) order by coalesce(u1_0.full_name,?),1 offset ? rows fetch first ? rows only
--@ params: '(none)', 'user 1%', 150, '~', 2, 6

select uv1_0.display_name,o1_0.amount from users uv1_0 join orders o1_0 on o1_0.user_id=uv1_0.id where uv1_0.id=? order by o1_0.amount desc,o1_0.id fetch first ? rows only
--@ params: 5, 3

select u1_0.full_name,u1_0.score from users u1_0 where u1_0.id=?
--@ params: 8

select uv1_0.display_name,uv1_0.score from users uv1_0 where uv1_0.id=?
--@ params: 9

select uv1_0.display_name,uv1_0.score from users uv1_0 where uv1_0.email like ? escape '' order by uv1_0.id
--@ params: 'u3%'

select u1_0.id,u1_0.email,u1_0.full_name,u1_0.score from users u1_0 where u1_0.full_name like ? escape '' order by u1_0.id
--@ params: 'User 1%'

select u1_0.id,u1_0.email,u1_0.full_name,u1_0.score from users u1_0 order by u1_0.id

select uv1_0.id,uv1_0.display_name,uv1_0.email,uv1_0.score from users uv1_0 order by uv1_0.id

update users u1_0 set full_name=(u1_0.full_name||'!') where u1_0.email=?
--@ params: 'u9@example.com'

update users uv1_0 set display_name=upper(uv1_0.display_name),score=(uv1_0.score+1) where uv1_0.display_name like ? escape ''
--@ params: 'User 3%'

delete from users uv1_0 where uv1_0.display_name=?
--@ params: 'User 33'

insert into users as u1_0(full_name,email,score) select (uv1_0.display_name||'-copy'),null,0 from users uv1_0 where uv1_0.id=?
--@ params: 10

select full_name, score from users where id = ?
--@ params: 6

select u.display_name, o.amount from users u join orders o on o.user_id = u.id where u.id = ? order by o.amount
--@ params: 4

select * from users where id = ?
--@ params: 11

select u.* from users u where u.id = ?
--@ params: 12

insert into users (email,score) values (?,?) returning id,full_name
--@ params: null, 3

insert into users (email,score) values (?,?) returning id,display_name
--@ params: null, 4
