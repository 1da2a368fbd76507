package io.vncgate.gateway.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** JSON replies and the one place HTTP failures are mapped: {@code {"error": "…"}} with its status. */
public final class Json {
  private static final Logger log = LoggerFactory.getLogger(Json.class);

  private Json() {}

  /** The request body as a JSON object, or null when it is empty or not a JSON object. */
  public static JsonObject body(RoutingContext ctx) {
    try {
      return ctx.body().length() == 0 ? null : ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  public static void reply(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }

  public static void error(RoutingContext ctx, Status status, String message) {
    if (status == Status.UNAUTHORIZED) ctx.response().putHeader("WWW-Authenticate", "Bearer");
    reply(ctx, status.httpStatus(), new JsonObject().put("error", message));
  }

  /** Router failure handler: expected failures keep their words, anything else is logged once and hidden. */
  public static void failureHandler(RoutingContext ctx) {
    if (ctx.response().ended()) return;
    Throwable t = ctx.failure();
    if (t == null) {
      int code = ctx.statusCode();
      String message = switch (code) {
        case 404 -> "no such endpoint: " + ctx.request().method() + " " + ctx.request().path();
        case 405 -> "method " + ctx.request().method() + " not allowed on " + ctx.request().path();
        case 413 -> "request body too large";
        default -> "request failed with status " + code;
      };
      reply(ctx, code, new JsonObject().put("error", message));
      return;
    }
    GatewayException g = GatewayException.from(t);
    if (g.status() == Status.INTERNAL) {
      log.error("{} {} failed", ctx.request().method(), ctx.request().path(), t);
    } else if (g.logDetail() != null) {
      log.error("{} {} failed: {}", ctx.request().method(), ctx.request().path(), g.logDetail()); // paths: the log only
    }
    error(ctx, g.status(), g.getMessage());
  }
}
