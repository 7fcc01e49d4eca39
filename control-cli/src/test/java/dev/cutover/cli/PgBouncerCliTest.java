package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.PgBouncer;
import dev.cutover.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CLI refuses to work through a connection pooler (a private PgBouncer in transaction mode;
 * skipped when {@code pgbouncer} is not installed): its session advisory locks and session settings
 * would land on whichever server connection the pooler picks.
 */
class PgBouncerCliTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private static PgBouncer bouncer;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(PgBouncer.binary().isPresent(),
        "pgbouncer is not installed (neither on the PATH nor /usr/sbin/pgbouncer): apt-get install pgbouncer;"
            + " .ci/run installs it when apt is available");
    bouncer = PgBouncer.start(db, "transaction");
  }

  @AfterAll
  static void stop() {
    if (bouncer != null) {
      bouncer.close();
    }
  }

  @Test
  void throughPgBouncer_isRefusedNamingTheFix_andDirectWorks() {
    Cli.Run through = new Cli(db, bouncer.plainUrl()).run("init");
    assertThat(through.exit()).as(through.all()).isEqualTo(2);
    assertThat(through.all()).contains("connection pooler", "connect the cutover CLI directly to PostgreSQL");

    Cli.Run direct = new Cli(db).run("init");
    assertThat(direct.exit()).as(direct.all()).isZero();
    Cli.Run status = new Cli(db, bouncer.plainUrl()).run("status");
    assertThat(status.exit()).as(status.all()).isEqualTo(2);
  }
}
