package io.vncgate.gateway.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * A browser's WebSocket as two streams for the relay: the payload of its binary (and continuation)
 * frames, and its writes, each one binary frame. Binary frames are taken from the Netty pipeline
 * before Vert.x sees them ({@link BinaryFrames}): their payload reaches the relay as the Netty
 * buffer it was decoded into, not copied into a Vert.x buffer; Vert.x still answers pings and does
 * the closing handshake. Writes go through {@link ChannelOutput} (server reads relayed without a
 * copy, one frame per read). A text frame is not read: it is reported to {@code onTextFrame}.
 * Made on the socket's context, before anything of it is read.
 */
public final class WebSocketStreams {
  /** RFC 6455: a close frame's reason is at most 123 bytes of UTF-8. */
  static final int MAX_CLOSE_REASON_BYTES = 123;
  private static final String BINARY_FRAMES_HANDLER = "vncgate-binary-frames";

  private final ServerWebSocket ws;
  private final ReadStream<Buffer> input;
  /** Null when the socket's Netty channel cannot be reached. */
  private final BinaryFrames frames;
  /** Null when the socket's Netty channel cannot be reached: then frames and writes go through Vert.x (copied). */
  private final ChannelOutput output;
  private final Runnable onTextFrame;
  private boolean closing;

  /**
   * @param upgradedFrom the HTTP connection the WebSocket came from: how its Netty channel is found
   *     when {@code ws} is a wrapper (vertx-web wraps the sockets of routed upgrades)
   * @param onTextFrame run on a text frame (RFB goes in binary frames)
   */
  public WebSocketStreams(ServerWebSocket ws, HttpConnection upgradedFrom, Runnable onTextFrame) {
    this.ws = ws;
    this.onTextFrame = onTextFrame;
    ChannelHandlerContext ctx = nettyContext(ws, upgradedFrom);
    if (ctx == null) {
      this.frames = null;
      this.input = new VertxBinaryInput();
      this.output = null;
    } else {
      this.frames = new BinaryFrames(ctx.channel());
      this.input = frames.input;
      this.output = new ChannelOutput(ctx, true, ws::end);
      ctx.pipeline().addBefore(ctx.name(), BINARY_FRAMES_HANDLER, frames);
    }
    ws.frameHandler(this::onFrame);
  }

  /** The context of Vert.x's WebSocket handler ("handler", the pipeline's last) or null. */
  private static ChannelHandlerContext nettyContext(ServerWebSocket ws, HttpConnection upgradedFrom) {
    if (ws instanceof WebSocketInternal w) return w.channelHandlerContext();
    if (upgradedFrom instanceof ConnectionBase c) return c.channel().pipeline().context("handler");
    return null;
  }

  /** The frames Vert.x sees: all but binary ones, unless the channel could not be reached. */
  private void onFrame(WebSocketFrame frame) {
    if (frame.isText()) {
      onTextFrame.run();
    } else if ((frame.isBinary() || frame.isContinuation()) && input instanceof VertxBinaryInput in
        && in.handler != null && !closing) {
      in.handler.handle(frame.binaryData());
    }
  }

  public ReadStream<Buffer> input() {
    return input;
  }

  public WriteStream<Buffer> output() {
    return output != null ? output : ws;
  }

  /** Readies the output for the relay: large server payloads spliced into it where allowed ({@link ZeroCopy}). */
  public void prepareForRelay(ZeroCopy mode) {
    if (output != null) output.prepareForRelay(mode);
  }

  /** What waits for the browser kept short ({@link ChannelOutput#shortQueues}); Vert.x's own socket keeps its queue. */
  public void shortQueues() {
    if (output != null) output.shortQueues();
  }

  /**
   * The socket is being closed: nothing more is read for the relay or written, and the socket is
   * read again if the relay had paused it (the closing handshake needs the viewer's close frame).
   * Idempotent.
   */
  public void closing() {
    if (closing) return;
    closing = true;
    if (output != null) output.stop();
    if (frames != null) frames.resume();
  }

  /** Cuts a close reason to what fits a close frame, on a character boundary. */
  public static String truncate(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason;
    StringBuilder sb = new StringBuilder();
    int used = 0;
    for (int i = 0; i < reason.length(); ) {
      int cp = reason.codePointAt(i);
      int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (used + n > MAX_CLOSE_REASON_BYTES - 3) break;
      sb.appendCodePoint(cp);
      used += n;
      i += Character.charCount(cp);
    }
    return sb.append("...").toString();
  }

  /**
   * Takes binary and continuation frames out of the channel before
   * Vert.x's handler and hands their payload to {@link #input} as it is; text, close, ping and pong
   * frames go on to Vert.x. Paused, it stops the channel reading and keeps the frames already
   * decoded until resumed, so nothing is lost or reordered. Runs on the channel's event loop.
   */
  private final class BinaryFrames extends ChannelInboundHandlerAdapter implements ReadStream<Buffer> {
    final ByteBufInput input;
    private final Channel channel;
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
    private boolean paused;

    BinaryFrames(Channel channel) {
      this.channel = channel;
      this.input = new ByteBufInput(this, channel);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      // a text frame goes to Vert.x and closes the socket there and then (onFrame): the rest of its
      // message, and everything after it, is dropped below as the socket is closing
      if (!(msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame)) {
        ctx.fireChannelRead(msg);
        return;
      }
      ByteBuf payload = ((ByteBufHolder) msg).content();
      if (closing) {
        payload.release();
      } else if (paused || !held.isEmpty()) {
        held.add(payload);
      } else {
        input.onMessage(payload);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      input.readComplete();
      ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      drop();
      // Vert.x first: the relay, told of the end, closes the socket, which Vert.x must already know is closed
      ctx.fireChannelInactive();
      input.ended();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      drop();
    }

    private void drop() {
      ByteBuf b;
      while ((b = held.poll()) != null) b.release();
    }

    @Override
    public ReadStream<Buffer> pause() {
      paused = true;
      channel.config().setAutoRead(false);
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      return fetch(Long.MAX_VALUE);
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      if (amount <= 0) return this;
      paused = false;
      ByteBuf b;
      while (!paused && (b = held.poll()) != null) {
        if (closing) b.release();
        else input.onMessage(b);
      }
      if (!paused) channel.config().setAutoRead(true);
      return this;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
      ws.exceptionHandler(h);
      return this;
    }

    /** Bytes go to {@link #input}, which has its own handler. */
    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> h) {
      return this;
    }

    /** The end is {@link #input}'s, told from {@link #channelInactive}. */
    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> h) {
      return this;
    }
  }

  /** Without the Netty channel: binary payloads as Vert.x delivers them (copied); flow control is the socket's. */
  private final class VertxBinaryInput extends ForwardingReadStream {
    private Handler<Buffer> handler;

    VertxBinaryInput() {
      super(ws);
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> h) {
      handler = h;
      return this;
    }
  }
}
