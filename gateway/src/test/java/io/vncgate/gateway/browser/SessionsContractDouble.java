package io.vncgate.gateway.browser;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import io.vncgate.gateway.ui.WebUi;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A test double of issue 3's session API in front of a real gateway, written from the contract
 * the page is built against: POST /api/v1/sessions adds "viewer" (first control viewer of a
 * target controls, later ones observe), GET /api/v1/sessions, POST and DELETE
 * /api/v1/sessions/{id}/control, and the push channel /ws/v1/events ("vncgate.events", the JWT in
 * the first message, role messages on every change). /ws/v1/connect is relayed to the gateway.
 * It enforces nothing: it exists to drive the page's take-over path until the gateway has it.
 */
final class SessionsContractDouble implements AutoCloseable {
  record Viewer(String id, String user, boolean mayControl, Instant connectedAt) {}

  static final class Session {
    final String id = UUID.randomUUID().toString();
    final String target;
    final Map<String, Viewer> viewers = new LinkedHashMap<>();
    final Map<String, ServerWebSocket> events = new LinkedHashMap<>();
    String controller;

    Session(String target) {
      this.target = target;
    }
  }

  private final Vertx vertx;
  private final int gatewayPort;
  private final WebClient http;
  private final WebSocketClient wsClient;
  private final Map<String, Session> byTarget = new LinkedHashMap<>();
  private final HttpServer server;

