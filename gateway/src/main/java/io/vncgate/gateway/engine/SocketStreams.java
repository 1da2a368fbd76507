package io.vncgate.gateway.engine;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/**
 * A TCP socket's two streams for the relay: its reads as the Netty buffers they arrived in
 * ({@link ByteBufInput}: copied for the handshake, handed on untouched while relaying), its writes
 * straight into its channel ({@link ChannelOutput}: the other side's reads go on as they came).
 * Made on the socket's context, before anything of it is read.
 */
public final class SocketStreams {
  /**
   * The largest single read from a VNC server (Netty's default is 64 KiB). A framebuffer update is
   * often megabytes: bigger reads mean fewer reads, writes, wake-ups and WebSocket frames per
   * megabyte, while the adaptive allocator still shrinks to small reads for small messages. Larger
   * reads by themselves were no better (reads still averaged what the socket holds when the relay
   * wakes); they pay only when the relay is also woken later, which {@link BulkReads} does during
   * large payloads (docs/performance.md, "Where the time goes", 2 and 9).
   */
  static final int MAX_READ_BYTES = 1024 * 1024;

  private final NetSocketInternal socket;
  private final ByteBufInput input;
  private final ChannelOutput output;

  private SocketStreams(NetSocket socket) {
    this.socket = (NetSocketInternal) socket;
    ChannelHandlerContext ctx = this.socket.channelHandlerContext();
    this.input = new ByteBufInput(socket, ctx.channel());
    this.output = new ChannelOutput(ctx, false, socket::end);
  }

  /** A native viewer's socket (the TCP front). */
  public static SocketStreams viewer(NetSocket socket) {
    SocketStreams s = new SocketStreams(socket);
    s.socket.messageHandler(s.input::onMessage);
    s.socket.readCompletionHandler(v -> s.input.readComplete());
    s.socket.closeHandler(v -> s.input.ended());
    return s;
  }

  /**
   * A VNC server's socket, paused until the handshake or the relay reads it.
   *
   * @param onClosed run when the socket closed, after its input ended
   */
  public static SocketStreams server(NetSocket socket, Runnable onClosed) {
    SocketStreams s = new SocketStreams(socket);
    s.socket.channelHandlerContext().channel().config()
        .setRecvByteBufAllocator(new RelayReadAllocator(64, 2048, MAX_READ_BYTES));
    s.socket.messageHandler(s.input::onMessage);
    // after messageHandler: only then does pause() stop the connection itself (before, it would only
    // clear the demand of Vert.x's buffer queue, which this socket no longer uses)
    s.socket.pause();
    s.socket.readCompletionHandler(v -> s.input.readComplete());
    s.socket.closeHandler(v -> {
      s.input.ended();
      onClosed.run();
    });
    return s;
  }

  /** Runs {@code action} once {@code socket} has closed (whoever closed it). */
  public static void onClosed(NetSocket socket, Runnable action) {
    ((NetSocketInternal) socket).channelHandlerContext().channel().closeFuture().addListener(f -> action.run());
  }

  public ReadStream<Buffer> input() {
    return input;
  }

  public WriteStream<Buffer> output() {
    return output;
  }

  /** Readies the output for the relay: large server payloads spliced into it where allowed ({@link ZeroCopy}). */
  public void prepareForRelay(ZeroCopy mode) {
    output.prepareForRelay(mode);
  }

  /** What waits for the peer kept short ({@link ChannelOutput#shortQueues}). */
  public void shortQueues() {
    output.shortQueues();
  }

  /** We are closing the socket: nothing more is forwarded from it or written to it. */
  public void stop() {
    input.stopped();
    output.stop();
  }

  /** Ends the socket after what was written (flushed, then closed). */
  public Future<Void> end() {
    return output.end();
  }
}
