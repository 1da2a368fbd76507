package io.vncgate.gateway.front;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vncgate.gateway.config.ConfigException;

/**
 * TLS for VeNCrypt on the TCP front: server.tls's certificate and key (as {@link TlsFiles} read and
 * checked them, reloads included), TLS 1.2 and 1.3 as on the HTTP port, JDK provider.
 *
 * <p>Netty's TLS handler is put in the socket's pipeline here rather than by Vert.x's
 * {@code upgradeToSsl} for one reason: TLS 1.3 session tickets. TigerVNC's viewer (1.12, GnuTLS)
 * stalls when the server's NewSessionTicket and the VNC-auth challenge reach it in one read: it
 * handles the ticket, finds its socket empty, and waits for bytes it already holds. A native
 * viewer cannot resume a session anyway (every connection redeems a new one-shot ticket), so none
 * is issued: the JDK sends no ticket when the session lifetime exceeds the seven days a ticket may
 * live (RFC 8446, 4.6.1), and Vert.x's TLS options have no setting for the session lifetime.
 */
final class VeNCryptTls {
  /** Longer than a TLS 1.3 ticket may live (7 days), so the JDK issues none. */
  static final long SESSION_TIMEOUT_SECONDS = 8L * 24 * 3600;

  private VeNCryptTls() {}

  /** A server context for {@code files}; a problem is a {@link ConfigException} naming server.tls. */
  static SslContext context(Vertx vertx, TlsFiles files) {
    try {
      return SslContextBuilder.forServer(files.keyCertOptions().getKeyManagerFactory(vertx))
          .sslProvider(SslProvider.JDK)
          .protocols(TlsFiles.PROTOCOLS)
          .sessionTimeout(SESSION_TIMEOUT_SECONDS)
          .build();
    } catch (Exception e) {
      throw new ConfigException("server.tls: the certificate and key cannot be used for the TCP front's TLS: "
          + e.getMessage());
    }
  }

  /**
   * Writes {@code goAhead} in the clear and, once it is written (on the event loop, before the
   * viewer's answer can be read), puts TLS first in the pipeline; completes when the viewer's TLS
   * handshake is done. Runs on the socket's context.
   */
  static Future<Void> start(NetSocket socket, SslContext context, Buffer goAhead) {
    ChannelHandlerContext ctx = ((NetSocketInternal) socket).channelHandlerContext();
    PromiseInternal<Void> done = ((ContextInternal) Vertx.currentContext()).promise();
    ctx.writeAndFlush(Unpooled.wrappedBuffer(goAhead.getBytes())).addListener(written -> {
      if (!written.isSuccess()) {
        done.tryFail(written.cause());
        return;
      }
      SslHandler tls = context.newHandler(ctx.alloc());
      ctx.pipeline().addFirst("vencrypt-tls", tls);
      tls.handshakeFuture().addListener(handshake -> {
        if (handshake.isSuccess()) done.tryComplete();
        else done.tryFail(handshake.cause());
      });
    });
    return done.future();
  }
}
