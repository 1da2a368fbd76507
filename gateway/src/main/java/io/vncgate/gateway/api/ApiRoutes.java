package io.vncgate.gateway.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vncgate.gateway.auth.JwtService;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.auth.TicketStore;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import io.vncgate.spi.TargetInfo;
import java.time.Instant;
import java.util.LinkedHashMap;

/** The REST API under {@code /api/v1}. */
public final class ApiRoutes {
  public static final String WS_PATH = "/ws/v1/connect";
  /**
   * The routing context's key for the request's remote as the front words it for audit lines: the
   * peer's address, or the client a trusted reverse proxy names and the proxy ({@code server.trusted-proxies}).
   */
  public static final String CLIENT_ADDRESS = "vncgate.client-address";
  public static final String TICKET_PROTOCOL_PREFIX = TicketStore.WS_PROTOCOL_PREFIX;
  static final String USER = "vncgate.user";

  private final ApiServices services;
  private final JwtService jwt;
  private final ApiDocument document = new ApiDocument();

  public ApiRoutes(ApiServices services, JwtService jwt) {
    this.services = services;
    this.jwt = jwt;
  }

  public void mount(Router router) {
    router.route("/api/v1/*").handler(BodyHandler.create().setBodyLimit(64 * 1024).setHandleFileUploads(false));
    // before authentication: the page reads it to learn whether it may offer sign-in (nothing secret)
    router.get("/api/v1/auth/config").handler(ctx -> jwt.signInConfig()
        .onSuccess(json -> Json.reply(ctx, 200, json)).onFailure(ctx::fail));
    // the API described (OpenAPI 3.1), before authentication like the sign-in config
    router.get(ApiDocument.PATH).handler(document::serve);
    router.route("/api/v1/*").handler(this::authenticate);
    // every request checked against the document before its handler (400 in words naming the field)
    router.route("/api/v1/*").handler(document::validate);
    router.get("/api/v1/targets").handler(this::listTargets);
    router.post("/api/v1/sessions").handler(this::createSession);
    new SessionRoutes(services).mount(router);
    new StatusRoutes(services).mount(router);
    router.route("/api/v1/*").failureHandler(Json::failureHandler);
  }

  private void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String token = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = header.substring(7).trim();
    } else if (header != null) {
      ctx.fail(new GatewayException(Status.UNAUTHORIZED, "the Authorization header must be 'Bearer <jwt>'"));
      return;
    }
    jwt.verify(token).onSuccess(user -> {
      ctx.put(USER, user);
      ctx.next();
    }).onFailure(e -> {
      services.audit().event("auth.refused", null, null, null, null,
          ctx.request().method() + " " + ctx.request().path() + ": " + e.getMessage(),
          remoteOf(ctx));
      ctx.fail(e);
    });
  }

  private static String remoteOf(RoutingContext ctx) {
    String remote = ctx.get(CLIENT_ADDRESS);
    return remote != null ? remote : String.valueOf(ctx.request().remoteAddress());
  }

  private void listTargets(RoutingContext ctx) {
    UserPrincipal user = ctx.get(USER);
    services.providers().list(user).onSuccess(list -> {
      JsonArray arr = new JsonArray();
      for (TargetInfo t : list) arr.add(targetJson(t));
      Json.reply(ctx, 200, new JsonObject().put("targets", arr));
    }).onFailure(ctx::fail);
  }

  static JsonObject targetJson(TargetInfo t) {
    return new JsonObject()
        .put("id", t.id())
        .put("name", t.name())
        .put("labels", new JsonObject(new LinkedHashMap<>(t.labels())))
        .put("capabilities", new JsonArray(t.capabilities().stream().sorted().toList()));
  }

  private void createSession(RoutingContext ctx) {
    UserPrincipal user = ctx.get(USER);
    JsonObject body = Json.body(ctx);
    if (body == null) {
      ctx.fail(new GatewayException(Status.BAD_REQUEST, "expected a JSON body like {\"target\": \"static/lab1\", \"role\": \"control\"}"));
      return;
    }
    Object targetValue = body.getValue("target");
    if (!(targetValue instanceof String target) || target.isBlank()) {
      ctx.fail(new GatewayException(Status.BAD_REQUEST, "\"target\" is required: a target id such as \"static/lab1\""));
      return;
    }
    Object roleValue = body.getValue("role");
    Role role;
    if (roleValue == null) {
      role = user.role();
    } else {
      role = roleValue instanceof String s ? Role.parse(s).orElse(null) : null;
      if (role == null) {
        ctx.fail(new GatewayException(Status.BAD_REQUEST, "\"role\" must be \"control\" or \"view\""));
        return;
      }
    }
    if (!user.role().allows(role)) {
      ctx.fail(new GatewayException(Status.FORBIDDEN, "your token allows only role \"" + user.role().wireName()
          + "\"; ask for \"view\" or get a token with role control"));
      return;
    }
    int perUser = services.config().limits().ticketsPerUser();
    if (services.tickets().liveTickets(user.subject()) >= perUser) {
      ctx.fail(new GatewayException(Status.TOO_MANY_REQUESTS, "you hold " + perUser + " unused tickets, the most one user may"
          + " (limits.tickets.per-user): connect with one, or wait up to " + services.config().ticketTtl().toSeconds()
          + " s for them to expire"));
      return;
    }
    services.providers().find(target, user).compose(info -> {
      Instant expires = Instant.now().plus(services.config().ticketTtl());
      var reservation = services.sessions().reserve(info.id(), user.subject(), role);
      String ticket = services.tickets().issue(
          new TicketGrant(reservation.viewerId(), reservation.sessionId(), user, info.id(), role, expires));
      return Future.succeededFuture(sessionJson(ctx, reservation.sessionId(), info.id(), role, ticket)
          .put("viewer", reservation.viewerId()));
    }).onSuccess(json -> Json.reply(ctx, 201, json)).onFailure(ctx::fail);
  }

  private JsonObject sessionJson(RoutingContext ctx, String id, String target, Role role, String ticket) {
    var server = services.config().server();
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("target", target)
        .put("role", role.wireName())
        .put("ticket", ticket)
        .put("expiresInSeconds", services.config().ticketTtl().toSeconds())
        .put("websocket", new JsonObject()
            .put("path", WS_PATH)
            .put("protocols", new JsonArray().add("binary").add(TICKET_PROTOCOL_PREFIX + ticket)));
    if (server.tcp().enabled()) {
      json.put("vnc", new JsonObject().put("host", vncHost(ctx, server.tcp().host())).put("port", server.tcp().port()));
    }
    return json;
  }

  /**
   * Where a native viewer should connect: the TCP front's host, or, when it listens on every address
   * (0.0.0.0, ::), the host name this request came in by (a container's bind address is no address
   * to connect to).
   */
  static String vncHost(RoutingContext ctx, String tcpHost) {
    boolean wildcard = tcpHost.isEmpty() || tcpHost.equals("0.0.0.0") || tcpHost.equals("::") || tcpHost.equals("[::]");
    if (!wildcard || ctx.request().authority() == null) {
      return tcpHost;
    }
    return ctx.request().authority().host();
  }
}
