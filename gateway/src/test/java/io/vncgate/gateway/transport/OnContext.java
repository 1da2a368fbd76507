package io.vncgate.gateway.transport;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Drives an {@link Upstream} from a test as the relay does: every step on one Vert.x context, waited for. */
public final class OnContext {
  private final Context context;

  public OnContext(Context context) {
    this.context = context;
  }

  /** Runs {@code action} on the context and waits up to 30 s for the future it returns. */
  public <T> T await(Supplier<Future<T>> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> action.get().onComplete(ar -> {
      if (ar.succeeded()) result.complete(ar.result());
      else result.completeExceptionally(ar.cause());
    }));
    return result.get(30, TimeUnit.SECONDS);
  }

  /** Runs {@code action} on the context and returns what it returned. */
  public <T> T onContext(Supplier<T> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> result.complete(action.get()));
    return result.get(10, TimeUnit.SECONDS);
  }

  public void onContext(Runnable action) throws Exception {
    onContext(() -> {
      action.run();
      return null;
    });
  }

  /** Writes {@code chunk} until the upstream's write queue is full, and again on every drain (call on the context). */
  public static void fill(Upstream up, Buffer chunk, AtomicLong written) {
    while (!up.output().writeQueueFull()) {
      up.output().write(chunk);
      written.addAndGet(chunk.length());
    }
    up.output().drainHandler(v -> fill(up, chunk, written));
  }
}
