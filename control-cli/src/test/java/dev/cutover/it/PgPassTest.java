package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cutover.cli.CutoverCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI finds its password in the password file, as {@code psql} does: without {@code --password}
 * and {@code PGPASSWORD}, pgjdbc reads {@code PGPASSFILE} (or the {@code org.postgresql.pgpassfile}
 * system property), else {@code ~/.pgpass}, and takes the first {@code host:port:database:user:password}
 * line that matches. The shared test server trusts every connection, which would let any password
 * through; so this test makes a cluster of its own that asks for a password over TCP
 * (scram-sha-256), where a wrong or missing entry fails the login.
 */
class PgPassTest {

  private static final String ROLE = "pgpass_operator";
  private static final String PASSWORD = "s3cret-from-pgpass";
  private static PrivateCluster cluster;
  private static int port;

  @TempDir static Path dir;

  @BeforeAll
  static void cluster() throws Exception {
    PrivateCluster.assumeAvailable("psql");
    assumeTrue(System.getenv("PGPASSWORD") == null, "PGPASSWORD would be used before the password file");
    cluster = PrivateCluster.start("cutover_pgpass", "--auth-local=trust", "--auth-host=scram-sha-256");
    port = cluster.port();
    PrivateCluster.run(30, "runuser", "-u", "postgres", "--", "psql", "-h", "/var/run/postgresql", "-p",
        String.valueOf(port), "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", "CREATE ROLE " + ROLE
            + " LOGIN SUPERUSER PASSWORD '" + PASSWORD + "'");
  }

  @AfterAll
  static void drop() throws Exception {
    System.clearProperty("org.postgresql.pgpassfile");
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void init_withoutPassword_takesItFromThePasswordFile() throws Exception {
    Path right = passFile("right", "# comment line\n127.0.0.1:" + (port + 1) + ":*:" + ROLE + ":not-this-one\n"
        + "127.0.0.1:" + port + ":*:" + ROLE + ":" + PASSWORD + "\n");
    Path wrong = passFile("wrong", "127.0.0.1:" + port + ":*:" + ROLE + ":wrong-password\n");
    Path otherUser = passFile("other", "127.0.0.1:" + port + ":*:someone_else:" + PASSWORD + "\n");

    // A matching line: the login succeeds and init runs.
    Run ok = withPassFile(right, "init");
    assertThat(ok.exit()).as(ok.out()).isZero();
    assertThat(ok.out()).contains("control schema \"cutover\" is ready");

    // The lookup is what made it work: a wrong password, or no line for this user, fails the login.
    Run bad = withPassFile(wrong, "status");
    assertThat(bad.exit()).as(bad.out()).isEqualTo(1);
    assertThat(bad.out()).contains("password authentication failed for user \"" + ROLE + "\"",
        "the first matching host:port:database:user:password line of $PGPASSFILE or ~/.pgpass");
    Run none = withPassFile(otherUser, "status");
    assertThat(none.exit()).as(none.out()).isEqualTo(1);
    assertThat(none.out()).contains("password");

    // --password wins over the file.
    Run typed = withPassFile(wrong, "status", "--password", PASSWORD);
    assertThat(typed.exit()).as(typed.out()).isZero();
  }

  private static Path passFile(String name, String content) throws IOException {
    Path f = dir.resolve(name + ".pgpass");
    Files.writeString(f, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  private record Run(int exit, String out) {}

  private static Run withPassFile(Path file, String... args) {
    System.setProperty("org.postgresql.pgpassfile", file.toString());
    try {
      String[] all = new String[args.length + 4];
      all[0] = "--url";
      all[1] = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
      all[2] = "--user";
      all[3] = ROLE;
      System.arraycopy(args, 0, all, 4, args.length);
      StringWriter out = new StringWriter();
      int exit = CutoverCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
          .execute(all);
      return new Run(exit, out.toString());
    } finally {
      System.clearProperty("org.postgresql.pgpassfile");
    }
  }
}
