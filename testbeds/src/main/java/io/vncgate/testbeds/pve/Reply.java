package io.vncgate.testbeds.pve;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One answer in pveproxy's shapes: JSON {@code {"data": …}} with {@code message} (and
 * {@code errors}) on failures, the message's first line as the HTTP reason phrase, PVE's headers,
 * 401s delayed (3 s on real PVE), and the call recorded when it is answered.
 */
final class Reply {

  private static final Logger LOG = LoggerFactory.getLogger(Reply.class);

  private final Vertx vertx;
  private final HttpServerRequest req;
  private final PveState state;
  private final Instant at = Instant.now();
  private String principal;
  private boolean done;

  Reply(Vertx vertx, HttpServerRequest req, PveState state) {
    this.vertx = vertx;
    this.req = req;
    this.state = state;
  }

  void principal(String user) {
    this.principal = user;
  }

  /** The JSON formatter: data always present (null on errors), message and errors on failures. */
  void json(int status, String message, Object data, JsonObject errors) {
    JsonObject body = new JsonObject().put("data", data);
    if (status >= 400) {
      body.put("message", message);
      if (errors != null) {
        body.put("errors", errors);
      }
    }
    send(status, message, body.encode(), "application/json;charset=UTF-8");
  }

  /** A status line with no body: authentication failures, pveproxy's own errors, proxy errors. */
  void bare(int status, String message) {
    send(status, message, null, null);
  }

  /** The WebSocket was accepted (101). */
  void upgraded() {
    record(101);
  }

  /** Leaves the request unanswered and the connection open, as pveproxy does when its console connect fails. */
  void noAnswer() {
    record(0);
  }

  /** Closes the connection with no answer. */
  void dropConnection() {
    record(0);
    abort(req.connection());
  }

  /**
   * Closes the TCP connection at once — TLS close_notify, no HTTP answer, no WebSocket close frame
   * — as pveproxy's client_do_disconnect does. Vert.x's own {@code close()} would send a WebSocket
   * close frame and wait for the answer (its VertxHandler turns a channel close into that), so
   * the close starts below Vert.x's handler in the Netty pipeline, still through the TLS handler
   * (Vert.x internal API, acceptable in a test fixture).
   */
  static void abort(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      connection.close();
      return;
    }
    ChannelPipeline pipeline = base.channel().pipeline();
    for (Map.Entry<String, ChannelHandler> entry : pipeline) {
      if (entry.getValue() instanceof VertxHandler) {
        pipeline.context(entry.getKey()).close();
        return;
      }
    }
    base.channel().close();
  }

  private void send(int status, String message, String body, String contentType) {
    record(status);
    Runnable write = () -> {
      HttpServerResponse resp = req.response();
      String reason = message == null ? (status == 200 ? "OK" : null) : message.lines().findFirst().orElse("");
      resp.setStatusCode(status);
      if (reason != null) {
        resp.setStatusMessage(reason);
      }
      String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().atZone(ZoneOffset.UTC));
      resp.putHeader("Server", "pve-api-daemon/3.0").putHeader("Date", date).putHeader("Expires", date)
          .putHeader("Cache-Control", "max-age=0").putHeader("Pragma", "no-cache");
      if (status >= 400) {
        resp.putHeader("Connection", "close");
      }
      if (body == null) {
        resp.end();
      } else {
        resp.putHeader("Content-Type", contentType).end(body);
      }
    };
    long delay = status == 401 ? state.unauthorizedDelayMillis() : 0;
    if (delay > 0) {
      vertx.setTimer(delay, t -> write.run());
    } else {
      write.run();
    }
  }

  private void record(int status) {
    if (done) {
      return;
    }
    done = true;
    // the query is not logged: the vncwebsocket URL carries the VNC ticket
    LOG.debug("PVE {} {} -> {} ({})", req.method().name(), req.path(), status == 0 ? "dropped" : status,
        principal == null ? "unauthenticated" : principal);
    state.record(new PveCall(at, req.method().name(), req.path(), req.query(), status, principal));
  }
}
