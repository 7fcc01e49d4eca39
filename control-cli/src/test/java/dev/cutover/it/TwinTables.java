package dev.cutover.it;

import dev.cutover.migration.Phase;
import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The two schemas of a differential test: {@code mig} holds the table that migrates
 * ({@code users.full_name} renamed to {@code display_name}), {@code twin} holds the same table that
 * never migrates. Both also hold {@code teams} and {@code orders}, which never migrate, and a
 * sequence that gives {@code users.id} its default. {@code users.contact} is of a composite type
 * whose fields are called {@code full_name} and {@code display_name}.
 *
 * <p>The twin carries {@code display_name} as a real last column that a trigger keeps equal to
 * {@code full_name}: whichever name a write sets wins, the other follows. A statement then runs on
 * the twin exactly as the application wrote it: a read through either name has PostgreSQL's own
 * label and value, a write through either name works (also in {@code EXCLUDED}, which sees the
 * trigger's effect, and in {@code RETURNING}), and {@code SELECT *} has the shape Cutover promises
 * (the old column at its place, the new name appended).
 */
final class TwinTables {

  static final String MIGRATION_ID = "users-display-name";

  static final String MIGRATION_FILE = """
      id: users-display-name
      table: mig.users
      rename:
        from: full_name
        to: display_name
      """;

  /** The columns of {@code users} other than the migrating one, in order, for state comparisons. */
  static final String OTHER_USER_COLUMNS = "email, score, team_id, tags, profile, created_at, contact";

  private TwinTables() {}

  static void create(TestDatabase db) throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      // A composite type whose fields are named like the migrating column's two names: a field is
      // never the column (issue 11). One type for both schemas, so rows copy between them.
      st.execute("CREATE TYPE public.contact_info AS (full_name text, display_name text)");
      for (String schema : new String[] {"mig", "twin"}) {
        st.execute("CREATE SCHEMA " + schema);
        st.execute("SET search_path = " + schema);
        st.execute("CREATE TABLE teams (id int PRIMARY KEY, name text NOT NULL, lead_name text)");
        String twinColumn = schema.equals("twin") ? ", display_name text" : "";
        st.execute("CREATE SEQUENCE seq START 100000");
        st.execute("CREATE TABLE users (id int PRIMARY KEY DEFAULT nextval('seq'), full_name text, email text UNIQUE,"
            + " score int NOT NULL DEFAULT 0, team_id int, tags text[] NOT NULL DEFAULT '{}',"
            + " profile jsonb NOT NULL DEFAULT '{}', created_at timestamp NOT NULL DEFAULT '2024-01-01 00:00:00',"
            + " contact public.contact_info" + twinColumn + ")");
        st.execute("CREATE INDEX ON users (full_name)");
        st.execute("CREATE TABLE orders (id int PRIMARY KEY, user_id int, amount numeric(10,2) NOT NULL,"
            + " status text NOT NULL DEFAULT 'new', note text, placed_at timestamp NOT NULL DEFAULT '2024-02-01 00:00:00')");
        if (schema.equals("twin")) {
          st.execute("CREATE INDEX ON users (display_name)");
          // The migrating table's rows as the application sees them, for copying them to the twin.
          st.execute("CREATE TYPE users_row AS (id int, full_name text, email text, score int, team_id int,"
              + " tags text[], profile jsonb, created_at timestamp, contact public.contact_info)");
          st.execute("""
              CREATE FUNCTION sync_display_name() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN
                IF TG_OP = 'INSERT' THEN
                  IF NEW.full_name IS NULL THEN
                    NEW.full_name := NEW.display_name;
                  END IF;
                  NEW.display_name := NEW.full_name;
                ELSIF NEW.display_name IS DISTINCT FROM OLD.display_name THEN
                  NEW.full_name := NEW.display_name;
                ELSE
                  NEW.display_name := NEW.full_name;
                END IF;
                RETURN NEW;
              END $$""");
          st.execute("CREATE TRIGGER sync_display_name BEFORE INSERT OR UPDATE ON users"
              + " FOR EACH ROW EXECUTE FUNCTION sync_display_name()");
        }
        fill(st, schema, List.of("full_name"));
      }
    }
  }

  /**
   * Empties the three tables of {@code schema} and puts the initial rows back, the migrating
   * column's values written to each of {@code nameColumns} (the physical columns of the phase).
   */
  static void fill(Statement st, String schema, List<String> nameColumns) throws SQLException {
    st.execute("DELETE FROM " + schema + ".orders; DELETE FROM " + schema + ".users; DELETE FROM " + schema + ".teams");
    st.execute("INSERT INTO " + schema + ".teams VALUES (1, 'red', 'Ada Lovelace'), (2, 'blue', 'Alan Turing'),"
        + " (3, 'green', NULL), (4, 'empty', 'Nobody')");
    String name = "CASE WHEN g % 7 = 0 THEN NULL WHEN g = 1 THEN 'Ada Lovelace' WHEN g = 2 THEN 'Alan Turing'"
        + " WHEN g = 3 THEN 'O''Brien' WHEN g = 4 THEN 'Zoë ünicode' ELSE 'User ' || g END";
    st.execute("INSERT INTO " + schema + ".users (id, " + String.join(", ", nameColumns) + ", email, score, team_id, tags,"
        + " profile, created_at, contact) SELECT g, " + String.join(", ", java.util.Collections.nCopies(nameColumns.size(), name))
        + ", 'u' || g || '@example.com', g % 5, CASE WHEN g % 11 = 0 THEN NULL ELSE 1 + g % 3 END,"
        + " ARRAY['t' || g % 3, 'all'], jsonb_build_object('age', 20 + g, 'city', (ARRAY['Oslo','Rome','Lima'])[1 + g % 3],"
        + " 'prefs', jsonb_build_object('lang', CASE WHEN g % 2 = 0 THEN 'en' ELSE 'fr' END), 'vip', g % 4 = 0),"
        + " timestamp '2024-01-01 00:00:00' + g * interval '1 day',"
        + " CASE WHEN g % 6 = 0 THEN NULL ELSE ROW('c' || g, 'd' || g)::public.contact_info END"
        + " FROM generate_series(1, 40) g");
    st.execute("INSERT INTO " + schema + ".orders (id, user_id, amount, status, note, placed_at)"
        + " SELECT g, 1 + g % 45, (g * 3.5)::numeric(10,2), (ARRAY['new','paid','shipped'])[1 + g % 3],"
        + " CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || g END, timestamp '2024-02-01 00:00:00' + g * interval '6 hours'"
        + " FROM generate_series(1, 60) g");
  }

  /** The physical columns that hold the migrating column's value at {@code phase}. */
  static List<String> nameColumns(Phase phase) {
    return switch (phase) {
      case PLANNED -> List.of("full_name");
      case COMPLETED -> List.of("display_name");
      default -> List.of("full_name", "display_name");
    };
  }

  /**
   * An expression over the physical tables of {@code schema} that yields one text, equal for
   * {@code mig} and {@code twin} exactly when all three tables and the sequence hold the same (the
   * migrating column read from {@code nameColumn}).
   */
  static String stateExpression(String schema, String nameColumn) {
    return "(SELECT coalesce(string_agg(row(id, " + nameColumn + ", " + OTHER_USER_COLUMNS + ")::text, E'\\n'"
        + " ORDER BY id), '') FROM " + schema + ".users) || E'\\n#\\n'"
        + " || (SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY id), '') FROM " + schema + ".teams t) || E'\\n#\\n'"
        + " || (SELECT coalesce(string_agg(o::text, E'\\n' ORDER BY id), '') FROM " + schema + ".orders o) || E'\\n#\\n'"
        + " || (SELECT last_value::text FROM " + schema + ".seq)";
  }

  /** The physical column that holds the current value of the migrating column at {@code phase}. */
  static String readColumn(Phase phase) {
    return phase.readsNew() || phase == Phase.COMPLETED ? "display_name" : "full_name";
  }
}
