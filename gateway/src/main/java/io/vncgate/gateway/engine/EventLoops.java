package io.vncgate.gateway.engine;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/** Vert.x's event loops, one by one: a probe on each that says how late its due tasks run. */
public final class EventLoops {
  /** Told, for loop {@code loop} (0, 1, …), how many nanoseconds later than due a task ran. */
  @FunctionalInterface
  public interface Lateness {
    void ran(int loop, long lateNanos);
  }

  private EventLoops() {}

  /** A task due every {@code intervalMs} ms on every event loop of {@code vertx}; ends with it. */
  public static void probeEach(Vertx vertx, long intervalMs, Lateness lateness) {
    int i = 0;
    for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      schedule(loop, i++, intervalMs, lateness);
    }
  }

  /** How many event loops {@code vertx} has. */
  public static int count(Vertx vertx) {
    int n = 0;
    for (EventExecutor ignored : ((VertxInternal) vertx).nettyEventLoopGroup()) n++;
    return n;
  }

  private static void schedule(EventExecutor loop, int index, long intervalMs, Lateness lateness) {
    long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(intervalMs);
    try {
      loop.schedule(() -> {
        lateness.ran(index, Math.max(0, System.nanoTime() - due));
        schedule(loop, index, intervalMs, lateness);
      }, intervalMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      // Vert.x is closing: the probe ends with it
    }
  }
}
