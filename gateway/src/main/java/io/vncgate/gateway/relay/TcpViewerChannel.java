package io.vncgate.gateway.relay;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.failure.Status;

/** A native viewer on the TCP front. The reason reaches it as the RFB failure written before. */
public final class TcpViewerChannel implements ViewerChannel {
  private final NetSocket socket;

  public TcpViewerChannel(NetSocket socket) {
    this.socket = socket;
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
  public void close(Status status, String reason) {
    socket.end();
  }

  @Override
  public void close() {
    socket.end();
  }

  @Override
  public String front() {
    return "tcp";
  }

  @Override
  public String remote() {
    return String.valueOf(socket.remoteAddress());
  }
}
