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
