package io.vncgate.gateway.session;

import io.vertx.core.json.JsonObject;

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

  static Object controllerJson(Session s) {
    return s.controller().map(c -> (Object) new JsonObject().put("viewer", c.id()).put("user", c.user())).orElse(null);
  }
}
