package dev.cutover.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's pass-through verdict: both halves of the target (time and bytes), time judged with its error. */
class ReportTest {

  @Test
  void passThroughVerdict_timeAndBytes() {
    assertThat(Report.passThroughVerdict(40, 5, 93)).isEqualTo("met");
    assertThat(Report.passThroughVerdict(40, 5, 100)).isEqualTo("met");
    assertThat(Report.passThroughVerdict(40, 5, 101)).as("bytes over, time within").isEqualTo("missed");
    assertThat(Report.passThroughVerdict(74, 10, 93)).as("time beyond its error").isEqualTo("missed");
    assertThat(Report.passThroughVerdict(74, 55, 93)).as("error larger than the gap").isEqualTo("undecided");
    assertThat(Report.passThroughVerdict(45, 10, 93)).isEqualTo("undecided");
  }

  @Test
  void targets_passThroughRows_checkBothHalves() {
    Map<String, Map<String, Double>> jmh = Map.of(
        "baseline", Map.of("nsPerStatement", 45.0, "error", 3.0, "bytesPerStatement", 272.0),
        "no_migration", Map.of("nsPerStatement", 85.0, "error", 4.0, "bytesPerStatement", 365.0),
        "pass_through", Map.of("nsPerStatement", 119.0, "error", 55.0, "bytesPerStatement", 365.0),
        "cache_hit", Map.of("nsPerStatement", 142.0, "error", 5.0, "bytesPerStatement", 376.0),
        "cache_miss", Map.of("nsPerStatement", 90_000.0, "error", 5.0, "bytesPerStatement", 20_000.0));
    List<Map<String, Object>> rows = Report.targets(jmh, List.of(), null, null);
    assertThat(rows.get(0).get("target")).isEqualTo("<= 50 ns and <= 100 B/statement");
    assertThat(rows.get(0).get("verdict")).isEqualTo("met"); // +40 ± 5 ns, +93 B
    assertThat(rows.get(1).get("verdict")).isEqualTo("undecided"); // +74 ± 55 ns
    assertThat(rows.get(1).get("met")).isNull();
  }
}
