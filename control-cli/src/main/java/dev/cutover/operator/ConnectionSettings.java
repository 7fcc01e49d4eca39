package dev.cutover.operator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Where the operator connects: a plain pgjdbc URL plus the control schema name.
 *
 * <p>Accepts both {@code jdbc:postgresql://...} and {@code jdbc:cutover:postgresql://...}; only the
 * leading {@code cutover:} and the {@code cutover.*} query parameters are removed (the control
 * schema comes from {@code cutover.schema}, default {@code cutover}); the rest reaches pgjdbc
 * untouched.
 *
 * @param url the {@code jdbc:postgresql://} URL handed to pgjdbc
 * @param user the user, or {@code null} to let the URL decide
 * @param password the password, or {@code null}
 * @param controlSchema the control schema name, as PostgreSQL stores it
 */
public record ConnectionSettings(String url, String user, String password, String controlSchema) {

  /** The control schema when {@code cutover.schema} is not given. */
  public static final String DEFAULT_SCHEMA = "cutover";

  private static final String PLAIN_PREFIX = "jdbc:postgresql:";
  private static final String CUTOVER_PREFIX = "jdbc:cutover:postgresql:";

  /**
   * Parses a user-given URL.
   *
   * @throws IllegalArgumentException when the URL is neither form
   */
  public static ConnectionSettings parse(String rawUrl, String user, String password) {
    String url = rawUrl.trim();
    if (url.startsWith(CUTOVER_PREFIX)) {
      url = "jdbc:" + url.substring("jdbc:cutover:".length());
    } else if (!url.startsWith(PLAIN_PREFIX)) {
      throw new IllegalArgumentException(
          "not a PostgreSQL JDBC URL: '" + rawUrl + "' (expected jdbc:postgresql://host[:port]/db or"
              + " jdbc:cutover:postgresql://host[:port]/db)");
    }
    String schema = DEFAULT_SCHEMA;
    int q = url.indexOf('?');
    if (q >= 0) {
      List<String> kept = new ArrayList<>();
      for (String param : url.substring(q + 1).split("&")) {
        if (param.isEmpty()) {
          continue;
        }
        int eq = param.indexOf('=');
        String key = URLDecoder.decode(eq < 0 ? param : param.substring(0, eq), StandardCharsets.UTF_8);
        if (key.toLowerCase(Locale.ROOT).startsWith("cutover.")) {
          if (key.equals("cutover.schema") && eq >= 0) {
            schema = URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
          }
        } else {
          kept.add(param);
        }
      }
      url = url.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    }
    if (schema.isBlank()) {
      throw new IllegalArgumentException("cutover.schema must not be empty");
    }
    return new ConnectionSettings(url, user, password, schema);
  }

  /** Opens a plain pgjdbc connection (autocommit on). */
  public Connection open() throws SQLException {
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
    props.setProperty("ApplicationName", "cutover-cli");
    Connection c = new org.postgresql.Driver().connect(url, props);
    if (c == null) {
      throw new SQLException("pgjdbc did not accept the URL " + url);
    }
    return c;
  }
}
