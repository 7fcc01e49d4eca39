package dev.cutover.operator;

import dev.cutover.control.ControlSchema;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Gathers {@link StatusReport}s from the control schema and the application tables. */
final class StatusReader {

  /** How many audit entries a migration's status shows. */
  static final int RECENT_CHANGES = 5;

  private final MigrationRepository repo;
  private final ControlSchema schema;
  private final Duration ttl;

  StatusReader(MigrationRepository repo, Duration ttl) {
    this.repo = repo;
    this.schema = repo.schema();
    this.ttl = ttl;
  }

  StatusReport read(Connection c, String id) throws SQLException {
    repo.requireInstalled(c);
    List<ColumnMigration> migrations = id == null ? repo.all(c) : List.of(repo.require(c, id));
    List<StatusReport.Migration> result = new ArrayList<>();
    for (ColumnMigration m : migrations) {
      result.add(migration(c, m));
    }
    return new StatusReport(schema.name(), result, instances(c), ReplicaLag.read(c).stream().map(s ->
        new StatusReport.Standby(s.name(), s.clientAddr(), s.state(), s.replayLsn(), s.lagBytes(), s.replayLagSeconds()))
        .toList());
  }

  /** The backfill's row of {@code backfill_control}, or null (none, or a control schema before version 4). */
  private StatusReport.Control control(Connection c, String id) throws SQLException {
    if (!BackfillControl.available(schema, c)) {
      return null;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT backend_pid IS NOT NULL AND heartbeat_at > now() - ?::interval"
        + " AND EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.pid = backend_pid),"
        + " batch_size, chunk_time_ms, workers, paused, max_lag_ms, settings_version, applied_version, active_workers,"
        + " chunk_rows, rows_per_second, throttle_reasons, extract(epoch FROM now() - heartbeat_at)::float8,"
        + " stop_reason, tuned_by FROM " + schema.qualify("backfill_control") + " WHERE migration_id = ?")) {
      ps.setString(1, BackfillControl.STALE.toMillis() + " milliseconds");
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        boolean running = rs.getBoolean(1);
        Integer batch = (Integer) rs.getObject(2);
        long lag = rs.getLong(6);
        String maxLag = rs.wasNull() ? null : Durations.format(Duration.ofMillis(lag));
        Long chunkRows = (Long) rs.getObject(10);
        Double rate = (Double) rs.getObject(11);
        List<String> reasons = List.of((String[]) rs.getArray(12).getArray());
        Double age = (Double) rs.getObject(13);
        return new StatusReport.Control(running, batch, Durations.format(Duration.ofMillis(rs.getInt(3))), rs.getInt(4),
            rs.getBoolean(5), maxLag, rs.getLong(7), rs.getLong(8), running ? rs.getInt(9) : 0, chunkRows, rate,
            running ? reasons : List.of(), age, running ? null : rs.getString(14), rs.getString(15));
      }
    }
  }

  private StatusReport.Migration migration(Connection c, ColumnMigration m) throws SQLException {
    String updatedAt;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM "
            + schema.qualify("migrations") + " WHERE id = ?")) {
      ps.setString(1, m.id());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        updatedAt = rs.getString(1);
      }
    }
    StatusReport.Backfill backfill = null;
    try (PreparedStatement ps = c.prepareStatement("SELECT rows_done, last_key, max_key, finished_at IS NOT NULL FROM "
        + schema.qualify("backfill_state") + " WHERE migration_id = ?")) {
      ps.setString(1, m.id());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          backfill = new StatusReport.Backfill(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
              control(c, m.id()));
        }
      }
    }
    List<String> notes = new ArrayList<>();
    if (m.phase() == Phase.PLANNED && repo.lastTransition(c, m.id()).orElse("").equals("dual_write->planned")) {
      TableCatalog.Table table = TableCatalog.findTable(c, m.schema(), m.table()).orElse(null);
      if (table != null && TableCatalog.findColumn(c, table.oid(), m.physicalNewColumn()).isPresent()) {
        notes.add("the rollback to planned has not dropped the new column " + Identifiers.quote(m.physicalNewColumn())
            + " yet (it waits until every live instance has stopped writing it); run `cutover rollback " + m.id()
            + "` to finish it");
      }
    }
    if (m.phase() == Phase.READ_NEW && m.oldStale()) {
      notes.add("the old column " + Identifiers.quote(m.oldColumn()) + " is marked stale (an advance to new_only,"
          + " or a rollback from it that has not refilled it yet, is under way): drivers read conditions on it"
          + " through " + Identifiers.quote(m.physicalNewColumn()) + ", which its indexes do not serve; if that"
          + " command stopped, finish it: `cutover advance " + m.id() + " --to new_only`, or `cutover rollback "
          + m.id() + " --to read_new`, which refills the old column and clears the mark");
    }
    Long pending = null;
    String conversionError = null;
    if (m.phase() == Phase.DUAL_WRITE || m.phase() == Phase.READ_NEW) {
      try {
        pending = Verifier.quickDiff(c, m).differing();
      } catch (OperatorException e) {
        // One row up cannot convert must not hide every migration's status: shown, not thrown.
        conversionError = e.getMessage();
      }
    }
    List<StatusReport.NameUse> uses = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT instance,"
        + " to_char(old_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        + " extract(epoch FROM now() - old_used_at)::float8 FROM " + schema.qualify("name_usage")
        + " WHERE migration_id = ? AND old_used_at IS NOT NULL ORDER BY old_used_at DESC")) {
      ps.setString(1, m.id());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          uses.add(new StatusReport.NameUse(rs.getString(1), rs.getString(2), rs.getDouble(3)));
        }
      }
    }
    return new StatusReport.Migration(m.id(), m.schema() + "." + m.table(), m.oldColumn(), m.newColumn(),
        m.phase().sqlName(), m.lazyRead(), m.epoch(), updatedAt, backfill, pending, conversionError, notes, uses,
        repo.recentAudit(c, m.id(), RECENT_CHANGES), group(c, m));
  }

  /** The foreign-key group of {@code m} with every member's phase now, or {@code null}. */
  private StatusReport.Group group(Connection c, ColumnMigration m) throws SQLException {
    ForeignKeyGroup.Group g = ForeignKeyGroup.of(c, schema.qualify("migrations"), m.id());
    if (g == null) {
      return null;
    }
    List<StatusReport.GroupMember> members = new ArrayList<>();
    ColumnMigration key = g.key().equals(m.id()) ? m : repo.find(c, g.key()).orElse(null);
    members.add(new StatusReport.GroupMember(g.key(), "key",
        key == null ? null : key.schema() + "." + key.table() + "." + key.oldColumn(), null,
        key == null ? null : key.phase().sqlName()));
    for (ForeignKeyGroup.Reference r : g.references()) {
      ColumnMigration member = r.member().equals(m.id()) ? m : repo.find(c, r.member()).orElse(null);
      members.add(new StatusReport.GroupMember(r.member(), "references", r.schema() + "." + r.table() + "."
          + r.column(), r.constraint(), member == null ? null : member.phase().sqlName()));
    }
    return new StatusReport.Group(g.key(), members);
  }

  private List<StatusReport.Instance> instances(Connection c) throws SQLException {
    List<StatusReport.Instance> result = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT instance, applied_epoch,"
        + " extract(epoch FROM now() - heartbeat_at)::float8 FROM " + schema.qualify("instances") + " ORDER BY instance")) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          double age = rs.getDouble(3);
          result.add(new StatusReport.Instance(rs.getString(1), rs.getLong(2), age, age * 1000 < ttl.toMillis()));
        }
      }
    }
    return result;
  }
}
