package io.vncgate.gateway.front;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vncgate.gateway.engine.SocketStreams;
import io.vncgate.gateway.relay.Admission;
import io.vncgate.gateway.relay.RelayServices;
import io.vncgate.gateway.relay.ViewerConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP front for native viewers (TigerVNC vncviewer, remote-viewer): VNC authentication whose
 * password is a one-shot ticket. Loopback by default ({@code server.tcp.host}).
 */
public final class TcpFront extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(TcpFront.class);

  private final RelayServices services;
  private final ConnectionLimiter limiter;
  private final Admission admission;
  private NetServer server;

  /** @param limiter the connection caps shared with the HTTP front */
  public TcpFront(RelayServices services, ConnectionLimiter limiter) {
    this.services = services;
    this.limiter = limiter;
    this.admission = new Admission(services);
  }

  @Override
  public Future<?> start() {
    var tcp = services.config().server().tcp();
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
        ViewerConnection.nativeViewer(services, admission, new TcpViewerChannel(socket)).start();
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
