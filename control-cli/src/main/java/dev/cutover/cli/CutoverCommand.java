package dev.cutover.cli;

import dev.cutover.operator.ConnectionSettings;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code cutover}: the operator's command. Exit codes: 0 done, 1 failed, 2 usage error, 3 a guard
 * refused.
 *
 * <p>The connection options and {@code --json} are inherited by every subcommand, so they may be
 * given before or after the command ({@code cutover --url U status} and {@code cutover status --url
 * U} are the same).
 */
@Command(
    name = "cutover",
    mixinStandardHelpOptions = true,
    version = "cutover 0.1.0",
    description = "Zero-downtime PostgreSQL column renames: plan, advance, rollback, backfill, verify, status, demo.",
    subcommands = {
      InitCommand.class,
      PlanCommand.class,
      CancelCommand.class,
      AdvanceCommand.class,
      RollbackCommand.class,
      BackfillCommand.class,
      TuneCommand.class,
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
  @Option(names = "--url", scope = ScopeType.INHERIT,
      description = "JDBC URL (default: $CUTOVER_URL, else " + DEFAULT_URL + ")")
  String url;

  /** The database user. */
  @Option(names = "--user", scope = ScopeType.INHERIT, defaultValue = "postgres",
      description = "database user (default: ${DEFAULT-VALUE})")
  String user;

  /**
   * The database password; without it, {@code PGPASSWORD}, then the password file pgjdbc reads
   * ({@code PGPASSFILE}, else {@code ~/.pgpass}).
   */
  @Option(names = "--password", scope = ScopeType.INHERIT,
      description = "database password (default: $PGPASSWORD, else ~/.pgpass or $PGPASSFILE)")
  String password;

  /** Print the result, or the error, as one JSON object on stdout. */
  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "print the result, or the error, as one JSON object on stdout (progress goes to stderr)")
  boolean json;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line, with usage errors reported as JSON when {@code --json} was given (an object
   * with the message and exit code 2).
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new CutoverCommand());
    CommandLine.IParameterExceptionHandler text = cl.getParameterExceptionHandler();
    cl.setParameterExceptionHandler((e, args) -> {
      if (!Arrays.asList(args).contains("--json")) {
        return text.handleParseException(e, args);
      }
      PrintWriter out = e.getCommandLine().getOut();
      out.println(JsonOutput.error(e.getMessage(), CommandLine.ExitCode.USAGE, null));
      out.flush();
      return CommandLine.ExitCode.USAGE;
    });
    return cl;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  /** The connection settings from the options and the environment. */
  ConnectionSettings settings() {
    return settings(System.getenv());
  }

  /** The connection settings from the options and {@code env} ({@code CUTOVER_URL}, {@code PGPASSWORD}). */
  ConnectionSettings settings(java.util.Map<String, String> env) {
    String u = url;
    if (u == null || u.isBlank()) {
      u = env.get("CUTOVER_URL");
    }
    if (u == null || u.isBlank()) {
      u = DEFAULT_URL;
    }
    String p = password;
    if (p == null) {
      // PGPASSWORD as libpq reads it; without either, pgjdbc looks the password up in the password file.
      p = env.get("PGPASSWORD");
    }
    try {
      return ConnectionSettings.parse(u, user, p);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--url: " + e.getMessage());
    }
  }
}
