package io.vncgate.gateway.relay;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.concurrent.atomic.AtomicLong;

/** Passes writes through, counting bytes and noting activity (for metrics and the idle timeout). */
final class CountingWriteStream implements WriteStream<Buffer> {
  private final WriteStream<Buffer> delegate;
  private final AtomicLong counter;
  private final Runnable onActivity;

  CountingWriteStream(WriteStream<Buffer> delegate, AtomicLong counter, Runnable onActivity) {
    this.delegate = delegate;
    this.counter = counter;
    this.onActivity = onActivity;
  }

  @Override
  public Future<Void> write(Buffer data) {
    counter.addAndGet(data.length());
    onActivity.run();
    return delegate.write(data);
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    delegate.exceptionHandler(handler);
    return this;
  }

  @Override
  public Future<Void> end() {
    return delegate.end();
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    delegate.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return delegate.writeQueueFull();
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    delegate.drainHandler(handler);
    return this;
  }
}
