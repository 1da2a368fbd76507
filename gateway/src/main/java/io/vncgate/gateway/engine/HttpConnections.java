package io.vncgate.gateway.engine;

import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/** What the HTTP front needs of an HTTP connection's socket beyond Vert.x's public API. */
public final class HttpConnections {
  private HttpConnections() {
  }

  /**
   * Runs {@code action} once the connection's socket has closed, whatever it became meanwhile (a
   * WebSocket's close handler would not run for the HTTP connection it was upgraded from).
   */
  public static void onClosed(HttpConnection conn, Runnable action) {
    if (conn instanceof ConnectionBase c) {
      c.channel().closeFuture().addListener(f -> action.run());
    } else {
      conn.closeHandler(v -> action.run());
    }
  }

  /** Whether a request failed to parse because a part of it (line, headers) is longer than allowed. */
  public static boolean tooLong(Throwable decoderFailure) {
    return decoderFailure instanceof TooLongFrameException;
  }
}
