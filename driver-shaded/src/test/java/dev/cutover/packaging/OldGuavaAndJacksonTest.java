package dev.cutover.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.Phase;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application whose class path puts Guava 16 and Jackson 2.9 before the driver jar keeps its own
 * versions, and the driver still works through every phase.
 */
class OldGuavaAndJacksonTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @Test
  void application_withGuava16AndJackson29First_walksEveryPhaseAndKeepsItsVersions(@TempDir Path dir)
      throws Exception {
    var old = IsolatedApplication.jarsIn(Path.of(System.getProperty("cutover.oldLibs")));
    assertThat(old).hasSize(4);
    try (IsolatedApplication app = IsolatedApplication.withDriver(old)) {
      assertOwnVersions(app);
      new PhaseWalk(db, app, dir, Set.of(Phase.DUAL_WRITE), 10).run();
      assertOwnVersions(app);
      // The driver's Guava is its own, relocated copy.
      assertThat(IsolatedApplication.origin(app.load("dev.cutover.shaded.guava.collect.ImmutableList")))
          .isEqualTo(IsolatedApplication.shadedJar().getFileName().toString());
    }
  }

  private static void assertOwnVersions(IsolatedApplication app) throws Exception {
    Class<?> list = app.load("com.google.common.collect.ImmutableList");
    assertThat(IsolatedApplication.origin(list)).isEqualTo("guava-16.0.1.jar");
    // Objects.toStringHelper was removed in Guava 21: only the application's Guava 16 has it.
    Object helper = app.load("com.google.common.base.Objects").getMethod("toStringHelper", String.class)
        .invoke(null, "App");
    assertThat(helper.toString()).isEqualTo("App{}");

    Class<?> version = app.load("com.fasterxml.jackson.databind.cfg.PackageVersion");
    assertThat(version.getField("VERSION").get(null).toString()).startsWith("2.9.10");
    Object mapper = app.load("com.fasterxml.jackson.databind.ObjectMapper").getConstructor().newInstance();
    assertThat(mapper.getClass().getMethod("writeValueAsString", Object.class).invoke(mapper, Map.of("a", 1)))
        .isEqualTo("{\"a\":1}");
  }
}
