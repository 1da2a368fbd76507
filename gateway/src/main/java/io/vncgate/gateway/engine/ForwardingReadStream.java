package io.vncgate.gateway.engine;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A read stream over another whose bytes it hands out its own way: flow control, errors and the
 * end are the other's; {@link #handler} is the subclass's (where its bytes go).
 */
abstract class ForwardingReadStream implements ReadStream<Buffer> {
  protected final ReadStream<?> delegate;

  ForwardingReadStream(ReadStream<?> delegate) {
    this.delegate = delegate;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
    delegate.exceptionHandler(h);
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    delegate.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    delegate.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    delegate.fetch(amount);
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> h) {
    delegate.endHandler(h);
    return this;
  }
}
