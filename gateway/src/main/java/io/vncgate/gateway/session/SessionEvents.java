package io.vncgate.gateway.session;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.relay.UpstreamPacer;

/** Event-bus addresses and JSON shapes of the push channel. */
public final class SessionEvents {
  private SessionEvents() {}

  /** Where changes of a session are published (local now, cluster-wide with a clustered event bus). */
  public static String address(String sessionId) {
    return "vncgate.session." + sessionId;
  }

  /** A change of control: {@code {"type":"control", "controller": {...}|null}}. */
  static JsonObject control(Session s) {
    return new JsonObject().put("type", "control").put("session", s.id()).put("controller", controllerJson(s));
  }

  /** One viewer's connection ended. */
  static JsonObject left(Session s, String viewerId, String reason) {
    return new JsonObject().put("type", "left").put("session", s.id()).put("viewer", viewerId).put("reason", reason);
  }

  /**
   * Where a connecting viewer waits for its turn at the target:
   * {@code {"type":"queue", "viewer", "waiting": true, "position", "length", "retryInSeconds"}}, or
   * {@code {"type":"queue", "viewer", "waiting": true, "preparing": true}} while its provider still
   * prepares the target (a desktop starting), or {@code "waiting": false} once its connection to the
   * target starts.
   */
  public static JsonObject queue(String sessionId, String viewerId, UpstreamPacer.QueueState q) {
    JsonObject o = new JsonObject().put("type", "queue").put("session", sessionId).put("viewer", viewerId).put("waiting", q != null);
    if (q != null && q.preparing()) o.put("preparing", true);
    else if (q != null) o.put("position", q.position()).put("length", q.length()).put("retryInSeconds", q.retryInSeconds());
    return o;
  }

  static Object controllerJson(Session s) {
    return s.controller().map(c -> (Object) new JsonObject().put("viewer", c.id()).put("user", c.user())).orElse(null);
  }
}
