package io.vncgate.gateway.transport;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/** An {@link Upstream} over a Vert.x {@link NetSocket}. */
final class NetSocketUpstream implements Upstream {
  private final NetSocket socket;
  private final String description;
  private boolean closedByUs;

  NetSocketUpstream(NetSocket socket, String description) {
    this.socket = socket;
    this.description = description;
    socket.pause();
  }

  @Override
  public ReadStream<Buffer> input() {
    return socket;
  }

  @Override
  public WriteStream<Buffer> output() {
    return socket;
  }

  @Override
  public Upstream closeHandler(Handler<String> reasonHandler) {
    socket.closeHandler(v -> {
      if (!closedByUs) reasonHandler.handle(null);
    });
    return this;
  }

  @Override
  public Future<Void> close() {
    closedByUs = true;
    return socket.close();
  }

  @Override
  public String describe() {
    return description;
  }
}
