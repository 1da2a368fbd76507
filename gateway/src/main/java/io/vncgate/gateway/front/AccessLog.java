package io.vncgate.gateway.front;

import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per HTTP request on the logger {@code vncgate.access} ({@code logging.access: false}
 * turns it off): method, path without the query string, status, body bytes sent, duration and the
 * client's address (behind a trusted proxy the client it names, see {@link ForwardedFor}), e.g. {@code GET /api/v1/targets 200 231B 3ms 127.0.0.1}; the same as key-value
 * pairs for {@code logging.format: json}. Never a header, a query string or a fragment, so no
 * token or ticket (a ticket travels in {@code Sec-WebSocket-Protocol}, a token in
 * {@code Authorization}). A WebSocket upgrade is logged as 101 when it is accepted.
 */
final class AccessLog {
  private static final Logger log = LoggerFactory.getLogger("vncgate.access");

  private AccessLog() {}

  /** Logs the request once its response has ended (or its connection closed before that). */
  static void track(HttpServerRequest req, String client) {
    if (!log.isInfoEnabled()) return;
    long start = System.nanoTime();
    req.response().endHandler(v -> {
      int status = req.response().getStatusCode();
      if (status != 101) line(req, status, req.response().bytesWritten(), start, client); // an upgrade: see upgraded
    });
  }

  /** A WebSocket upgrade accepted: its response (101) never "ends" as an HTTP response does. */
  static void upgraded(HttpServerRequest req, long start, String client) {
    if (log.isInfoEnabled()) line(req, 101, 0, start, client);
  }

  private static void line(HttpServerRequest req, int status, long bytes, long start, String client) {
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    String method = HttpGuard.methodLabel(req.method().name());
    String path = req.path() == null ? "-" : req.path(); // Vert.x's path() has no query string
    log.atInfo().addKeyValue("method", method).addKeyValue("path", path).addKeyValue("status", status)
        .addKeyValue("bytes", bytes).addKeyValue("durationMs", ms).addKeyValue("client", client)
        .log("{} {} {} {}B {}ms {}", method, path, status, bytes, ms, client);
  }
}
