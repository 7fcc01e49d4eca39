package dev.cutover.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The backfill's slowing decisions, without a database. */
class BackfillThrottleTest {

  @Test
  void afterBatch_muchSlowerThanTypical_waitsAsLongAsItTook() {
    BackfillThrottle t = new BackfillThrottle();
    for (int i = 0; i < 10; i++) {
      assertThat(t.afterBatch(50)).isZero();
    }
    assertThat(t.typicalMillis()).isEqualTo(50);
    assertThat(t.afterBatch(150)).as("slower, but under the factor").isZero();
    assertThat(t.afterBatch(900)).isEqualTo(900);
    assertThat(t.afterBatch(120_000)).isEqualTo(BackfillThrottle.SLOW_MAX_WAIT_MILLIS);
  }

  @Test
  void afterBatch_fastBatchesAndWarmUp_neverWait() {
    BackfillThrottle t = new BackfillThrottle();
    assertThat(t.afterBatch(5_000)).as("first batches only teach what is typical").isZero();
    assertThat(t.afterBatch(10)).isZero();
    BackfillThrottle quick = new BackfillThrottle();
    for (int i = 0; i < 10; i++) {
      quick.afterBatch(1);
    }
    assertThat(quick.afterBatch(150)).as("below the floor a slow batch is noise").isZero();
  }

  @Test
  void afterLockTimeout_backsOffExponentiallyWithJitter_resetByABatch() {
    BackfillThrottle t = new BackfillThrottle();
    long start = BackfillThrottle.LOCK_BACKOFF_START_MILLIS;
    for (int i = 0; i < 6; i++) {
      long wait = t.afterLockTimeout();
      long base = start << i;
      assertThat(wait).as("retry %d", i).isBetween(Math.round(base * 0.75), Math.round(base * 1.25));
    }
    assertThat(t.lockTimeouts()).isEqualTo(6);
    for (int i = 0; i < 30; i++) {
      assertThat(t.afterLockTimeout()).isLessThanOrEqualTo(BackfillThrottle.LOCK_BACKOFF_MAX_MILLIS);
    }
    t.afterBatch(10);
    assertThat(t.lockTimeouts()).isZero();
    assertThat(t.afterLockTimeout()).isLessThanOrEqualTo(Math.round(start * 1.25));
  }

  @Test
  void lagTooHigh_comparesSecondsWithTheLimit() {
    assertThat(BackfillThrottle.lagTooHigh(0, 1000)).isFalse();
    assertThat(BackfillThrottle.lagTooHigh(1.0, 1000)).isFalse();
    assertThat(BackfillThrottle.lagTooHigh(1.2, 1000)).isTrue();
  }

  @Test
  void eta_readableAtEveryScale() {
    assertThat(BackfillProgress.eta(45)).isEqualTo("45s");
    assertThat(BackfillProgress.eta(725)).isEqualTo("12m05s");
    assertThat(BackfillProgress.eta(11220)).isEqualTo("3h07m00s");
  }
}
