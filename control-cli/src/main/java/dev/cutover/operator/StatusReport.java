package dev.cutover.operator;

import java.util.List;

/**
 * What {@code cutover status} shows; serialised as is by {@code --json}.
 *
 * @param controlSchema the control schema
 * @param migrations the migrations asked for
 * @param instances every registered driver instance
 * @param standbys every standby of the server and how far behind it is
 */
public record StatusReport(String controlSchema, List<Migration> migrations, List<Instance> instances,
    List<Standby> standbys) {

  /**
   * A standby (a hot standby the applications may read from).
   *
   * @param name its {@code application_name}, or its replication slot's name when disconnected
   * @param clientAddr its address, or {@code null}
   * @param state {@code streaming}, {@code catchup}, ... or {@code disconnected}; {@code null} when not visible to this role
   * @param replayLsn the WAL position it replayed, or {@code null} when unknown
   * @param lagBytes WAL bytes it has not replayed yet, or {@code null} when unknown
   * @param replayLagSeconds {@code replay_lag} in seconds, or {@code null} (idle, disconnected, unknown)
   */
  public record Standby(String name, String clientAddr, String state, String replayLsn, Long lagBytes,
      Double replayLagSeconds) {}

  /**
   * One migration.
   *
   * @param id its id
   * @param table {@code schema.table}
   * @param oldColumn the old column
   * @param newColumn the new name
   * @param phase the current phase
   * @param lazy whether the migration is lazily cut over to read_new ({@code advance --lazy}): rows
   *     not backfilled yet are read as {@code up(old)}, and new_only waits for the backfill
   * @param epoch the epoch of the current phase
   * @param updatedAt when the phase last changed (ISO-8601)
   * @param backfill backfill progress, or {@code null} when none ran
   * @param rowsPending rows whose new value still differs (dual_write and read_new only), else {@code null}
   * @param conversionError when {@code up} cannot convert a row's old value: the migration, the
   *     first such row and the error (then {@code rowsPending} is {@code null}); else {@code null}
   * @param notes what else the operator should know (a rollback not finished), in words
   * @param oldNameUse live or past instances that used the old name, latest first
   * @param recentChanges the last audit entries (phase changes), oldest first
   * @param group the foreign-key group the migration belongs to (an in-place key change and the
   *     columns that reference the key), or {@code null} when none
   */
  public record Migration(
      String id, String table, String oldColumn, String newColumn, String phase, boolean lazy, long epoch, String updatedAt,
      Backfill backfill, Long rowsPending, String conversionError, List<String> notes,
      List<NameUse> oldNameUse, List<AuditEntry> recentChanges, Group group) {}

  /**
   * A foreign-key group: a key's in-place type change and one member migration per column that
   * references the key through a foreign key. They move together; each has its own phase, which
   * differ only while a phase change of the group is under way (or stopped half-way).
   *
   * @param key the key migration's id
   * @param members every migration of the group, the key first
   */
  public record Group(String key, List<GroupMember> members) {}

  /**
   * One migration of a foreign-key group.
   *
   * @param id its id ({@code <key id>.<table>.<column>} for a referencing column)
   * @param role {@code key}, or {@code references} for a referencing column
   * @param column {@code schema.table.column}
   * @param foreignKey the foreign key through which the column references the key ({@code null}
   *     for the key)
   * @param phase its phase now, or {@code null} when it is not registered (cancelled)
   */
  public record GroupMember(String id, String role, String column, String foreignKey, String phase) {}

  /**
   * One audit entry: a phase change.
   *
   * @param actor the database role that made it
   * @param at when (ISO-8601)
   * @param fromPhase the phase before ({@code null} for the plan)
   * @param toPhase the phase after
   * @param epoch the epoch it took ({@code null} when not recorded)
   * @param detail the command ({@code advance}, {@code rollback}, {@code plan FILE})
   */
  public record AuditEntry(String actor, String at, String fromPhase, String toPhase, Long epoch, String detail) {}

  /**
   * Backfill progress.
   *
   * @param rowsDone rows updated
   * @param lastKey last key committed
   * @param maxKey the key the walk stops at
   * @param finished whether it completed
   * @param control the settings and reported state of the last (or running) backfill, or {@code
   *     null} when none ran with a control schema of version 4 or later
   */
  public record Backfill(long rowsDone, String lastKey, String maxKey, boolean finished, Control control) {}

  /**
   * A backfill's settings ({@code cutover tune} changes them) and what it reports about itself.
   *
   * @param running whether a backfill is running now (its session is alive and heartbeated lately)
   * @param batchSize rows per chunk, or {@code null} for chunks sized by {@code chunkTime}
   * @param chunkTime how long an automatically sized chunk should take
   * @param workers workers asked for
   * @param paused whether {@code tune pause=true} holds it
   * @param maxLag the replication lag limit, or {@code null}
   * @param settingsVersion the version of these settings
   * @param appliedVersion the version the backfill last reported applying
   * @param activeWorkers workers running at its last report
   * @param chunkRows the chunk size in use at its last report
   * @param rowsPerSecond its rate at its last report
   * @param throttleReasons why it waited at its last report (replica lag, lock waits, long
   *     transactions, paused, slow chunks); empty when it did not
   * @param heartbeatAgeSeconds seconds since its last report
   * @param stopReason why it stopped ("finished", "failed: ..."), or {@code null} while running
   * @param tunedBy the role of the last {@code tune}, or {@code null}
   */
  public record Control(boolean running, Integer batchSize, String chunkTime, int workers, boolean paused,
      String maxLag, long settingsVersion, long appliedVersion, int activeWorkers, Long chunkRows,
      Double rowsPerSecond, List<String> throttleReasons, Double heartbeatAgeSeconds, String stopReason,
      String tunedBy) {}

  /**
   * An instance's last use of a migration's old name.
   *
   * @param instance the instance
   * @param lastUsedAt when (ISO-8601)
   * @param secondsAgo seconds since
   */
  public record NameUse(String instance, String lastUsedAt, double secondsAgo) {}

  /**
   * A driver instance.
   *
   * @param instance its name
   * @param appliedEpoch the epoch it applied
   * @param heartbeatAgeSeconds seconds since its last heartbeat
   * @param live whether the heartbeat is within the TTL
   */
  public record Instance(String instance, long appliedEpoch, double heartbeatAgeSeconds, boolean live) {}
}
