package dev.cutover.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class BackfillProgressTest {

  @Test
  void complete_rowsFilledByTheApplicationMeanwhile_endsAt100Percent() {
    StringWriter text = new StringWriter();
    BackfillProgress progress = BackfillProgress.create("m", new PrintWriter(text, true), 0, 1000, false);
    progress.step(992, "992");
    // Before: the last line said 992/1000 (99.2%) for a backfill that was done.
    progress.complete("1000");
    assertThat(text.toString()).contains("backfill m: 992/992 rows (100.0%)").doesNotContain("ETA");
  }

  @Test
  void finish_stoppedEarly_keepsTheEstimate() {
    StringWriter text = new StringWriter();
    BackfillProgress progress = BackfillProgress.create("m", new PrintWriter(text, true), 0, 1000, false);
    progress.step(100, "100");
    progress.finish("100");
    assertThat(text.toString()).contains("100/1000 rows (10.0%)");
  }
}
