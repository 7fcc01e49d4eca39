package dev.cutover.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.control.install.ControlSchemaInstaller;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import dev.cutover.testing.MigrationRows;
import dev.cutover.testing.TestDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How the driver reads the migrations of a control schema of an older version, and while the CLI
 * upgrades it.
 */
class MigrationStoreTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private final MigrationStore store = new MigrationStore(new ControlSchema("cutover"));

  @BeforeEach
  void versionFourSchemaWithOneMigration() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS cutover CASCADE");
      ControlSchemaInstaller.install(c, "cutover");
      // The schema as version 4 left it: no stale old column flag.
      st.execute("ALTER TABLE cutover.migrations DROP COLUMN old_stale");
      st.execute("DELETE FROM cutover.schema_version WHERE version >= 5");
      MigrationRows.insertRename(c, "cutover", "users-dn", "users", "full_name", "display_name", Phase.READ_NEW);
    }
  }

  @Test
  void aSchemaWithoutTheLaterFlagsReadsThemAsUnset() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("UPDATE cutover.migrations SET lazy = true"); // a version 2 column, still read
      MigrationSnapshot snapshot = store.load(c);
      assertThat(snapshot.migrations()).singleElement().satisfies(m -> {
        assertThat(m.id()).isEqualTo("users-dn");
        assertThat(m.phase()).isEqualTo(Phase.READ_NEW);
        assertThat(m.lazy()).isTrue();
        assertThat(m.oldStale()).isFalse();
      });
    }
  }

  /**
   * The first rollback from new_only upgrades a version 4 schema and then sets the flag at a new
   * epoch. A load that read the version before the upgrade and the rows after it took the flag for
   * unset at that epoch, so until the next one it read conditions from a stale old column.
   */
  @Test
  void anUpgradeBetweenReadingTheVersionAndTheRowsDoesNotHideTheStaleFlag() throws SQLException {
    try (Connection c = db.plainConnection(); Connection cli = db.plainConnection()) {
      Connection hooked = afterVersionRead(c, () -> {
        try (Statement st = cli.createStatement()) {
          ControlSchemaInstaller.install(cli, "cutover");
          st.execute("UPDATE cutover.migrations SET old_stale = true, epoch = nextval('cutover.epoch_seq')");
        }
      });
      MigrationSnapshot snapshot = store.load(hooked);
      ColumnMigration m = snapshot.migrations().get(0);
      assertThat(m.oldStale()).as("the flag set at epoch %d", m.epoch()).isTrue();
      assertThat(snapshot.epoch()).isEqualTo(m.epoch());
    }
  }

  private interface SqlAction {
    void run() throws SQLException;
  }

  /** {@code connection}, running {@code hook} once, right after the control schema's version is read. */
  private static Connection afterVersionRead(Connection connection, SqlAction hook) {
    boolean[] done = {false};
    return (Connection) Proxy.newProxyInstance(MigrationStoreTest.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
          Object result = invoke(connection, method, args);
          if (!method.getName().equals("createStatement")) {
            return result;
          }
          Statement statement = (Statement) result;
          return Proxy.newProxyInstance(MigrationStoreTest.class.getClassLoader(), new Class<?>[] {Statement.class},
              (p, m, a) -> {
                Object r = invoke(statement, m, a);
                if (m.getName().equals("executeQuery") && ((String) a[0]).contains("max(version)") && !done[0]) {
                  done[0] = true;
                  hook.run();
                }
                return r;
              });
        });
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
