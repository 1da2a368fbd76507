package io.vncgate.testbeds.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs one soak cycle of each kind against the gateway. A cycle completes with what happened in
 * a few words when the gateway behaved as it should, and fails with what it did instead. All but
 * {@link SoakCycle#SERVER_KILLED} run on the client's event loop.
 */
final class SoakRunner {
  static final int UPDATES = 3;
  private static final String WS_PATH = "/ws/v1/connect";

  private final Vertx vertx;
  private final NetClient net;
  private final GatewayProcess gateway;
  private final SoakTargets targets;
  private final io.vertx.core.Context context;
  private Tickets tickets;

  /** @param context the client's event-loop context, where the cycles run */
  SoakRunner(Vertx vertx, io.vertx.core.Context context, NetClient net, GatewayProcess gateway, SoakTargets targets) {
    this.vertx = vertx;
    this.net = net;
    this.gateway = gateway;
    this.targets = targets;
    this.context = context;
  }

  /** The ticket client; replaced between phases so that no keep-alive connection is counted in a snapshot. */
  void tickets(Tickets t) {
    this.tickets = t;
  }

  /** One cycle; {@code index} picks the front (WS on even) and the target of full sessions (Xvnc or synthetic). */
  Future<String> run(SoakCycle kind, int index) {
    boolean ws = index % 2 == 0;
    String session = (index / 2) % 2 == 0 ? SoakTargets.XVNC : SoakTargets.SYNTH;
    return switch (kind) {
      case FULL_WS -> full(true, session);
      case FULL_TCP -> full(false, session);
      case HANG_UP_AT_BANNER -> hangUp(ws, session, RfbViewer.HangUp.AT_BANNER);
      case HANG_UP_AFTER_SECURITY -> hangUp(ws, session, RfbViewer.HangUp.AFTER_SECURITY);
      case HANG_UP_AFTER_CLIENT_INIT -> hangUp(ws, session, RfbViewer.HangUp.AFTER_CLIENT_INIT);
      case WS_UPGRADE_THEN_CLOSE -> upgradeThenClose(session);
      case TICKET_NEVER_USED -> tickets.next(SoakTargets.ref(session)).map(t -> "ticket left to expire");
      case REFUSED_UPSTREAM -> toldWhy(ws, SoakTargets.REFUSED);
      case SILENT_UPSTREAM -> index % 4 < 2 ? toldWhy(ws, SoakTargets.SILENT) : leaveAfter(ws, SoakTargets.SILENT, 300);
      case UPSTREAM_HANGS_UP -> toldWhy(ws, SoakTargets.HALFWAY);
      case SERVER_KILLED -> Future.failedFuture("SERVER_KILLED runs on its own thread: serverKilled()");
    };
  }

  /** A viewer on the WS or TCP front with a fresh ticket for {@code target}; completes once it is connected (not handshaken). */
  private Future<RfbViewer> open(boolean ws, String target, RfbViewer.HangUp hangUp) {
    return tickets.next(SoakTargets.ref(target)).compose(ticket -> {
      RfbViewer v = new RfbViewer(ws ? null : ticket);
      v.hangUp(hangUp);
      Future<Void> connected = ws
          ? WsLink.connect(net, gateway.httpPort, WS_PATH, List.of("binary", "vncgate.ticket." + ticket), v)
          : TcpLink.connect(net, gateway.tcpPort, v);
      return connected.map(v);
    });
  }

  private Future<String> full(boolean ws, String target) {
    return open(ws, target, RfbViewer.HangUp.NEVER).compose(v -> v.ready()
        .compose(x -> updates(v, UPDATES))
        .compose(n -> {
          v.close();
          return v.closed().map(r -> n + " updates from " + target);
        })
        .onFailure(e -> v.close()));
  }

  /** Asks for a full screen {@code n} times, each after the last update came. */
  private static Future<Integer> updates(RfbViewer v, int n) {
    Promise<Integer> done = Promise.promise();
    int[] seen = {0};
    v.listener((viewer, bytes) -> {
      if (++seen[0] == n) done.tryComplete(n);
      else viewer.requestFullScreen();
    });
    v.closed().onComplete(r -> done.tryFail("closed after " + seen[0] + " updates: " + r.result()));
    v.requestFullScreen();
    return done.future();
  }

  private Future<String> hangUp(boolean ws, String target, RfbViewer.HangUp when) {
    return open(ws, target, when).compose(v -> v.closed().compose(reason -> v.hungUp()
        ? Future.succeededFuture((ws ? "ws" : "tcp") + ": " + reason)
        : Future.failedFuture("closed before it could hang up " + when + ": " + reason)));
  }

  private Future<String> upgradeThenClose(String target) {
    return tickets.next(SoakTargets.ref(target)).compose(ticket -> {
      RfbViewer v = new RfbViewer(null);
      return WsLink.connect(net, gateway.httpPort, WS_PATH, List.of("binary", "vncgate.ticket." + ticket), v)
          .map(x -> {
            v.close();
            return "upgraded and closed";
          });
    });
  }

  /** The gateway must end the viewer with an RFB failure reason (the viewer reports "refused: ..."). */
  private Future<String> toldWhy(boolean ws, String target) {
    return open(ws, target, RfbViewer.HangUp.NEVER).compose(v -> v.closed().compose(reason -> reason.startsWith("refused: ")
        ? Future.succeededFuture(reason)
        : Future.failedFuture("ended without an RFB reason: " + reason)));
  }

  /** The viewer leaves while the gateway is still waiting on the target. */
  private Future<String> leaveAfter(boolean ws, String target, long ms) {
    return open(ws, target, RfbViewer.HangUp.NEVER).compose(v -> {
      Promise<String> p = Promise.promise();
      vertx.setTimer(ms, t -> {
        if (!v.isOpen()) {
          p.tryFail("ended before the viewer left: " + v.closed().result());
          return;
        }
        v.close();
        p.tryComplete("left after " + ms + " ms");
      });
      return p.future();
    });
  }

  /**
   * Blocking: two viewers relay from the killable Xvnc, it is SIGKILLed, both must be closed (the
   * WebSocket one with a close reason); a third viewer tries while it is down and must be told
   * why; then it is restarted.
   */
  String serverKilled() {
    RfbViewer a = step("opening the WebSocket viewer", () -> open(true, SoakTargets.KILLED, RfbViewer.HangUp.NEVER));
    RfbViewer b = step("opening the TCP viewer", () -> open(false, SoakTargets.KILLED, RfbViewer.HangUp.NEVER));
    try {
      step("the WebSocket viewer's handshake and first update", () -> a.ready().compose(x -> updates(a, 1)));
      step("the TCP viewer's handshake and first update", () -> b.ready().compose(x -> updates(b, 1)));
      targets.kill();
      String ra = step("the WebSocket viewer's end after the kill", a::closed);
      String rb = step("the TCP viewer's end after the kill", b::closed);
      if (!ra.startsWith("WebSocket closed: ")) throw new IllegalStateException("the WebSocket viewer was closed without a reason: " + ra);
      String down = step("a viewer while the server is down", () -> toldWhy(true, SoakTargets.KILLED));
      return "ws: " + ra + " | tcp: " + rb + " | while down: " + down;
    } finally {
      a.close();
      b.close();
      targets.restartKilled();
    }
  }

  /**
   * Runs {@code f} on the client's event loop, as every other cycle runs, and waits up to 30 s for
   * it; a failure says which step it was. (Started from this thread, a third of a percent of the
   * "while down" viewers of the first full run never reached the gateway: see
   * docs/security-testing.md.)
   */
  private <T> T step(String what, Supplier<Future<T>> f) {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> f.get().onComplete(p));
    try {
      return Phases.await(p.future(), 30);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(what + ": " + e.getMessage(), e);
    }
  }
}
