package io.vncgate.gateway.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.session.Session;
import io.vncgate.gateway.session.Viewer;

/**
 * Shared sessions: the roster, take-over and give-back for viewers, ending sessions and viewers
 * for operators ({@code auth.admins} or a token with {@code vncgate.admin: true}).
 */
final class SessionRoutes {
  private final ApiServices services;

  SessionRoutes(ApiServices services) {
    this.services = services;
  }

  void mount(Router router) {
    router.get("/api/v1/sessions").handler(this::list);
    router.post("/api/v1/sessions/:id/control").handler(ctx -> viewerAction(ctx, true));
    router.post("/api/v1/sessions/:id/release").handler(ctx -> viewerAction(ctx, false));
    router.delete("/api/v1/sessions/:id").handler(this::end);
    router.delete("/api/v1/sessions/:id/viewers/:viewer").handler(this::kick);
  }

  private void list(RoutingContext ctx) {
    UserPrincipal user = ctx.get(ApiRoutes.USER);
    JsonArray out = new JsonArray();
    for (Session s : services.sessions().sessions()) {
      if (user.admin() || user.mayOpen(s.targetId())) out.add(json(s));
    }
    Json.reply(ctx, 200, new JsonObject().put("sessions", out));
  }

  static JsonObject json(Session s) {
    JsonArray viewers = new JsonArray();
    for (Viewer v : s.viewers()) {
      viewers.add(new JsonObject()
          .put("id", v.id())
          .put("user", v.user())
          .put("role", s.roleOf(v).wireName())
          .put("mayControl", v.maxRole() == Role.CONTROL)
          .put("state", v.state())
          .put("connectedAt", v.connectedAt().toString()));
    }
    return new JsonObject()
        .put("id", s.id())
        .put("target", s.targetId())
        .put("createdAt", s.createdAt().toString())
        .put("controller", s.controller().map(c -> (Object) new JsonObject().put("viewer", c.id()).put("user", c.user())).orElse(null))
        .put("viewers", viewers);
  }

  private void viewerAction(RoutingContext ctx, boolean take) {
    UserPrincipal user = ctx.get(ApiRoutes.USER);
    String sessionId = ctx.pathParam("id");
    JsonObject body = Json.body(ctx);
    Object viewer = body == null ? null : body.getValue("viewer");
    if (!(viewer instanceof String viewerId) || viewerId.isBlank()) {
      throw new GatewayException(Status.BAD_REQUEST, "expected a JSON body like {\"viewer\": \"<your viewer id from POST /api/v1/sessions>\"}");
    }
    if (take) {
      services.sessions().takeControl(sessionId, viewerId, user);
    } else {
      services.sessions().release(sessionId, viewerId, user);
    }
    Session s = services.sessions().session(sessionId).orElseThrow();
    Json.reply(ctx, 200, json(s));
  }

  private void end(RoutingContext ctx) {
    UserPrincipal user = requireAdmin(ctx);
    services.sessions().end(ctx.pathParam("id"), "session ended by operator " + user.subject());
    ctx.response().setStatusCode(204).end();
  }

  private void kick(RoutingContext ctx) {
    UserPrincipal user = requireAdmin(ctx);
    services.sessions().kick(ctx.pathParam("id"), ctx.pathParam("viewer"), "disconnected by operator " + user.subject());
    ctx.response().setStatusCode(204).end();
  }

  private static UserPrincipal requireAdmin(RoutingContext ctx) {
    UserPrincipal user = ctx.get(ApiRoutes.USER);
    if (!user.admin()) {
      throw new GatewayException(Status.FORBIDDEN,
          "only operators may end sessions or viewers (auth.admins in the config, or vncgate.admin: true in the token)");
    }
    return user;
  }
}
