package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * {@code cutover demo}, the README's first command, end to end. Also the regression test of a hang:
 * the refill before {@code rollback --to read_new} chased the workers' new-only updates forever
 * (the demo stalled there in two runs out of three).
 */
class DemoCommandTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void demo_walksForwardBackAndForward_withNoFailedStatement() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CutoverCommand.commandLine()
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute("--url", db.plainUrl(), "--user", db.user(), "demo");
    assertThat(code).as("out:\n%s\nerr:\n%s", out, err).isZero();
    assertThat(out.toString())
        .contains("planned -> dual_write", "dual_write -> read_new", "read_new -> new_only",
            "new_only -> read_new", "read_new -> dual_write", "dual_write -> planned", "new_only -> completed")
        .containsPattern("== done: [0-9,]+ statements through Cutover, 0 failed ==");
  }
}
