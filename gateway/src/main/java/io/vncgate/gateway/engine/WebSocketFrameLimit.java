package io.vncgate.gateway.engine;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a WebSocket whose client broke the framing, with the status Netty's decoder names (1009
 * for a frame over {@code limits.websocket.max-frame}, 1002 for a protocol error) and a reason in
 * words. Without it Vert.x closes such a socket with 1000 and no reason. Sits in the channel just
 * before Vert.x's handler, which never sees the error.
 */
public final class WebSocketFrameLimit extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(WebSocketFrameLimit.class);
  private static final String NAME = "vncgate-frame-limit";

  private static final long CLOSE_DELAY_MS = 1_000;

  private final int maxFrameBytes;
  private boolean closing;

  private WebSocketFrameLimit(int maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Adds the handler to the channel of a just-upgraded WebSocket ({@code upgradedFrom}: its HTTP connection). */
  public static void install(HttpConnection upgradedFrom, int maxFrameBytes) {
    if (!(upgradedFrom instanceof ConnectionBase c)) return;
    ChannelPipeline p = c.channel().pipeline();
    if (p.get(NAME) == null && p.context("handler") != null) {
      p.addBefore("handler", NAME, new WebSocketFrameLimit(maxFrameBytes));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof CorruptedWebSocketFrameException e)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    WebSocketCloseStatus status = e.closeStatus() == null ? WebSocketCloseStatus.PROTOCOL_ERROR : e.closeStatus();
    String reason = status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()
        ? "a WebSocket frame is larger than the gateway accepts (limits.websocket.max-frame: " + maxFrameBytes + " bytes)"
        : "WebSocket protocol error: " + e.getMessage();
    log.info("closing WebSocket from {} with {}: {}", ctx.channel().remoteAddress(), status.code(), reason);
    // written from here, toward the socket, past Vert.x's handler (which would close with 1000).
    // The socket closes a moment later, not at once: the client may still be sending the rest of
    // the frame (the decoder now skips it), and closing on unread bytes would reset the connection
    // and could lose the close frame on its way
    if (closing) return;
    closing = true;
    ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), WebSocketStreams.truncate(reason)))
        .addListener(f -> ctx.executor().schedule(() -> {
          ctx.close();
        }, CLOSE_DELAY_MS, TimeUnit.MILLISECONDS));
  }
}
