package dev.cutover.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.Phase;
import dev.cutover.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The one driver jar works on its own: an application with nothing but it, pgjdbc and slf4j-api
 * walks a rename through every phase, and the jar brings no class outside {@code dev.cutover}.
 */
class ShadedJarTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @Test
  void jar_holdsOnlyCutoverClassesAndNoServiceButTheDriver() throws IOException {
    List<String> foreign = new ArrayList<>();
    try (JarFile jar = new JarFile(IsolatedApplication.shadedJar().toFile())) {
      for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
        if (e.getName().endsWith(".class") && !e.getName().startsWith("dev/cutover/")) {
          foreign.add(e.getName());
        }
        // The driver reads the control schema and heartbeats; installing it is the CLI's.
        assertThat(e.getName()).as("the control schema's DDL").doesNotContain("schema-v").doesNotContain("/install/");
        if (e.getName().startsWith("META-INF/services/") && !e.isDirectory()) {
          assertThat(e.getName()).isEqualTo("META-INF/services/java.sql.Driver");
        }
      }
      assertThat(new String(jar.getInputStream(jar.getEntry("META-INF/services/java.sql.Driver")).readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8).trim()).isEqualTo("dev.cutover.CutoverDriver");
      assertThat(jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name")).isEqualTo("dev.cutover.driver");
    }
    assertThat(foreign).as("classes that could clash with the application's").isEmpty();
  }

  @Test
  void publishedPom_dependsOnPgjdbcAndSlf4jOnly() throws Exception {
    Path pom = Path.of(System.getProperty("cutover.reducedPom"));
    assertThat(pom).exists();
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    NodeList dependencies = doc.getElementsByTagName("dependency");
    List<String> runtime = new ArrayList<>();
    for (int i = 0; i < dependencies.getLength(); i++) {
      Element d = (Element) dependencies.item(i);
      if (!(d.getParentNode() instanceof Element parent) || !parent.getParentNode().getNodeName().equals("project")) {
        continue; // not a dependency of the project itself (e.g. an exclusion's parent)
      }
      String scope = text(d, "scope");
      if (!scope.equals("test") && !text(d, "optional").equals("true")) {
        runtime.add(text(d, "groupId") + ":" + text(d, "artifactId"));
      }
    }
    assertThat(runtime).containsExactlyInAnyOrder("org.postgresql:postgresql", "org.slf4j:slf4j-api");
  }

  private static String text(Element e, String tag) {
    NodeList nodes = e.getElementsByTagName(tag);
    return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().trim();
  }

  @Test
  void application_withOnlyTheJarPgjdbcAndSlf4j_walksEveryPhase(@TempDir Path dir) throws Exception {
    try (IsolatedApplication app = IsolatedApplication.withDriver(List.of())) {
      assertThat(app.classPath()).hasSize(3);
      assertThat(app.classPath().stream().map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("postgresql-")).anyMatch(n -> n.startsWith("slf4j-api-"));
      // What the test class path has, the application does not.
      assertThat(Files.exists(IsolatedApplication.shadedJar())).isTrue();
      assertThat(loads(app, "org.apache.calcite.sql.SqlNode")).isFalse();
      assertThat(loads(app, "com.google.common.collect.ImmutableList")).isFalse();
      assertThat(loads(app, "dev.cutover.shaded.guava.collect.ImmutableList")).isTrue();
      assertThat(loads(app, "com.zaxxer.hikari.HikariDataSource")).isFalse();
      new PhaseWalk(db, app, dir, Set.of(Phase.DUAL_WRITE, Phase.READ_NEW), 5).run();
      // Cutover parses with its own grammar; Calcite's generated parser (550 KB of class, its static
      // initialisation) is neither in the jar nor needed, which the walk's parses just showed.
      assertThat(loads(app, "dev.cutover.rewriter.parse.generated.PostgresParserImpl")).isTrue();
      assertThat(loads(app, "dev.cutover.shaded.calcite.sql.parser.impl.SqlParserImpl")).isFalse();
    }
  }

  @Test
  void hikariRefusalOverride_withTheApplicationsHikariCP_isItsExceptionOverride() throws Exception {
    var hikari = IsolatedApplication.jarsIn(Path.of(System.getProperty("cutover.poolLibs")));
    try (IsolatedApplication app = IsolatedApplication.withDriver(hikari)) {
      Class<?> override = app.load("com.zaxxer.hikari.SQLExceptionOverride");
      Object refusal = app.load("dev.cutover.HikariRefusalOverride").getConstructor().newInstance();
      assertThat(override.isInstance(refusal)).isTrue();
      Object judged = override.getMethod("adjudicate", java.sql.SQLException.class).invoke(refusal,
          app.load("dev.cutover.CutoverSQLException").getConstructor(String.class,
              app.load("dev.cutover.CutoverSqlState"), Throwable.class)
              .newInstance("refused", enumConstant(app.load("dev.cutover.CutoverSqlState"), "FEATURE_NOT_SUPPORTED"), null));
      assertThat(judged.toString()).isEqualTo("DO_NOT_EVICT");
    }
  }

  /**
   * Micrometer is the application's: the jar neither bundles nor relocates it, the driver binds its
   * meters to the application's own global registry, and they count the application's statements.
   */
  @Test
  void application_withItsOwnMicrometer_seesTheDriversMetersInItsGlobalRegistry() throws Exception {
    try (java.sql.Connection admin = db.plainConnection(); java.sql.Statement st = admin.createStatement()) {
      // A control schema of its own: the other tests' phase walks share this database.
      dev.cutover.control.install.ControlSchemaInstaller.install(admin, "metered");
      st.execute("CREATE TABLE metered (id bigint PRIMARY KEY, full_name text, display_name text)");
      dev.cutover.testing.MigrationRows.insertRename(admin, "metered", "metered-rename", "metered", "full_name",
          "display_name", Phase.DUAL_WRITE);
    }
    var micrometer = IsolatedApplication.jarsIn(Path.of(System.getProperty("cutover.micrometerLibs")));
    try (IsolatedApplication app = IsolatedApplication.withDriver(micrometer)) {
      assertThat(IsolatedApplication.origin(app.load("io.micrometer.core.instrument.MeterRegistry")))
          .startsWith("micrometer-core-");
      Class<?> registryType = app.load("io.micrometer.core.instrument.MeterRegistry");
      Object global = app.load("io.micrometer.core.instrument.Metrics").getField("globalRegistry").get(null);
      Object simple = app.load("io.micrometer.core.instrument.simple.SimpleMeterRegistry").getConstructor().newInstance();
      app.load("io.micrometer.core.instrument.composite.CompositeMeterRegistry").getMethod("add", registryType)
          .invoke(global, simple);
      java.util.Properties p = db.properties();
      p.setProperty("cutover.instance", "shaded-metrics");
      p.setProperty("cutover.schema", "metered");
      try (java.sql.Connection c = app.connect(db.cutoverUrl(), p); java.sql.Statement st = c.createStatement()) {
        st.execute("INSERT INTO metered (id, full_name) VALUES (1, 'Ada')");
        st.execute("UPDATE metered SET full_name = 'Ada L' WHERE id = 1");
      }
      Object search = registryType.getMethod("get", String.class).invoke(simple, "cutover.statements");
      Class<?> searchType = app.load("io.micrometer.core.instrument.search.RequiredSearch");
      search = searchType.getMethod("tags", String[].class)
          .invoke(search, (Object) new String[] {"outcome", "rewritten", "reason", "none"});
      Object counter = searchType.getMethod("functionCounter").invoke(search);
      double count = (double) app.load("io.micrometer.core.instrument.FunctionCounter").getMethod("count").invoke(counter);
      assertThat(count).isEqualTo(2.0);
    }
  }

  private static Object enumConstant(Class<?> type, String name) {
    for (Object constant : type.getEnumConstants()) {
      if (((Enum<?>) constant).name().equals(name)) {
        return constant;
      }
    }
    throw new IllegalArgumentException(name + " not in " + type);
  }

  static boolean loads(IsolatedApplication app, String name) {
    try {
      app.load(name);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
