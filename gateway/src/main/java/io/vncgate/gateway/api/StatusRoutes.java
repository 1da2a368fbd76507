package io.vncgate.gateway.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.provider.ProviderRegistry;

/**
 * What {@code vncgate status} asks: each provider's readiness ({@code GET /api/v1/providers}) and
 * whether a target's VNC server answers through its route ({@code GET /api/v1/targets/{id}/check}).
 * See docs/api.md.
 */
final class StatusRoutes {
  private final ApiServices services;

  StatusRoutes(ApiServices services) {
    this.services = services;
  }

  void mount(Router router) {
    router.get("/api/v1/providers").handler(this::providers);
    // target ids hold a slash (static/lab1): the id is everything between targets/ and /check
    router.getWithRegex("/api/v1/targets/(?<id>.+)/check").setName("/api/v1/targets/{id}/check").handler(this::check);
  }

  private void providers(RoutingContext ctx) {
    UserPrincipal user = ctx.get(ApiRoutes.USER);
    services.providers().health(user).onSuccess(all -> {
      JsonArray out = new JsonArray();
      boolean ready = services.providers().ready();
      for (ProviderRegistry.Health h : all) {
        ready &= h.ready();
        JsonObject p = new JsonObject().put("name", h.name()).put("state", h.state()).put("ready", h.ready());
        if (h.ready()) p.put("targets", h.targets());
        // the words name hosts, sockets and plugin files: the operators' to read
        if (user.admin() && h.words() != null) p.put("detail", h.words());
        out.add(p);
      }
      Json.reply(ctx, 200, new JsonObject().put("ready", ready).put("providers", out));
    }).onFailure(ctx::fail);
  }

  private void check(RoutingContext ctx) {
    UserPrincipal user = ctx.get(ApiRoutes.USER);
    String target = ctx.pathParam("id");
    services.probe().check(target, user).onSuccess(c -> {
      JsonObject body = new JsonObject().put("target", target).put("ok", c.outcome() == null).put("millis", c.millis());
      if (c.outcome() == null) {
        if (c.banner() != null) body.put("banner", c.banner()).put("version", c.version());
        body.put("desktop", new JsonObject().put("name", c.desktop()).put("width", c.width()).put("height", c.height()));
        // answered from the target's live shared session: no connection was made for this check
        if (c.fromSession()) body.put("session", true);
      } else {
        body.put("outcome", c.outcome().label()).put("reason", c.outcome().words()).put("error", c.error())
            .put("final", c.outcome().isFinal());
      }
      // "ok": the stored password works; else the failure's words; absent when the check did not get that far
      if (c.authenticated() != null) body.put("auth", c.authenticated() ? "ok" : c.error());
      body.put("ageSeconds", c.ageSeconds()).put("cacheSeconds", c.cacheSeconds());
      // the gateway connected to the target for this user: on the record like a viewer's attempt
      services.audit().event("target.checked", user.subject(), target, null, null,
          c.outcome() == null ? (c.fromSession() ? "live session" : c.banner()) : c.error(), String.valueOf(ctx.request().remoteAddress()),
          c.outcome() == null ? "ok" : c.outcome().label());
      Json.reply(ctx, 200, body);
    }).onFailure(ctx::fail);
  }
}
