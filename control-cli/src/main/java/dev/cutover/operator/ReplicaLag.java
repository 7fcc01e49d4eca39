package dev.cutover.operator;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The standbys of the server the CLI is connected to, and how far each is behind: the ones
 * streaming now ({@code pg_stat_replication}), and the ones known only by an inactive physical
 * replication slot (disconnected: a hot standby that lost its primary still serves reads, of data
 * as old as its last replay).
 *
 * <p>Implementation notes: the lag that counts is in WAL bytes, {@code pg_current_wal_lsn() -
 * replay_lsn}: it grows while a standby's replay is paused or slow, whereas {@code replay_lag} (a
 * time) only changes when something is replayed and reads NULL once a standby is idle; it is shown
 * too. Reading other roles' replication columns takes {@code pg_monitor} (or a superuser): without
 * it they read NULL, and such a standby counts as not known to have replayed anything.
 */
final class ReplicaLag {

  private ReplicaLag() {}

  /**
   * One standby.
   *
   * @param name its {@code application_name} (by default its {@code cluster_name}), or the slot's name when disconnected
   * @param clientAddr its address ({@code null} over a Unix socket or when disconnected)
   * @param state {@code streaming}, {@code catchup}..., or {@code disconnected}; {@code null} when not visible to this role
   * @param replayLsn the WAL position it replayed (for a disconnected one: the slot's {@code restart_lsn}); {@code null} when unknown
   * @param lagBytes WAL bytes written on the primary that it has not replayed; {@code null} when unknown
   * @param replayLagSeconds {@code replay_lag} in seconds; {@code null} when idle, disconnected or unknown
   */
  record Standby(String name, String clientAddr, String state, String replayLsn, Long lagBytes,
      Double replayLagSeconds) {

    /** Whether it is connected to this server. */
    boolean connected() {
      return !"disconnected".equals(state);
    }

    /** Its name, address, state and lag, for messages. */
    String describe() {
      StringBuilder s = new StringBuilder("standby '").append(name).append('\'');
      if (clientAddr != null) {
        s.append(" (").append(clientAddr).append(')');
      }
      if (!connected()) {
        s.append(" is disconnected (inactive replication slot)");
      } else if (state == null) {
        s.append(" (its replication state is not visible to this role: grant it pg_monitor)");
      }
      s.append(lagBytes == null ? ", lag unknown" : ", " + bytes(lagBytes) + " of WAL behind");
      if (replayLagSeconds != null) {
        s.append(String.format(Locale.ROOT, ", replay_lag %.1fs", replayLagSeconds));
      }
      return s.append(replayLsn == null ? "" : ", replayed up to " + replayLsn).toString();
    }
  }

  /** Every standby: the connected ones first, by name. Empty on a server without any (or on a standby). */
  static List<Standby> read(Connection c) throws SQLException {
    List<Standby> standbys = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT * FROM (SELECT application_name::text AS name, host(client_addr) AS addr, state::text AS state,"
            + " replay_lsn::text AS lsn,"
            + " pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), replay_lsn)::int8 AS lag,"
            + " extract(epoch FROM replay_lag)::float8 AS lag_seconds"
            + " FROM pg_catalog.pg_stat_replication WHERE NOT pg_catalog.pg_is_in_recovery()"
            + " UNION ALL SELECT slot_name::text, NULL, 'disconnected', restart_lsn::text,"
            + " pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), restart_lsn)::int8, NULL"
            + " FROM pg_catalog.pg_replication_slots WHERE slot_type = 'physical' AND NOT active"
            + " AND NOT pg_catalog.pg_is_in_recovery()) s"
            + " ORDER BY s.state = 'disconnected', s.name, s.addr")) {
      while (rs.next()) {
        standbys.add(new Standby(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
            (Long) rs.getObject(5), (Double) rs.getObject(6)));
      }
    }
    return standbys;
  }

  /**
   * The connected standby furthest behind, if it is more than {@code maxBytes} behind (or its lag
   * is unknown); else {@code null}. The backfill's throttle: disconnected ones do not count (a
   * forgotten slot would stop the backfill for good; {@code advance} names them instead).
   */
  static Standby tooFarBehind(Connection c, long maxBytes) throws SQLException {
    Standby worst = null;
    for (Standby s : read(c)) {
      if (s.connected() && (s.lagBytes() == null || s.lagBytes() > maxBytes)
          && (worst == null || worst.lagBytes() != null && (s.lagBytes() == null || s.lagBytes() > worst.lagBytes()))) {
        worst = s;
      }
    }
    return worst;
  }

  /** {@code n} bytes in the largest binary unit that keeps a number of at least 1 (as {@code pg_size_pretty}, roughly). */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " bytes";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
