package dev.cutover.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * The suite's original mix: 60% point select, 30% update of the renamed column, 10% insert on
 * {@code users}, one pooled connection per statement, autocommit; {@code full_name} is renamed to
 * {@code display_name}.
 */
final class UsersMix implements Mix {

  static final String MIGRATION = "users-display-name";

  private final int rows;

  UsersMix(int rows) {
    this.rows = rows;
  }

  @Override
  public String name() {
    return "users";
  }

  @Override
  public String description() {
    return "60% point select / 30% update of the renamed column / 10% insert, autocommit, on a "
        + String.format(java.util.Locale.ROOT, "%,d", rows) + "-row table";
  }

  @Override
  public void load(BenchDatabase db) throws SQLException {
    db.execute(
        "CREATE TABLE users (id bigserial PRIMARY KEY, tenant_id int NOT NULL, email text NOT NULL,"
            + " full_name text, created_at timestamptz NOT NULL DEFAULT now(), version int NOT NULL DEFAULT 0)",
        "INSERT INTO users (tenant_id, email, full_name) SELECT i % 8, 'user' || i || '@example.com', 'Name ' || i"
            + " FROM generate_series(1, " + rows + ") i",
        "VACUUM ANALYZE users");
  }

  @Override
  public List<Migration> migrations() {
    return List.of(new Migration(MIGRATION,
        "id: " + MIGRATION + "\ntable: public.users\nrename:\n  from: full_name\n  to: display_name\n"));
  }

  @Override
  public boolean handDualWrites() {
    return true;
  }

  @Override
  public boolean operation(DataSource ds, ThreadLocalRandom random, boolean dualWrite) throws SQLException {
    long id = 1 + random.nextInt(rows);
    int kind = random.nextInt(10);
    try (Connection c = ds.getConnection()) {
      if (kind < 6) {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, email, full_name, version FROM users WHERE id = ?")) {
          ps.setLong(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || rs.getString(3) == null) {
              throw new IllegalStateException("row " + id + " missing or without full_name");
            }
          }
        }
      } else if (kind < 9) {
        String name = "Name " + id + " v" + random.nextInt(1000);
        try (PreparedStatement ps = c.prepareStatement(dualWrite
            ? "UPDATE users SET full_name = ?, display_name = ?, version = version + 1 WHERE id = ?"
            : "UPDATE users SET full_name = ?, version = version + 1 WHERE id = ?")) {
          int i = 1;
          ps.setString(i++, name);
          if (dualWrite) {
            ps.setString(i++, name);
          }
          ps.setLong(i, id);
          ps.executeUpdate();
        }
      } else {
        try (PreparedStatement ps = c.prepareStatement(dualWrite
            ? "INSERT INTO users (tenant_id, email, full_name, display_name) VALUES (?, ?, ?, ?)"
            : "INSERT INTO users (tenant_id, email, full_name) VALUES (?, ?, ?)")) {
          ps.setInt(1, (int) (id & 7));
          ps.setString(2, "new" + id + "@example.com");
          ps.setString(3, "New " + id);
          if (dualWrite) {
            ps.setString(4, "New " + id);
          }
          ps.executeUpdate();
        }
      }
    }
    return true;
  }
}
