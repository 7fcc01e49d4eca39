package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.CutoverConnection;
import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Before {@code cutover init} an application connects and runs normally; nothing is written. */
class NoControlSchemaTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @Test
  void connect_withoutControlSchema_emptySnapshotAndNoSchemaCreated() throws SQLException {
    try (Connection c = db.cutoverConnection()) {
      CutoverConnection cutover = c.unwrap(CutoverConnection.class);
      assertThat(cutover.refreshMigrations()).isZero();
      assertThat(cutover.currentSnapshot().isEmpty()).isTrue();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = 'cutover'")) {
        rs.next();
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }
}
