-- Hibernate ORM 6 (PostgreSQLDialect), as the Spring Data JPA example sends them: lower-case
-- keywords, no spaces after commas, generated aliases (u1_0), the @Version check in the WHERE
-- (score stands in for the version column), LIKE with escape '\', OFFSET/FETCH pagination.

--@ category: orm/hibernate
insert into users (id,email,full_name,score) values (?,?,?,?)
--@ params: $new, 'hib$last@example.com', 'Hib $last', 0

insert into users (id,display_name,email,score) values (?,?,?,?)
--@ params: $new, 'Hib new $last', 'hibn$last@example.com', 0

select u1_0.id,u1_0.email,u1_0.full_name,u1_0.score from users u1_0 where u1_0.id=?
--@ params: 3

select u1_0.id,u1_0.email,u1_0.full_name,u1_0.score from users u1_0 where u1_0.full_name=?
--@ params: 'User 12'

select u1_0.id,u1_0.display_name,u1_0.email,u1_0.score from users u1_0 where u1_0.display_name=?
--@ params: 'User 13'

update users set email=?,full_name=?,score=? where id=? and score=?
--@ params: 'hib9@example.com', 'Hib updated', 4, 9, 4

update users set display_name=?,email=?,score=? where id=? and score=?
--@ params: 'Hib updated new', 'hib8@example.com', 3, 8, 3

select count(u1_0.id) from users u1_0 where u1_0.email like ? escape '\'
--@ params: 'u1%'

select u1_0.id,u1_0.email,u1_0.full_name,u1_0.score from users u1_0 where u1_0.email like ? escape '\' order by u1_0.id offset ? rows fetch first ? rows only
--@ params: 'u%', 10, 5

select u1_0.id,u1_0.display_name,u1_0.email,u1_0.score from users u1_0 where u1_0.email like ? escape '\' order by u1_0.id fetch first ? rows only
--@ params: 'u2%', 3

select u1_0.id,u1_0.full_name from users u1_0 where u1_0.full_name like ? escape '\' order by u1_0.full_name desc,u1_0.id offset ? rows fetch first ? rows only
--@ params: 'User%', 2, 4

delete from users where id=? and score=?
--@ params: 21, 1