  SessionsContractDouble(Vertx vertx, int gatewayPort) throws Exception {
    this.vertx = vertx;
    this.gatewayPort = gatewayPort;
    this.http = WebClient.create(vertx);
    this.wsClient = vertx.createWebSocketClient();
    Router router = Router.router(vertx);
    router.route("/api/v1/*").handler(BodyHandler.create());
    router.post("/api/v1/sessions").handler(this::createSession);
    router.get("/api/v1/sessions").handler(this::listSessions);
    router.post("/api/v1/sessions/:id/control").handler(this::takeControl);
    router.delete("/api/v1/sessions/:id/control").handler(this::giveBack);
    router.route("/api/v1/*").handler(this::forward);
    router.get("/ws/v1/connect").handler(this::relay);
    router.get("/ws/v1/events").handler(this::events);
    WebUi.mount(router);
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
        .setWebSocketSubProtocols(List.of("binary", "vncgate.events")));
    server.requestHandler(router).listen().await(10, TimeUnit.SECONDS);
  }

  String origin() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  private static String subject(String authorization) {
    String jwt = authorization.substring("Bearer ".length());
    String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
    return new JsonObject(payload).getString("sub");
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  private void forward(RoutingContext ctx) {
    http.request(ctx.request().method(), gatewayPort, "127.0.0.1", ctx.request().uri())
        .putHeader("Authorization", String.valueOf(ctx.request().getHeader("Authorization")))
        .sendBuffer(ctx.body().buffer() == null ? Buffer.buffer() : ctx.body().buffer())
        .onSuccess(r -> ctx.response().setStatusCode(r.statusCode()).putHeader("Content-Type", "application/json")
            .end(r.bodyAsBuffer() == null ? Buffer.buffer() : r.bodyAsBuffer()))
        .onFailure(ctx::fail);
  }

  private void createSession(RoutingContext ctx) {
    String auth = ctx.request().getHeader("Authorization");
    http.post(gatewayPort, "127.0.0.1", "/api/v1/sessions").putHeader("Authorization", String.valueOf(auth))
        .sendBuffer(ctx.body().buffer())
        .onSuccess(r -> {
          if (r.statusCode() != 201) {
            ctx.response().setStatusCode(r.statusCode()).putHeader("Content-Type", "application/json").end(r.bodyAsBuffer());
            return;
          }
          JsonObject reply = r.bodyAsJsonObject();
          Session s = byTarget.computeIfAbsent(reply.getString("target"), Session::new);
          boolean mayControl = reply.getString("role").equals("control");
          Viewer v = new Viewer(UUID.randomUUID().toString(), subject(auth), mayControl, Instant.now());
          s.viewers.put(v.id(), v);
          if (mayControl && s.controller == null) s.controller = v.id();
          json(ctx, 201, reply.put("id", s.id).put("viewer", v.id()).put("role", v.id().equals(s.controller) ? "control" : "view"));
        })
        .onFailure(ctx::fail);
  }

  private Session session(String id) {
    return byTarget.values().stream().filter(s -> s.id.equals(id)).findFirst().orElse(null);
  }

  private JsonObject controllerJson(Session s) {
    Viewer c = s.controller == null ? null : s.viewers.get(s.controller);
    return c == null ? null : new JsonObject().put("viewer", c.id()).put("user", c.user());
  }

  private void listSessions(RoutingContext ctx) {
    JsonArray sessions = new JsonArray();
    for (Session s : byTarget.values()) {
      JsonArray viewers = new JsonArray();
      for (Viewer v : s.viewers.values()) {
        viewers.add(new JsonObject().put("id", v.id()).put("user", v.user())
            .put("role", v.id().equals(s.controller) ? "control" : "view").put("connectedAt", v.connectedAt().toString()));
      }
      sessions.add(new JsonObject().put("id", s.id).put("target", s.target).put("viewers", viewers).put("controller", controllerJson(s)));
    }
    json(ctx, 200, new JsonObject().put("sessions", sessions));
  }

  private void takeControl(RoutingContext ctx) {
    Session s = session(ctx.pathParam("id"));
    Viewer v = s == null ? null : s.viewers.get(ctx.body().asJsonObject().getString("viewer"));
    if (v == null) {
      json(ctx, 404, new JsonObject().put("error", "no such session or viewer"));
    } else if (!v.mayControl()) {
      json(ctx, 403, new JsonObject().put("error", "your token allows only role \"view\""));
    } else {
      s.controller = v.id();
      announce(s);
      json(ctx, 200, new JsonObject().put("session", s.id).put("controller", controllerJson(s)));
    }
  }

  private void giveBack(RoutingContext ctx) {
    Session s = session(ctx.pathParam("id"));
    String viewer = ctx.body().asJsonObject().getString("viewer");
    if (s == null || !viewer.equals(s.controller)) {
      json(ctx, 409, new JsonObject().put("error", "you do not control this session"));
      return;
    }
    s.controller = null;
    announce(s);
    json(ctx, 200, new JsonObject().put("session", s.id).put("controller", (Object) null));
  }

  private void announce(Session s) {
    s.events.forEach((viewer, ws) -> ws.writeTextMessage(roleMessage(s, viewer)));
  }

  private String roleMessage(Session s, String viewer) {
    return new JsonObject().put("type", "role").put("session", s.id).put("viewer", viewer)
        .put("role", viewer.equals(s.controller) ? "control" : "view").put("controller", controllerJson(s)).encode();
  }

  private void events(RoutingContext ctx) {
    ctx.request().toWebSocket().onSuccess(ws -> ws.textMessageHandler(text -> {
      String viewer = new JsonObject(text).getString("viewer");
      for (Session s : byTarget.values()) {
        if (s.viewers.containsKey(viewer)) {
          s.events.put(viewer, ws);
          ws.closeHandler(v -> s.events.remove(viewer, ws));
          ws.writeTextMessage(roleMessage(s, viewer));
        }
      }
    }));
  }

  private void relay(RoutingContext ctx) {
    List<String> protocols = new ArrayList<>();
    for (String p : String.valueOf(ctx.request().getHeader("Sec-WebSocket-Protocol")).split(",")) protocols.add(p.trim());
    ctx.request().toWebSocket().onSuccess(front -> {
      front.pause();
      wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gatewayPort).setURI("/ws/v1/connect")
          .setSubProtocols(protocols)).onSuccess(back -> {
            front.binaryMessageHandler(back::writeBinaryMessage);
            back.binaryMessageHandler(front::writeBinaryMessage);
            front.closeHandler(v -> back.close());
            back.closeHandler(v -> {
              Short code = back.closeStatusCode();
              front.close(code == null ? (short) 1000 : code, back.closeReason() == null ? "" : back.closeReason());
            });
            front.resume();
          }).onFailure(e -> front.close((short) 1011, "relay failed: " + e.getMessage()));
    });
  }

  @Override
  public void close() throws Exception {
    Future.join(server.close(), wsClient.close()).await(10, TimeUnit.SECONDS);
    http.close();
  }
}
