package io.vncgate.gateway.front;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.time.Duration;

/**
 * Pings a browser's WebSocket every {@code server.ws-keepalive} so proxies and load balancers that
 * cut idle connections (often after 60 s) see traffic while a desktop sits still. Browsers answer
 * pings with pongs by themselves; the relay never sees either. The timer ends with the socket.
 */
public final class WebSocketKeepAlive {
  private static final Buffer PAYLOAD = Buffer.buffer("vncgate");

  private WebSocketKeepAlive() {}

  public static void start(Vertx vertx, ServerWebSocket ws, Duration interval) {
    if (interval.isZero() || interval.isNegative()) return;
    vertx.setPeriodic(interval.toMillis(), id -> {
      if (ws.isClosed()) {
        vertx.cancelTimer(id);
      } else {
        ws.writePing(PAYLOAD);
      }
    });
  }
}
