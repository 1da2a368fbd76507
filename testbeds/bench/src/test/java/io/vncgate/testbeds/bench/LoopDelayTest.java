package io.vncgate.testbeds.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The gateway's event-loop delay between two /metrics texts: ticks, mean, the p99 bucket, the max. */
class LoopDelayTest {
  private static String metrics(long fast0, long slow0, long fast1, long slow1, double sum0, double sum1, double max1) {
    // two loops; the le="0.001" bucket holds the fast ticks, le="0.1" also the slow ones
    return """
        # HELP vncgate_event_loop_delay_seconds how much later than due
        vncgate_event_loop_delay_seconds_bucket{loop="0",le="0.001"} %d
        vncgate_event_loop_delay_seconds_bucket{loop="0",le="0.1"} %d
        vncgate_event_loop_delay_seconds_bucket{loop="0",le="+Inf"} %d
        vncgate_event_loop_delay_seconds_count{loop="0"} %d
        vncgate_event_loop_delay_seconds_sum{loop="0"} %s
        vncgate_event_loop_delay_seconds_max{loop="0"} %s
        vncgate_event_loop_delay_seconds_bucket{loop="1",le="0.001"} %d
        vncgate_event_loop_delay_seconds_bucket{loop="1",le="0.1"} %d
        vncgate_event_loop_delay_seconds_bucket{loop="1",le="+Inf"} %d
        vncgate_event_loop_delay_seconds_count{loop="1"} %d
        vncgate_event_loop_delay_seconds_sum{loop="1"} %s
        vncgate_event_loop_delay_seconds_max{loop="1"} 0.0
        vncgate_relay_info{mode="spliced"} 1.0
        """.formatted(fast0, fast0 + slow0, fast0 + slow0, fast0 + slow0, sum0, max1, fast1, fast1 + slow1,
        fast1 + slow1, fast1 + slow1, sum1);
  }

  @Test
  void ticksMeanP99AndMaxBetweenTwoReadings() {
    String before = metrics(100, 0, 100, 0, 0.01, 0.01, 0.0005);
    // then 400 more ticks: 390 fast, 10 slow (2.5 %): the p99 lies in the slow bucket
    String after = metrics(300, 10, 290, 0, 0.02 + 10 * 0.05, 0.02, 0.08);
    LoopDelay d = LoopDelay.between(before, after);
    assertEquals(400, d.ticks());
    assertEquals((0.02 + 0.5 + 0.02 - 0.02) / 400 * 1000, d.meanMs(), 1e-9);
    assertEquals(100.0, d.p99Ms(), 1e-9);
    assertEquals(100.0, d.maxMs(), 1e-9, "the bucket of the slowest tick, not the gateway's max of the last minute (80 ms here)");
  }

  @Test
  void fewSlowTicksLeaveTheP99InTheFastBucket() {
    String before = metrics(0, 0, 0, 0, 0, 0, 0);
    String after = metrics(995, 5, 1000, 0, 0.3, 0.2, 0.05);
    assertEquals(1.0, LoopDelay.between(before, after).p99Ms(), 1e-9);
    assertEquals(100.0, LoopDelay.between(before, after).maxMs(), 1e-9);
    String allFast = metrics(1000, 0, 1000, 0, 0.3, 0.2, 0.05);
    assertEquals(1.0, LoopDelay.between(before, allFast).maxMs(), 1e-9);
  }

  @Test
  void aGatewayWithoutTheMetricGivesNothing() {
    assertNull(LoopDelay.between("vncgate_relay_info{} 1.0\n", "vncgate_relay_info{} 1.0\n"));
    assertNull(LoopDelay.between(null, null));
  }
}
