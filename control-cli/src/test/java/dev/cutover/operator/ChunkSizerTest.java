package dev.cutover.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChunkSizerTest {

  @Test
  void fixedBatchSize_isUsedAsIs() {
    ChunkSizer sizer = new ChunkSizer();
    sizer.record(1_000, 1, 500);
    assertThat(sizer.next(250)).isEqualTo(250);
  }

  @Test
  void fastChunks_grow_atMostTwofoldEachTime_untilTheyTakeTheTarget() {
    ChunkSizer sizer = new ChunkSizer();
    assertThat(sizer.next(BackfillOptions.AUTO)).isEqualTo(ChunkSizer.START_ROWS);
    // 100 rows per ms: a 500 ms chunk is 50,000 rows.
    sizer.record(1_000, 10, 500);
    assertThat(sizer.next(BackfillOptions.AUTO)).isEqualTo(2_000);
    for (int i = 0; i < 20; i++) {
      long rows = sizer.next(BackfillOptions.AUTO);
      sizer.record(rows, rows / 100, 500);
    }
    assertThat(sizer.next(BackfillOptions.AUTO)).isBetween(45_000L, 55_000L);
  }

  @Test
  void slowChunks_shrink_butNotBelowTheFloor() {
    ChunkSizer sizer = new ChunkSizer();
    for (int i = 0; i < 20; i++) {
      sizer.record(sizer.next(BackfillOptions.AUTO), 5_000, 500);
    }
    assertThat(sizer.next(BackfillOptions.AUTO)).isEqualTo(ChunkSizer.MIN_ROWS);
  }
}
