package dev.cutover.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * WAL positions and sizes as {@link ReplicaLag} and {@link StandbyCatchUp} read them; the standbys
 * themselves are tested with a real one in {@code ReadReplicaTest}.
 */
class ReplicaLagTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @Test
  void replayed_comparesBothHalvesOfTheLsnAsUnsignedHex() {
    assertThat(StandbyCatchUp.replayed("0/3000060", "0/3000060")).isTrue();
    assertThat(StandbyCatchUp.replayed("0/3000061", "0/3000060")).isTrue();
    assertThat(StandbyCatchUp.replayed("0/2FFFFFF", "0/3000060")).isFalse();
    assertThat(StandbyCatchUp.replayed("1/0", "0/FFFFFFFF")).isTrue();
    assertThat(StandbyCatchUp.replayed("0/FFFFFFFF", "1/0")).isFalse();
    assertThat(StandbyCatchUp.replayed("A/10", "9/FFFFFFF0")).isTrue(); // hex, not decimal: A > 9
    assertThat(StandbyCatchUp.replayed("FFFFFFFF/0", "7FFFFFFF/0")).isTrue(); // unsigned
  }

  @Test
  void bytes_inTheLargestUnitThatKeepsOne() {
    assertThat(ReplicaLag.bytes(0)).isEqualTo("0 bytes");
    assertThat(ReplicaLag.bytes(1023)).isEqualTo("1023 bytes");
    assertThat(ReplicaLag.bytes(1024)).isEqualTo("1.0 kB");
    assertThat(ReplicaLag.bytes(64L << 20)).isEqualTo("64.0 MB");
    assertThat(ReplicaLag.bytes(3L << 30 | 1L << 29)).isEqualTo("3.5 GB");
  }

  @Test
  void read_serverWithoutStandbys_isEmpty_andTheWaitsReturnAtOnce() throws Exception {
    try (Connection c = db.plainConnection()) {
      assertThat(ReplicaLag.read(c)).isEmpty();
      assertThat(ReplicaLag.tooFarBehind(c, 1)).isNull();
      java.io.StringWriter out = new java.io.StringWriter();
      StandbyCatchUp waits = new StandbyCatchUp(java.time.Duration.ofSeconds(1), java.time.Duration.ofMinutes(10),
          new java.io.PrintWriter(out));
      long t0 = System.nanoTime();
      assertThat(waits.awaitReplayed(c, "anything")).isFalse();
      waits.awaitBeforeWritesStop(c, "m", "new_only");
      assertThat(System.nanoTime() - t0).as("no TTL wait without standbys").isLessThan(5_000_000_000L);
      assertThat(out.toString()).isEmpty();
    }
  }
}
