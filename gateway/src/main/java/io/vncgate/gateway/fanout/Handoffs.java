package io.vncgate.gateway.fanout;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work a session's loop hands to its viewers' loops (the writes of their updates), gathered while
 * the session's loop works and handed over in one task per event loop when it is done: each task
 * handed to another thread may wake it (an eventfd write, then a context switch), and a round that
 * serves a hundred viewers spread over four loops would otherwise wake them a hundred times. Each
 * piece still runs on its own context, in the order it was given. Used on the session's loop only.
 */
final class Handoffs {
  private static final Logger log = LoggerFactory.getLogger(Handoffs.class);

  private record Piece(ContextInternal context, Runnable work) {}

  private final ContextInternal home;
  private final Map<EventLoop, List<Piece>> pending = new IdentityHashMap<>();
  private boolean flushDue;

  Handoffs(Context home) {
    this.home = (ContextInternal) home;
  }

  /** {@code work} runs on {@code context}, after what the session's loop is doing now. */
  void post(Context context, Runnable work) {
    ContextInternal c = (ContextInternal) context;
    pending.computeIfAbsent(c.nettyEventLoop(), l -> new ArrayList<>()).add(new Piece(c, work));
    if (!flushDue) {
      flushDue = true;
      home.runOnContext(v -> flush()); // on its own loop: queued behind the tasks already there, no wake-up
    }
  }

  private void flush() {
    flushDue = false;
    for (Map.Entry<EventLoop, List<Piece>> e : pending.entrySet()) {
      List<Piece> batch = e.getValue();
      try {
        e.getKey().execute(() -> {
          for (Piece p : batch) {
            try {
              p.context().dispatch(p.work());
            } catch (RuntimeException ex) {
              log.error("fan-out: handing work to a viewer's loop failed", ex);
            }
          }
        });
      } catch (RejectedExecutionException ex) {
        log.debug("fan-out: a viewer's loop is shutting down; its writes are dropped with its connections");
      }
    }
    pending.clear();
  }
}
