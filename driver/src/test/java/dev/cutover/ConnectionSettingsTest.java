package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.runtime.RuntimeConfig;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConnectionSettingsTest {

  @Test
  void parse_stripsOnlyLeadingCutover() throws SQLException {
    ConnectionSettings s = ConnectionSettings.parse(
        "jdbc:cutover:postgresql://h:5432/cutover_db?ApplicationName=cutover:app", new Properties());
    assertThat(s.pgUrl()).isEqualTo("jdbc:postgresql://h:5432/cutover_db?ApplicationName=cutover:app");
  }

  @Test
  void withApplicationNameInProperties_movesTheUrlsValueWhichWins() throws SQLException {
    Properties info = new Properties();
    info.setProperty("ApplicationName", "from-properties");
    ConnectionSettings s = ConnectionSettings.parse(
        "jdbc:cutover:postgresql://h:5432/cutover_db?ssl=false&ApplicationName=cutover:app&x=1", info)
        .withApplicationNameInProperties();
    assertThat(s.pgUrl()).isEqualTo("jdbc:postgresql://h:5432/cutover_db?ssl=false&x=1");
    // Where the driver appends the instance's tag (pgjdbc would prefer an untagged value in the URL).
    assertThat(s.pgProperties().getProperty("ApplicationName")).isEqualTo("cutover:app");
  }

  @Test
  void parse_removesCutoverParametersFromUrlAndKeepsOthersVerbatim() throws SQLException {
    ConnectionSettings s = ConnectionSettings.parse(
        "jdbc:cutover:postgresql://h/db?cutover.schema=ctl&ssl=false&cutover.refreshMillis=250&options=-c%20x%3Dy",
        new Properties());
    assertThat(s.pgUrl()).isEqualTo("jdbc:postgresql://h/db?ssl=false&options=-c%20x%3Dy");
    assertThat(s.cutover()).containsEntry(CutoverProperty.SCHEMA, "ctl").containsEntry(CutoverProperty.REFRESH_MILLIS, "250");
  }

  @Test
  void parse_onlyCutoverParameters_dropsQuestionMark() throws SQLException {
    ConnectionSettings s = ConnectionSettings.parse("jdbc:cutover:postgresql://h/db?cutover.cacheSize=5", null);
    assertThat(s.pgUrl()).isEqualTo("jdbc:postgresql://h/db");
  }

  @Test
  void parse_removesCutoverPropertiesIncludingDefaults() throws SQLException {
    Properties defaults = new Properties();
    defaults.setProperty("cutover.instance", "web-1");
    Properties info = new Properties(defaults);
    info.setProperty("user", "alice");
    info.setProperty("cutover.onUnsupported", "passthrough");
    ConnectionSettings s = ConnectionSettings.parse("jdbc:cutover:postgresql://h/db", info);
    assertThat(s.pgProperties().stringPropertyNames()).containsExactly("user");
    assertThat(s.cutover()).containsEntry(CutoverProperty.INSTANCE, "web-1")
        .containsEntry(CutoverProperty.ON_UNSUPPORTED, "passthrough");
  }

  @Test
  void parse_urlParameterWinsOverProperty() throws SQLException {
    Properties info = new Properties();
    info.setProperty("cutover.schema", "fromProps");
    ConnectionSettings s = ConnectionSettings.parse("jdbc:cutover:postgresql://h/db?cutover.schema=fromUrl", info);
    assertThat(s.toRuntimeConfig().schema()).isEqualTo("fromUrl");
  }

  @Test
  void parse_unknownCutoverProperty_namesKnownOnes() {
    assertThatThrownBy(() -> ConnectionSettings.parse("jdbc:cutover:postgresql://h/db?cutover.refreshMilis=5", null))
        .isInstanceOf(CutoverSQLException.class)
        .hasMessageContaining("cutover.refreshMilis")
        .hasMessageContaining("cutover.refreshMillis");
  }

  @Test
  void toRuntimeConfig_defaults() throws SQLException {
    Properties info = new Properties();
    info.setProperty("user", "bob");
    RuntimeConfig c = ConnectionSettings.parse("jdbc:cutover:postgresql://h/db", info).toRuntimeConfig();
    assertThat(c.schema()).isEqualTo("cutover");
    assertThat(c.refreshMillis()).isEqualTo(1000);
    assertThat(c.passthrough()).isFalse();
    assertThat(c.cacheSize()).isEqualTo(131072);
    assertThat(c.readTouch()).isFalse();
    assertThat(c.instance()).matches(".+:\\d+/[0-9a-f]{6}");
    assertThat(c.user()).isEqualTo("bob");
    assertThat(c.url()).isEqualTo("jdbc:postgresql://h/db");
  }

  @Test
  void toRuntimeConfig_defaultInstance_oneNamePerConfiguration() throws SQLException {
    String same = ConnectionSettings.parse("jdbc:cutover:postgresql://h/db", null).toRuntimeConfig().instance();
    assertThat(ConnectionSettings.parse("jdbc:cutover:postgresql://h/db", null).toRuntimeConfig().instance())
        .isEqualTo(same);
    // Another configuration in the same process is a runtime of its own: it must not share the name
    // (two runtimes under one name locked each other out of the heartbeat row).
    assertThat(ConnectionSettings.parse("jdbc:cutover:postgresql://h/db?cutover.refreshMillis=200", null)
        .toRuntimeConfig().instance()).isNotEqualTo(same).startsWith(same.substring(0, same.indexOf('/')));
    assertThat(ConnectionSettings.parse("jdbc:cutover:postgresql://h/db?cutover.instance=app-1", null)
        .toRuntimeConfig().instance()).isEqualTo("app-1");
  }

  @Test
  void toRuntimeConfig_invalidOnUnsupported_namesPropertyAndChoices() throws SQLException {
    ConnectionSettings s = ConnectionSettings.parse("jdbc:cutover:postgresql://h/db?cutover.onUnsupported=ignore", null);
    assertThatThrownBy(s::toRuntimeConfig)
        .isInstanceOf(CutoverSQLException.class)
        .hasMessageContaining("cutover.onUnsupported")
        .hasMessageContaining("'ignore'")
        .hasMessageContaining("reject, passthrough")
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");
  }

  @Test
  void toRuntimeConfig_invalidNumbers_rejected() throws SQLException {
    for (String bad : new String[] {"cutover.refreshMillis=0", "cutover.refreshMillis=abc", "cutover.cacheSize=-1"}) {
      ConnectionSettings s = ConnectionSettings.parse("jdbc:cutover:postgresql://h/db?" + bad, null);
      assertThatThrownBy(s::toRuntimeConfig).isInstanceOf(CutoverSQLException.class)
          .hasMessageContaining(bad.substring(0, bad.indexOf('=')));
    }
  }

  @Test
  void accepts_onlyCutoverPostgresql() {
    assertThat(ConnectionSettings.accepts("jdbc:cutover:postgresql://h/db")).isTrue();
    assertThat(ConnectionSettings.accepts("jdbc:postgresql://h/cutover")).isFalse();
    assertThat(ConnectionSettings.accepts("jdbc:cutover:mysql://h/db")).isFalse();
    assertThat(ConnectionSettings.accepts(null)).isFalse();
  }
}
