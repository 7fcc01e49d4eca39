package dev.cutover.benchmarks;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * The users mix as an application that builds its SQL with constants instead of placeholders
 * ({@code Statement.executeQuery("... WHERE id = 4711")}): almost every text is new, so every
 * statement on the migrating table misses the rewrite cache (a parse and a rewrite) unless the
 * cache recognises texts that differ only in their constants. On its own table, {@code accounts},
 * whose {@code holder} is renamed to {@code holder_name}.
 */
final class LiteralMix implements Mix {

  static final String MIGRATION = "accounts-holder-name";

  private final int rows;

  LiteralMix(int rows) {
    this.rows = rows;
  }

  @Override
  public String name() {
    return "literal SQL";
  }

  @Override
  public String description() {
    return "60% point select / 30% update of the renamed column / 10% insert, autocommit, every statement"
        + " a Statement with its values as constants, on a " + String.format(Locale.ROOT, "%,d", rows) + "-row table";
  }

  @Override
  public void load(BenchDatabase db) throws SQLException {
    db.execute(
        "CREATE TABLE accounts (id bigserial PRIMARY KEY, tenant_id int NOT NULL, email text NOT NULL,"
            + " holder text, balance numeric(12,2) NOT NULL DEFAULT 0, version int NOT NULL DEFAULT 0)",
        "INSERT INTO accounts (tenant_id, email, holder) SELECT i % 8, 'acct' || i || '@example.com', 'Holder ' || i"
            + " FROM generate_series(1, " + rows + ") i",
        "VACUUM ANALYZE accounts");
  }

  @Override
  public List<Migration> migrations() {
    return List.of(new Migration(MIGRATION,
        "id: " + MIGRATION + "\ntable: public.accounts\nrename:\n  from: holder\n  to: holder_name\n"));
  }

  @Override
  public boolean handDualWrites() {
    return true;
  }

  @Override
  public boolean operation(DataSource ds, ThreadLocalRandom random, boolean dualWrite) throws SQLException {
    long id = 1 + random.nextInt(rows);
    int kind = random.nextInt(10);
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      if (kind < 6) {
        try (ResultSet rs = st.executeQuery("SELECT id, email, holder, balance FROM accounts WHERE id = " + id)) {
          if (!rs.next() || rs.getString(3) == null) {
            throw new IllegalStateException("account " + id + " missing or without holder");
          }
        }
      } else if (kind < 9) {
        String holder = "'Holder " + id + " v" + random.nextInt(1000) + "'";
        st.executeUpdate("UPDATE accounts SET holder = " + holder + (dualWrite ? ", holder_name = " + holder : "")
            + ", version = version + 1 WHERE id = " + id);
      } else {
        String holder = "'New " + id + "'";
        st.executeUpdate("INSERT INTO accounts (tenant_id, email, holder, balance" + (dualWrite ? ", holder_name" : "")
            + ") VALUES (" + (id & 7) + ", 'new" + id + "@example.com', " + holder + ", " + random.nextInt(10_000)
            + ".50" + (dualWrite ? ", " + holder : "") + ")");
      }
    }
    return true;
  }
}
