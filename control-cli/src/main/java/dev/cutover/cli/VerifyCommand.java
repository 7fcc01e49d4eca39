package dev.cutover.cli;

import dev.cutover.operator.BackfillOptions;
import dev.cutover.operator.Operator;
import dev.cutover.operator.OperatorException;
import dev.cutover.operator.Verifier;
import java.sql.SQLException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cutover verify ID [--repair] [--from-key KEY] [--workers N]}: checks every row's new value against
 * {@code up(old)}; exit 0 when all match, 3 with the differing keys, 1 when rows cannot be
 * converted (listed with their keys and errors). With {@code --repair} (dual_write only) the
 * differing rows are rewritten and checked again, and the exit code says what is left.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Check that every row's new column equals up(old); --repair rewrites the rows that differ.")
final class VerifyCommand extends OperatorCommand {

  @Parameters(index = "0", paramLabel = "ID", description = "the migration id")
  String id;

  /** Rewrite the differing rows (dual_write only). */
  @Option(names = "--repair", description = "rewrite the new column of every differing row from the old one"
      + " (new := up(old), only where it still differs, under row locks), then check those rows again;"
      + " dual_write only")
  boolean repair;

  /** Start after this key: resumes a stopped run, or checks part of the table. */
  @Option(names = "--from-key", paramLabel = "KEY", description = "start after this key, as verify prints it"
      + " (7; {7,\"a b\"} for a composite key; (120,0) for a table walked by ctid); resumes a stopped run")
  String fromKey;

  /** Rows per chunk. */
  @Option(names = "--range-rows", paramLabel = "N", defaultValue = "" + Verifier.DEFAULT_RANGE_ROWS,
      description = "rows per checked chunk (default: ${DEFAULT-VALUE})")
  int rangeRows;

  /** Slices of the key range walked at once, each on its own connection. */
  @Option(names = "--workers", paramLabel = "N", defaultValue = "" + BackfillOptions.DEFAULT_WORKERS,
      description = "slices of the key range checked at once, each on its own connection; split points from the"
          + " key's statistics (default: ${DEFAULT-VALUE}, as the backfill)")
  int workers;

  /** What {@code --json} prints. */
  record Verification(String id, boolean clean, long rows, long ranges, long differing, List<String> firstKeys,
      List<Verifier.RangeMismatch> mismatches, long unconvertible, List<Verifier.ConversionError> conversionErrors,
      boolean repair, long repaired, long remaining, String lastKey, List<String> splitKeys) {}

  @Override
  int run(Operator operator) throws SQLException {
    Verifier.Options options;
    try {
      options = new Verifier.Options(rangeRows, repair, fromKey, progress(), workers);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Verifier.Result r = Verifier.verify(parent.settings(), id, options);
    result(new Verification(id, r.clean(), r.rows(), r.ranges(), r.differing(), r.firstKeys(), r.mismatches(),
        r.unconvertible(), r.conversionErrors(), repair, r.repaired(), r.remaining(), r.lastKey(), r.splitKeys()));
    int exit = r.unconvertible() > 0 ? OperatorException.FAILED
        : r.remaining() > 0 ? OperatorException.GUARD_REFUSED : 0;
    if (json()) {
      return exit;
    }
    String scope = fromKey == null ? "" : " after key " + fromKey;
    if (r.differing() == 0 && r.unconvertible() == 0) {
      out().printf("verify %s: ok, %d rows in %d key ranges match%s%n", id, r.rows(), r.ranges(), scope);
      return 0;
    }
    if (r.differing() > 0) {
      (repair ? out() : err()).printf("verify %s: MISMATCH, %d of %d rows differ%s; first keys: %s%n", id,
          r.differing(), r.rows(), scope, String.join(", ", r.firstKeys()));
      for (Verifier.RangeMismatch m : r.mismatches()) {
        (repair ? out() : err()).printf("  keys (%s, %s]: %d rows, %d differ, checksum old %s new %s%n",
            m.fromKey() == null ? "start" : m.fromKey(), m.toKey() == null ? "end" : m.toKey(), m.rows(),
            m.differing(), m.oldChecksum(), m.newChecksum());
      }
    }
    if (repair && r.differing() > 0) {
      out().printf("verify %s: repaired %d rows; %d still differ after checking them again%n", id, r.repaired(),
          r.remaining());
    }
    if (r.unconvertible() > 0) {
      err().printf("verify %s: migration '%s': up cannot convert %d row(s); fix them, or roll back to planned and"
          + " plan the migration again with an expression that converts them:%n", id, id, r.unconvertible());
      for (Verifier.ConversionError e : r.conversionErrors()) {
        err().printf("  key %s: %s (%s)%n", e.key(), e.oldValue() == null ? "NULL" : "'" + e.oldValue() + "'",
            e.error());
      }
    }
    if (r.remaining() > 0) {
      err().printf(repair ? "rows were changed again while being repaired: is something writing the table without"
          + " the Cutover driver? run `cutover verify %s --repair` again%n"
          : "run `cutover verify %s --repair` (dual_write), or `cutover backfill %<s`, and verify again%n", id);
    }
    out().flush();
    err().flush();
    return exit;
  }
}
