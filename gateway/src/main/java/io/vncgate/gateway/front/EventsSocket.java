package io.vncgate.gateway.front;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.api.ApiServices;
import io.vncgate.gateway.auth.JwtService;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.engine.WebSocketStreams;
import io.vncgate.gateway.relay.UpstreamPacer;
import io.vncgate.gateway.session.Session;
import io.vncgate.gateway.session.SessionEvents;
import io.vncgate.gateway.session.Viewer;
import java.nio.charset.StandardCharsets;

/**
 * The push channel of one viewer: a JSON WebSocket at {@code /ws/v1/events} (subprotocol
 * {@code vncgate.events}). The client's first text message authenticates it:
 * {@code {"token": "<jwt>", "viewer": "<viewer id>"}} (a token never goes into a URL). The
 * gateway then sends {@code {"type": "role", ...}} at once and on every change of control, and
 * {@code {"type": "ended", "reason": ...}} when the viewer's connection ends; while the viewer waits for
 * its turn at the target, {@code {"type": "queue", ...}} (see {@link SessionEvents#queue}).
 */
final class EventsSocket {
  static final String PATH = "/ws/v1/events";
  static final String PROTOCOL = "vncgate.events";
  private static final long AUTH_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final ApiServices services;
  private final JwtService jwt;
  private final ServerWebSocket ws;
  private MessageConsumer<JsonObject> consumer;
  private long authTimer;
  private String viewerId;
  /** The text message being assembled from frames, or null. */
  private Buffer message;
  private boolean greeted;
  private boolean closing;

  EventsSocket(Vertx vertx, ApiServices services, JwtService jwt, ServerWebSocket ws) {
    this.vertx = vertx;
    this.services = services;
    this.jwt = jwt;
    this.ws = ws;
  }

  void start() {
    // until subscribed: the token's check may fail in any way, the socket still ends in time
    authTimer = vertx.setTimer(AUTH_TIMEOUT_MS, id -> close(1008, "send {\"token\": ..., \"viewer\": ...} as the first message"));
    ws.closeHandler(v -> cleanup());
    ws.frameHandler(this::onFrame);
  }

  /**
   * Frames, assembled here into messages of at most {@code limits.websocket.events-message} bytes
   * (Vert.x would assemble up to its server-wide limit first): the first message authenticates,
   * later ones are ignored. Binary frames are refused.
   */
  private void onFrame(WebSocketFrame frame) {
    if (closing || ws.isClosed() || !(frame.isText() || frame.isBinary() || frame.isContinuation())) return;
    if (frame.isBinary() || (frame.isContinuation() && message == null)) {
      close(1003, "this channel speaks JSON text messages");
      return;
    }
    int max = services.config().limits().wsFirstMessageBytes();
    Buffer data = frame.binaryData();
    if ((message == null ? 0 : message.length()) + data.length() > max) {
      close(1009, "messages on this channel are at most " + max + " bytes (limits.websocket.events-message)");
      return;
    }
    message = message == null ? data.copy() : message.appendBuffer(data);
    if (!frame.isFinal()) return;
    String text = message.toString(StandardCharsets.UTF_8);
    message = null;
    if (!greeted) {
      greeted = true;
      onFirstMessage(text);
    } // later client messages are ignored
  }

  private void onFirstMessage(String text) {
    JsonObject hello;
    try {
      hello = new JsonObject(text);
    } catch (DecodeException e) {
      close(1008, "the first message must be JSON {\"token\": ..., \"viewer\": ...}");
      return;
    }
    String viewer = hello.getValue("viewer") instanceof String s ? s : null;
    if (viewer == null) {
      close(1008, "\"viewer\" is required: the viewer id from POST /api/v1/sessions");
      return;
    }
    jwt.verify(hello.getValue("token") instanceof String s ? s : null).onComplete(ar -> {
      if (ar.failed()) {
        close(1008, ar.cause().getMessage());
        return;
      }
      Session session = services.sessions().sessionOfViewer(viewer).orElse(null);
      Viewer v = session == null ? null : session.viewer(viewer).orElse(null);
      if (v == null) {
        close(1008, "no viewer " + viewer + ": it has disconnected or its ticket expired");
        return;
      }
      if (!v.user().equals(ar.result().subject())) {
        close(1008, "viewer " + viewer + " is not yours");
        return;
      }
      if (!ar.result().mayOpen(session.targetId())) {
        close(1008, "the token does not grant target " + session.targetId());
        return;
      }
      subscribe(session, v);
    });
  }

  private void subscribe(Session session, Viewer viewer) {
    if (ws.isClosed()) return;
    vertx.cancelTimer(authTimer);
    viewerId = viewer.id();
    consumer = vertx.eventBus().consumer(SessionEvents.address(session.id()), msg -> {
      JsonObject event = msg.body();
      if ("control".equals(event.getString("type"))) {
        send(role(session, viewer));
      } else if ("queue".equals(event.getString("type")) && viewerId.equals(event.getString("viewer"))) {
        send(event);
      } else if ("left".equals(event.getString("type")) && viewerId.equals(event.getString("viewer"))) {
        send(new JsonObject().put("type", "ended").put("session", session.id()).put("viewer", viewerId)
            .put("reason", event.getString("reason")));
        close(1000, "the viewer's connection ended");
      }
    });
    consumer.completion().onSuccess(v -> {
      send(role(session, viewer));
      // a viewer already waiting for its turn at the target learns where it stands at once
      UpstreamPacer.QueueState queue = viewer.queue();
      if (queue != null) send(SessionEvents.queue(session.id(), viewer.id(), queue));
    });
    WebSocketKeepAlive.start(vertx, ws, services.config().server().wsKeepalive());
  }

  private static JsonObject role(Session session, Viewer viewer) {
    return new JsonObject()
        .put("type", "role")
        .put("session", session.id())
        .put("viewer", viewer.id())
        .put("role", session.roleOf(viewer).wireName())
        .put("mayControl", viewer.maxRole() == Role.CONTROL)
        .put("controller", session.controller()
            .map(c -> (Object) new JsonObject().put("viewer", c.id()).put("user", c.user())).orElse(null));
  }

  private void send(JsonObject event) {
    if (!ws.isClosed()) ws.writeTextMessage(event.encode());
  }

  private void close(int code, String reason) {
    closing = true;
    message = null;
    if (!ws.isClosed()) ws.close((short) code, WebSocketStreams.truncate(reason));
    cleanup();
  }

  private void cleanup() {
    vertx.cancelTimer(authTimer);
    if (consumer != null) {
      MessageConsumer<JsonObject> c = consumer;
      consumer = null;
      // events published together with the one that ended us (a viewer's "left", then "control")
      // are already queued for this consumer: let them arrive (and be ignored) before it goes, or
      // Vert.x warns "Discarding message since the consumer is not registered" at every session end
      c.handler(msg -> { });
      vertx.getOrCreateContext().runOnContext(v -> c.unregister());
    }
  }
}
