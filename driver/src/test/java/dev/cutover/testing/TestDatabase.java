package dev.cutover.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh, empty PostgreSQL database for one test class, dropped afterwards, so tests run in any
 * order and in parallel.
 *
 * <p>The server is found in this order: {@code CUTOVER_TEST_URL} (a {@code jdbc:postgresql://}
 * URL of any database on it, user and password as URL parameters), then {@code 127.0.0.1:5432}
 * as {@code postgres} or {@code root}, then a Testcontainers PostgreSQL when Docker is available.
 *
 * <p>Use as {@code @RegisterExtension static final TestDatabase db = new TestDatabase();}
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {

  private static volatile Server server;

  private String name;

  /** A server URL (host, port, parameters) with a placeholder for the database name. */
  private record Server(String host, int port, String user, String password) {
    String url(String database) {
      return "postgresql://" + host + ":" + port + "/" + database;
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws SQLException {
    create();
  }

  @Override
  public void afterAll(ExtensionContext context) throws SQLException {
    drop();
  }

  /** Creates the database (for use outside JUnit's lifecycle). */
  public void create() throws SQLException {
    Server s = server();
    name = "cutover_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    try (Connection c = admin(s); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
  }

  /** Drops the database, terminating whatever is still connected to it. */
  public void drop() throws SQLException {
    if (name == null) {
      return;
    }
    try (Connection c = admin(server()); Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
    name = null;
  }

  /** The database name. */
  public String name() {
    return name;
  }

  /** {@code jdbc:postgresql://host:port/db} for plain pgjdbc. */
  public String plainUrl() {
    return "jdbc:" + server().url(name);
  }

  /** {@code jdbc:cutover:postgresql://host:port/db} for the Cutover driver. */
  public String cutoverUrl() {
    return "jdbc:cutover:" + server().url(name);
  }

  /** The server's host name or address. */
  public String host() {
    return server().host();
  }

  /** The server's port. */
  public int port() {
    return server().port();
  }

  /** The user to connect as. */
  public String user() {
    return server().user();
  }

  /** The password to connect with (empty under trust auth). */
  public String password() {
    return server().password();
  }

  /** User and password as {@link Properties}. */
  public Properties properties() {
    Properties p = new Properties();
    p.setProperty("user", user());
    p.setProperty("password", password());
    return p;
  }

  /** A plain pgjdbc connection to this test's database. */
  public Connection plainConnection() throws SQLException {
    return new org.postgresql.Driver().connect(plainUrl(), properties());
  }

  /** A Cutover connection to this test's database (through {@code DriverManager}). */
  public Connection cutoverConnection() throws SQLException {
    return java.sql.DriverManager.getConnection(cutoverUrl(), properties());
  }

  private static Connection admin(Server s) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", s.user());
    p.setProperty("password", s.password());
    return new org.postgresql.Driver().connect("jdbc:" + s.url("postgres"), p);
  }

  private static Server server() {
    Server s = server;
    if (s == null) {
      synchronized (TestDatabase.class) {
        if (server == null) {
          server = findServer();
        }
        s = server;
      }
    }
    return s;
  }

  private static Server findServer() {
    String env = System.getenv("CUTOVER_TEST_URL");
    if (env != null && !env.isBlank()) {
      Properties p = org.postgresql.Driver.parseURL(env, new Properties());
      if (p == null) {
        throw new IllegalStateException("CUTOVER_TEST_URL is not a jdbc:postgresql:// URL: " + env);
      }
      String host = p.getProperty("PGHOST", "127.0.0.1").split(",")[0];
      int port = Integer.parseInt(p.getProperty("PGPORT", "5432").split(",")[0]);
      String user = p.getProperty("user", "postgres");
      String password = p.getProperty("password", "");
      Server s = new Server(host, port, user, password);
      try (Connection c = admin(s)) {
        return s;
      } catch (SQLException e) {
        throw new IllegalStateException("CUTOVER_TEST_URL is set but unreachable: " + env, e);
      }
    }
    for (String user : new String[] {"postgres", "root"}) {
      Server s = new Server("127.0.0.1", 5432, user, "");
      try (Connection c = admin(s); Statement st = c.createStatement()) {
        // We need to create databases.
        var rs = st.executeQuery("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user");
        if (rs.next() && rs.getBoolean(1)) {
          return s;
        }
      } catch (SQLException e) {
        // try the next candidate
      }
    }
    return Containers.start();
  }

  /** Testcontainers, loaded only when no local server answers. */
  private static final class Containers {
    static Server start() {
      try {
        var container = new org.testcontainers.containers.PostgreSQLContainer<>("postgres:16-alpine");
        container.start();
        return new Server(container.getHost(), container.getMappedPort(5432), container.getUsername(), container.getPassword());
      } catch (Throwable e) {
        throw new IllegalStateException(
            "No PostgreSQL for tests: set CUTOVER_TEST_URL, start one on 127.0.0.1:5432, or provide Docker", e);
      }
    }
  }

}
