package io.vncgate.gateway.transport;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vncgate.spi.Route;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;

/** Plain TCP to the VNC server. */
public final class TcpConnector implements Connector {
  private final NetClient client;

  public TcpConnector(Vertx vertx, Duration connectTimeout) {
    this.client = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout((int) connectTimeout.toMillis())
        .setTcpNoDelay(true)
        // Vert.x on epoll sets TCP_QUICKACK to this (false unless told), and a socket set to false
        // enters delayed-ACK mode before connect(): the handshake's last ACK then waits for the
        // 200 ms delayed-ACK timer, and with it the server's accept() and its banner (issue #13)
        .setTcpQuickAck(true)
        .setTcpKeepAlive(true));
  }

  @Override
  public Future<Upstream> connect(Route route) {
    if (!(route instanceof Route.Tcp tcp)) {
      return Future.failedFuture(new TransportException("TCP connector cannot open " + route.describe()));
    }
    return client.connect(tcp.port(), tcp.host())
        .<Upstream>map(socket -> new NetSocketUpstream(socket, tcp.describe()))
        .recover(e -> Future.failedFuture(new TransportException(describe(e))));
  }

  /** A failure to connect in words, e.g. "connection refused". */
  static String describe(Throwable e) {
    if (e instanceof UnknownHostException) return "unknown host " + e.getMessage();
    if (e instanceof NoRouteToHostException) return "no route to host";
    if (e instanceof ConnectException) {
      // Netty's own connect timeout is a ConnectException "connection timed out after N ms: address"
      String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase();
      if (m.contains("timed out")) return "connection timed out";
      if (m.contains("refused")) return "connection refused";
      if (m.contains("unreachable")) return "network unreachable";
      return "cannot connect";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
