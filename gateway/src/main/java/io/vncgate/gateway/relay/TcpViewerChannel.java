package io.vncgate.gateway.relay;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.failure.Status;

/**
 * A native viewer on the TCP front. The reason reaches it as the RFB failure written before.
 * Bytes go out through {@link ChannelOutput} (server reads relayed without a copy).
 */
public final class TcpViewerChannel implements ViewerChannel {
  private final NetSocket socket;
  private final ChannelOutput output;

  public TcpViewerChannel(NetSocket socket) {
    this.socket = socket;
    this.output = new ChannelOutput(((NetSocketInternal) socket).channelHandlerContext(), false, socket::end);
  }

  @Override
  public ReadStream<Buffer> input() {
    return socket;
  }

  @Override
  public WriteStream<Buffer> output() {
    return output;
  }

  @Override
  public void close(Status status, String reason) {
    close();
  }

  @Override
  public void close() {
    output.end();
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
