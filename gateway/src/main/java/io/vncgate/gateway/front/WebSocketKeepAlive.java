package io.vncgate.gateway.front;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.time.Duration;

/**
 * Pings a browser's WebSocket every {@code server.ws-keepalive} so proxies and load balancers that
 * cut idle connections (often after 60 s) see traffic while a desktop sits still. Browsers answer
 * pings with pongs by themselves; the relay never sees either. The timer ends with the socket (this
 * takes the socket's close handler).
 */
public final class WebSocketKeepAlive {
  private static final Buffer PAYLOAD = Buffer.buffer("vncgate");

  private WebSocketKeepAlive() {}

  /** @return the timer's id, or -1 when {@code interval} turns pings off */
  public static long start(Vertx vertx, ServerWebSocket ws, Duration interval) {
    if (interval.isZero() || interval.isNegative()) return -1;
    long timer = vertx.setPeriodic(interval.toMillis(), id -> {
      if (ws.isClosed()) {
        vertx.cancelTimer(id);
      } else {
        ws.writePing(PAYLOAD);
      }
    });
    // at once, not at the next tick: the timer holds the socket, and through its handlers the whole
    // connection, which would otherwise stay in memory for up to an interval after it closed
    ws.closeHandler(v -> vertx.cancelTimer(timer));
    return timer;
  }
}
