package dev.cutover.it;

import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The two schemas of a differential test: {@code mig} holds the table that migrates
 * ({@code users.full_name} renamed to {@code display_name}), {@code twin} holds the same table that
 * never migrates.
 *
 * <p>The twin carries {@code display_name} as a stored generated column equal to {@code full_name}:
 * a read through either name then has PostgreSQL's own label and value, and {@code SELECT *} has
 * the shape Cutover promises (the old column at its place, the new name appended). Writes through
 * the new name are sent to the twin with the old name, since a generated column cannot be written.
 */
final class TwinTables {

  static final String MIGRATION_FILE = """
      id: users-display-name
      table: mig.users
      rename:
        from: full_name
        to: display_name
      """;

  private TwinTables() {}

  static void create(TestDatabase db) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String schema : new String[] {"mig", "twin"}) {
        st.execute("CREATE SCHEMA " + schema);
        st.execute("CREATE TABLE " + schema + ".teams (id int PRIMARY KEY, name text NOT NULL, lead_name text)");
        String generated = schema.equals("twin")
            ? ", display_name text GENERATED ALWAYS AS (full_name) STORED" : "";
        st.execute("CREATE TABLE " + schema + ".users (id int PRIMARY KEY, full_name text, email text,"
            + " score int NOT NULL DEFAULT 0, team_id int" + generated + ")");
        st.execute("CREATE INDEX ON " + schema + ".users (full_name)");
        st.execute("INSERT INTO " + schema + ".teams VALUES (1, 'red', 'Ada Lovelace'), (2, 'blue', 'Alan Turing'),"
            + " (3, 'green', NULL)");
        st.execute("INSERT INTO " + schema + ".users (id, full_name, email, score, team_id)"
            + " SELECT g, CASE WHEN g % 7 = 0 THEN NULL WHEN g = 1 THEN 'Ada Lovelace' WHEN g = 2 THEN 'Alan Turing'"
            + " ELSE 'User ' || g END, 'u' || g || '@example.com', g % 5, 1 + g % 3 FROM generate_series(1, 40) g");
      }
    }
  }

  /** The statement as it is sent to the twin: the new name written as the old one. */
  static String forTwin(String sql, boolean write) {
    return write ? sql.replaceAll("(?i)\\bdisplay_name\\b", "full_name") : sql;
  }
}
