package io.vncgate.gateway.engine;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * A write stream in front of another: flow control, errors and the end are the other's; only
 * {@link #write} is the subclass's (it counts, frames or filters what goes through).
 */
abstract class ForwardingWriteStream implements WriteStream<Buffer> {
  protected final WriteStream<Buffer> delegate;

  ForwardingWriteStream(WriteStream<Buffer> delegate) {
    this.delegate = delegate;
  }

  @Override
  public ForwardingWriteStream exceptionHandler(Handler<Throwable> handler) {
    delegate.exceptionHandler(handler);
    return this;
  }

  @Override
  public Future<Void> end() {
    return delegate.end();
  }

  @Override
  public ForwardingWriteStream setWriteQueueMaxSize(int maxSize) {
    delegate.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return delegate.writeQueueFull();
  }

  @Override
  public ForwardingWriteStream drainHandler(Handler<Void> handler) {
    delegate.drainHandler(handler);
    return this;
  }
}
