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
    JsonNode e2e = report.path("endToEnd");
    assertThat(e2e).hasSize(15);
    for (JsonNode row : e2e) {
      assertThat(row.path("opsPerSecond")).as(row.toString()).isNotEmpty();
      // Paired: each repetition has both drivers' figures, and its ratio is theirs.
      assertThat(row.path("baselineOpsPerSecond")).hasSize(row.path("opsPerSecond").size());
      for (int i = 0; i < row.path("opsPerSecond").size(); i++) {
        assertThat(row.path("throughputRatios").get(i).asDouble()).isCloseTo(
            row.path("opsPerSecond").get(i).asDouble() / row.path("baselineOpsPerSecond").get(i).asDouble(),
            org.assertj.core.data.Offset.offset(1e-9));
      }
      assertThat(row.path("throughputRatio").asDouble()).isPositive();
      assertThat(row.path("throughputRatioMin").asDouble()).isLessThanOrEqualTo(row.path("throughputRatio").asDouble());
      assertThat(row.path("throughputRatioMax").asDouble()).isGreaterThanOrEqualTo(row.path("throughputRatio").asDouble());
      for (JsonNode r : row.path("p99Micros")) {
        assertThat(r.asDouble()).isPositive();
      }
    }
    assertThat(e2e.findValuesAsText("mix")).contains("users", "TPC-C-like", "literal SQL", "distinct texts");
    assertThat(e2e.get(0).path("config").asText()).startsWith("pgjdbc again");
    assertThat(e2e.get(0).path("rewriteMissesPerOperation").get(0).asDouble()).isZero();
    JsonNode literal = e2e.get(11);
    assertThat(literal.path("mix").asText()).isEqualTo("literal SQL");
    assertThat(literal.path("config").asText()).isEqualTo("cutover, dual_write");
    assertThat(literal.path("target").asDouble()).isEqualTo(0.90);
    assertThat(literal.path("verdict").asText()).isIn("met", "missed", "undecided");
    assertThat(e2e.get(12).path("baseline").asText()).contains("hand-written");
    assertThat(e2e.get(12).path("clientCpuMicrosPerOperation")).hasSize(e2e.get(12).path("opsPerSecond").size());
    JsonNode distinct = e2e.get(14);
    assertThat(distinct.path("config").asText()).isEqualTo("cutover, dual_write");
    assertThat(distinct.path("rewriteMissesPerOperation")).hasSize(distinct.path("opsPerSecond").size());
    assertThat(e2e.get(2).path("config").asText()).contains("dual_write");
    assertThat(e2e.get(2).path("verdict").asText()).isIn("met", "missed", "undecided");
    assertThat(e2e.get(4).path("baseline").asText()).contains("hand-written");
    assertThat(report.path("backfill").path("rows").asLong()).isEqualTo(10_000);
    assertThat(report.path("backfill").path("ratio").asDouble()).isPositive();
    assertThat(report.path("memory").path("entries").asInt()).isGreaterThanOrEqualTo(475);
    assertThat(report.path("memory").path("payloadBytesPerEntry").asDouble()).isPositive();
    assertThat(report.path("memory").has("filterBytesPerEntry")).isTrue();
    assertThat(report.path("targets")).hasSize(4 + 15 + 1);

    String markdown = Files.readString(out.resolve("report.md"));
    assertThat(markdown).contains("| what | target | measured | met |", "cache miss", "dual_write", "TPC-C-like", "literal SQL", "distinct texts", "Backfill");
    assertThat(out.resolve("jmh.json")).isNotEmptyFile();
  }
}
