package io.vncgate.gateway.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * The bytes to one end of a relay, written straight into its Netty channel: as they are (TCP) or
 * each write as one binary WebSocket frame (a browser). Every write goes through here, in order,
 * from the first handshake byte; Vert.x's socket is only used to close. A read of the other end is
 * taken as the Netty buffer it arrived in ({@link ByteBufSink}), without a copy, and a read burst
 * is flushed once; once {@link #prepareForRelay allowed}, bytes spliced from the other end's socket
 * are queued in order with the rest ({@link SpliceWriter}). {@link #writeQueueFull()} is the
 * channel's writability (Netty's write-buffer water marks) or a full splice pipe. Runs on the
 * channel's event loop.
 */
final class ChannelOutput implements ByteBufSink {
  private static final String WRITABILITY_HANDLER = "vncgate-writability";

  /**
   * How much may wait in the gateway for one end before the other's socket is no longer read
   * (Netty's default is 32/64 KiB, far less than one server read, so the relay would pause after
   * every read). A slow viewer holds at most this plus one read (1 MiB): about 2 MiB, in buffers
   * close to their size ({@code ByteBufPipe.compact}). Higher marks were no faster
   * (docs/performance.md, "Where the time goes", 4).
   */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 * 1024, 1024 * 1024);

  /**
   * The send buffer asked for a loopback peer when the relay reads and writes (Linux doubles it,
   * for its bookkeeping, to 1 MiB). The kernel's own sizing grows it to 4 MiB under load, which
   * on loopback is far more than is ever in flight (the round trip is microseconds) and is slow
   * under the congestion control {@code bbr}, which paces loopback flows: each send then also does
   * much of the paced transmission and the ACK processing, with interrupts off. Figures:
   * docs/performance.md, "What the gateway does about it".
   */
  static final int LOOPBACK_SEND_BUFFER = 512 * 1024;

  /** Unsent bytes the kernel holds at most for a sender that writes unasked ({@link #shortQueues}). */
  static final int SHORT_UNSENT = 128 * 1024;
  /** Bytes waiting in the gateway at which such a sender's channel is full ({@link #shortQueues}). */
  static final int SHORT_QUEUE = 64 * 1024;

  private final ChannelHandlerContext ctx;
  private final boolean webSocket;
  private final ContextInternal context;
  private final Supplier<Future<Void>> end;
  private final ChannelPromise quiet;
  /** Null unless bytes may be spliced into this channel. */
  private SpliceWriter splice;
  private Handler<Void> drainHandler;
  private boolean stopped;

  /**
   * @param ctx the context of Vert.x's handler (the last in the pipeline), so writes pass every
   *     outbound handler (WebSocket encoder, TLS)
   * @param end how the Vert.x socket ends (flushes, then closes)
   */
  ChannelOutput(ChannelHandlerContext ctx, boolean webSocket, Supplier<Future<Void>> end) {
    this.ctx = ctx;
    this.webSocket = webSocket;
    this.context = (ContextInternal) Vertx.currentContext();
    if (context == null) throw new IllegalStateException("a channel output is made on its connection's Vert.x context");
    this.end = end;
    this.quiet = new VoidChannelPromise(ctx.channel(), false);
    ctx.channel().config().setWriteBufferWaterMark(WATER_MARK);
    ctx.pipeline().addBefore(ctx.name(), WRITABILITY_HANDLER, new ChannelInboundHandlerAdapter() {
      @Override
      public void channelWritabilityChanged(ChannelHandlerContext c) {
        drained();
        c.fireChannelWritabilityChanged();
      }
    });
  }

  /**
   * Readies this channel for a server's bytes: spliced into it from the server's socket when its
   * socket allows and {@code mode} says so for it ({@link ZeroCopy}); otherwise, when the other end
   * is on this machine (a reverse proxy, the benchmark), with a send buffer of
   * {@value #LOOPBACK_SEND_BUFFER} bytes. Whether bytes may be spliced.
   */
  boolean prepareForRelay(ZeroCopy mode) {
    if (splice == null) splice = SpliceWriter.of(ctx, webSocket, mode, this::drained);
    if (splice == null && ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
        && a.getAddress().isLoopbackAddress()) {
      ctx.channel().config().setOption(ChannelOption.SO_SNDBUF, LOOPBACK_SEND_BUFFER);
    }
    return splice != null;
  }

  /**
   * For a sender that writes without being asked (a fan-out viewer's continuous updates), whose
   * next write waits only for {@link #writeQueueFull()}: at most {@value #SHORT_UNSENT} bytes wait
   * unsent in the kernel (TCP_NOTSENT_LOWAT, on the epoll transport), and the channel is full once
   * {@value #SHORT_QUEUE} wait in the gateway. A slow viewer then has about that much queued
   * (plus what is in flight), not 1 MiB plus the kernel's send buffer of up to 4 MiB, which at a
   * viewer's pace would be seconds of picture behind. Nothing on a channel that has closed (its
   * socket takes no option; the viewer is gone).
   */
  void shortQueues() {
    Channel channel = ctx.channel();
    if (!channel.isOpen()) return;
    if (channel instanceof EpollSocketChannel tcp) tcp.config().setTcpNotSentLowAt(SHORT_UNSENT);
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(SHORT_QUEUE / 2, SHORT_QUEUE));
  }

  private void drained() {
    Handler<Void> h = drainHandler;
    if (h != null && !writeQueueFull()) h.handle(null);
  }

  /** After the other end is told to go away (e.g. a WebSocket close frame is on its way) nothing more is written. */
  void stop() {
    stopped = true;
  }

  @Override
  public boolean acceptsByteBufs() {
    return !stopped;
  }

  @Override
  public void writeByteBuf(ByteBuf buf) {
    if (stopped) {
      buf.release();
      return;
    }
    ctx.write(webSocket ? new BinaryWebSocketFrame(buf) : buf, quiet);
  }

  @Override
  public void flush() {
    ctx.flush();
  }

  @Override
  public long spliceable() {
    return splice == null || stopped ? 0 : splice.room();
  }

  @Override
  public int spliceFrom(FileDescriptor socket, long max) throws IOException {
    return splice == null || stopped ? 0 : splice.spliceFrom(socket, max);
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (stopped) return context.failedFuture("the connection is closing");
    // as NetSocket.write does: the buffer's bytes are written as they are, not copied
    ByteBuf buf = ((BufferInternal) data).getByteBuf();
    PromiseInternal<Void> promise = context.promise();
    ChannelPromise written = ctx.newPromise();
    written.addListener(f -> {
      if (f.isSuccess()) promise.tryComplete();
      else promise.tryFail(f.cause());
    });
    ctx.writeAndFlush(webSocket ? new BinaryWebSocketFrame(buf) : buf, written);
    return promise.future();
  }

  @Override
  public Future<Void> end() {
    stopped = true;
    return end.get();
  }

  @Override
  public ChannelOutput exceptionHandler(Handler<Throwable> handler) {
    // write failures mean the connection is gone; its input reports that
    return this;
  }

  @Override
  public ChannelOutput setWriteQueueMaxSize(int maxSize) {
    int high = Math.max(maxSize, 2);
    ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
    return this;
  }

  /** Not when the channel is closed: it will never drain, and what is written to it is dropped. */
  @Override
  public boolean writeQueueFull() {
    Channel channel = ctx.channel();
    return (!channel.isWritable() || splice != null && splice.full()) && channel.isActive();
  }

  @Override
  public ChannelOutput drainHandler(Handler<Void> handler) {
    drainHandler = handler;
    return this;
  }
}
