package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.CutoverConnection;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code int} primary key going to {@code bigint} in place while another table's foreign key
 * references it: {@code plan} takes the referencing column into the key's group, the group moves
 * behind one barrier, and the foreign key is carried to the new columns ({@code NOT VALID}, then
 * {@code VALIDATE}) with at least one foreign key checking every write at every phase.
 */
class ForeignKeyGroupTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  static Cli cli;

  @BeforeAll
  static void setUp() throws Exception {
    cli = new Cli(db);
    assertThat(cli.run("init").exit()).isEqualTo(0);
  }

  static Path keyFile(String id, String table) throws Exception {
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(f, "id: " + id + "\ntable: " + table + "\nchangeType:\n  column: id\n  type: bigint\n"
        + "  up: id::bigint\n  down: id::int\n");
    return f;
  }

  @Test
  void plan_intKeyReferencedByAForeignKey_plansTheReferencingColumnInTheSameGroup() throws Exception {
    cli.sql("CREATE TABLE p1 (id int PRIMARY KEY, name text)",
        "CREATE TABLE c1 (id int PRIMARY KEY, p1_id int NOT NULL REFERENCES p1 (id) ON DELETE CASCADE)",
        "INSERT INTO p1 SELECT g, 'p' || g FROM generate_series(1, 20) g",
        "INSERT INTO c1 SELECT g, 1 + g % 20 FROM generate_series(1, 40) g");
    Cli.Run json = cli.run("plan", keyFile("p1-id", "p1").toString(), "--dry-run", "--json");
    assertThat(json.exit()).as(json.all()).isEqualTo(0);
    assertThat(json.out().replaceAll("\\s", "")).contains("\"group\":[\"p1-id\",\"p1-id.c1.p1_id\"]");
    Cli.Run plan = cli.run("plan", keyFile("p1-id", "p1").toString());
    assertThat(plan.exit()).as(plan.all()).isEqualTo(0);
    assertThat(plan.out()).contains("c1_p1_id_fkey", "p1-id.c1.p1_id");
    assertThat(cli.query("SELECT id || ':' || phase FROM cutover.migrations WHERE id LIKE 'p1-id%' ORDER BY id"))
        .containsExactly("p1-id:planned", "p1-id.c1.p1_id:planned");

  }

  @Test
  void plan_foreignKeysThatCannotBeCarried_refusedNamingEach_nothingRegistered() throws Exception {
    cli.sql("CREATE TABLE p2 (id int PRIMARY KEY, boss int REFERENCES p2 (id))",
        "CREATE TABLE c2 (id int PRIMARY KEY, a int, b int, p2_id bigint REFERENCES p2 (id))",
        "ALTER TABLE p2 ADD UNIQUE (id, boss)",
        "ALTER TABLE c2 ADD FOREIGN KEY (a, b) REFERENCES p2 (id, boss)",
        "CREATE TABLE d2 (id int PRIMARY KEY, p2_id int REFERENCES p2 (id) ON DELETE SET NULL)",
        "CREATE TABLE e2 (id int PRIMARY KEY, p2_id int REFERENCES p2 (id) ON UPDATE CASCADE)");
    Cli.Run plan = cli.run("plan", keyFile("p2-id", "p2").toString());
    assertThat(plan.exit()).as(plan.all()).isEqualTo(1);
    assertThat(plan.err()).contains("field 'changeType.column'", "p2_boss_fkey", "references its own table",
        "c2_a_b_fkey", "2 columns", "c2_p2_id_fkey", "is bigint, not integer", "d2_p2_id_fkey", "its ON DELETE SET NULL writes the referencing column",
        "e2_p2_id_fkey", "its ON UPDATE CASCADE writes", "drop the foreign key before planning");
    assertThat(cli.query("SELECT id FROM cutover.migrations WHERE id LIKE 'p2-id%'")).isEmpty();
  }

  @Test
  void cancel_ofAMember_cancelsTheWholeGroup() throws Exception {
    cli.sql("CREATE TABLE p3 (id int PRIMARY KEY)", "CREATE TABLE c3 (id int PRIMARY KEY, p3_id int REFERENCES p3)");
    cli.ok("plan", keyFile("p3-id", "p3").toString());
    Cli.Run back = cli.run("rollback", "p3-id");
    assertThat(back.exit()).as(back.all()).isEqualTo(1);
    assertThat(back.all()).contains("nothing to roll back");
    cli.ok("cancel", "p3-id.c3.p3_id");
    assertThat(cli.query("SELECT id FROM cutover.migrations WHERE id LIKE 'p3-id%'")).isEmpty();
    cli.ok("plan", keyFile("p3-id-again", "p3").toString());
  }

  /**
   * Regression: {@code status} showed a group's migrations as unrelated ones. It shows the group
   * under the key with every member's column, foreign key and phase (text and JSON), names the key
   * under a member, and says when the members' phases differ.
   */
  @Test
  void status_showsTheGroupAndEachMembersPhase() throws Exception {
    cli.sql("CREATE TABLE p4 (id int PRIMARY KEY)",
        "CREATE TABLE c4 (id int PRIMARY KEY, p4_id int REFERENCES p4)",
        "CREATE TABLE d4 (id int PRIMARY KEY, p4_id int CONSTRAINT d4_to_p4 REFERENCES p4)");
    cli.ok("plan", keyFile("p4-id", "p4").toString());
    cli.ok("advance", "p4-id");

    Cli.Run text = cli.ok("status", "p4-id", "p4-id.c4.p4_id", "p4-id.d4.p4_id");
    assertThat(text.out()).contains(
        "  foreign-key group of 'p4-id' (moves together; all in dual_write):\n"
            + "    p4-id  public.p4.id  key  phase dual_write\n"
            + "    p4-id.c4.p4_id  public.c4.p4_id  references it (foreign key c4_p4_id_fkey)  phase dual_write\n"
            + "    p4-id.d4.p4_id  public.d4.p4_id  references it (foreign key d4_to_p4)  phase dual_write\n",
        "p4-id.c4.p4_id  public.c4.p4_id -> p4_id  phase dual_write",
        "  foreign-key group of 'p4-id' (3 migrations, all in dual_write)");
    // A member alone: the whole group under it, the key's entry not being shown.
    Cli.Run member = cli.ok("status", "p4-id.d4.p4_id");
    assertThat(member.out()).contains("foreign-key group of 'p4-id' (moves together; all in dual_write):",
        "    p4-id  public.p4.id  key  phase dual_write");

    Cli.Run json = cli.ok("status", "p4-id.c4.p4_id", "--json");
    assertThat(json.out().replaceAll("\\s", "")).contains("\"group\":{\"key\":\"p4-id\",\"members\":["
        + "{\"id\":\"p4-id\",\"role\":\"key\",\"column\":\"public.p4.id\",\"foreignKey\":null,\"phase\":\"dual_write\"},"
        + "{\"id\":\"p4-id.c4.p4_id\",\"role\":\"references\",\"column\":\"public.c4.p4_id\","
        + "\"foreignKey\":\"c4_p4_id_fkey\",\"phase\":\"dual_write\"},"
        + "{\"id\":\"p4-id.d4.p4_id\",\"role\":\"references\",\"column\":\"public.d4.p4_id\","
        + "\"foreignKey\":\"d4_to_p4\",\"phase\":\"dual_write\"}]}");

    // Phases apart (as a command stopped between the members leaves them): said, with the way out.
    cli.sql("UPDATE cutover.migrations SET phase = 'planned' WHERE id = 'p4-id.d4.p4_id'");
    Cli.Run apart = cli.ok("status", "p4-id");
    assertThat(apart.out()).contains("p4-id.d4.p4_id  public.d4.p4_id  references it (foreign key d4_to_p4)  phase planned",
        "phases differ: a phase change of the group is under way, or stopped between its members; `cutover advance"
            + " p4-id` brings them to the furthest, `cutover rollback p4-id` to the earliest");
    cli.sql("UPDATE cutover.migrations SET phase = 'dual_write' WHERE id = 'p4-id.d4.p4_id'");

    // A migration outside any group shows none.
    cli.sql("CREATE TABLE solo4 (id int PRIMARY KEY)");
    cli.ok("plan", keyFile("solo4-id", "solo4").toString());
    assertThat(cli.ok("status", "solo4-id").out()).doesNotContain("foreign-key group");
    assertThat(cli.ok("status", "solo4-id", "--json").out().replaceAll("\\s", "")).contains("\"group\":null");
  }

  // ---- the group through every phase, forward and back, with a writer running, against a twin

  private static final String KEY = "par-id";

  /** The tables, and their twins (prefix {@code t}) that never migrate. */
  private static void createTables(String prefix) throws SQLException {
    // A serial key: in new_only the old key column is filled from the sequence, not with the key the
    // application wrote, so the old columns go stale there (what the original foreign key must not see).
    cli.sql("CREATE TABLE " + prefix + "par (id serial PRIMARY KEY, name text)",
        "SELECT setval('" + prefix + "par_id_seq', 10000000)",
        "CREATE TABLE " + prefix + "kid (id int PRIMARY KEY, par_id int NOT NULL REFERENCES " + prefix
            + "par (id) ON DELETE CASCADE)",
        "CREATE INDEX ON " + prefix + "kid (par_id)",
        "CREATE TABLE " + prefix + "pin (id int PRIMARY KEY, par_id int REFERENCES " + prefix + "par (id)"
            + " DEFERRABLE INITIALLY IMMEDIATE)",
        "INSERT INTO " + prefix + "par SELECT g, 'p' || g FROM generate_series(1, 300) g",
        "INSERT INTO " + prefix + "kid SELECT g, 1 + g % 300 FROM generate_series(1, 600) g",
        "INSERT INTO " + prefix + "pin SELECT g, 1 + (g * 7) % 150 FROM generate_series(1, 100) g");
  }

  /** The SQLSTATE of running {@code sql} (with {@code %s} the table prefix) through Cutover, {@code null} when it worked. */
  private static String state(Connection c, String sql, String prefix) {
    for (int attempt = 1; ; attempt++) {
      try (Statement st = c.createStatement()) {
        st.execute(sql.replace("%s", prefix));
        return null;
      } catch (SQLException e) {
        // A cascade locks the parent, then the child; adding a foreign key locks the child, then the
        // parent: PostgreSQL may break that deadlock by failing the statement, which an application
        // retries (the operator's DDL retries too).
        if (!"40P01".equals(e.getSQLState()) || attempt == 5) {
          return e.getSQLState();
        }
      }
    }
  }

  /** Runs {@code sql} on the migrating tables and on the twins; both must end alike. */
  private static String both(Connection c, String sql, List<String> mismatches, String phase) {
    String real = state(c, sql, "");
    String twin = state(c, sql, "t");
    if (!java.util.Objects.equals(real, twin)) {
      mismatches.add(phase + ": " + sql + ": migrating " + real + ", twin " + twin);
    }
    return real;
  }

  /** At a phase: what the foreign keys must refuse, and cascade, exactly as the twin's. */
  private static void probe(HikariDataSource app, String phase, AtomicInteger probeParent, List<String> mismatches)
      throws SQLException {
    AtomicInteger nextParent = probeParent; // (a range of ids the writer never picks)
    try (Connection c = app.getConnection()) {
      c.unwrap(CutoverConnection.class).refreshMigrations();
      int kidId = 100_000 + nextParent.get();
      assertThat(both(c, "INSERT INTO %skid (id, par_id) VALUES (" + kidId + ", 999999)", mismatches, phase))
          .as("a child row referencing a missing parent, at " + phase).isEqualTo("23503");
      assertThat(both(c, "UPDATE %spin SET par_id = 999998 WHERE id = 1", mismatches, phase))
          .as("a child row updated to a missing parent, at " + phase).isEqualTo("23503");
      assertThat(both(c, "DELETE FROM %spar WHERE id = (SELECT par_id FROM %spin WHERE id = 2)", mismatches, phase))
          .as("a parent a NO ACTION key references deleted, at " + phase).isEqualTo("23503");
      // ON DELETE CASCADE: a parent only kid rows reference goes with them.
      int p = nextParent.incrementAndGet();
      assertThat(both(c, "INSERT INTO %spar (id, name) VALUES (" + p + ", 'c')", mismatches, phase)).isNull();
      assertThat(both(c, "INSERT INTO %skid (id, par_id) VALUES (" + (200_000 + p) + ", " + p + ")", mismatches,
          phase)).isNull();
      assertThat(both(c, "DELETE FROM %spar WHERE id = " + p, mismatches, phase)).isNull();
      assertThat(cli.one("SELECT count(*) FROM kid WHERE id = " + (200_000 + p))).as("cascaded at " + phase)
          .isEqualTo("0");
    }
  }

  private static void assertSameAsTwin() throws SQLException {
    for (String t : List.of("par", "kid", "pin")) {
      String rows = "SELECT coalesce(string_agg(r::text, ',' ORDER BY r::text), '') FROM (SELECT * FROM %s) r";
      assertThat(cli.one(rows.formatted(t).replace("SELECT * FROM " + t, "SELECT " + cols(t) + " FROM " + t)))
          .as(t).isEqualTo(cli.one(rows.formatted("t" + t).replace("SELECT * FROM t" + t, "SELECT " + cols(t)
              + " FROM t" + t)));
    }
  }

  private static String cols(String table) {
    return table.equals("par") ? "id, name" : "id, par_id";
  }

  /** The foreign keys of {@code table}: name, definition, validated. */
  private static List<String> foreignKeys(String table) throws SQLException {
    return cli.query("SELECT conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated FROM pg_constraint"
        + " WHERE conrelid = '" + table + "'::regclass AND contype = 'f' ORDER BY conname");
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void group_everyPhaseForwardAndBack_underAWriter_foreignKeysCheckEveryWriteLikeTheTwin() throws Exception {
    createTables("");
    createTables("t");
    Cli.Run dry = cli.run("plan", keyFile(KEY, "par").toString(), "--dry-run");
    assertThat(dry.exit()).as(dry.all()).isEqualTo(0);
    assertThat(dry.out()).contains("[carried] foreign key", "'par-id.kid.par_id'", "'par-id.pin.par_id'",
        "ADD CONSTRAINT \"kid_par_id_fkey_cutover\" FOREIGN KEY (\"par_id__cutover_new\") REFERENCES"
            + " \"public\".\"par\" (\"id__cutover_new\") ON DELETE CASCADE NOT VALID",
        "VALIDATE CONSTRAINT \"kid_par_id_fkey_cutover\"",
        "DROP CONSTRAINT IF EXISTS \"pin_par_id_fkey\"",
        "RENAME CONSTRAINT \"pin_par_id_fkey_cutover\" TO \"pin_par_id_fkey\"",
        "REFERENCES \"public\".\"par\" (\"id__cutover_new\") DEFERRABLE NOT VALID");
    cli.ok("plan", keyFile(KEY, "par").toString());
    List<String> ids = List.of(KEY, "par-id.kid.par_id", "par-id.pin.par_id");

    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.cutoverUrl() + "?cutover.refreshMillis=100&cutover.instance=fk-writer");
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(3);
    List<String> mismatches = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger nextParent = new AtomicInteger(1000);
    AtomicInteger probeParent = new AtomicInteger(50_000);
    AtomicReference<String> phase = new AtomicReference<>("planned");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong ops = new AtomicLong();
    try (HikariDataSource app = new HikariDataSource(config)) {
      Thread writer = new Thread(() -> {
        Random random = new Random(42);
        int kid = 300_000;
        while (running.get()) {
          try (Connection c = app.getConnection()) {
            String at = phase.get();
            int parent = 1 + random.nextInt(nextParent.get());
            switch (random.nextInt(6)) {
              case 0 -> both(c, "INSERT INTO %spar (id, name) VALUES (" + nextParent.incrementAndGet() + ", 'w')",
                  mismatches, at);
              case 1, 2 -> both(c, "INSERT INTO %skid (id, par_id) VALUES (" + (kid++) + ", " + parent + ")",
                  mismatches, at);
              case 3 -> both(c, "UPDATE %skid SET par_id = " + parent + " WHERE id = " + (1 + random.nextInt(600)),
                  mismatches, at);
              case 4 -> both(c, "UPDATE %spin SET par_id = " + parent + " WHERE id = " + (1 + random.nextInt(100)),
                  mismatches, at);
              default -> both(c, "DELETE FROM %spar WHERE id = " + parent, mismatches, at);
            }
            ops.incrementAndGet();
          } catch (SQLException e) {
            mismatches.add("connection: " + e);
          }
        }
      }, "fk-writer");
      writer.start();
      try {
        probe(app, "planned", probeParent, mismatches);
        phase.set("dual_write");
        Cli.Run advance = cli.ok("advance", "par-id.kid.par_id");
        assertThat(advance.all()).contains("in the group of 'par-id'");
        assertThat(cli.query("SELECT phase FROM cutover.migrations WHERE id LIKE 'par-id%'"))
            .containsOnly("dual_write").hasSize(3);
        assertThat(foreignKeys("kid")).containsExactly(
            "kid_par_id_fkey FOREIGN KEY (par_id) REFERENCES par(id) ON DELETE CASCADE true");
        probe(app, "dual_write", probeParent, mismatches);
        Cli.Run lazy = cli.run("advance", KEY, "--to", "read_new", "--lazy");
        assertThat(lazy.exit()).as(lazy.all()).isEqualTo(1);
        assertThat(lazy.all()).contains("--lazy is not available");
        cli.ok("backfill", KEY);
        cli.ok("backfill", "par-id.kid.par_id");
        // A member not backfilled refuses the whole group's move up front: nothing moves.
        Cli.Run early = cli.run("advance", KEY);
        assertThat(early.exit()).as(early.all()).isEqualTo(3);
        assertThat(early.all()).contains("par-id.pin.par_id");
        assertThat(cli.query("SELECT phase FROM cutover.migrations WHERE id LIKE 'par-id%'"))
            .containsOnly("dual_write").hasSize(3);
        assertThat(foreignKeys("kid")).hasSize(1);
        for (String id : ids) {
          cli.ok("backfill", id);
        }
        phase.set("read_new");
        cli.ok("advance", KEY);
        assertThat(foreignKeys("kid")).containsExactly(
            "kid_par_id_fkey FOREIGN KEY (par_id) REFERENCES par(id) ON DELETE CASCADE true",
            "kid_par_id_fkey_cutover FOREIGN KEY (par_id__cutover_new) REFERENCES par(id__cutover_new)"
                + " ON DELETE CASCADE true");
        probe(app, "read_new", probeParent, mismatches);
        phase.set("new_only");
        cli.ok("advance", KEY);
        assertThat(foreignKeys("pin")).containsExactly("pin_par_id_fkey_cutover FOREIGN KEY (par_id__cutover_new)"
            + " REFERENCES par(id__cutover_new) DEFERRABLE true");
        probe(app, "new_only", probeParent, mismatches);
        phase.set("read_new (back)");
        cli.ok("rollback", "par-id.pin.par_id");
        assertThat(foreignKeys("pin")).containsExactly(
            "pin_par_id_fkey FOREIGN KEY (par_id) REFERENCES par(id) DEFERRABLE true",
            "pin_par_id_fkey_cutover FOREIGN KEY (par_id__cutover_new) REFERENCES par(id__cutover_new) DEFERRABLE true");
        probe(app, "read_new (back)", probeParent, mismatches);
        phase.set("dual_write (back)");
        cli.ok("rollback", KEY);
        assertThat(foreignKeys("kid")).containsExactly(
            "kid_par_id_fkey FOREIGN KEY (par_id) REFERENCES par(id) ON DELETE CASCADE true");
        probe(app, "dual_write (back)", probeParent, mismatches);
        phase.set("planned (back)");
        cli.ok("rollback", KEY);
        assertThat(cli.columns("par")).containsExactly("id", "name");
        assertThat(cli.columns("kid")).containsExactly("id", "par_id");
        probe(app, "planned (back)", probeParent, mismatches);

        phase.set("dual_write (again)");
        cli.ok("advance", KEY);
        for (String id : ids) {
          cli.ok("backfill", id);
        }
        phase.set("new_only (again)");
        cli.ok("advance", KEY, "--to", "new_only");
        probe(app, "new_only (again)", probeParent, mismatches);
        phase.set("completed");
        cli.ok("advance", KEY, "--force");
        probe(app, "completed", probeParent, mismatches);
      } finally {
        running.set(false);
        writer.join(30_000);
      }
      assertThat(mismatches).as("statements that ended differently on the migrating tables and on the twin")
          .isEmpty();
      assertThat(ops.get()).isGreaterThan(20);
      assertSameAsTwin();
    }
    assertThat(cli.query("SELECT phase FROM cutover.migrations WHERE id LIKE 'par-id%'"))
        .containsOnly("completed").hasSize(3);
    assertThat(foreignKeys("kid")).containsExactly(
        "kid_par_id_fkey FOREIGN KEY (par_id) REFERENCES par(id) ON DELETE CASCADE true");
    assertThat(foreignKeys("pin")).containsExactly(
        "pin_par_id_fkey FOREIGN KEY (par_id) REFERENCES par(id) DEFERRABLE true");
    for (String t : List.of("par.id", "kid.par_id", "pin.par_id")) {
      String[] tc = t.split("\\.");
      assertThat(cli.one("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" + tc[0]
          + "'::regclass AND attname = '" + tc[1] + "'")).as(t).isEqualTo("bigint");
    }
    assertThat(cli.columns("kid")).containsExactly("id", "par_id");
    assertThat(cli.one("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'par'::regclass"
        + " AND contype = 'p'")).isEqualTo("PRIMARY KEY (id)");
    // Beyond the int range now, still checked.
    cli.sql("INSERT INTO par (id, name) VALUES (3000000000, 'big')",
        "INSERT INTO kid (id, par_id) VALUES (999999, 3000000000)");
    assertThatThrownBy(() -> cli.sql("INSERT INTO kid (id, par_id) VALUES (999998, 3000000001)"))
        .isInstanceOf(SQLException.class).hasMessageContaining("kid_par_id_fkey");
    assertThat(cli.query("SELECT 1 FROM kid WHERE par_id = 3000000000")).hasSize(1);
  }
}
