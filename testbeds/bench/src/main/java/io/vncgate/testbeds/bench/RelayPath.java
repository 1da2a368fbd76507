package io.vncgate.testbeds.bench;

import io.vertx.core.Future;
import io.vertx.core.net.NetClient;
import java.util.List;
import java.util.function.Supplier;

/** One way from a bench viewer to the synthetic server, and the process relaying it (none for direct). */
final class RelayPath {
  static final String DIRECT = "direct";
  static final String WEBSOCKIFY = "websockify";
  static final String WEBSOCKIFY_JS = "websockify-js";
  static final String VNCGATE_WS = "vncgate-ws";
  static final String VNCGATE_TCP = "vncgate-tcp";
  /** The WebSocket front to the fan-out target: every viewer on the gateway's one upstream, served from its framebuffer. */
  static final String VNCGATE_FANOUT = "vncgate-fanout";
  static final List<String> ALL = List.of(DIRECT, WEBSOCKIFY, WEBSOCKIFY_JS, VNCGATE_WS, VNCGATE_TCP, VNCGATE_FANOUT);

  final String name;
  final String description;
  final RelayProcess relay;
  private final Supplier<Future<RfbViewer>> opener;

  private RelayPath(String name, String description, RelayProcess relay, Supplier<Future<RfbViewer>> opener) {
    this.name = name;
    this.description = description;
    this.relay = relay;
    this.opener = opener;
  }

  /** Connects a viewer and completes when its RFB handshake is done. */
  Future<RfbViewer> open() {
    return opener.get();
  }

  static RelayPath direct(NetClient client, int serverPort) {
    return new RelayPath(DIRECT, "TCP straight to the VNC server (the limit)", null, () -> {
      RfbViewer v = new RfbViewer(null);
      return TcpLink.connect(client, serverPort, v).compose(x -> v.ready()).map(v);
    });
  }

  static RelayPath websockify(NetClient client, WebsockifyProcess w) {
    return new RelayPath(WEBSOCKIFY, "WebSocket through websockify " + WebsockifyProcess.version(), w, () -> {
      RfbViewer v = new RfbViewer(null);
      return WsLink.connect(client, w.port, "/", List.of("binary"), v).compose(x -> v.ready()).map(v);
    });
  }

  static RelayPath websockifyJs(NetClient client, WebsockifyJsProcess w, String version) {
    return new RelayPath(WEBSOCKIFY_JS, "WebSocket through " + version, w, () -> {
      RfbViewer v = new RfbViewer(null);
      return WsLink.connect(client, w.port, "/", List.of("binary"), v).compose(x -> v.ready()).map(v);
    });
  }

  static RelayPath vncgateWs(NetClient client, GatewayProcess g, Tickets tickets) {
    return new RelayPath(VNCGATE_WS, "WebSocket through vncgate (ticket in the subprotocol)", g, () -> tickets.next()
        .compose(ticket -> {
          RfbViewer v = new RfbViewer(null);
          return WsLink.connect(client, g.httpPort, "/ws/v1/connect", List.of("binary", "vncgate.ticket." + ticket), v)
              .compose(x -> v.ready()).map(v);
        }));
  }

  /**
   * The WebSocket front, as {@link #vncgateWs}, to {@link GatewayProcess#FAN_OUT_TARGET}: the gateway is
   * the synthetic server's one client and answers each viewer from its copy of the desktop.
   */
  static RelayPath vncgateFanout(NetClient client, GatewayProcess g, Tickets tickets) {
    return new RelayPath(VNCGATE_FANOUT, "WebSocket through vncgate to a fan-out target (one upstream, the gateway's framebuffer"
        + " re-encoded per viewer)", g, () -> tickets.next(GatewayProcess.FAN_OUT_TARGET)
        .compose(ticket -> {
          RfbViewer v = new RfbViewer(null);
          return WsLink.connect(client, g.httpPort, "/ws/v1/connect", List.of("binary", "vncgate.ticket." + ticket), v)
              .compose(x -> v.ready()).map(v);
        }));
  }

  boolean fanOut() {
    return name.equals(VNCGATE_FANOUT);
  }

  static RelayPath vncgateTcp(NetClient client, GatewayProcess g, Tickets tickets) {
    return new RelayPath(VNCGATE_TCP, "TCP through vncgate's native-viewer front (VNC auth, ticket as password)", g,
        () -> tickets.next().compose(ticket -> {
          RfbViewer v = new RfbViewer(ticket);
          return TcpLink.connect(client, g.tcpPort, v).compose(x -> v.ready()).map(v);
        }));
  }
}
