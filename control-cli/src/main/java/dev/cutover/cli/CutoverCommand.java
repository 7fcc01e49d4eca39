package dev.cutover.cli;

import dev.cutover.operator.ConnectionSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cutover}: the operator's command (SPEC section 4). Exit codes: 0 done, 1 failed, 2 usage
 * error, 3 a guard refused.
 */
@Command(
    name = "cutover",
    mixinStandardHelpOptions = true,
    version = "cutover 0.1.0",
    description = "Zero-downtime PostgreSQL column renames: plan, advance, rollback, backfill, verify, status, demo.",
    subcommands = {
      InitCommand.class,
      PlanCommand.class,
      AdvanceCommand.class,
      RollbackCommand.class,
      BackfillCommand.class,
      VerifyCommand.class,
      StatusCommand.class,
      DemoCommand.class,
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:failed", "2:usage error", "3:a guard refused (instances, verify, old name in use)"})
public final class CutoverCommand implements Runnable {

  /** The URL used when neither {@code --url} nor {@code CUTOVER_URL} is given. */
  public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

  @Spec CommandSpec spec;

  /** The database; {@code jdbc:postgresql://} or {@code jdbc:cutover:postgresql://} (its {@code cutover.schema} is honoured). */
  @Option(names = "--url", description = "JDBC URL (default: $CUTOVER_URL, else " + DEFAULT_URL + ")")
  String url;

  /** The database user. */
  @Option(names = "--user", defaultValue = "postgres", description = "database user (default: ${DEFAULT-VALUE})")
  String user;

  /** The database password. */
  @Option(names = "--password", description = "database password")
  String password;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new CutoverCommand()).execute(args));
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  /** The connection settings from the options and the environment. */
  ConnectionSettings settings() {
    String u = url;
    if (u == null || u.isBlank()) {
      u = System.getenv("CUTOVER_URL");
    }
    if (u == null || u.isBlank()) {
      u = DEFAULT_URL;
    }
    try {
      return ConnectionSettings.parse(u, user, password);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--url: " + e.getMessage());
    }
  }
}
