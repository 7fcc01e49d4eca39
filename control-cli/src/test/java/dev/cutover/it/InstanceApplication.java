package dev.cutover.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * One application instance for {@link ThreeInstancesTest}: its own JVM, a {@code jdbc:cutover:} URL,
 * a loop of inserts, updates and reads of {@code items} through the old name ({@code label}) and
 * the new one ({@code title}) alternately, each write read back through both names. When the hold
 * file appears it deletes it and keeps a transaction open on {@code items} for three seconds
 * ({@code pg_sleep}), printing {@code HOLDING} and then {@code RELEASED}. Stops when the stop file
 * appears, prints its counts and exits 1 on any failure.
 *
 * <p>Arguments: URL, user, stop-file, hold-file, first id.
 */
public final class InstanceApplication {

  public static void main(String[] args) throws Exception {
    String url = args[0];
    Path stop = Path.of(args[2]);
    Path hold = Path.of(args[3]);
    int nextId = Integer.parseInt(args[4]);
    long statements = 0;
    int failures = 0;
    try (Connection c = DriverManager.getConnection(url, args[1], "")) {
      System.out.println("STARTED");
      while (!Files.exists(stop)) {
        if (Files.deleteIfExists(hold)) {
          c.setAutoCommit(false);
          try (Statement st = c.createStatement()) {
            st.executeQuery("SELECT label FROM items WHERE id = 1").close();
            System.out.println("HOLDING");
            st.execute("SELECT pg_sleep(3)");
          }
          c.commit();
          c.setAutoCommit(true);
          System.out.println("RELEASED");
        }
        int id = nextId++;
        String column = id % 2 == 0 ? "title" : "label";
        String value = "v" + id;
        try {
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (id, " + column + ") VALUES (?, ?)")) {
            ps.setInt(1, id);
            ps.setString(2, value);
            ps.executeUpdate();
          }
          try (PreparedStatement ps = c.prepareStatement(
              "UPDATE items SET " + (column.equals("title") ? "label" : "title") + " = ? WHERE id = ?")) {
            ps.setString(1, value + "u");
            ps.setInt(2, id);
            ps.executeUpdate();
          }
          statements += 2;
          for (String col : new String[] {"label", "title"}) {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + col + " FROM items WHERE id = ?")) {
              ps.setInt(1, id);
              try (ResultSet rs = ps.executeQuery()) {
                statements++;
                String got = rs.next() ? rs.getString(1) : null;
                if (!Objects.equals(got, value + "u")) {
                  failures++;
                  System.out.println("MISMATCH id=" + id + " via " + col + ": " + got);
                }
              }
            }
          }
        } catch (SQLException e) {
          failures++;
          System.out.println("FAILED " + e.getSQLState() + " " + e.getMessage());
        }
        Thread.sleep(5);
      }
    }
    System.out.println("STATEMENTS " + statements + " FAILURES " + failures);
    System.out.flush();
    System.exit(failures == 0 ? 0 : 1);
  }

  private InstanceApplication() {}
}
