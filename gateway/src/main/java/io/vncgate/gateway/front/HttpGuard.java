package io.vncgate.gateway.front;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vncgate.gateway.api.Json;
import io.vncgate.gateway.engine.HttpConnections;
import io.vncgate.gateway.failure.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the HTTP front checks before routing, for one front instance (one event loop):
 *
 * <ul>
 *   <li>connection caps ({@link ConnectionLimiter}): a connection over a cap is answered at its first
 *       request with 503 and a problem reply (a {@code GET /healthz} still gets 200), then closed;
 *   <li>a header deadline ({@code limits.http.header-timeout}): a connection must deliver a complete
 *       request head within this time of opening or of its previous response, else it is closed.
 *       Bytes trickling in do not extend it (slowloris), and an idle kept-alive connection is closed
 *       the same way. An upgraded WebSocket is no longer watched (the relay has its own timers);
 *   <li>requests HTTP/1.1 forbids or this gateway cannot read safely: no or several {@code Host},
 *       a {@code Transfer-Encoding} other than {@code chunked}, or one together with
 *       {@code Content-Length} (request smuggling), a method outside {@link #METHODS};
 *   <li>behind a trusted reverse proxy ({@code server.trusted-proxies}, {@link ForwardedFor}): a
 *       connection from the proxy counts against {@code limits.connections.max} when it opens, and
 *       against {@code .per-address} for the client its first request names.
 * </ul>
 */
final class HttpGuard {
  private static final Logger log = LoggerFactory.getLogger(HttpGuard.class);
  /** The methods the gateway answers; others get 501 and are counted as {@code OTHER} in metrics. */
  static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
  /** How long a connection over a cap may take to send the request that gets the 503. */
  private static final long REFUSED_GRACE_MS = 2_000;

  private final Vertx vertx;
  private final ConnectionLimiter limiter;
  private final long headerTimeoutNanos;
  private final ForwardedFor forwarded;
  /* "/healthz" and, under a base path, "/vnc/healthz": answered even on a connection over a cap */
  private final Set<String> healthPaths;
  private final Map<HttpConnection, Watched> watched = new HashMap<>();
  private long sweepTimer = -1;

  /** A connection not yet upgraded: when it opened or last finished a response, and what it is doing. */
  private static final class Watched {
    String refusal;
    /* from a trusted proxy, not yet counted for a client address */
    boolean unattributed;
    final long deadlineNanos;
    HttpServerRequest current;
    long since;

    Watched(String refusal, long since, long deadlineNanos) {
      this.refusal = refusal;
      this.since = since;
      this.deadlineNanos = deadlineNanos;
    }
  }

  HttpGuard(Vertx vertx, ConnectionLimiter limiter, Duration headerTimeout, ForwardedFor forwarded, String pathPrefix) {
    this.vertx = vertx;
    this.limiter = limiter;
    this.headerTimeoutNanos = headerTimeout.toNanos();
    this.forwarded = forwarded;
    this.healthPaths = pathPrefix.isEmpty() ? Set.of("/healthz") : Set.of("/healthz", pathPrefix + "/healthz");
  }

  /** The client's address for throttles, logs and audit: the peer, or whom a trusted proxy forwards. */
  String clientOf(HttpServerRequest req) {
    return forwarded.client(addressOf(req.remoteAddress()), req.headers());
  }

  /** The request's remote for logs and audit: the peer's socket address, or the client and the proxy it came through. */
  String remoteOf(HttpServerRequest req) {
    String peer = addressOf(req.remoteAddress());
    String client = forwarded.client(peer, req.headers());
    return client.equals(peer) && !forwarded.trusts(peer) ? String.valueOf(req.remoteAddress())
        : client + " (via " + req.remoteAddress() + ")";
  }

  /** The origin the browser used as a trusted proxy reports it; empty when the peer is not one. */
  Optional<String> forwardedOrigin(HttpServerRequest req) {
    return forwarded.origin(addressOf(req.remoteAddress()), req.headers());
  }

  /** Metrics' name for a request method: itself when the gateway answers it, else {@code OTHER}. */
  static String methodLabel(String method) {
    return method != null && METHODS.contains(method) ? method : "OTHER";
  }

  /** Starts the sweep that closes connections past their deadline; on this front's event loop. */
  void start() {
    long periodMs = Math.max(100, Math.min(1_000, headerTimeoutNanos / 4_000_000));
    sweepTimer = vertx.setPeriodic(periodMs, id -> sweep());
  }

  void stop() {
    if (sweepTimer >= 0) vertx.cancelTimer(sweepTimer);
  }

  /** A new connection: counted against the caps (released when its socket closes) and watched. */
  void connection(HttpConnection conn) {
    String address = addressOf(conn.remoteAddress());
    boolean proxied = forwarded.trusts(address);
    String refusal = proxied ? limiter.tryOpenTotal() : limiter.tryOpen(address);
    if (refusal == null) {
      HttpConnections.onClosed(conn, proxied ? limiter::releaseTotal : () -> limiter.release(address));
    } else {
      long unlogged = limiter.logRefusal();
      if (unlogged >= 0) {
        log.info("HTTP connection from {} refused: {}{}", address, refusal,
            unlogged > 0 ? " (and " + unlogged + " more refusals since the last such line)" : "");
      } else {
        log.debug("HTTP connection from {} refused: {}", address, refusal);
      }
    }
    long deadline = refusal == null ? headerTimeoutNanos : Math.min(headerTimeoutNanos, REFUSED_GRACE_MS * 1_000_000);
    Watched w = new Watched(refusal, System.nanoTime(), deadline);
    w.unattributed = proxied && refusal == null;
    watched.put(conn, w);
    HttpConnections.onClosed(conn, () -> watched.remove(conn));
  }

  /** The connection became a WebSocket: it is no longer an HTTP connection awaiting requests. */
  void upgraded(HttpConnection conn) {
    watched.remove(conn);
  }

  /**
   * A request head arrived. Returns true when the router may handle it; otherwise it has been
   * answered (a problem reply, docs/api.md; connection closed).
   */
  boolean admit(HttpServerRequest req) {
    Watched w = watched.get(req.connection());
    if (w != null) {
      w.current = req;
      w.since = System.nanoTime();
      if (w.unattributed) attribute(req, w);
      if (w.refusal != null) {
        if (req.method().name().equals("GET") && healthPaths.contains(req.path())) {
          answerHealthAndClose(req);
        } else {
          req.response().putHeader("Retry-After", "5");
          answerAndClose(req, 503, null, w.refusal);
        }
        return false;
      }
    }
    if (!METHODS.contains(req.method().name())) {
      answerAndClose(req, 501, null, "this request method is not supported: the API uses GET, POST and DELETE");
      return false;
    }
    if (req.version() == HttpVersion.HTTP_1_1 && req.headers().getAll("Host").size() != 1) {
      answerAndClose(req, 400, Status.BAD_REQUEST, "an HTTP/1.1 request needs exactly one Host header");
      return false;
    }
    List<String> transferEncoding = req.headers().getAll("Transfer-Encoding");
    if (!transferEncoding.isEmpty()) {
      if (req.headers().contains("Content-Length")) {
        answerAndClose(req, 400, Status.BAD_REQUEST, "a request may not carry both Transfer-Encoding and Content-Length");
        return false;
      }
      if (transferEncoding.size() != 1 || !transferEncoding.get(0).trim().equalsIgnoreCase("chunked")) {
        answerAndClose(req, 501, null, "Transfer-Encoding: only chunked is supported");
        return false;
      }
    }
    return true;
  }

  /**
   * The first request on a connection from a trusted proxy: its client is counted against
   * {@code limits.connections.per-address} for as long as the connection lives (a WebSocket is one
   * client's; nginx opens a new upstream connection per request unless told to keep them alive).
   */
  private void attribute(HttpServerRequest req, Watched w) {
    w.unattributed = false;
    String client = clientOf(req);
    String refusal = limiter.tryAttribute(client);
    if (refusal == null) {
      HttpConnections.onClosed(req.connection(), () -> limiter.releaseAttributed(client));
    } else {
      log.info("HTTP request from {} through proxy {} refused: {}", client, addressOf(req.remoteAddress()), refusal);
      w.refusal = refusal;
    }
  }

  /** A refusal in words as problem details (docs/api.md), then the connection is closed. */
  private static void answerAndClose(HttpServerRequest req, int httpStatus, Status status, String words) {
    HttpConnection conn = req.connection();
    Json.problem(req.response().putHeader("Connection", "close"), httpStatus, status, words, req.path())
        .onComplete(ar -> conn.close());
  }

  private static void answerHealthAndClose(HttpServerRequest req) {
    HttpConnection conn = req.connection();
    req.response()
        .setStatusCode(200)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Connection", "close")
        .end(new JsonObject().put("status", "up").encode())
        .onComplete(ar -> conn.close());
  }

  /** Closes the connections whose request head is overdue (or that sit idle between requests). */
  private void sweep() {
    long now = System.nanoTime();
    List<HttpConnection> overdue = new ArrayList<>();
    for (Map.Entry<HttpConnection, Watched> e : watched.entrySet()) {
      Watched w = e.getValue();
      HttpServerRequest req = w.current;
      if (req != null && req.isEnded() && !req.response().ended()) {
        // read whole and being answered (e.g. a provider call, which has its own timeout); once
        // answered, the wait for the next request head counts from about here
        w.since = now;
      } else if (now - w.since >= w.deadlineNanos) {
        // no request yet, a request head or body still trickling in, or idle since the last answer
        overdue.add(e.getKey());
      }
    }
    for (HttpConnection conn : overdue) {
      Watched w = watched.remove(conn);
      log.debug("closing HTTP connection from {}: no complete request within {} ms", conn.remoteAddress(),
          w.deadlineNanos / 1_000_000);
      conn.close();
    }
  }

  static String addressOf(SocketAddress a) {
    if (a == null) return "unknown";
    String host = a.hostAddress();
    return host != null ? host : a.toString();
  }
}
