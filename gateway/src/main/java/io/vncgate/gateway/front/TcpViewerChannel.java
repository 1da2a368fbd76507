package io.vncgate.gateway.front;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.engine.SocketStreams;
import io.vncgate.gateway.engine.ZeroCopy;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.relay.ViewerChannel;

/**
 * A native viewer on the TCP front. The reason reaches it as the RFB failure written before.
 * Its bytes go through {@link SocketStreams} (server reads relayed without a copy).
 */
final class TcpViewerChannel implements ViewerChannel {
  private final NetSocket socket;
  private final SocketStreams streams;

  /** Made on the socket's context, before anything of it is read. */
  TcpViewerChannel(NetSocket socket) {
    this.socket = socket;
    this.streams = SocketStreams.viewer(socket);
  }

  @Override
  public ReadStream<Buffer> input() {
    return streams.input();
  }

  @Override
  public WriteStream<Buffer> output() {
    return streams.output();
  }

  @Override
  public void prepareForRelay(ZeroCopy mode) {
    streams.prepareForRelay(mode);
  }

  @Override
  public void close(Outcome outcome, String reason) {
    close();
  }

  @Override
  public void close() {
    streams.end();
  }

  @Override
  public String front() {
    return "tcp";
  }

  @Override
  public String address() {
    return HttpGuard.addressOf(socket.remoteAddress());
  }

  @Override
  public String remote() {
    return String.valueOf(socket.remoteAddress());
  }
}
