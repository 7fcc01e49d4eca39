package dev.cutover.operator;

import dev.cutover.control.ControlSchema;
import dev.cutover.control.MigrationRows;
import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The operator's writes to the control schema: registering migrations, phase changes with their
 * audit rows, and the per-migration lock that keeps two CLIs from working on one migration.
 */
public final class MigrationRepository {

  /** A held lock; closing releases it. */
  public interface Lock extends AutoCloseable {
    @Override
    void close() throws SQLException;
  }

  private final ControlSchema schema;

  /** @param schema the control schema */
  public MigrationRepository(ControlSchema schema) {
    this.schema = schema;
  }

  /** The control schema. */
  public ControlSchema schema() {
    return schema;
  }

  /** Fails with a hint to run {@code cutover init} when the control schema is missing. */
  public void requireInstalled(Connection c) throws SQLException {
    int version = schema.installedVersion(c);
    if (version == 0) {
      throw new OperatorException("the control schema \"" + schema.name() + "\" is not installed: run `cutover init` first");
    }
    if (version > ControlSchema.VERSION) {
      throw new OperatorException("the control schema \"" + schema.name() + "\" has version " + version
          + ", newer than this cutover (" + ControlSchema.VERSION + "): use a newer cutover");
    }
  }

  /** The migration {@code id}, if registered. */
  public Optional<ColumnMigration> find(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT " + MigrationRows.selectList() + " FROM " + schema.qualify("migrations") + " WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  /**
   * Registers migration {@code m} in {@code planned} at a new epoch (the caller holds
   * {@link #lockEpochs} and commits).
   *
   * @param spec the migration file as JSON
   * @param sourceFile where it was read from
   * @param oldColumnAfter the column the old one follows in the table ({@code null} when first)
   * @param oldNotNull whether the old column is NOT NULL now
   */
  public void register(Connection c, ColumnMigration m, String spec, String sourceFile, String oldColumnAfter,
      boolean oldNotNull) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.qualify("migrations")
        + " (id, table_schema, table_name, old_column, new_column, physical_new_column, phase, epoch, spec,"
        + " source_file, old_column_after, old_not_null, new_type, up_expr, down_expr, old_type)"
        + " VALUES (?, ?, ?, ?, ?, ?, 'planned', nextval('" + schema.qualify("epoch_seq").replace("'", "''")
        + "'), ?::jsonb, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, m.id());
      ps.setString(2, m.schema());
      ps.setString(3, m.table());
      ps.setString(4, m.oldColumn());
      ps.setString(5, m.newColumn());
      ps.setString(6, m.physicalNewColumn());
      ps.setString(7, spec);
      ps.setString(8, sourceFile);
      ps.setString(9, oldColumnAfter);
      ps.setBoolean(10, oldNotNull);
      ps.setString(11, m.newType());
      ps.setString(12, m.up());
      ps.setString(13, m.down());
      ps.setString(14, m.oldType());
      ps.executeUpdate();
    }
  }

  /** Every registered migration, by id. */
  public List<ColumnMigration> all(Connection c) throws SQLException {
    List<ColumnMigration> result = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT " + MigrationRows.selectList() + " FROM " + schema.qualify("migrations") + " ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        result.add(read(rs));
      }
    }
    return result;
  }

  /** Who holds migration {@code id}'s lock, for the message (empty when not visible). */
  private String holder(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT a.pid, a.application_name, a.state,"
        + " extract(epoch FROM now() - a.backend_start)::float8 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        + " WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database"
        + " WHERE datname = current_database()) AND l.classid = hashtext(?)::oid AND l.objid = hashtext(?)::oid"
        + " AND l.objsubid = 2 LIMIT 1")) {
      ps.setString(1, schema.name());
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return "";
        }
        return String.format(java.util.Locale.ROOT, ": session pid %d (application '%s', %s, connected %s ago;"
            + " if its process is gone, end it with SELECT pg_terminate_backend(%d))", rs.getInt(1), rs.getString(2),
            rs.getString(3) == null ? "state hidden" : rs.getString(3),
            Durations.format(java.time.Duration.ofMillis((long) (rs.getDouble(4) * 1000))), rs.getInt(1));
      }
    }
  }

  /** The migration {@code id}; fails naming it when it is not registered. */
  public ColumnMigration require(Connection c, String id) throws SQLException {
    requireInstalled(c);
    return find(c, id).orElseThrow(() -> new OperatorException(
        "no migration with id '" + id + "' (register it with `cutover plan FILE`; `cutover status` lists them)"));
  }

  /**
   * Takes the session-level advisory lock of migration {@code id} on {@code c}, so that a second
   * {@code cutover} working on the same migration fails at once with a clear message. Advisory
   * locks, unlike an open transaction, do not hold back {@code CREATE INDEX CONCURRENTLY}.
   */
  public Lock lock(Connection c, String id, String command) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?), hashtext(?))")) {
      ps.setString(1, schema.name());
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          throw new OperatorException("another cutover command is already working on migration '" + id
              + "' (advance, rollback or backfill)" + holder(c, id) + "; wait for it to finish, then run `cutover "
              + command + "` again");
        }
      }
    }
    return () -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(hashtext(?), hashtext(?))")) {
        ps.setString(1, schema.name());
        ps.setString(2, id);
        ps.execute();
      }
    };
  }

  /**
   * Moves migration {@code id} from {@code from} to {@code to} in one transaction that locks its row
   * ({@code FOR UPDATE NOWAIT}), takes a new epoch and writes the audit row.
   *
   * @return the migration at its new phase and epoch
   * @throws OperatorException when the row is locked by another session or the phase moved meanwhile
   */
  public ColumnMigration changePhase(Connection c, String id, Phase from, Phase to, String detail) throws SQLException {
    return changePhase(c, id, from, to, null, detail);
  }

  /**
   * {@link #changePhase(Connection, String, Phase, Phase, String)} that also sets the lazy cut-over
   * flag ({@code migrations.lazy}) at the same commit, unless {@code lazy} is null. The schema must
   * be of version {@link ControlSchema#LAZY_VERSION} or later when {@code lazy} is true.
   */
  public ColumnMigration changePhase(Connection c, String id, Phase from, Phase to, Boolean lazy, String detail)
      throws SQLException {
    return committed(c, () -> changePhaseInTransaction(c, id, from, to, lazy, detail));
  }

  /** A change of the migration's row, made in a transaction of its own. */
  private interface RowChange {
    ColumnMigration run() throws SQLException;
  }

  private static ColumnMigration committed(Connection c, RowChange change) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      ColumnMigration result = change.run();
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  /**
   * {@link #changePhase} in the caller's transaction, which commits it (with DDL that must take
   * effect at the same commit, e.g. the rename into place of an in-place type change).
   */
  public ColumnMigration changePhaseInTransaction(Connection c, String id, Phase from, Phase to, String detail)
      throws SQLException {
    return changePhaseInTransaction(c, id, from, to, null, detail);
  }

  private ColumnMigration changePhaseInTransaction(Connection c, String id, Phase from, Phase to, Boolean lazy,
      String detail) throws SQLException {
    // The old column lags behind the new one in new_only, and back from it until the rollback's
    // refill is clean (setOldStale), which matters where reads take conditions from it; any other
    // phase change leaves a phase where it does not matter or is not so.
    Boolean stale = from == to ? null : (to == Phase.NEW_ONLY || from == Phase.NEW_ONLY && to == Phase.READ_NEW)
        && find(c, id).map(ColumnMigration::conditionsMayReadOld).orElse(false);
    return changePhaseInTransaction(c, id, from, to, lazy, stale, detail);
  }

  /**
   * Marks migration {@code id}'s old column stale (before new_only) or whole again (after the
   * refill of a rollback from new_only), at a new epoch, the phase unchanged: while it is stale,
   * drivers read conditions on the old name through the new column rather than from it and its index.
   */
  public ColumnMigration setOldStale(Connection c, String id, Phase phase, boolean stale, String detail)
      throws SQLException {
    return committed(c, () -> changePhaseInTransaction(c, id, phase, phase, null, stale, detail));
  }

  private ColumnMigration changePhaseInTransaction(Connection c, String id, Phase from, Phase to, Boolean lazy,
      Boolean oldStale, String detail) throws SQLException {
    Phase current = lockRow(c, id);
    if (current != from) {
      throw new OperatorException("migration '" + id + "' moved to " + current.sqlName()
          + " while this command expected " + from.sqlName() + "; check `cutover status` and retry");
    }
    int version = schema.installedVersion(c);
    // (a schema without the lazy column cannot hold a lazy cut-over: clearing the flag is a no-op there)
    boolean setLazy = lazy != null && (lazy || version >= ControlSchema.LAZY_VERSION);
    // (nor one without old_stale a stale old column: the operator upgrades it before such a rollback)
    boolean setStale = oldStale != null && (oldStale || version >= ControlSchema.OLD_STALE_VERSION);
    if (setStale && oldStale && version < ControlSchema.OLD_STALE_VERSION) {
      throw new IllegalStateException("control schema version " + version + " cannot record a stale old column");
    }
    lockEpochs(c);
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + schema.qualify("migrations")
        + " SET phase = ?, epoch = nextval('" + schema.qualify("epoch_seq").replace("'", "''")
        + "'), updated_at = now()" + (setLazy ? ", lazy = ?" : "") + (setStale ? ", old_stale = ?" : "")
        + " WHERE id = ?")) {
      int i = 1;
      ps.setString(i++, to.sqlName());
      if (setLazy) {
        ps.setBoolean(i++, lazy);
      }
      if (setStale) {
        ps.setBoolean(i++, oldStale);
      }
      ps.setString(i, id);
      ps.executeUpdate();
    }
    ColumnMigration result = find(c, id).orElseThrow();
    audit(c, id, from, to, detail, result.epoch());
    return result;
  }

  /**
   * Serialises every transaction that takes an epoch, until it ends. Drivers see only the highest
   * committed epoch: were epoch 10 still uncommitted while 11 committed, an instance could
   * acknowledge 11 without ever having seen 10. Taking the epoch under this lock makes epochs
   * commit in order.
   */
  public void lockEpochs(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?), hashtext('epoch'))")) {
      ps.setString(1, schema.name());
      ps.execute();
    }
  }

  /**
   * Checks that no other session holds migration {@code id}'s row, without keeping a lock.
   *
   * @throws OperatorException naming the migration when it is locked
   */
  public void checkNotLocked(Connection c, String id) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      lockRow(c, id);
    } finally {
      c.rollback();
      c.setAutoCommit(autoCommit);
    }
  }

  /**
   * Removes migration {@code id} if it is still {@code planned}, with its backfill state and name
   * usage, in one transaction that locks its row ({@code FOR UPDATE NOWAIT}), writes an audit row
   * ({@code planned -> cancelled}) and wakes the drivers (the phase-change trigger fires on inserts
   * and updates only).
   *
   * @throws OperatorException when the row is locked by another session or the migration left planned
   */
  public void cancel(Connection c, String id) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      long epoch;
      try (PreparedStatement ps = c.prepareStatement("SELECT phase, epoch FROM " + schema.qualify("migrations")
          + " WHERE id = ? FOR UPDATE NOWAIT")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new OperatorException("no migration '" + id + "' in " + schema.name());
          }
          if (!Phase.PLANNED.sqlName().equals(rs.getString(1))) {
            throw new OperatorException("migration '" + id + "' is at " + rs.getString(1) + ": only a planned"
                + " migration can be cancelled; roll it back to planned first (`cutover rollback " + id
                + " --to planned`)");
          }
          epoch = rs.getLong(2);
        }
      } catch (SQLException e) {
        if ("55P03".equals(e.getSQLState())) {
          throw new OperatorException("migration '" + id + "' is being changed by another session; try again");
        }
        throw e;
      }
      for (String table : List.of("backfill_state", "name_usage")) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + schema.qualify(table)
            + " WHERE migration_id = ?")) {
          ps.setString(1, id);
          ps.executeUpdate();
        }
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + schema.qualify("migrations") + " WHERE id = ?")) {
        ps.setString(1, id);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.qualify("audit_log")
          + " (migration_id, from_phase, to_phase, detail, epoch) VALUES (?, 'planned', 'cancelled', 'cancel', ?)")) {
        ps.setString(1, id);
        ps.setLong(2, epoch);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify('cutover', ?)")) {
        ps.setString(1, id + ":cancelled");
        ps.execute();
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  /** Writes an audit row (actor: current_user) for a change that took {@code epoch}. */
  public void audit(Connection c, String id, Phase from, Phase to, String detail, long epoch) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.qualify("audit_log")
        + " (migration_id, from_phase, to_phase, detail, epoch) VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, id);
      ps.setString(2, from == null ? null : from.sqlName());
      ps.setString(3, to.sqlName());
      ps.setString(4, detail);
      ps.setLong(5, epoch);
      ps.executeUpdate();
    }
  }

  /**
   * The last {@code limit} audit rows of a migration, oldest first.
   */
  public List<StatusReport.AuditEntry> recentAudit(Connection c, String id, int limit) throws SQLException {
    List<StatusReport.AuditEntry> result = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM (SELECT id, actor,"
        + " to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), from_phase, to_phase, epoch, detail FROM "
        + schema.qualify("audit_log") + " WHERE migration_id = ? ORDER BY id DESC LIMIT ?) a ORDER BY id")) {
      ps.setString(1, id);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long epoch = rs.getLong(6);
          result.add(new StatusReport.AuditEntry(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
              rs.wasNull() ? null : epoch, rs.getString(7)));
        }
      }
    }
    return result;
  }

  /**
   * Whether the old column was NOT NULL when migration {@code id} was planned ({@code null} when
   * not recorded: planned by an older cutover).
   */
  public Boolean oldNotNull(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT old_not_null FROM " + schema.qualify("migrations") + " WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        boolean v = rs.getBoolean(1);
        return rs.wasNull() ? null : v;
      }
    }
  }

  /** The last audit row's {@code from_phase -> to_phase} of a migration, e.g. {@code dual_write->planned}. */
  public Optional<String> lastTransition(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(from_phase, '') || '->' || to_phase FROM "
        + schema.qualify("audit_log") + " WHERE migration_id = ? ORDER BY id DESC LIMIT 1")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  private Phase lockRow(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT phase FROM " + schema.qualify("migrations") + " WHERE id = ? FOR UPDATE NOWAIT")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new OperatorException("no migration with id '" + id + "'");
        }
        return Phase.parse(rs.getString(1));
      }
    } catch (SQLException e) {
      if (DdlRunner.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
        throw new OperatorException("migration '" + id + "' is locked by another session (another cutover"
            + " command is changing it); wait for it to finish and run the command again", e);
      }
      throw e;
    }
  }

  private static ColumnMigration read(ResultSet rs) throws SQLException {
    return MigrationRows.read(rs);
  }
}
