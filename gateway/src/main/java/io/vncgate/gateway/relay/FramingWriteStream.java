package io.vncgate.gateway.relay;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.rfb.ClientMessageFramer;
import io.vncgate.gateway.rfb.RfbException;

/**
 * The viewer→server half of the relay as a {@link WriteStream}: bytes are framed message by
 * message, judged by the role's whitelist, and only whole allowed messages reach the server.
 * Backpressure is the server stream's, so a Vert.x pipe into this pauses the viewer when the
 * server is slow. A protocol error fails the write, which fails the pipe with the reason.
 */
final class FramingWriteStream implements WriteStream<Buffer> {
  private final ClientMessageFramer framer;
  private final WriteStream<Buffer> upstream;

  FramingWriteStream(ClientMessageFramer framer, WriteStream<Buffer> upstream) {
    this.framer = framer;
    this.upstream = upstream;
  }

  @Override
  public Future<Void> write(Buffer data) {
    Buffer out;
    try {
      out = framer.feed(data);
    } catch (RfbException e) {
      return Future.failedFuture(e);
    }
    return out.length() == 0 ? Future.succeededFuture() : upstream.write(out);
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    upstream.exceptionHandler(handler);
    return this;
  }

  @Override
  public Future<Void> end() {
    return upstream.end();
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    upstream.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return upstream.writeQueueFull();
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    upstream.drainHandler(handler);
    return this;
  }
}
