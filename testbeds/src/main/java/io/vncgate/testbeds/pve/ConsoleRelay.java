package io.vncgate.testbeds.pve;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vncgate.testbeds.qemu.QemuVncServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code qm vncproxy} and pveproxy's websocket_proxy do once a vncwebsocket is accepted: set
 * the guest's VNC password through QMP ({@code set_password}, {@code expire_password +30}),
 * connect to its VNC server, then relay binary frames ⇄ TCP with backpressure both ways. Frames to
 * the client carry at most 128 KiB each and are never fragmented; a client frame over 128 KiB or a
 * fragmented one drops the connection, as pveproxy does. When either side ends, the
 * connection is closed without a WebSocket close frame, as pveproxy does (TLS shutdown only).
 * Pings are answered with pongs (as pveproxy does) and counted.
 */
final class ConsoleRelay {

  static final int MAX_PAYLOAD = 128 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleRelay.class);

  private final Vertx vertx;
  private final NetClient client;
  private final Runnable onPing;

  ConsoleRelay(Vertx vertx, NetClient client, Runnable onPing) {
    this.vertx = vertx;
    this.client = client;
    this.onPing = onPing;
  }

  /**
   * Sets the password, connects and relays; the future fails (and the connection is closed) when
   * QMP or the connect fails. {@code ws} must be paused by the caller; {@code onClosed} runs once
   * the relayed WebSocket is closed.
   */
  Future<Void> start(ServerWebSocket ws, HttpConnection connection, QemuVncServer console, String password,
                     Runnable onClosed) {
    return vertx.<Void>executeBlocking(() -> {
      console.setPassword(password);
      console.expirePassword("+30");
      return null;
    }, false)
        .compose(v -> client.connect(console.port(), console.host()))
        .onSuccess(vnc -> relay(ws, connection, vnc, onClosed))
        .onFailure(err -> {
          LOG.debug("console relay to {} failed: {}", console.port(), err.toString());
          Reply.abort(connection);
        })
        .mapEmpty();
  }

  private void relay(ServerWebSocket ws, HttpConnection connection, NetSocket vnc, Runnable onClosed) {
    ws.frameHandler(frame -> {
      if (frame.type() == WebSocketFrameType.PING) {
        onPing.run(); // pveproxy answers with a pong, as Vert.x does by itself
        return;
      }
      if (!frame.isBinary() && !frame.isText() && !frame.isContinuation()) {
        return;
      }
      // pveproxy dies on these and drops the connection: "received fragmented websocket frame",
      // "received too large websocket frame (len = N)"
      if (!frame.isFinal() || frame.isContinuation() || frame.binaryData().length() > MAX_PAYLOAD) {
        LOG.debug("console client sent a frame pveproxy refuses (final={}, length={}); dropping the connection",
            frame.isFinal(), frame.binaryData().length());
        vnc.close();
        Reply.abort(connection);
        return;
      }
      vnc.write(frame.binaryData());
      if (vnc.writeQueueFull()) {
        ws.pause();
        vnc.drainHandler(v -> ws.resume());
      }
    });
    Future<?>[] lastWrite = {Future.succeededFuture()};
    vnc.handler(data -> {
      for (int offset = 0; offset < data.length(); offset += MAX_PAYLOAD) {
        Buffer slice = data.getBuffer(offset, Math.min(data.length(), offset + MAX_PAYLOAD));
        lastWrite[0] = ws.writeFrame(WebSocketFrame.binaryFrame(slice, true));
      }
      if (ws.writeQueueFull()) {
        vnc.pause();
        ws.drainHandler(v -> vnc.resume());
      }
    });
    ws.closeHandler(v -> {
      vnc.close();
      onClosed.run();
    });
    ws.exceptionHandler(err -> vnc.close());
    vnc.closeHandler(v -> lastWrite[0].onComplete(x -> Reply.abort(connection)));
    vnc.exceptionHandler(err -> Reply.abort(connection));
    ws.resume();
  }
}
