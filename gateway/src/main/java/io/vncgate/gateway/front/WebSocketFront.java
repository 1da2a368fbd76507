package io.vncgate.gateway.front;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vncgate.gateway.api.ApiRoutes;
import io.vncgate.gateway.api.Json;
import io.vncgate.gateway.auth.JwtService;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.relay.RelayServices;
import io.vncgate.gateway.relay.ViewerConnection;
import io.vncgate.gateway.relay.WebSocketViewerChannel;
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

  private final RelayServices services;
  private final JwtService jwt;
  private final List<Consumer<Router>> extraRoutes;
  private HttpServer server;

  public WebSocketFront(RelayServices services, JwtService jwt, List<Consumer<Router>> extraRoutes) {
    this.services = services;
    this.jwt = jwt;
    this.extraRoutes = extraRoutes;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/healthz").handler(ctx -> Json.reply(ctx, 200, new JsonObject().put("status", "up")));
    router.get(ApiRoutes.WS_PATH).handler(this::upgrade);
    router.get(EventsSocket.PATH).handler(this::events);
    router.get("/readyz").handler(ctx -> {
      boolean ready = services.providers().ready();
      JsonObject body = new JsonObject().put("status", ready ? "ready" : "not ready")
          .put("providers", new io.vertx.core.json.JsonArray(services.providers().names()));
      if (!services.providers().unavailable().isEmpty()) {
        body.put("unavailable", new JsonObject(new java.util.LinkedHashMap<>(services.providers().unavailable())));
      }
      Json.reply(ctx, ready ? 200 : 503, body);
    });
    new ApiRoutes(services, jwt).mount(router);
    extraRoutes.forEach(r -> r.accept(router));
    router.route().last().handler(ctx -> Json.error(ctx, Status.NOT_FOUND,
        "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()));
    router.route().failureHandler(Json::failureHandler);

    var cfg = services.config().server();
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(cfg.host())
        .setPort(cfg.port())
        .setTcpNoDelay(true)
        .setTcpQuickAck(true) // else Vert.x on epoll puts viewer sockets in delayed-ACK mode (see TcpConnector)
        .setWebSocketSubProtocols(List.of("binary", EventsSocket.PROTOCOL))
        .setMaxWebSocketFrameSize(1024 * 1024)
        .setMaxWebSocketMessageSize(64 * 1024 * 1024)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false));
    return server.requestHandler(router).listen();
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
    if (!acceptableUpgrade(ctx, "RFB in binary frames")) return;
    var req = ctx.request();
    Optional<String> ticket = ticketOf(req.getHeader("Sec-WebSocket-Protocol"));
    req.toWebSocket().onSuccess(ws -> {
      WebSocketKeepAlive.start(vertx, ws, services.config().server().wsKeepalive());
      WebSocketViewerChannel channel = new WebSocketViewerChannel(ws, req.connection());
      ViewerConnection connection;
      if (ticket.isEmpty()) {
        connection = ViewerConnection.refused(services, channel, "no ticket: offer the WebSocket subprotocol "
            + ApiRoutes.TICKET_PROTOCOL_PREFIX + "<ticket> from POST /api/v1/sessions");
      } else {
        Optional<TicketGrant> grant = services.tickets().redeem(ticket.get());
        connection = grant.isPresent()
            ? ViewerConnection.admitted(services, channel, grant.get())
            : ViewerConnection.refused(services, channel, "the ticket is not valid (tickets work once and expire after "
                + services.config().ticketTtl().toSeconds() + " s): ask POST /api/v1/sessions for a new one");
      }
      connection.start();
    }).onFailure(e -> log.info("WebSocket upgrade from {} failed: {}", req.remoteAddress(), e.getMessage()));
  }

  private void events(RoutingContext ctx) {
    if (!acceptableUpgrade(ctx, "JSON events")) return;
    ctx.request().toWebSocket().onSuccess(ws -> new EventsSocket(vertx, services, jwt, ws).start());
  }

  private boolean originAllowed(String origin) {
    List<String> allowed = services.config().server().originsFor(server.actualPort());
    return allowed.contains("*") || allowed.stream().anyMatch(a -> a.equalsIgnoreCase(origin));
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

  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
