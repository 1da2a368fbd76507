package io.vncgate.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
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
    int i = 0;
    for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      Timer timer = Timer.builder("vncgate.event.loop.delay")
          .description("how much later than due a timer on the event loop ran (a probe due every " + INTERVAL_MS + " ms)")
          .tag("loop", Integer.toString(i++))
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofNanos(100_000))
          .maximumExpectedValue(Duration.ofSeconds(10))
          .register(registry);
      schedule(loop, timer);
    }
  }

  private static void schedule(EventExecutor loop, Timer timer) {
    long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS);
    try {
      loop.schedule(() -> {
        timer.record(Math.max(0, System.nanoTime() - due), TimeUnit.NANOSECONDS);
        schedule(loop, timer);
      }, INTERVAL_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      // Vert.x is closing: the probe ends with it
    }
  }
}
