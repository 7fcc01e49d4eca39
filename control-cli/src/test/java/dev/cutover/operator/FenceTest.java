package dev.cutover.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.control.ControlSchema;
import dev.cutover.control.InstanceMarker;
import dev.cutover.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which backends the fence ends: those tagged with this control schema's tag of an instance that is
 * not live and acknowledged, or of no registered instance; never a live acknowledged instance's,
 * another control schema's or an untagged one. A role that may not signal them is refused (exit
 * 3) and nothing is ended.
 */
class FenceTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private static final String ROLE = "cutover_fence_op_" + ProcessHandle.current().pid();

  private final List<Connection> opened = new ArrayList<>();

  @BeforeAll
  static void install() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      dev.cutover.control.install.ControlSchemaInstaller.install(c, "cutover");
      st.execute("INSERT INTO cutover.instances (instance, applied_epoch, heartbeat_at) VALUES"
          + " ('live', 10, now()), ('expired', 5, now() - interval '1 hour')");
    }
  }

  @AfterEach
  void close() throws SQLException {
    for (Connection c : opened) {
      c.close();
    }
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("DROP OWNED BY " + ROLE + " CASCADE");
      st.execute("DROP ROLE IF EXISTS " + ROLE);
    } catch (SQLException e) {
      // the role was not created by this test
    }
  }

  private Connection tagged(String schema, String instance) throws SQLException {
    return named(InstanceMarker.applicationName("app", InstanceMarker.of(schema, instance)));
  }

  private Connection named(String applicationName) throws SQLException {
    Properties p = db.properties();
    p.setProperty("ApplicationName", applicationName);
    Connection c = new org.postgresql.Driver().connect(db.plainUrl(), p);
    opened.add(c);
    return c;
  }

  @Test
  void fence_endsExpiredAndUnregisteredInstancesOnly() throws Exception {
    Connection live = tagged("cutover", "live");
    Connection expired = tagged("cutover", "expired");
    Connection expiredSide = named(InstanceMarker.applicationName("cutover-listener expired",
        InstanceMarker.of("cutover", "expired")));
    Connection ghost = tagged("cutover", "never-heartbeated");
    Connection otherSchema = tagged("ctl", "expired");
    Connection untagged = named("psql");
    StringWriter out = new StringWriter();
    try (Connection cli = db.plainConnection()) {
      List<Fence.Fenced> fenced = new Fence(new ControlSchema("cutover"), Duration.ofSeconds(30),
          new PrintWriter(out, true)).fence(cli, 10);
      assertThat(fenced).extracting(Fence.Fenced::instance).containsExactlyInAnyOrder("expired", null);
    }
    assertThat(expired.isValid(2)).isFalse();
    assertThat(expiredSide.isValid(2)).isFalse();
    assertThat(ghost.isValid(2)).isFalse();
    assertThat(live.isValid(2)).isTrue();
    assertThat(otherSchema.isValid(2)).isTrue();
    assertThat(untagged.isValid(2)).isTrue();
    assertThat(out.toString())
        .containsPattern("fenced instance expired \\(applied epoch 5, heartbeat 36\\d\\d\\.\\ds ago, --instance-ttl 30s\\):"
            + " terminated 2 backend\\(s\\)")
        .contains("fenced an unregistered Cutover instance (application_name tag "
            + InstanceMarker.of("cutover", "never-heartbeated") + ", no heartbeat): terminated 1 backend(s)");
  }

  @Test
  void fence_roleThatMayNotSignal_refusedAndNothingEnded() throws Exception {
    try (Connection admin = db.plainConnection(); Statement st = admin.createStatement()) {
      st.execute("CREATE ROLE " + ROLE + " LOGIN");
      st.execute("GRANT USAGE ON SCHEMA cutover TO " + ROLE);
      st.execute("GRANT SELECT ON cutover.instances TO " + ROLE);
    }
    Connection expired = tagged("cutover", "expired"); // as the test's superuser
    Properties p = new Properties();
    p.setProperty("user", ROLE);
    p.setProperty("password", db.password());
    try (Connection cli = new org.postgresql.Driver().connect(db.plainUrl(), p)) {
      assertThatThrownBy(() -> new Fence(new ControlSchema("cutover"), Duration.ofSeconds(30),
          new PrintWriter(new StringWriter(), true)).fence(cli, 10))
          .isInstanceOf(OperatorException.class)
          .hasMessageContaining("cannot fence ")
          .hasMessageContaining("pg_signal_backend")
          .satisfies(e -> assertThat(((OperatorException) e).exitCode()).isEqualTo(OperatorException.GUARD_REFUSED));
    }
    assertThat(expired.isValid(2)).isTrue();
  }
}
