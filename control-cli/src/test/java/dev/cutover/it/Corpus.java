package dev.cutover.it;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The statements of the rename differential test: reads and writes through the old name, the new
 * name, or both, in the forms issue 2 names (projection labels, WHERE, ORDER BY, GROUP BY, HAVING,
 * JOIN ... ON, aliases, qualified and unqualified, quoted and unquoted names; INSERT with column
 * lists, multi-row VALUES and no column list; UPDATE with expressions; DELETE).
 */
final class Corpus {

  /**
   * One statement.
   *
   * @param sql the text, with {@code ?} placeholders
   * @param params makes the parameters from a fresh-id source (writes need new keys every run)
   * @param write whether it changes data (its twin form uses the old name only)
   */
  record Case(String sql, Function<AtomicInteger, Object[]> params, boolean write) {
    @Override
    public String toString() {
      return sql;
    }
  }

  private Corpus() {}

  private static Case read(String sql, Object... params) {
    return new Case(sql, ids -> params, false);
  }

  private static Case write(String sql, Function<AtomicInteger, Object[]> params) {
    return new Case(sql, params, true);
  }

  static final List<Case> READS = List.of(
      read("SELECT full_name FROM users WHERE id = ?", 1),
      read("SELECT display_name FROM users WHERE id = ?", 2),
      read("SELECT id, full_name, display_name FROM users ORDER BY id"),
      read("SELECT u.full_name FROM users u WHERE u.id = ?", 3),
      read("SELECT u.display_name AS n FROM users u ORDER BY u.display_name NULLS FIRST, u.id"),
      read("SELECT \"full_name\" FROM users WHERE \"id\" = ?", 4),
      read("SELECT \"display_name\", id FROM \"users\" WHERE id < ? ORDER BY id", 6),
      read("SELECT FULL_NAME FROM USERS WHERE ID = ?", 5),
      read("SELECT Display_Name FROM Users WHERE Id = ?", 5),
      read("SELECT users.full_name FROM users WHERE users.id = ?", 8),
      read("SELECT users.display_name, users.email FROM users WHERE users.id > ? ORDER BY users.id", 30),
      read("SELECT count(*) FROM users WHERE full_name LIKE ?", "User 1%"),
      read("SELECT count(display_name) FROM users"),
      read("SELECT upper(full_name) FROM users ORDER BY id"),
      read("SELECT lower(display_name) AS lowered FROM users ORDER BY id"),
      read("SELECT full_name, count(*) FROM users GROUP BY full_name ORDER BY full_name"),
      read("SELECT display_name, count(*) AS c FROM users GROUP BY display_name HAVING count(*) >= ? ORDER BY display_name", 1),
      read("SELECT u.id, t.name, u.full_name FROM users u JOIN teams t ON t.id = u.team_id ORDER BY u.id"),
      read("SELECT u.id FROM users u JOIN teams t ON t.lead_name = u.display_name ORDER BY u.id"),
      read("SELECT t.name, u.display_name FROM teams t LEFT JOIN users u ON u.full_name = t.lead_name ORDER BY t.id"),
      read("SELECT full_name FROM users WHERE full_name IS NOT NULL AND id BETWEEN ? AND ? ORDER BY full_name DESC", 3, 12),
      read("SELECT id FROM users WHERE display_name IN (?, ?) ORDER BY id", "Ada Lovelace", "User 9"),
      read("SELECT id, full_name || ' <' || email || '>' AS contact FROM users ORDER BY id"),
      read("SELECT COALESCE(display_name, 'none') FROM users ORDER BY id"),
      read("SELECT id FROM users WHERE lower(display_name) = lower(?)", "ADA LOVELACE"),
      read("SELECT max(full_name), min(display_name) FROM users"),
      read("SELECT full_name AS \"Name\" FROM users ORDER BY 1 NULLS LAST"),
      read("SELECT upper(full_name) AS full_name FROM users ORDER BY full_name, id"),
      read("SELECT id, score FROM users WHERE full_name = display_name ORDER BY id"),
      read("SELECT CASE WHEN full_name IS NULL THEN 'anonymous' ELSE full_name END AS who FROM users ORDER BY id"),
      read("SELECT full_name FROM users ORDER BY id LIMIT ? OFFSET ?", 5, 3),
      read("SELECT * FROM users ORDER BY id"),
      read("SELECT u.* FROM users u WHERE u.id <= ? ORDER BY u.id", 3),
      read("SELECT id, email FROM users WHERE score > ? ORDER BY id", 2));

  static final List<Case> WRITES = List.of(
      write("INSERT INTO users (id, full_name, email, score, team_id) VALUES (?, ?, ?, ?, ?)",
          ids -> {
            int id = ids.incrementAndGet();
            return new Object[] {id, "Inserted " + id, "i" + id + "@example.com", id % 4, 1};
          }),
      write("INSERT INTO users (id, display_name, email) VALUES (?, ?, ?)",
          ids -> {
            int id = ids.incrementAndGet();
            return new Object[] {id, "New name " + id, "n" + id + "@example.com"};
          }),
      write("INSERT INTO users (id, full_name) VALUES (?, ?), (?, ?)",
          ids -> {
            int a = ids.incrementAndGet();
            int b = ids.incrementAndGet();
            return new Object[] {a, "Multi " + a, b, "Multi " + b};
          }),
      write("INSERT INTO users (id, \"display_name\", team_id) VALUES (?, 'Literal ' || ?, 2)",
          ids -> {
            int id = ids.incrementAndGet();
            return new Object[] {id, String.valueOf(id)};
          }),
      write("INSERT INTO users (id, email) VALUES (?, ?)",
          ids -> {
            int id = ids.incrementAndGet();
            return new Object[] {id, "nameless" + id + "@example.com"};
          }),
      write("INSERT INTO users VALUES (?, ?, ?, ?, ?)",
          ids -> {
            int id = ids.incrementAndGet();
            return new Object[] {id, "Positional " + id, "p" + id + "@example.com", 1, 3};
          }),
      write("UPDATE users SET full_name = ? WHERE id = ?", ids -> new Object[] {"Renamed " + ids.get(), 10}),
      write("UPDATE users SET display_name = ? WHERE id = ?", ids -> new Object[] {"Via new " + ids.get(), 11}),
      write("UPDATE users SET full_name = full_name || ? WHERE id = ?", ids -> new Object[] {"!", 12}),
      write("UPDATE users SET display_name = upper(display_name) WHERE id % 9 = 0", ids -> new Object[0]),
      write("UPDATE users SET score = score + 1 WHERE full_name LIKE ?", ids -> new Object[] {"User 2%"}),
      write("UPDATE users SET email = ? WHERE display_name = ?", ids -> new Object[] {"ada@example.org", "Ada Lovelace"}),
      write("UPDATE users SET team_id = 2 WHERE id = ?", ids -> new Object[] {13}),
      write("DELETE FROM users WHERE full_name = ?", ids -> new Object[] {"User 20"}),
      write("DELETE FROM users WHERE display_name IS NULL AND id > ?", ids -> new Object[] {1000 + ids.get() % 7}));
}
