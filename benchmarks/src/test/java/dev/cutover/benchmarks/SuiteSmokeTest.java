package dev.cutover.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Runs the whole suite in {@code --smoke} mode (seconds) against the local PostgreSQL, so the
 * benchmarks keep compiling and running; no timing is asserted, only that every figure is there.
 */
class SuiteSmokeTest {

  @Test
  void run_smokeModeWritesEveryRow() throws Exception {
    Path out = Path.of("target", "smoke-results");
    Path json = Suite.run("--smoke", "--out", out.toString());

    JsonNode report = new ObjectMapper().readTree(json.toFile());
    for (String impl : new String[] {"baseline", "no_migration", "pass_through", "cache_hit", "cache_miss", "preCheck"}) {
      assertThat(report.path("rewritePath").path(impl).path("nsPerStatement").asDouble()).as(impl).isPositive();
      assertThat(report.path("rewritePath").path(impl).path("bytesPerStatement").isNumber()).as(impl).isTrue();
    }
    assertThat(report.path("endToEnd")).hasSize(5);
    for (JsonNode row : report.path("endToEnd")) {
      assertThat(row.path("opsPerSecond").asDouble()).isPositive();
      assertThat(row.path("throughputRatio").asDouble()).isPositive();
      assertThat(row.path("p99Micros").asDouble()).isGreaterThanOrEqualTo(row.path("p50Micros").asDouble());
    }
    assertThat(report.path("endToEnd").get(1).path("config").asText()).contains("dual_write");
    assertThat(report.path("endToEnd").get(2).path("baseline").asText()).contains("hand-written");
    assertThat(report.path("backfill").path("rows").asLong()).isEqualTo(10_000);
    assertThat(report.path("backfill").path("ratio").asDouble()).isPositive();
    assertThat(report.path("memory").path("entries").asInt()).isGreaterThanOrEqualTo(475);
    assertThat(report.path("memory").path("payloadBytesPerEntry").asDouble()).isPositive();
    assertThat(report.path("memory").has("filterBytesPerEntry")).isTrue();
    assertThat(report.path("targets")).hasSize(10);

    String markdown = Files.readString(out.resolve("report.md"));
    assertThat(markdown).contains("| what | target | measured | met |", "cache miss", "dual_write", "Backfill");
    assertThat(out.resolve("jmh.json")).isNotEmptyFile();
  }
}
