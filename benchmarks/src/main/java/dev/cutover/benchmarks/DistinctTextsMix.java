package dev.cutover.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * An application with a large working set of distinct statement texts that differ in what the
 * rewrite depends on, not in constants: column aliases and comments, as generated SQL and tagged
 * queries have. 60% point select, 30% update of the renamed column, 10% insert, each a
 * {@code PreparedStatement} with placeholders whose text is one of {@code texts} per kind, chosen at
 * random; on {@code profiles}, whose {@code bio} is renamed to {@code biography}. Texts differing
 * this way are separate rewrite-cache entries (constant normalisation does not merge them), so the
 * cache must hold the whole working set: with one too small for it, most statements are a parse.
 *
 * <p>Before each measured run every text is prepared once ({@link #prime}), on either driver: the
 * comparison is the steady state of an application that has seen its texts, not its first minute.
 */
final class DistinctTextsMix implements Mix {

  static final String MIGRATION = "profiles-biography";

  private final int rows;
  private final int texts;

  /**
   * @param rows rows in {@code profiles}
   * @param texts distinct texts of each kind (select, update, insert): the working set is three times that
   */
  DistinctTextsMix(int rows, int texts) {
    this.rows = rows;
    this.texts = texts;
  }

  @Override
  public String name() {
    return "distinct texts";
  }

  @Override
  public String description() {
    return String.format(Locale.ROOT, "60%% point select / 30%% update of the renamed column / 10%% insert,"
        + " autocommit, each kind %,d distinct texts (aliases, comments; placeholders), every text prepared once"
        + " before a run, on a %,d-row table", texts, rows);
  }

  /** Distinct texts in all, the working set. */
  int workingSet() {
    return 3 * texts;
  }

  @Override
  public void load(BenchDatabase db) throws SQLException {
    db.execute(
        "CREATE TABLE profiles (id bigserial PRIMARY KEY, tenant_id int NOT NULL, email text NOT NULL,"
            + " bio text, score int NOT NULL DEFAULT 0)",
        "INSERT INTO profiles (tenant_id, email, bio) SELECT i % 8, 'p' || i || '@example.com', 'Bio ' || i"
            + " FROM generate_series(1, " + rows + ") i",
        "VACUUM ANALYZE profiles");
  }

  @Override
  public List<Migration> migrations() {
    return List.of(new Migration(MIGRATION,
        "id: " + MIGRATION + "\ntable: public.profiles\nrename:\n  from: bio\n  to: biography\n"));
  }

  static String select(int k) {
    return "SELECT id, email, bio AS bio_" + k + ", score FROM profiles WHERE id = ?";
  }

  static String update(int k) {
    return "UPDATE profiles SET bio = ?, score = score + 1 WHERE id = ? /* request " + k + " */";
  }

  static String insert(int k) {
    return "/* batch " + k + " */ INSERT INTO profiles (tenant_id, email, bio) VALUES (?, ?, ?)";
  }

  @Override
  public void prime(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection()) {
      for (int k = 0; k < texts; k++) {
        c.prepareStatement(select(k)).close();
        c.prepareStatement(update(k)).close();
        c.prepareStatement(insert(k)).close();
      }
    }
  }

  @Override
  public boolean operation(DataSource ds, ThreadLocalRandom random, boolean unused) throws SQLException {
    long id = 1 + random.nextInt(rows);
    int k = random.nextInt(texts);
    int kind = random.nextInt(10);
    try (Connection c = ds.getConnection()) {
      if (kind < 6) {
        try (PreparedStatement ps = c.prepareStatement(select(k))) {
          ps.setLong(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || rs.getString(3) == null) {
              throw new IllegalStateException("profile " + id + " missing or without bio");
            }
          }
        }
      } else if (kind < 9) {
        try (PreparedStatement ps = c.prepareStatement(update(k))) {
          ps.setString(1, "Bio " + id + " v" + random.nextInt(1000));
          ps.setLong(2, id);
          ps.executeUpdate();
        }
      } else {
        try (PreparedStatement ps = c.prepareStatement(insert(k))) {
          ps.setInt(1, (int) (id & 7));
          ps.setString(2, "new" + id + "@example.com");
          ps.setString(3, "New " + id);
          ps.executeUpdate();
        }
      }
    }
    return true;
  }
}
