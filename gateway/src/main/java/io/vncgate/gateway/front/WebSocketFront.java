package io.vncgate.gateway.front;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vncgate.gateway.api.ApiRoutes;
import io.vncgate.gateway.api.ApiServices;
import io.vncgate.gateway.api.Json;
import io.vncgate.gateway.auth.JwtService;
import io.vncgate.gateway.engine.HttpConnections;
import io.vncgate.gateway.engine.WebSocketFrameLimit;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.relay.Admission;
import io.vncgate.gateway.relay.RelayServices;
import io.vncgate.gateway.relay.ViewerConnection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front: REST API, health, and the WebSocket endpoint browsers (noVNC) connect to.
 * One instance per event loop; Vert.x shares the port between them.
 */
public final class WebSocketFront extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(WebSocketFront.class);
  /**
   * The subprotocol of the native mode ({@code vncgate bridge}): offered alone, without a ticket,
   * the connection is handled like the TCP front's: VNC authentication whose password is the ticket.
   */
  public static final String NATIVE_PROTOCOL = "vncgate.native";

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
    String prefix = services.config().server().pathPrefix();
    Router router = Router.router(vertx);
    router.get("/healthz").handler(this::healthz);
    router.get(ApiRoutes.WS_PATH).handler(this::upgrade);
    router.get(EventsSocket.PATH).handler(this::events);
    router.get("/readyz").handler(this::readyz);
    router.route("/api/v1/*").handler(ctx -> {
      // the client a trusted proxy names, for the API's audit lines
      ctx.put(ApiRoutes.CLIENT_ADDRESS, guard.remoteOf(ctx.request()));
      ctx.next();
    });
    new ApiRoutes(api, jwt).mount(router);
    extraRoutes.forEach(r -> r.accept(router));
    router.route().last().handler(WebSocketFront::notFound);
    router.route().failureHandler(Json::failureHandler);
    Router root = prefix.isEmpty() ? router : underBasePath(router, prefix);

    var cfg = services.config().server();
    var limits = services.config().limits();
    guard = new HttpGuard(vertx, limiter, limits.headerTimeout(), new ForwardedFor(cfg.trustedProxies()), prefix);
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
        .setWebSocketSubProtocols(List.of("binary", EventsSocket.PROTOCOL, NATIVE_PROTOCOL))
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
          AccessLog.track(req, guard.clientOf(req));
          if (guard.admit(req)) root.handle(req);
        })
        .listen();
  }

  /**
   * Every route under {@code server.base-path} ({@code /vnc/api/v1/...}, {@code /vnc/ws/v1/connect},
   * the page at {@code /vnc/}); the probes answer at the root as well, for orchestrators that ask the
   * gateway directly, and {@code /metrics} for scrapers; {@code /vnc} and {@code /} lead to the page.
   */
  private Router underBasePath(Router app, String prefix) {
    Router root = Router.router(vertx);
    root.get("/healthz").handler(this::healthz);
    root.get("/readyz").handler(this::readyz);
    root.get("/metrics").handler(ctx -> ctx.reroute(prefix + "/metrics"));
    root.route().method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> {
      String path = ctx.request().path();
      if (path.equals("/") || path.equals(prefix)) {
        // the page's relative URLs need the trailing slash
        String query = ctx.request().query();
        ctx.response().setStatusCode(302).putHeader("Location", prefix + "/" + (query == null ? "" : "?" + query)).end();
      } else {
        ctx.next();
      }
    });
    root.route(prefix + "/*").subRouter(app);
    root.route().last().handler(ctx -> Json.error(ctx, Status.NOT_FOUND, "no such endpoint: " + ctx.request().method()
        + " " + ctx.request().path() + " (this gateway serves everything under " + prefix + "/, server.base-path)"));
    root.route().failureHandler(Json::failureHandler);
    return root;
  }

  private void healthz(RoutingContext ctx) {
    new Probes(limiter, services.providers()).healthz(ctx);
  }

  private void readyz(RoutingContext ctx) {
    new Probes(limiter, services.providers()).readyz(ctx);
  }

  private static void notFound(RoutingContext ctx) {
    Json.error(ctx, Status.NOT_FOUND, "no such endpoint: " + ctx.request().method() + " " + ctx.request().path());
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
    Json.problem(req.response().putHeader("Connection", "close"), status, status == 400 ? Status.BAD_REQUEST : null,
            message, null)
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
    if (origin != null && !originAllowed(origin, req)) {
      log.info("refused WebSocket from {}: origin {} is not in server.allowed-origins", guard.remoteOf(req), origin);
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
    boolean nativeMode = ticket.isEmpty() && offers(req.getHeader("Sec-WebSocket-Protocol"), NATIVE_PROTOCOL);
    String address = guard.clientOf(req);
    String remote = guard.remoteOf(req);
    req.toWebSocket().onSuccess(ws -> {
      upgraded(req);
      AccessLog.upgraded(req, start, address);
      WebSocketKeepAlive.start(vertx, ws, services.config().server().wsKeepalive());
      WebSocketViewerChannel channel = new WebSocketViewerChannel(ws, req.connection(), address, remote);
      if (nativeMode) {
        nativeViewer(channel, address);
        return;
      }
      // redeemed at the upgrade (one lookup); a refusal reaches the viewer as an RFB failure reason
      Admission.Verdict verdict = admission.browser(ticket, address);
      ViewerConnection.browser(services, admission, channel, verdict).start();
    }).onFailure(e -> log.info("WebSocket upgrade from {} failed: {}", remote, e.getMessage()));
  }

  /**
   * The native mode: as on the TCP front, an address that guessed too many tickets is refused (as
   * an RFB failure reason, its socket not read for a ticket; the connection's end logs it); any
   * other gets VNC authentication whose password is the ticket.
   */
  private void nativeViewer(WebSocketViewerChannel channel, String address) {
    Optional<String> throttled = admission.throttled(address);
    if (throttled.isPresent()) {
      ViewerConnection.browser(services, admission, channel,
          new Admission.Verdict(null, Outcome.TICKET_THROTTLED, throttled.get())).start();
      return;
    }
    ViewerConnection.nativeViewer(services, admission, channel).start();
  }

  private void events(RoutingContext ctx) {
    long start = System.nanoTime();
    if (!acceptableUpgrade(ctx, "JSON events")) return;
    var req = ctx.request();
    req.toWebSocket().onSuccess(ws -> {
      upgraded(req);
      AccessLog.upgraded(req, start, guard.clientOf(req));
      new EventsSocket(vertx, api, jwt, ws).start();
    });
  }

  /** The connection is a WebSocket now: no HTTP header deadline, and frames over the cap close with 1009. */
  private void upgraded(HttpServerRequest req) {
    guard.upgraded(req.connection());
    WebSocketFrameLimit.install(req.connection(), services.config().limits().wsMaxFrameBytes());
  }

  /**
   * {@code server.allowed-origins}; when it is not set, the gateway's own origin, or the one a
   * trusted proxy reports the browser used ({@code X-Forwarded-Proto} and {@code -Host}).
   */
  private boolean originAllowed(String origin, HttpServerRequest req) {
    var cfg = services.config().server();
    List<String> allowed = cfg.originsFor(server.actualPort());
    if (allowed.contains("*") || allowed.stream().anyMatch(a -> a.equalsIgnoreCase(origin))) return true;
    return cfg.allowedOrigins().isEmpty() && guard.forwardedOrigin(req).filter(origin::equalsIgnoreCase).isPresent();
  }

  /** The request method as metrics name it: itself for the methods the gateway answers, else {@code OTHER}. */
  public static String methodLabel(String method) {
    return HttpGuard.methodLabel(method);
  }

  static boolean offers(String protocolsHeader, String protocol) {
    if (protocolsHeader == null) return false;
    for (String p : protocolsHeader.split(",")) {
      if (p.trim().equals(protocol)) return true;
    }
    return false;
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
