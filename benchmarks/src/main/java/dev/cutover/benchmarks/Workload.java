package dev.cutover.benchmarks;

import dev.cutover.runtime.RewriteEngine;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The statements the rewrite-path benchmarks run: what an OLTP application sends (point selects,
 * joins, inserts, updates, an upsert, a delete, Hibernate-style SQL), about 100 characters each,
 * every one on {@code users}, whose {@code full_name} the benchmarks' migration renames to {@code
 * display_name}.
 */
public final class Workload {

  /** Binds a statement's parameters for iteration {@code n}. */
  @FunctionalInterface
  public interface Binder {
    void bind(PreparedStatement ps, int n) throws SQLException;
  }

  /**
   * One statement.
   *
   * @param name a short label
   * @param sql the SQL the application prepares
   * @param query whether it returns rows ({@code executeQuery}) or a count ({@code executeUpdate})
   * @param binder sets its parameters
   */
  public record Statement(String name, String sql, boolean query, Binder binder) {}

  /** The statements, in the order a benchmark operation runs them. */
  public static final List<Statement> STATEMENTS = List.of(
      new Statement("point select",
          "SELECT id, email, full_name, created_at FROM users WHERE id = ?", true,
          (ps, n) -> ps.setLong(1, n)),
      new Statement("select by two keys",
          "SELECT u.id, u.full_name, u.version FROM users u WHERE u.email = ? AND u.tenant_id = ?", true,
          (ps, n) -> {
            ps.setString(1, "user@example.com");
            ps.setInt(2, n & 7);
          }),
      new Statement("join",
          "SELECT o.id, o.total, u.full_name FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id = ?", true,
          (ps, n) -> ps.setLong(1, n)),
      new Statement("join, group, order",
          "SELECT u.id, u.full_name, count(o.id) FROM users u LEFT JOIN orders o ON o.user_id = u.id"
              + " WHERE u.tenant_id = ? GROUP BY u.id, u.full_name ORDER BY u.full_name LIMIT 20", true,
          (ps, n) -> ps.setInt(1, n & 7)),
      new Statement("insert",
          "INSERT INTO users (tenant_id, email, full_name, created_at, version) VALUES (?, ?, ?, now(), 0)", false,
          (ps, n) -> {
            ps.setInt(1, n & 7);
            ps.setString(2, "user@example.com");
            ps.setString(3, "Ada Lovelace");
          }),
      new Statement("update the renamed column",
          "UPDATE users SET full_name = ?, updated_at = now(), version = version + 1 WHERE id = ?", false,
          (ps, n) -> {
            ps.setString(1, "Grace Hopper");
            ps.setLong(2, n);
          }),
      new Statement("update another column",
          "UPDATE users SET email = ?, version = version + 1 WHERE id = ? AND version = ?", false,
          (ps, n) -> {
            ps.setString(1, "user@example.com");
            ps.setLong(2, n);
            ps.setInt(3, 1);
          }),
      new Statement("upsert",
          "INSERT INTO users (id, tenant_id, email, full_name) VALUES (?, ?, ?, ?)"
              + " ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.full_name", false,
          (ps, n) -> {
            ps.setLong(1, n);
            ps.setInt(2, n & 7);
            ps.setString(3, "user@example.com");
            ps.setString(4, "Alan Turing");
          }),
      new Statement("ORM select",
          "select u1_0.id,u1_0.created_at,u1_0.email,u1_0.full_name,u1_0.tenant_id,u1_0.version"
              + " from users u1_0 where u1_0.id=?", true,
          (ps, n) -> ps.setLong(1, n)),
      new Statement("ORM update",
          "update users set email=?,full_name=?,tenant_id=?,version=? where id=? and version=?", false,
          (ps, n) -> {
            ps.setString(1, "user@example.com");
            ps.setString(2, "Edsger Dijkstra");
            ps.setInt(3, n & 7);
            ps.setInt(4, 2);
            ps.setLong(5, n);
            ps.setInt(6, 1);
          }),
      new Statement("delete",
          "DELETE FROM orders WHERE user_id = ? AND total < ? AND EXISTS (SELECT 1 FROM users u WHERE u.id = ?)", false,
          (ps, n) -> {
            ps.setLong(1, n);
            ps.setBigDecimal(2, BigDecimal.TEN);
            ps.setLong(3, n);
          }));

  /** Average length of the statements' SQL, for the report. */
  public static int averageLength() {
    return (int) STATEMENTS.stream().mapToInt(s -> s.sql().length()).average().orElse(0);
  }

  /**
   * Runs every statement once on {@code connection} (prepare, bind with {@code k}, execute, read,
   * close); with {@code engineToEmpty}, empties that rewrite cache before each statement (a miss
   * every time). Returns a checksum of what was read, so that nothing is optimised away.
   */
  static long runAll(Connection connection, RewriteEngine engineToEmpty, int k) throws SQLException {
    long sum = 0;
    for (Statement s : STATEMENTS) {
      if (engineToEmpty != null) {
        engineToEmpty.invalidateAll();
      }
      try (PreparedStatement ps = connection.prepareStatement(s.sql())) {
        s.binder().bind(ps, k);
        if (s.query()) {
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              sum += rs.getLong(1) + rs.getString(2).length();
            }
          }
        } else {
          sum += ps.executeUpdate();
        }
      }
    }
    return sum;
  }

  private Workload() {}
}
