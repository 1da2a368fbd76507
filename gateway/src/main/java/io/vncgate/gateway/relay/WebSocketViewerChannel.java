package io.vncgate.gateway.relay;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.transport.ForwardingReadStream;
import java.nio.charset.StandardCharsets;

/**
 * A browser on the WebSocket front. Reads binary (and continuation) frames only: a text frame
 * closes the socket with 1003 and a reason, as websockify does. Each write goes out as one binary
 * frame through {@link ChannelOutput} (server reads relayed without a copy, one frame per read).
 */
public final class WebSocketViewerChannel implements ViewerChannel {
  /** RFC 6455: a close frame's reason is at most 123 bytes of UTF-8. */
  static final int MAX_CLOSE_REASON_BYTES = 123;

  private final ServerWebSocket ws;
  private final BinaryInput input;
  /** Null when the socket's Netty channel cannot be reached: then writes go through Vert.x (copied). */
  private final ChannelOutput output;
  private boolean closing;

  public WebSocketViewerChannel(ServerWebSocket ws) {
    this(ws, null);
  }

  /**
   * @param upgradedFrom the HTTP connection the WebSocket came from: how its Netty channel is found
   *     when {@code ws} is a wrapper (vertx-web wraps the sockets of routed upgrades)
   */
  public WebSocketViewerChannel(ServerWebSocket ws, HttpConnection upgradedFrom) {
    this.ws = ws;
    this.input = new BinaryInput();
    ChannelHandlerContext ctx = nettyContext(ws, upgradedFrom);
    this.output = ctx == null ? null : new ChannelOutput(ctx, true, ws::end);
    ws.frameHandler(this::onFrame);
  }

  /** The context of Vert.x's WebSocket handler ("handler", the pipeline's last) or null. */
  private static ChannelHandlerContext nettyContext(ServerWebSocket ws, HttpConnection upgradedFrom) {
    if (ws instanceof WebSocketInternal w) return w.channelHandlerContext();
    if (upgradedFrom instanceof ConnectionBase c) return c.channel().pipeline().context("handler");
    return null;
  }

  private void onFrame(WebSocketFrame frame) {
    if (frame.isText()) {
      close((short) 1003, "text frames are not accepted: send RFB in binary frames");
    } else if ((frame.isBinary() || frame.isContinuation()) && input.handler != null && !closing) {
      input.handler.handle(frame.binaryData());
    }
  }

  @Override
  public ReadStream<Buffer> input() {
    return input;
  }

  @Override
  public WriteStream<Buffer> output() {
    return output != null ? output : ws;
  }

  @Override
  public void close(Status status, String reason) {
    close(status.closeCode(), reason);
  }

  @Override
  public void close() {
    close((short) 1000, "");
  }

  private void close(short code, String reason) {
    if (closing) return;
    closing = true;
    if (output != null) output.stop();
    if (!ws.isClosed()) ws.close(code, truncate(reason));
  }

  /** Cuts a reason to what fits a close frame, on a character boundary. */
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

  @Override
  public String front() {
    return "ws";
  }

  @Override
  public String remote() {
    return String.valueOf(ws.remoteAddress());
  }

  /** The binary payload stream; flow control is the socket's own. */
  private final class BinaryInput extends ForwardingReadStream {
    private Handler<Buffer> handler;

    BinaryInput() {
      super(ws);
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> h) {
      handler = h;
      return this;
    }
  }
}
