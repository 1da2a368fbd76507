package io.vncgate.gateway.relay;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.transport.ByteBufInput;
import io.vncgate.gateway.transport.ChannelOutput;
import io.vncgate.gateway.failure.Outcome;

/**
 * A native viewer on the TCP front. The reason reaches it as the RFB failure written before.
 * Its reads reach the relay as the Netty buffers they arrived in ({@link ByteBufInput}); bytes go
 * out through {@link ChannelOutput} (server reads relayed without a copy).
 */
public final class TcpViewerChannel implements ViewerChannel {
  private final NetSocket socket;
  private final ByteBufInput input;
  private final ChannelOutput output;

  /** Made on the socket's context, before anything of it is read. */
  public TcpViewerChannel(NetSocket socket) {
    NetSocketInternal s = (NetSocketInternal) socket;
    this.socket = socket;
    this.input = new ByteBufInput(socket, s.channelHandlerContext().channel());
    this.output = new ChannelOutput(s.channelHandlerContext(), false, socket::end);
    s.messageHandler(input::onMessage);
    s.readCompletionHandler(v -> input.readComplete());
    s.closeHandler(v -> input.ended());
  }

  @Override
  public ReadStream<Buffer> input() {
    return input;
  }

  @Override
  public WriteStream<Buffer> output() {
    return output;
  }

  @Override
  public void close(Outcome outcome, String reason) {
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
