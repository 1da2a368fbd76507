package io.vncgate.gateway.front;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.engine.ServerTls;
import io.vncgate.gateway.engine.SocketStreams;
import io.vncgate.gateway.relay.Admission;
import io.vncgate.gateway.relay.RelayServices;
import io.vncgate.gateway.relay.ViewerConnection;
import io.vncgate.gateway.rfb.ViewerHandshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP front for native viewers (TigerVNC vncviewer, remote-viewer): VNC authentication whose
 * password is a one-shot ticket. Loopback by default ({@code server.tcp.host}). With
 * {@code server.tcp.tls} {@code offer} or {@code require}, VeNCrypt X509Vnc: TLS on the same
 * socket with {@code server.tls}'s certificate of the moment (reloads included), then VNC auth.
 */
public final class TcpFront extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(TcpFront.class);

  private final RelayServices services;
  private final ConnectionLimiter limiter;
  private final Admission admission;
  private final ViewerHandshake.Security security;
  /** server.tls's pair of the moment for VeNCrypt; null without server.tls. */
  private volatile ServerTls sslContext;
  private final TlsFiles startTls;
  private NetServer server;

  /** @param limiter the connection caps shared with the HTTP front */
  public TcpFront(RelayServices services, ConnectionLimiter limiter) {
    this(services, limiter, null);
  }

  /**
   * @param limiter the connection caps shared with the HTTP front
   * @param tls server.tls's certificate and key as read at start (null without server.tls), for
   *     VeNCrypt when {@code server.tcp.tls} is not {@code off}
   */
  public TcpFront(RelayServices services, ConnectionLimiter limiter, TlsFiles tls) {
    this.services = services;
    this.limiter = limiter;
    this.admission = new Admission(services);
    GatewayConfig.TcpTls mode = services.config().server().tcp().tls();
    if (mode != GatewayConfig.TcpTls.OFF && tls == null) {
      throw new IllegalStateException("server.tcp.tls " + mode.value() + " without server.tls");
    }
    this.security = switch (mode) {
      case OFF -> ViewerHandshake.Security.VNC_AUTH;
      case OFFER -> ViewerHandshake.Security.VENCRYPT_OR_VNC_AUTH;
      case REQUIRE -> ViewerHandshake.Security.VENCRYPT;
    };
    this.startTls = mode == GatewayConfig.TcpTls.OFF ? null : tls;
  }

  /** For the start-up log: what the front offers. */
  public static String describe(GatewayConfig.TcpTls mode) {
    return switch (mode) {
      case OFF -> "no TLS";
      case OFFER -> "VeNCrypt X509Vnc (TLS 1.2, 1.3 with server.tls's certificate) or plain VNC auth";
      case REQUIRE -> "VeNCrypt X509Vnc required (TLS 1.2, 1.3 with server.tls's certificate)";
    };
  }

  /** New VeNCrypt connections get {@code files}; those open keep theirs. */
  Future<Boolean> updateTls(TlsFiles files) {
    if (security == ViewerHandshake.Security.VNC_AUTH) return Future.succeededFuture(false);
    try {
      sslContext = VeNCryptTls.context(vertx, files);
      return Future.succeededFuture(true);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<?> start() {
    var tcp = services.config().server().tcp();
    if (startTls != null) sslContext = VeNCryptTls.context(vertx, startTls);
    server = vertx.createNetServer(new NetServerOptions()
        .setHost(tcp.host())
        .setPort(tcp.port())
        .setTcpNoDelay(true)
        .setTcpQuickAck(true)); // else Vert.x on epoll puts viewer sockets in delayed-ACK mode (see TcpConnector)
    return server
        .connectHandler(this::connected)
        .listen();
  }

  /**
   * A native viewer: counted against the connection caps and checked against the ticket throttle,
   * then given the ticket login; refused with an RFB failure reason otherwise (the socket is not
   * read for a ticket). Its pre-login time is bounded by {@code server.handshake-timeout}.
   */
  private void connected(NetSocket socket) {
    String address = HttpGuard.addressOf(socket.remoteAddress());
    String refusal = limiter.tryOpen(address);
    if (refusal == null) {
      SocketStreams.onClosed(socket, () -> limiter.release(address));
      refusal = admission.throttled(address).orElse(null);
      if (refusal == null) {
        ViewerConnection.nativeViewer(services, admission, new TcpViewerChannel(socket, () -> sslContext), security)
            .start();
        return;
      }
    }
    long unlogged = limiter.logRefusal();
    if (unlogged >= 0) {
      log.info("native viewer from {} refused: {}{}", socket.remoteAddress(), refusal,
          unlogged > 0 ? " (and " + unlogged + " more refusals since the last such line)" : "");
    } else {
      log.debug("native viewer from {} refused: {}", socket.remoteAddress(), refusal);
    }
    RfbRefusal.tell(vertx, socket, refusal);
  }

  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
