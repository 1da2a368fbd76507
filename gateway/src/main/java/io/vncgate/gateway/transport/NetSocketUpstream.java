package io.vncgate.gateway.transport;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.engine.SocketStreams;
import java.util.OptionalLong;

/**
 * An {@link Upstream} over a Vert.x {@link NetSocket}, read and written through the relay's
 * engine ({@link SocketStreams}: the server's reads handed on untouched, the viewer's written as
 * they came).
 */
final class NetSocketUpstream implements Upstream {
  private final NetSocket socket;
  private final String description;
  private final SocketStreams streams;
  private Handler<String> closeHandler;
  private boolean closedByUs;

  NetSocketUpstream(NetSocket socket, String description) {
    this.socket = socket;
    this.description = description;
    this.streams = SocketStreams.server(socket, this::onClosed);
  }

  @Override
  public ReadStream<Buffer> input() {
    return streams.input();
  }

  /** Writes go straight into the socket's channel; the relay's are Netty buffers, flushed once per read burst. */
  @Override
  public WriteStream<Buffer> output() {
    return streams.output();
  }

  @Override
  public Upstream closeHandler(Handler<String> reasonHandler) {
    closeHandler = reasonHandler;
    return this;
  }

  private void onClosed() {
    Handler<String> h = closeHandler;
    if (!closedByUs && h != null) h.handle(null);
  }

  @Override
  public Future<Void> close() {
    closedByUs = true;
    streams.stop();
    return socket.close();
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public OptionalLong roundTripMicros() {
    return RoundTrip.micros(((NetSocketInternal) socket).channelHandlerContext().channel());
  }
}
