package io.vncgate.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event-loop delay probe: one timer per loop, and a loop held busy shows as a late timer. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EventLoopDelayTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aLoopHeldBusyShowsAsALateTimer() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EventLoopDelay.start(vertx, registry);
    assertTrue(registry.find("vncgate.event.loop.delay").timers().size() == 2, "one probe per event loop");
    // hold every loop for 400 ms at once: each probe due in that time runs at least ~350 ms late
    for (var loop : ((io.vertx.core.internal.VertxInternal) vertx).nettyEventLoopGroup()) {
      loop.execute(() -> sleep(400));
    }
    Thread.sleep(1000);
    for (Timer t : registry.find("vncgate.event.loop.delay").timers()) {
      assertTrue(t.count() > 0, "the probe ran: " + t.getId());
      assertTrue(t.max(TimeUnit.MILLISECONDS) >= 300, "a loop blocked 400 ms shows a late timer: " + t.max(TimeUnit.MILLISECONDS));
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
