package io.vncgate.testbeds.bench;

import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.NetClient;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One viewer of a class start: opens its way to the Xvnc, asks for the whole screen
 * (non-incremental FramebufferUpdateRequest) as soon as the handshake is done, and times from the
 * start of its connect to the end of the FramebufferUpdate that answers. Viewers ask for ZRLE
 * then Raw, as TigerVNC's and noVNC's viewers prefer a compressed encoding.
 */
final class ClassViewer {
  /** How a viewer reaches the Xvnc. */
  enum Way {
    /** TCP straight to Xvnc, VNC authentication with the Xvnc password. */
    DIRECT("direct"),
    /** WebSocket through websockify, VNC authentication with the Xvnc password. */
    WEBSOCKIFY("websockify"),
    /** A browser: vncgate's WebSocket front, ticket in the subprotocol, security None. */
    VNCGATE_WS("vncgate-ws"),
    /** A native viewer: vncgate's TCP front, VNC authentication with the ticket as password. */
    VNCGATE_TCP("vncgate-tcp");

    final String label;

    Way(String label) {
      this.label = label;
    }

    boolean needsTicket() {
      return this == VNCGATE_WS || this == VNCGATE_TCP;
    }
  }

  /** Where the ways lead: the Xvnc, websockify and the gateway's two fronts. */
  record Ports(int xvnc, int websockify, int gatewayHttp, int gatewayTcp) {
  }

  /** How one viewer ended: the time to its first framebuffer in ns, or the reason it got none. */
  record Outcome(Way way, long nanos, String failure) {
    boolean ok() {
      return failure == null;
    }
  }

  static final long FIRST_FRAME_TIMEOUT_S = 60;

  private final NetClient client;
  private final EventLoop loop;
  private final Ports ports;

  ClassViewer(NetClient client, EventLoop loop, Ports ports) {
    this.client = client;
    this.loop = loop;
    this.ports = ports;
  }

  /**
   * Connects one viewer (call on the viewers' loop) and completes, never failing, with its outcome.
   * The clock starts here: for a gateway viewer the ticket was issued before.
   * {@code opened} receives the viewer, to be closed after the scenario.
   */
  Future<Outcome> open(Way way, String ticket, List<RfbViewer> opened) {
    long t0 = System.nanoTime();
    RfbViewer v = new RfbViewer(switch (way) {
      case DIRECT, WEBSOCKIFY -> ClassTarget.PASSWORD;
      case VNCGATE_WS -> null;
      case VNCGATE_TCP -> ticket;
    });
    v.encodings(RfbViewer.ZRLE, RfbViewer.RAW);
    opened.add(v);
    Promise<Long> first = Promise.promise();
    v.listener((viewer, bytes) -> first.tryComplete(System.nanoTime() - t0));
    Future<Void> linked = switch (way) {
      case DIRECT -> TcpLink.connect(client, ports.xvnc(), v);
      case WEBSOCKIFY -> WsLink.connect(client, ports.websockify(), "/", List.of("binary"), v);
      case VNCGATE_WS -> WsLink.connect(client, ports.gatewayHttp(), "/ws/v1/connect",
          List.of("binary", "vncgate.ticket." + ticket), v);
      case VNCGATE_TCP -> TcpLink.connect(client, ports.gatewayTcp(), v);
    };
    linked.compose(x -> v.ready()).onComplete(r -> {
      if (r.succeeded()) v.requestFullScreen();
      else {
        first.tryFail(r.cause().getMessage());
        v.linkClosed(r.cause().getMessage()); // a connect that failed never had a link to close
      }
    });
    v.closed().onComplete(r -> first.tryFail(r.result() == null ? "connection closed" : r.result()));
    var timer = loop.schedule(() -> first.tryFail("no first framebuffer within " + FIRST_FRAME_TIMEOUT_S + " s"),
        FIRST_FRAME_TIMEOUT_S, TimeUnit.SECONDS);
    return first.future().transform(r -> {
      timer.cancel(false);
      return Future.succeededFuture(r.succeeded() ? new Outcome(way, r.result(), null)
          : new Outcome(way, -1, r.cause() == null ? "failed" : String.valueOf(r.cause().getMessage())));
    });
  }
}
