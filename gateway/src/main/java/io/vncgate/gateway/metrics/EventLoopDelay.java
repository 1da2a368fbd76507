package io.vncgate.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vncgate.gateway.engine.EventLoops;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How late the event loops run what is due: on every Vert.x event loop a timer due every
 * {@link #INTERVAL_MS} ms records how much later than due it ran ({@code vncgate_event_loop_delay_seconds},
 * tagged by loop). A loop busy with other work (or not scheduled by the machine) shows here before
 * viewers notice it as lag. The probes end with their Vert.x instance.
 */
final class EventLoopDelay {
  static final long INTERVAL_MS = 50;

  private EventLoopDelay() {}

  static void start(Vertx vertx, MeterRegistry registry) {
    Timer[] timers = new Timer[EventLoops.count(vertx)];
    for (int i = 0; i < timers.length; i++) {
      timers[i] = Timer.builder("vncgate.event.loop.delay")
          .description("how much later than due a timer on the event loop ran (a probe due every " + INTERVAL_MS + " ms)")
          .tag("loop", Integer.toString(i))
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofNanos(100_000))
          .maximumExpectedValue(Duration.ofSeconds(10))
          .register(registry);
    }
    EventLoops.probeEach(vertx, INTERVAL_MS, (loop, late) -> timers[loop].record(late, TimeUnit.NANOSECONDS));
  }
}
