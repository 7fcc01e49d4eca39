package dev.cutover.it;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.testing.TestDatabase;

/** The HikariCP pools the integration tests run their application (and its twin) through. */
final class TestPools {

  private TestPools() {}

  /**
   * A pool of {@code size} connections to {@code url} as the test database's user. A Cutover
   * refusal (SQLState 0A000, which HikariCP counts as fatal) keeps the connection, as it does for an
   * application configured with {@code dev.cutover.HikariRefusalOverride}.
   */
  static HikariDataSource open(TestDatabase db, String url, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(size);
    config.setExceptionOverrideClassName("dev.cutover.HikariRefusalOverride");
    return new HikariDataSource(config);
  }
}
