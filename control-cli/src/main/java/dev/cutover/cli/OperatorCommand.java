package dev.cutover.cli;

import dev.cutover.operator.Operator;
import dev.cutover.operator.OperatorException;
import dev.cutover.operator.PhaseListener;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Base of the subcommands: builds the {@link Operator} from the top command's options and turns
 * failures into exit codes and one clear line on stderr, or with {@code --json} one error object
 * on stdout.
 *
 * <p>With {@code --json} the operator's progress lines go to stderr, so that stdout carries exactly
 * one JSON object: the command's {@link #result result} on success, the error otherwise.
 */
abstract class OperatorCommand implements Callable<Integer> {

  private static final String INSUFFICIENT_PRIVILEGE = "42501";
  /** A password refused, or none given while the server asks for one (pgjdbc's SQLState). */
  private static final java.util.Set<String> NO_LOGIN = java.util.Set.of("28P01", "28000", "08004");

  @ParentCommand CutoverCommand parent;

  @Spec CommandSpec spec;

  private Object result;

  @Override
  public final Integer call() {
    // Under --json the phase changes report as JSON lines on stderr, next to the result on stdout.
    Operator operator = new Operator(parent.settings(), progress(),
        parent.json ? PhaseListener.json(err()) : PhaseListener.text(progress()));
    try {
      int exit = run(operator);
      if (parent.json) {
        out().println(JsonOutput.of(result == null ? java.util.Map.of("command", spec.name(), "exitCode", exit)
            : result));
      }
      return exit;
    } catch (OperatorException e) {
      return fail((e.exitCode() == OperatorException.GUARD_REFUSED ? "refused: " : "error: "), e.getMessage(),
          e.exitCode(), null);
    } catch (SQLException e) {
      return fail("error: ", e.getMessage() + (e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ")")
          + (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState()) ? ": this command takes the operator's role (the"
              + " application's role, as granted by `cutover init --grant`, can only read migrations and write its"
              + " heartbeat)" : "")
          + (NO_LOGIN.contains(e.getSQLState()) ? "; without --password, cutover takes $PGPASSWORD, else the first"
              + " matching host:port:database:user:password line of $PGPASSFILE or ~/.pgpass (mode 0600)" : ""),
          OperatorException.FAILED, e.getSQLState());
    } finally {
      out().flush();
      err().flush();
    }
  }

  private int fail(String prefix, String message, int exitCode, String sqlState) {
    if (parent.json) {
      out().println(JsonOutput.error(message, exitCode, sqlState));
    } else {
      err().println(prefix + message);
    }
    return exitCode;
  }

  /** Runs the command; returns the exit code. */
  abstract int run(Operator operator) throws SQLException;

  /** Sets what {@code --json} prints on success (default: the command and its exit code). */
  void result(Object value) {
    this.result = value;
  }

  /** Whether {@code --json} was given. */
  boolean json() {
    return parent.json;
  }

  /** Where progress and human-readable results go: stdout, or stderr under {@code --json}. */
  PrintWriter progress() {
    return parent.json ? err() : out();
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
