package io.vncgate.gateway.front;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vncgate.gateway.relay.RelayServices;
import io.vncgate.gateway.relay.TcpViewerChannel;
import io.vncgate.gateway.relay.ViewerConnection;

/**
 * The TCP front for native viewers (TigerVNC vncviewer, remote-viewer): VNC authentication whose
 * password is a one-shot ticket. Loopback by default ({@code server.tcp.host}).
 */
public final class TcpFront extends VerticleBase {
  private final RelayServices services;
  private NetServer server;

  public TcpFront(RelayServices services) {
    this.services = services;
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
        .connectHandler(socket -> ViewerConnection.withTicketAuth(services, new TcpViewerChannel(socket)).start())
        .listen();
  }

  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
