package io.vncgate.testbeds.kubevirt;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What virt-api and virt-handler do once the {@code vnc} upgrade passed their checks: the
 * one-session rule (a new connection ends the VMI's open one, as virt-handler closes the old
 * stream), the WebSocket with {@code plain.kubevirt.io}, a ping every second (virt-api's keep-alive)
 * and the raw VNC bytes in binary messages ⇄ the VMI's VNC socket (here QEMU's TCP port), with
 * backpressure both ways. Either side ending closes the other.
 */
final class VncBridge {
  private static final Logger LOG = LoggerFactory.getLogger(VncBridge.class);

  private final Vertx vertx;
  private final NetClient client;
  private final KubeState state;

  VncBridge(Vertx vertx, NetClient client, KubeState state) {
    this.vertx = vertx;
    this.client = client;
    this.state = state;
  }

  void open(HttpServerRequest req, KubeVmi vmi) {
    req.toWebSocket().onFailure(err -> LOG.warn("vnc upgrade for {} failed: {}", vmi.key(), err.toString()))
        .onSuccess(ws -> {
          ws.pause();
          ServerWebSocket previous = state.openVnc.put(vmi.key(), ws);
          state.accepted(vmi.key(), ws.subProtocol());
          if (previous != null) {
            LOG.debug("vnc {}: a new connection ends the open one", vmi.key());
            // virt-handler ends the old stream, and virt-api closes its WebSocket
            closeQuietly(previous);
          }
          client.connect(vmi.console().port(), vmi.console().host())
              .onFailure(err -> {
                LOG.warn("vnc {}: cannot reach the VMI's VNC server: {}", vmi.key(), err.toString());
                state.openVnc.remove(vmi.key(), ws);
                closeQuietly(ws);
              })
              .onSuccess(vnc -> relay(vmi, ws, vnc));
        });
  }

  private void relay(KubeVmi vmi, ServerWebSocket ws, NetSocket vnc) {
    long ping = vertx.setPeriodic(1000, id -> {
      if (!ws.isClosed()) ws.writePing(Buffer.buffer("keep alive"));
    });
    ws.frameHandler(frame -> {
      if (frame.isBinary() || frame.isContinuation() || frame.isText()) {
        vnc.write(frame.binaryData());
        if (vnc.writeQueueFull()) {
          ws.pause();
          vnc.drainHandler(v -> ws.resume());
        }
      }
    });
    vnc.handler(data -> {
      ws.writeFrame(WebSocketFrame.binaryFrame(data, true));
      if (ws.writeQueueFull()) {
        vnc.pause();
        ws.drainHandler(v -> vnc.resume());
      }
    });
    Runnable end = () -> {
      vertx.cancelTimer(ping);
      state.openVnc.remove(vmi.key(), ws);
    };
    ws.closeHandler(v -> {
      end.run();
      vnc.close();
    });
    ws.exceptionHandler(err -> vnc.close());
    vnc.closeHandler(v -> {
      LOG.debug("vnc {}: the VNC server closed the connection", vmi.key());
      end.run();
      closeQuietly(ws);
    });
    ws.resume();
  }

  private static void closeQuietly(ServerWebSocket ws) {
    try {
      ws.close();
    } catch (RuntimeException e) {
      LOG.debug("closing a vnc WebSocket: {}", e.toString());
    }
  }
}
