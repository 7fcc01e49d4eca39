package dev.cutover;

import java.sql.SQLException;

/**
 * What the {@code cutover} command needs from a URL an operator gives it: the plain pgjdbc URL and
 * the control schema. Parsed exactly as the driver parses its own URLs, so the command accepts the
 * application's {@code jdbc:cutover:} URL unchanged (its {@code cutover.*} parameters validated the
 * same way) as well as a plain {@code jdbc:postgresql:} one.
 *
 * @param pgUrl the URL for pgjdbc: without the leading {@code cutover:} and the {@code cutover.*}
 *     parameters, otherwise byte for byte as given
 * @param controlSchema the control schema ({@code cutover.schema}, default {@code cutover})
 */
public record ControlUrl(String pgUrl, String controlSchema) {

  private static final String PLAIN_PREFIX = "jdbc:postgresql:";

  /**
   * Parses {@code jdbc:cutover:postgresql://...} or {@code jdbc:postgresql://...}.
   *
   * @throws SQLException (SQLState {@code 08001}) for another kind of URL, a URL pgjdbc cannot
   *     parse, or an unknown or invalid {@code cutover.*} parameter; the message names it
   */
  public static ControlUrl parse(String url) throws SQLException {
    String trimmed = url.trim();
    String cutoverUrl;
    if (ConnectionSettings.accepts(trimmed)) {
      cutoverUrl = trimmed;
    } else if (trimmed.startsWith(PLAIN_PREFIX)) {
      cutoverUrl = "jdbc:cutover:" + trimmed.substring("jdbc:".length());
    } else {
      throw new CutoverSQLException("not a PostgreSQL JDBC URL: '" + url + "' (expected jdbc:postgresql://host[:port]/db"
          + " or jdbc:cutover:postgresql://host[:port]/db)", CutoverSqlState.CONNECTION_UNABLE_TO_CONNECT);
    }
    // Every cutover.* parameter is validated, as the driver would, though only the schema is used.
    return new ControlUrl(ConnectionSettings.parse(cutoverUrl, null).pgUrl(),
        ConnectionSettings.parse(cutoverUrl, null).toRuntimeConfig().schema());
  }
}
