package dev.cutover.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An application that knows only the SPEC: it connects with a {@code jdbc:cutover:} URL through
 * {@link DriverManager} and runs two versions of its code side by side, one using the old column
 * name and one the new, checking after every write that both versions read back what was written.
 * Runs in its own JVM until the stop file appears; prints its counts and exits 1 on any failure.
 *
 * <p>Arguments: URL, user, stop-file.
 */
public final class SpecOnlyApplication {

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String user = args[1];
    Path stop = Path.of(args[2]);
    Map<Integer, String> expected = new HashMap<>();
    int statements = 0;
    int failures = 0;
    int nextId = 1_000_000;
    try (Connection c = DriverManager.getConnection(url, user, "")) {
      while (!Files.exists(stop)) {
        int id = nextId++;
        boolean v2 = id % 2 == 0;
        String column = v2 ? "display_name" : "full_name";
        String name = (v2 ? "v2 " : "v1 ") + id;
        try {
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (id, " + column + ") VALUES (?, ?)")) {
            ps.setInt(1, id);
            ps.setString(2, name);
            ps.executeUpdate();
          }
          expected.put(id, name);
          statements++;
          int target = 1_000_000 + (int) (((long) id * 7919) % (id - 999_999));
          String renamed = "renamed " + id;
          try (PreparedStatement ps = c.prepareStatement("UPDATE users SET " + other(column) + " = ? WHERE id = ?")) {
            ps.setString(1, renamed);
            ps.setInt(2, target);
            ps.executeUpdate();
          }
          expected.put(target, renamed);
          statements++;
          for (int check : new int[] {id, target}) {
            for (String col : new String[] {"full_name", "display_name"}) {
              try (PreparedStatement ps = c.prepareStatement("SELECT " + col + " FROM users WHERE id = ?")) {
                ps.setInt(1, check);
                try (ResultSet rs = ps.executeQuery()) {
                  statements++;
                  String got = rs.next() ? rs.getString(1) : null;
                  if (!Objects.equals(got, expected.get(check))) {
                    failures++;
                    System.out.println("MISMATCH id=" + check + " via " + col + ": " + got + " != " + expected.get(check));
                  }
                }
              }
            }
          }
        } catch (SQLException e) {
          failures++;
          System.out.println("FAILED " + e.getSQLState() + " " + e.getMessage());
        }
        Thread.sleep(2);
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM users WHERE id >= 1000000");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        System.out.println("ROWS " + rs.getLong(1) + " EXPECTED " + expected.size());
        if (rs.getLong(1) != expected.size()) {
          failures++;
        }
      }
    }
    System.out.println("STATEMENTS " + statements + " FAILURES " + failures);
    System.exit(failures == 0 ? 0 : 1);
  }

  private static String other(String column) {
    return column.equals("full_name") ? "display_name" : "full_name";
  }

  private SpecOnlyApplication() {}
}
