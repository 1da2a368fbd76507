package io.vncgate.gateway.front;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vncgate.gateway.api.ApiRoutes;
import io.vncgate.gateway.api.ApiServices;
import io.vncgate.gateway.api.Json;
import io.vncgate.gateway.auth.JwtService;
import io.vncgate.gateway.engine.HttpConnections;
import io.vncgate.gateway.engine.WebSocketFrameLimit;
import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.relay.Admission;
import io.vncgate.gateway.relay.RelayServices;
import io.vncgate.gateway.relay.ViewerConnection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.LinkedHashMap;

/**
 * The HTTP front: REST API, health, and the WebSocket endpoint browsers (noVNC) connect to.
 * One instance per event loop; Vert.x shares the port between them.
 */
public final class WebSocketFront extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(WebSocketFront.class);

  private final RelayServices services;
  private final ApiServices api;
  private final JwtService jwt;
  private final List<Consumer<Router>> extraRoutes;
  private final ConnectionLimiter limiter;
  /** The certificate served at start; null: plain HTTP. */
  private final TlsFiles tls;
  private HttpGuard guard;
  private Admission admission;
  private HttpServer server;

  /**
   * @param limiter the connection caps shared with the other front instances and the TCP front
   * @param tls the certificate and key for HTTPS and wss://; null: plain HTTP
   */
  public WebSocketFront(RelayServices services, ApiServices api, JwtService jwt, List<Consumer<Router>> extraRoutes,
      ConnectionLimiter limiter, TlsFiles tls) {
    this.tls = tls;
    this.services = services;
    this.api = api;
    this.jwt = jwt;
    this.extraRoutes = extraRoutes;
    this.limiter = limiter;
  }

  @Override
  public Future<?> start() {
    admission = new Admission(services);
    Router router = Router.router(vertx);
    router.get("/healthz").handler(ctx -> Json.reply(ctx, 200, new JsonObject().put("status", "up")));
    router.get(ApiRoutes.WS_PATH).handler(this::upgrade);
    router.get(EventsSocket.PATH).handler(this::events);
    router.get("/readyz").handler(ctx -> {
      if (limiter.draining()) {
        Json.reply(ctx, 503, new JsonObject().put("status", "draining"));
        return;
      }
      boolean ready = services.providers().ready();
      JsonObject body = new JsonObject().put("status", ready ? "ready" : "not ready")
          .put("providers", new JsonArray(services.providers().names()));
      if (!services.providers().unavailable().isEmpty()) {
        body.put("unavailable", new JsonObject(new LinkedHashMap<>(services.providers().unavailable())));
      }
      Json.reply(ctx, ready ? 200 : 503, body);
    });
    new ApiRoutes(api, jwt).mount(router);
    extraRoutes.forEach(r -> r.accept(router));
    router.route().last().handler(ctx -> Json.error(ctx, Status.NOT_FOUND,
        "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()));
    router.route().failureHandler(Json::failureHandler);

    var cfg = services.config().server();
    var limits = services.config().limits();
    guard = new HttpGuard(vertx, limiter, limits.headerTimeout());
    HttpServerOptions options = new HttpServerOptions();
    if (tls != null) {
      options.setSsl(true).setKeyCertOptions(tls.keyCertOptions());
      options.setEnabledSecureTransportProtocols(TlsFiles.PROTOCOLS);
    }
    server = vertx.createHttpServer(options
        .setHost(cfg.host())
        .setPort(cfg.port())
        .setTcpNoDelay(true)
        .setTcpQuickAck(true) // else Vert.x on epoll puts viewer sockets in delayed-ACK mode (see TcpConnector)
        // HTTP/1.1 only: with h2c on, Vert.x waits for a connection's first bytes (to tell HTTP/2
        // from 1.1) before the connection handler sees it, so idle sockets would escape the caps
        .setHttp2ClearTextEnabled(false)
        .setWebSocketSubProtocols(List.of("binary", EventsSocket.PROTOCOL))
        .setMaxWebSocketFrameSize(limits.wsMaxFrameBytes())
        // RFB frames are taken one by one and the events socket frames its own messages: nothing
        // is assembled into larger messages
        .setMaxWebSocketMessageSize(limits.wsMaxFrameBytes())
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false));
    guard.start();
    return server
        .connectionHandler(guard::connection)
        .invalidRequestHandler(WebSocketFront::invalidRequest)
        .requestHandler(req -> {
          AccessLog.track(req);
          if (guard.admit(req)) router.handle(req);
        })
        .listen();
  }

  /** A request Netty could not parse (line or headers too long, bad syntax): a JSON error, then close. */
  private static void invalidRequest(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    int status = HttpConnections.tooLong(cause)
        ? (cause.getClass().getSimpleName().contains("Header") ? 431 : 414) : 400;
    String message = switch (status) {
      case 431 -> "the request headers are too large";
      case 414 -> "the request line is too long";
      default -> "the request is not valid HTTP/1.1";
    };
    var conn = req.connection();
    req.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Connection", "close")
        .end(new JsonObject().put("error", message).encode())
        .onComplete(ar -> conn.close());
  }

  /** A WebSocket upgrade from an allowed origin; otherwise answers with a JSON error and returns false. */
  private boolean acceptableUpgrade(RoutingContext ctx, String what) {
    var req = ctx.request();
    if (!"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
      Json.error(ctx, Status.BAD_REQUEST, req.path() + " takes a WebSocket upgrade (" + what + "), not a plain HTTP request");
      return false;
    }
    String origin = req.getHeader("Origin");
    if (origin != null && !originAllowed(origin)) {
      log.info("refused WebSocket from {}: origin {} is not in server.allowed-origins", req.remoteAddress(), origin);
      Json.error(ctx, Status.FORBIDDEN, "origin " + origin + " is not allowed; the operator can add it to server.allowed-origins");
      return false;
    }
    return true;
  }

  private void upgrade(RoutingContext ctx) {
    long start = System.nanoTime();
    if (!acceptableUpgrade(ctx, "RFB in binary frames")) return;
    if (limiter.draining()) {
      // a request on a connection opened before the drain: refused like a new connection
      ctx.response().putHeader("Retry-After", "5");
      Json.error(ctx, Status.GOING_AWAY, limiter.closingReason());
      return;
    }
    var req = ctx.request();
    Optional<String> ticket = ticketOf(req.getHeader("Sec-WebSocket-Protocol"));
    String address = HttpGuard.addressOf(req.remoteAddress());
    req.toWebSocket().onSuccess(ws -> {
      upgraded(req);
      AccessLog.upgraded(req, start);
      WebSocketKeepAlive.start(vertx, ws, services.config().server().wsKeepalive());
      WebSocketViewerChannel channel = new WebSocketViewerChannel(ws, req.connection());
      // redeemed at the upgrade (one lookup); a refusal reaches the viewer as an RFB failure reason
      Admission.Verdict verdict = admission.browser(ticket, address);
      ViewerConnection.browser(services, admission, channel, verdict).start();
    }).onFailure(e -> log.info("WebSocket upgrade from {} failed: {}", req.remoteAddress(), e.getMessage()));
  }

  private void events(RoutingContext ctx) {
    long start = System.nanoTime();
    if (!acceptableUpgrade(ctx, "JSON events")) return;
    var req = ctx.request();
    req.toWebSocket().onSuccess(ws -> {
      upgraded(req);
      AccessLog.upgraded(req, start);
      new EventsSocket(vertx, api, jwt, ws).start();
    });
  }

  /** The connection is a WebSocket now: no HTTP header deadline, and frames over the cap close with 1009. */
  private void upgraded(HttpServerRequest req) {
    guard.upgraded(req.connection());
    WebSocketFrameLimit.install(req.connection(), services.config().limits().wsMaxFrameBytes());
  }

  private boolean originAllowed(String origin) {
    List<String> allowed = services.config().server().originsFor(server.actualPort());
    return allowed.contains("*") || allowed.stream().anyMatch(a -> a.equalsIgnoreCase(origin));
  }

  /** The request method as metrics name it: itself for the methods the gateway answers, else {@code OTHER}. */
  public static String methodLabel(String method) {
    return HttpGuard.methodLabel(method);
  }

  static Optional<String> ticketOf(String protocolsHeader) {
    if (protocolsHeader == null) return Optional.empty();
    for (String p : protocolsHeader.split(",")) {
      String s = p.trim();
      if (s.startsWith(ApiRoutes.TICKET_PROTOCOL_PREFIX)) {
        return Optional.of(s.substring(ApiRoutes.TICKET_PROTOCOL_PREFIX.length()));
      }
    }
    return Optional.empty();
  }

  /** Serves {@code files} to new connections; open ones keep theirs. */
  Future<Boolean> updateTls(TlsFiles files) {
    return server.updateSSLOptions(files.sslOptions(), true);
  }

  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    if (guard != null) guard.stop();
    return server == null ? Future.succeededFuture() : server.close();
  }
}
