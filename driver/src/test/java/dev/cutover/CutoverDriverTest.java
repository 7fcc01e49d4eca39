package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Properties;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CutoverDriverTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private static String currentDatabase(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_database()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void serviceLoader_findsCutoverDriver() {
    assertThat(ServiceLoader.load(Driver.class).stream().map(p -> p.type().getName()))
        .contains(CutoverDriver.class.getName());
  }

  @Test
  void driverManager_getConnection_reachesTheDatabase() throws SQLException {
    try (Connection c = DriverManager.getConnection(db.cutoverUrl(), db.user(), db.password())) {
      assertThat(c.isWrapperFor(CutoverConnection.class)).isTrue();
      assertThat(currentDatabase(c)).isEqualTo(db.name());
    }
  }

  @Test
  void connect_otherUrl_returnsNull() throws SQLException {
    assertThat(new CutoverDriver().connect(db.plainUrl(), db.properties())).isNull();
    assertThat(new CutoverDriver().acceptsURL(db.plainUrl())).isFalse();
  }

  @Test
  void connect_cutoverParametersInUrl_notSentToPgjdbc() throws SQLException {
    String url = db.cutoverUrl() + "?cutover.refreshMillis=200&ApplicationName=cutover-app&cutover.instance=t1";
    try (Connection c = new CutoverDriver().connect(url, db.properties());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_setting('application_name')")) {
      rs.next();
      // The application's name, tagged with the instance's marker for the CLI's fence.
      assertThat(rs.getString(1)).isEqualTo("cutover-app " + dev.cutover.control.InstanceMarker.of("cutover", "t1"));
    }
  }

  @Test
  void connect_invalidPropertyValue_failsWithClearMessage() {
    Properties p = db.properties();
    p.setProperty("cutover.readTouch", "maybe");
    assertThatThrownBy(() -> new CutoverDriver().connect(db.cutoverUrl(), p))
        .isInstanceOf(CutoverSQLException.class)
        .hasMessageContaining("cutover.readTouch")
        .hasMessageContaining("true, false");
  }

  @Test
  void getPropertyInfo_hasPgjdbcAndCutoverProperties() throws SQLException {
    DriverPropertyInfo[] info = new CutoverDriver()
        .getPropertyInfo(db.cutoverUrl() + "?cutover.schema=ctl&ApplicationName=x", new Properties());
    assertThat(Arrays.stream(info).map(i -> i.name))
        .contains("ApplicationName", "reWriteBatchedInserts", "cutover.schema", "cutover.refreshMillis",
            "cutover.onUnsupported", "cutover.cacheSize", "cutover.readTouch", "cutover.instance");
    DriverPropertyInfo schema = Arrays.stream(info).filter(i -> i.name.equals("cutover.schema")).findFirst().orElseThrow();
    assertThat(schema.value).isEqualTo("ctl");
    DriverPropertyInfo app = Arrays.stream(info).filter(i -> i.name.equals("ApplicationName")).findFirst().orElseThrow();
    assertThat(app.value).isEqualTo("x");
    DriverPropertyInfo onUnsupported = Arrays.stream(info)
        .filter(i -> i.name.equals("cutover.onUnsupported")).findFirst().orElseThrow();
    assertThat(onUnsupported.choices).containsExactly("reject", "passthrough");
  }

  @Test
  void deregister_thenRegister_togglesDriverManager() throws SQLException {
    CutoverDriver.deregister();
    try {
      assertThat(CutoverDriver.isRegistered()).isFalse();
      assertThat(DriverManager.drivers().filter(d -> d instanceof CutoverDriver).count()).isZero();
    } finally {
      CutoverDriver.register();
    }
    assertThat(DriverManager.getDriver(db.cutoverUrl())).isInstanceOf(CutoverDriver.class);
  }

  @Test
  void hikari_jdbcUrl_works() throws SQLException {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.cutoverUrl());
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(2);
    try (HikariDataSource ds = new HikariDataSource(config); Connection c = ds.getConnection()) {
      assertThat(currentDatabase(c)).isEqualTo(db.name());
      assertThat(c.unwrap(CutoverConnection.class).currentEpoch()).isZero();
    }
  }

  @Test
  void hikari_driverClassName_works() throws SQLException {
    HikariConfig config = new HikariConfig();
    config.setDriverClassName(CutoverDriver.class.getName());
    config.setJdbcUrl(db.cutoverUrl() + "?cutover.cacheSize=10");
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(2);
    try (HikariDataSource ds = new HikariDataSource(config); Connection c = ds.getConnection()) {
      assertThat(currentDatabase(c)).isEqualTo(db.name());
      assertThat(c.isWrapperFor(CutoverConnection.class)).isTrue();
    }
  }

  @Test
  void dataSource_getConnection_andUnwrap() throws SQLException {
    CutoverDataSource ds = new CutoverDataSource();
    ds.setUrl(db.cutoverUrl());
    ds.setUser(db.user());
    ds.setPassword(db.password());
    ds.setProperty("cutover.refreshMillis", "500");
    try (Connection c = ds.getConnection()) {
      assertThat(currentDatabase(c)).isEqualTo(db.name());
    }
    assertThat(ds.unwrap(CutoverDataSource.class)).isSameAs(ds);
    assertThat(ds.isWrapperFor(javax.sql.DataSource.class)).isTrue();
  }

  @Test
  void hikari_dataSource_works() throws SQLException {
    CutoverDataSource cutover = new CutoverDataSource();
    cutover.setUrl(db.cutoverUrl());
    HikariConfig config = new HikariConfig();
    config.setDataSource(cutover);
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(1);
    try (HikariDataSource ds = new HikariDataSource(config); Connection c = ds.getConnection()) {
      assertThat(currentDatabase(c)).isEqualTo(db.name());
    }
  }

  @Test
  void versions_sensible() {
    CutoverDriver d = new CutoverDriver();
    assertThat(d.getMajorVersion()).isEqualTo(CutoverDriver.MAJOR_VERSION);
    assertThat(d.getMinorVersion()).isEqualTo(CutoverDriver.MINOR_VERSION);
    assertThat(d.jdbcCompliant()).isFalse();
  }
}
