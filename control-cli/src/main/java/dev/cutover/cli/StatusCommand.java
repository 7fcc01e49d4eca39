package dev.cutover.cli;

import dev.cutover.operator.Operator;
import dev.cutover.operator.OperatorException;
import dev.cutover.operator.StatusReport;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cutover status [ID...] [--json]}: phases, backfill progress, instances, old-name use. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show migrations, backfill progress, instances and old-name use.")
final class StatusCommand extends OperatorCommand {

  @Parameters(arity = "0..*", paramLabel = "ID", description = "the migrations to show (default: all)")
  List<String> ids = List.of();

  /** Heartbeat age after which an instance is shown as not live. */
  @Option(names = "--instance-ttl", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
      description = "an instance whose heartbeat is older than this is not live (default: ${DEFAULT-VALUE})")
  Duration instanceTtl;

  @Override
  int run(Operator operator) throws SQLException {
    StatusReport report = ids.size() == 1 ? operator.status(ids.get(0), instanceTtl) : operator.status(null, instanceTtl);
    if (ids.size() > 1) {
      for (String id : ids) {
        if (report.migrations().stream().noneMatch(m -> m.id().equals(id))) {
          throw new OperatorException("no migration with id '" + id + "' (`cutover status` lists them)");
        }
      }
      report = new StatusReport(report.controlSchema(), report.migrations().stream().filter(m -> ids.contains(m.id()))
          .toList(),
          report.instances(), report.standbys());
    }
    PrintWriter out = out();
    if (json()) {
      result(report);
      return 0;
    }
    if (report.migrations().isEmpty()) {
      out.println("no migrations");
    }
    for (StatusReport.Migration m : report.migrations()) {
      out.printf("%s  %s.%s -> %s  phase %s%s  epoch %d  since %s%n", m.id(), m.table(), m.oldColumn(), m.newColumn(),
          m.phase(), m.lazy() ? " (lazy)" : "", m.epoch(), m.updatedAt());
      if (m.lazy()) {
        out.printf("  lazily cut over: rows not backfilled yet are read from the old column; new_only is refused"
            + " until `cutover backfill %s` and `cutover verify %s` are done%n", m.id(), m.id());
      }
      if (m.group() != null) {
        group(out, m, report);
      }
      if (m.backfill() != null) {
        out.printf("  backfill: %d rows done, last key %s of %s%s%n", m.backfill().rowsDone(), m.backfill().lastKey(),
            m.backfill().maxKey(), m.backfill().finished() ? ", finished" : ", not finished");
        StatusReport.Control k = m.backfill().control();
        if (k != null) {
          out.printf("  backfill settings: batch size %s, chunk time %s, %d worker(s)%s, max lag %s (version %d%s)%n",
              k.batchSize() == null ? "auto" : k.batchSize(), k.chunkTime(), k.workers(), k.paused() ? ", paused" : "",
              k.maxLag() == null ? "off" : k.maxLag(), k.settingsVersion(),
              k.tunedBy() == null ? "" : ", tuned by " + k.tunedBy());
          if (k.running()) {
            out.printf(Locale.ROOT, "  backfill running: %d worker(s) active, chunks of %s rows, %.0f rows/s%s%n",
                k.activeWorkers(), k.chunkRows() == null ? "?" : k.chunkRows().toString(),
                k.rowsPerSecond() == null ? 0.0 : k.rowsPerSecond(),
                k.appliedVersion() < k.settingsVersion() ? " (settings version " + k.settingsVersion() + " not applied yet)"
                    : "");
            out.printf("  throttled: %s%n", k.throttleReasons().isEmpty() ? "no" : String.join("; ", k.throttleReasons()));
          } else if (k.stopReason() != null) {
            out.printf("  backfill not running (last run: %s)%n", k.stopReason());
          } else {
            out.printf("  backfill not running (its session is gone; run `cutover backfill %s` to resume)%n", m.id());
          }
        }
      }
      if (m.rowsPending() != null) {
        out.printf("  rows pending (new differs from old): %d%n", m.rowsPending());
      }
      for (String note : m.notes()) {
        out.printf("  note: %s%n", note);
      }
      if (m.conversionError() != null) {
        out.printf("  rows pending: unknown: %s%n", m.conversionError());
      }
      if (!m.recentChanges().isEmpty()) {
        out.println("  recent changes:");
      }
      for (StatusReport.AuditEntry a : m.recentChanges()) {
        out.printf("    %s  %s  %s -> %s%s  (%s)%n", a.at(), a.actor(), a.fromPhase() == null ? "-" : a.fromPhase(),
            a.toPhase(), a.epoch() == null ? "" : " epoch " + a.epoch(), a.detail());
      }
      for (StatusReport.NameUse u : m.oldNameUse()) {
        out.printf("  old name used by %s %.0fs ago%n", u.instance(), u.secondsAgo());
      }
    }
    out.printf("instances:%s%n", report.instances().isEmpty() ? " none" : "");
    for (StatusReport.Instance i : report.instances()) {
      out.printf("  %s  applied epoch %d  heartbeat %.1fs ago%s%n", i.instance(), i.appliedEpoch(),
          i.heartbeatAgeSeconds(), i.live() ? "" : " (not live)");
    }
    if (!report.standbys().isEmpty()) {
      out.println("standbys:");
    }
    for (StatusReport.Standby s : report.standbys()) {
      out.printf("  %s%s  %s  %s behind%s%n", s.name(), s.clientAddr() == null ? "" : " (" + s.clientAddr() + ")",
          s.state() == null ? "state not visible (grant pg_monitor)" : s.state(),
          s.lagBytes() == null ? "unknown" : s.lagBytes() + " bytes of WAL",
          s.replayLagSeconds() == null ? "" : String.format(java.util.Locale.ROOT, ", replay_lag %.1fs",
              s.replayLagSeconds()));
    }
    return 0;
  }

  /**
   * A foreign-key group: every member and its phase under the key's entry (and under a member's
   * when the key's entry is not shown), one line naming the key under the other members'.
   */
  private static void group(PrintWriter out, StatusReport.Migration m, StatusReport report) {
    StatusReport.Group g = m.group();
    boolean keyShown = report.migrations().stream().anyMatch(x -> x.id().equals(g.key()));
    long phases = g.members().stream().map(x -> String.valueOf(x.phase())).distinct().count();
    String together = phases == 1 ? "all in " + g.members().get(0).phase()
        : "phases differ: a phase change of the group is under way, or stopped between its members; `cutover"
            + " advance " + g.key() + "` brings them to the furthest, `cutover rollback " + g.key() + "` to the earliest";
    if (!m.id().equals(g.key()) && keyShown) {
      out.printf("  foreign-key group of '%s' (%d migrations, %s)%n", g.key(), g.members().size(), together);
      return;
    }
    out.printf("  foreign-key group of '%s' (moves together; %s):%n", g.key(), together);
    for (StatusReport.GroupMember x : g.members()) {
      out.printf("    %s  %s  %s%s  phase %s%n", x.id(), x.column() == null ? "?" : x.column(),
          x.role().equals("key") ? "key" : "references it",
          x.foreignKey() == null ? "" : " (foreign key " + x.foreignKey() + ")",
          x.phase() == null ? "not registered" : x.phase());
    }
  }
}
