package dev.cutover.cli;

import dev.cutover.operator.Operator;
import dev.cutover.operator.OperatorException;
import dev.cutover.operator.Verifier;
import java.sql.SQLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cutover verify ID}: checks every row's new value; exit 3 with the first differing keys. */
@Command(name = "verify", mixinStandardHelpOptions = true, description = "Check that every row's new column equals the old one.")
final class VerifyCommand extends OperatorCommand {

  @Parameters(index = "0", paramLabel = "ID", description = "the migration id")
  String id;

  /** What {@code --json} prints. */
  record Verification(String id, boolean clean, long rows, long ranges, long differing, java.util.List<String> firstKeys,
      java.util.List<Verifier.RangeMismatch> mismatches) {}

  @Override
  int run(Operator operator) throws SQLException {
    Verifier.Result r = operator.verify(id);
    result(new Verification(id, r.clean(), r.rows(), r.ranges(), r.differing(), r.firstKeys(), r.mismatches()));
    if (json()) {
      return r.clean() ? 0 : OperatorException.GUARD_REFUSED;
    }
    if (r.clean()) {
      out().printf("verify %s: ok, %d rows in %d key ranges match%n", id, r.rows(), r.ranges());
      return 0;
    }
    err().printf("verify %s: MISMATCH, %d of %d rows differ; first keys: %s%n", id, r.differing(), r.rows(),
        String.join(", ", r.firstKeys()));
    for (Verifier.RangeMismatch m : r.mismatches()) {
      err().printf("  keys (%s, %s]: %d rows, %d differ, checksum old %s new %s%n",
          m.fromKey() == null ? "start" : m.fromKey(), m.toKey() == null ? "end" : m.toKey(), m.rows(),
          m.differing(), m.oldChecksum(), m.newChecksum());
    }
    err().printf("run `cutover backfill %s` and verify again%n", id);
    err().flush();
    return OperatorException.GUARD_REFUSED;
  }
}
