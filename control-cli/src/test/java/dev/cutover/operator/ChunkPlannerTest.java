package dev.cutover.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checkpoint of out-of-order chunks, on a ctid walk (cut without a database). */
class ChunkPlannerTest {

  private static final RowKey CTID = new RowKey(List.of("ctid"), List.of("tid"), "ctid");
  private static final Connection NONE = null;

  @Test
  void chunks_tileTheRange_byPages() throws Exception {
    ChunkPlanner p = new ChunkPlanner(CTID, "t", null, "(9,3)", 0, 10);
    ChunkPlanner.Chunk a = p.next(NONE, 40);
    ChunkPlanner.Chunk b = p.next(NONE, 40);
    ChunkPlanner.Chunk c = p.next(NONE, 40);
    assertThat(List.of(a.lo() == null ? "-" : a.lo(), a.hi(), b.lo(), b.hi(), c.lo(), c.hi()))
        .containsExactly("-", "(4,0)", "(4,0)", "(8,0)", "(8,0)", "(9,3)");
    assertThat(p.next(NONE, 40)).isNull();
    assertThat(p.exhausted()).isTrue();
  }

  @Test
  void watermark_movesOnlyOverACommittedPrefix() throws Exception {
    ChunkPlanner p = new ChunkPlanner(CTID, "t", "(2,0)", "(100,0)", 0, 10);
    ChunkPlanner.Chunk a = p.next(NONE, 10);
    ChunkPlanner.Chunk b = p.next(NONE, 10);
    ChunkPlanner.Chunk c = p.next(NONE, 10);
    assertThat(p.watermarkWith(c)).isEqualTo("(2,0)");
    assertThat(p.committed(c)).isEqualTo("(2,0)");
    assertThat(p.watermarkWith(b)).isEqualTo("(2,0)");
    assertThat(p.committed(b)).isEqualTo("(2,0)");
    assertThat(p.watermarkWith(a)).isEqualTo(c.hi());
    assertThat(p.committed(a)).isEqualTo("(5,0)");
  }

  @Test
  void rolledBackChunk_isHandedOutAgainFirst_andHoldsTheWatermark() throws Exception {
    ChunkPlanner p = new ChunkPlanner(CTID, "t", null, "(100,0)", 0, 10);
    ChunkPlanner.Chunk a = p.next(NONE, 10);
    ChunkPlanner.Chunk b = p.next(NONE, 10);
    p.retry(a);
    assertThat(p.committed(b)).isNull();
    assertThat(p.next(NONE, 10)).isEqualTo(a);
    assertThat(p.committed(a)).isEqualTo(b.hi());
  }

  @Test
  void maxChunks_stopsHandingOut_andTheWalkIsNotComplete() throws Exception {
    ChunkPlanner p = new ChunkPlanner(CTID, "t", null, "(100,0)", 2, 10);
    p.committed(p.next(NONE, 10));
    p.committed(p.next(NONE, 10));
    assertThat(p.next(NONE, 10)).isNull();
    assertThat(p.exhausted()).isTrue();
    assertThat(p.complete()).isFalse();
    assertThat(p.watermark()).isEqualTo("(2,0)");
  }
}
