package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change of {@code search_path} on the session (issue 11): {@code public.acct} renames {@code
 * owner} to {@code holder}, {@code other.acct} (same name, never migrates) keeps {@code owner}.
 * Whatever changed the path ({@code SET}, {@code SET LOCAL} undone by a {@code COMMIT} sent as SQL
 * or through JDBC, {@code set_config}, a statement earlier or later in the same text, a prepared
 * statement, a batch entry), the next statement reads the table the server resolves, with the
 * value PostgreSQL returns from a table that never migrated; a statement after the change in the
 * same text that names a migrating table is refused (0A000) before anything runs. At every phase.
 */
class SearchPathChangeTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  private static final String ID = "acct-holder";
  private final List<String> failures = new ArrayList<>();

  @Test
  void searchPathChanges_everyPhase_resolveAsPostgres() throws Exception {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA other");
      for (String schema : new String[] {"public", "other"}) {
        st.execute("CREATE TABLE " + schema + ".acct (id int PRIMARY KEY, owner text)");
        st.execute("INSERT INTO " + schema + ".acct VALUES (1, '" + schema + "-1'), (2, '" + schema + "-2')");
      }
    }
    Differential.cli(db, "init");
    Path file = dir.resolve(ID + ".yaml");
    Files.writeString(file, "id: " + ID + "\ntable: acct\nrename:\n  from: owner\n  to: holder\n");
    Differential.cli(db, "plan", file.toString());
    String[] phases = {"planned", "dual_write", "read_new", "new_only", "completed"};
    for (String phase : phases) {
      if (!phase.equals("planned")) {
        Differential.cli(db, phase.equals("completed") ? new String[] {"advance", ID, "--force"}
            : new String[] {"advance", ID});
        if (phase.equals("dual_write")) {
          Differential.cli(db, "backfill", ID);
        }
      }
      check(phase);
    }
    assertThat(failures).isEmpty();
  }

  private void check(String phase) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.cutoverUrl() + "?cutover.refreshMillis=100", db.properties());
        Statement st = c.createStatement()) {
      c.unwrap(dev.cutover.CutoverConnection.class).refreshMigrations();
      // The migrating table's value, written through the name the phase reads, so a stale column shows.
      st.executeUpdate("UPDATE acct SET " + (phase.equals("planned") ? "owner" : "holder") + " = 'public-" + phase
          + "' WHERE id = 1");
      String mine = "public-" + phase;

      expect(phase, "set, then a statement", "other-1", () -> {
        st.execute("SET search_path = other");
        return one(st, "SELECT owner FROM acct WHERE id = 1");
      });
      st.execute("SET search_path = public");
      expect(phase, "back to public", mine, () -> one(st, "SELECT owner FROM acct WHERE id = 1"));

      expect(phase, "a statement, then SET, in one text; then a statement", "other-1", () -> {
        st.execute("SELECT owner FROM acct WHERE id = 2; SET search_path = other");
        return one(st, "SELECT owner FROM acct WHERE id = 1");
      });
      st.execute("SET search_path = public");

      expect(phase, "SET LOCAL, COMMIT as SQL", "other-1|" + mine, () -> {
        st.execute("BEGIN");
        st.execute("SET LOCAL search_path = other");
        String inside = one(st, "SELECT owner FROM acct WHERE id = 1");
        st.execute("COMMIT");
        return inside + "|" + one(st, "SELECT owner FROM acct WHERE id = 1");
      });

      expect(phase, "set_config local, JDBC rollback", "other-1|" + mine, () -> {
        c.setAutoCommit(false);
        try {
          one(st, "SELECT set_config('search_path', 'other', true)");
          String inside = one(st, "SELECT owner FROM acct WHERE id = 1");
          c.rollback();
          return inside + "|" + one(st, "SELECT owner FROM acct WHERE id = 1");
        } finally {
          c.setAutoCommit(true);
        }
      });

      expect(phase, "a prepared SET, run later", "other-1", () -> {
        try (PreparedStatement set = c.prepareStatement("SELECT set_config('search_path', ?, false)")) {
          set.setString(1, "other");
          one(st, "SELECT owner FROM acct WHERE id = 1"); // before the SET runs: public
          set.executeQuery().close();
          return one(st, "SELECT owner FROM acct WHERE id = 1");
        }
      });
      st.execute("SET search_path = public");

      expect(phase, "SET, then a statement, in one text", "refused", () -> {
        st.execute("SET search_path = other; SELECT owner FROM acct WHERE id = 1");
        return "ran";
      });
      expect(phase, "after the refusal, nothing changed", mine, () -> one(st, "SELECT owner FROM acct WHERE id = 1"));

      expect(phase, "a batch: SET, then an UPDATE", "refused", () -> {
        st.addBatch("SET search_path = other");
        st.addBatch("UPDATE acct SET owner = 'batch' WHERE id = 2");
        st.executeBatch();
        return "ran";
      });
      st.clearBatch();
      expect(phase, "after the batch refusal", "public-2|other-2", () -> {
        try (Connection plain = db.plainConnection(); Statement p = plain.createStatement()) {
          String column = phase.equals("read_new") || phase.equals("new_only") || phase.equals("completed")
              ? "holder" : "owner";
          return one(p, "SELECT " + column + " FROM public.acct WHERE id = 2") + "|"
              + one(p, "SELECT owner FROM other.acct WHERE id = 2");
        }
      });
    }
  }

  @FunctionalInterface
  interface Step {
    String run() throws SQLException;
  }

  private void expect(String phase, String what, String want, Step step) {
    String got;
    try {
      got = step.run();
    } catch (SQLException e) {
      got = "0A000".equals(e.getSQLState()) && e.getMessage().contains("search_path") ? "refused"
          : "error " + e.getSQLState() + ": " + e.getMessage();
    }
    if (!got.equals(want)) {
      failures.add("[" + phase + "] " + what + ": got " + got + ", want " + want);
    }
  }

  private static String one(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
