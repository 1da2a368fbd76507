package io.vncgate.gateway.transport;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/**
 * An {@link Upstream} over a Vert.x {@link NetSocket}. The socket delivers its Netty buffers as
 * read ({@link ByteBufInput}: copied for the handshake, untouched for the relay) and is written
 * through its channel ({@link ChannelOutput}: the viewer's reads go on as they came).
 */
final class NetSocketUpstream implements Upstream {
  /**
   * The largest single read from the server (Netty's default is 64 KiB). A framebuffer update is
   * often megabytes; bigger reads mean fewer reads, writes, wake-ups and WebSocket frames per
   * megabyte, and the adaptive allocator still shrinks to small reads for small messages. Measured
   * with testbeds/bench/run on 2 cores: 64 KiB → 256 KiB took the WebSocket front from about 0.95 to
   * 1.5 GB/s; 256 KiB → 1 MiB from about 1.5 to 1.9 GB/s and the relay's CPU from about 0.45 to
   * 0.37 s per GB (the kernel's per-call and per-segment work, not copying, was what shrank). 2 and
   * 4 MiB were no better by themselves: reads still averaged about 1 MB, what the socket holds
   * when the relay wakes (and each zeroed a fresh buffer, which Main now avoids). Reads of 4 MiB
   * pay only when the relay is also woken later: {@link BulkReads}, during large payloads.
   */
  static final int MAX_READ_BYTES = 1024 * 1024;

  private final NetSocketInternal socket;
  private final String description;
  private final ByteBufInput input;
  private final ChannelOutput output;
  private Handler<String> closeHandler;
  private boolean closedByUs;

  NetSocketUpstream(NetSocket socket, String description) {
    this.socket = (NetSocketInternal) socket;
    this.description = description;
    ChannelHandlerContext ctx = this.socket.channelHandlerContext();
    this.input = new ByteBufInput(socket, ctx.channel());
    this.output = new ChannelOutput(ctx, false, socket::end);
    ctx.channel().config()
        .setRecvByteBufAllocator(new RelayReadAllocator(64, 2048, MAX_READ_BYTES));
    this.socket.messageHandler(input::onMessage);
    // after messageHandler: only then does pause() stop the connection itself (before, it would only
    // clear the demand of Vert.x's buffer queue, which this socket no longer uses)
    this.socket.pause();
    this.socket.readCompletionHandler(v -> input.readComplete());
    this.socket.closeHandler(v -> onClosed());
  }

  @Override
  public ReadStream<Buffer> input() {
    return input;
  }

  /** Writes go straight into the socket's channel; the relay's are Netty buffers, flushed once per read burst. */
  @Override
  public WriteStream<Buffer> output() {
    return output;
  }

  @Override
  public Upstream closeHandler(Handler<String> reasonHandler) {
    closeHandler = reasonHandler;
    return this;
  }

  private void onClosed() {
    input.ended();
    Handler<String> h = closeHandler;
    if (!closedByUs && h != null) h.handle(null);
  }

  @Override
  public Future<Void> close() {
    closedByUs = true;
    input.stopped();
    output.stop();
    return socket.close();
  }

  @Override
  public String describe() {
    return description;
  }
}
