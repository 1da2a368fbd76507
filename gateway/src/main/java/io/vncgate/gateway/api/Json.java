package io.vncgate.gateway.api;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON replies and the one place HTTP failures are mapped and written: RFC 9457 problem details
 * ({@code application/problem+json}) whose {@code detail} holds the words, with the same words in
 * the {@code error} member that clients written before read (docs/api.md).
 */
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

  /** The media type of every error reply. */
  public static final String PROBLEM_TYPE = "application/problem+json";

  public static void error(RoutingContext ctx, Status status, String message) {
    problem(ctx.response(), status.httpStatus(), status, message, ctx.request().path());
  }

  /**
   * A problem-details body: {@code type} and {@code title} from {@code status} (null: {@code
   * about:blank} and the HTTP reason phrase, for statuses no {@link Status} names), {@code detail}
   * and {@code error} the words, {@code instance} the request's path (left out when null).
   */
  /** The reason phrase of an HTTP status (RFC 9110 section 15), for the statuses no {@link Status} names. */
  static String reasonPhrase(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 408 -> "Request Timeout";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 415 -> "Unsupported Media Type";
      case 429 -> "Too Many Requests";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 501 -> "Not Implemented";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> httpStatus >= 500 ? "Server Error" : "Client Error";
    };
  }

  public static JsonObject problemBody(int httpStatus, Status status, String detail, String instance) {
    JsonObject body = new JsonObject()
        .put("type", status == null ? "about:blank" : status.problemType())
        .put("title", status == null ? reasonPhrase(httpStatus) : status.title())
        .put("status", httpStatus)
        .put("detail", detail);
    if (instance != null) body.put("instance", instance);
    return body.put("error", detail);
  }

  /**
   * Writes a problem reply and ends the response (401 with {@code WWW-Authenticate: Bearer}); the
   * caller adds headers such as {@code Connection: close} or {@code Retry-After} before.
   */
  public static Future<Void> problem(HttpServerResponse response, int httpStatus, Status status,
      String detail, String instance) {
    if (httpStatus == 401) response.putHeader("WWW-Authenticate", "Bearer");
    return response
        .setStatusCode(httpStatus)
        .putHeader("Content-Type", PROBLEM_TYPE)
        .putHeader("Cache-Control", "no-store")
        .end(problemBody(httpStatus, status, detail, instance).encode());
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
      problem(ctx.response(), code, code == 404 ? Status.NOT_FOUND : null, message, ctx.request().path());
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
