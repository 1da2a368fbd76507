package io.vncgate.gateway.relay;

import io.vertx.core.Future;
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
final class FramingWriteStream extends ForwardingWriteStream {
  private final ClientMessageFramer framer;

  FramingWriteStream(ClientMessageFramer framer, WriteStream<Buffer> upstream) {
    super(upstream);
    this.framer = framer;
  }

  @Override
  public Future<Void> write(Buffer data) {
    Buffer out;
    try {
      out = framer.feed(data);
    } catch (RfbException e) {
      return Future.failedFuture(e);
    }
    return out.length() == 0 ? Future.succeededFuture() : delegate.write(out);
  }
}
