package io.vncgate.gateway.front;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vncgate.gateway.rfb.HandshakeStep;
import io.vncgate.gateway.rfb.ViewerHandshake;

/**
 * Tells a native viewer on the TCP front why it is refused before anything else happens (too many
 * connections, too many wrong tickets from its address): the banner, the viewer's version, then an
 * empty security-type list with the reason, which TigerVNC and other viewers show. A viewer that
 * does not answer within {@link #GRACE_MS} is simply closed.
 */
final class RfbRefusal {
  private static final long GRACE_MS = 2_000;

  private RfbRefusal() {}

  static void tell(Vertx vertx, NetSocket socket, String reason) {
    ViewerHandshake handshake = new ViewerHandshake(ViewerHandshake.Security.NONE);
    long timer = vertx.setTimer(GRACE_MS, id -> socket.close());
    socket.closeHandler(v -> vertx.cancelTimer(timer));
    socket.exceptionHandler(e -> socket.close());
    socket.handler(data -> {
      HandshakeStep step = handshake.onData(data);
      if (step instanceof HandshakeStep.AwaitAdmission await) {
        socket.write(await.output());
        socket.end(handshake.refuse(reason).output());
        socket.handler(null);
      } else if (step instanceof HandshakeStep.Failed failed) {
        socket.end(failed.output());
        socket.handler(null);
      } else if (step.output().length() > 0) {
        socket.write(step.output());
      }
    });
    socket.write(handshake.start());
  }
}
