package io.vncgate.gateway.engine;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
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
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;

/**
 * TLS started by the server in the middle of a plain TCP conversation (VeNCrypt on the TCP front):
 * Netty's TLS handler put first in the socket's pipeline once the clear-text go-ahead is written.
 * Done here rather than with Vert.x's {@code upgradeToSsl} because the session lifetime must be set
 * (see {@link #SESSION_TIMEOUT_SECONDS}) and Vert.x's TLS options have no such setting.
 */
public final class ServerTls {
  /**
   * Longer than a TLS 1.3 ticket may live (7 days, RFC 8446 4.6.1), so the JDK issues none: TigerVNC
   * 1.12 (GnuTLS) stalls when a NewSessionTicket and the next message reach it in one read.
   */
  static final long SESSION_TIMEOUT_SECONDS = 8L * 24 * 3600;

  private final SslContext context;

  private ServerTls(SslContext context) {
    this.context = context;
  }

  /** A server context (JDK provider) for the key manager's certificate, these protocols only. */
  public static ServerTls of(KeyManagerFactory keys, Set<String> protocols) throws SSLException {
    return new ServerTls(SslContextBuilder.forServer(keys)
        .sslProvider(SslProvider.JDK)
        .protocols(protocols)
        .sessionTimeout(SESSION_TIMEOUT_SECONDS)
        .build());
  }

  /**
   * Writes {@code goAhead} in the clear and, once it is written (on the event loop, before the
   * peer's answer can be read), puts TLS first in the pipeline; completes when the peer's TLS
   * handshake is done. Runs on the socket's context.
   */
  public Future<Void> start(NetSocket socket, Buffer goAhead) {
    ChannelHandlerContext ctx = ((NetSocketInternal) socket).channelHandlerContext();
    PromiseInternal<Void> done = ((ContextInternal) Vertx.currentContext()).promise();
    ctx.writeAndFlush(Unpooled.wrappedBuffer(goAhead.getBytes())).addListener(written -> {
      if (!written.isSuccess()) {
        done.tryFail(written.cause());
        return;
      }
      SslHandler tls = context.newHandler(ctx.alloc());
      ctx.pipeline().addFirst("server-tls", tls);
      tls.handshakeFuture().addListener(handshake -> {
        if (handshake.isSuccess()) done.tryComplete();
        else done.tryFail(handshake.cause());
      });
    });
    return done.future();
  }

  /** The TLS failure inside Netty's wrapping (a decoder exception around the SSLException). */
  public static Throwable cause(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof DecoderException || !(cause instanceof SSLException)) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
