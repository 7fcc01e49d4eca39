package dev.cutover.cli;

import dev.cutover.operator.Operator;
import dev.cutover.operator.OperatorException;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Base of the subcommands: builds the {@link Operator} from the top command's options and turns
 * failures into exit codes and one clear line on stderr.
 */
abstract class OperatorCommand implements Callable<Integer> {

  private static final String INSUFFICIENT_PRIVILEGE = "42501";

  @ParentCommand CutoverCommand parent;

  @Spec CommandSpec spec;

  @Override
  public final Integer call() {
    Operator operator = new Operator(parent.settings(), out());
    try {
      return run(operator);
    } catch (OperatorException e) {
      err().println((e.exitCode() == OperatorException.GUARD_REFUSED ? "refused: " : "error: ") + e.getMessage());
      err().flush();
      return e.exitCode();
    } catch (SQLException e) {
      err().println("error: " + e.getMessage() + (e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ")")
          + (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState()) ? ": this command takes the operator's role (the"
              + " application's role, as granted by `cutover init --grant`, can only read migrations and write its"
              + " heartbeat)" : ""));
      err().flush();
      return OperatorException.FAILED;
    } finally {
      out().flush();
    }
  }

  /** Runs the command; returns the exit code. */
  abstract int run(Operator operator) throws SQLException;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
