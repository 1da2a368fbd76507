package io.vncgate.testbeds.pve;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The request side of {@link PveTestbed}: pveproxy's authentication (ticket cookie, CSRF token,
 * API token), the JSON formatter's envelopes and the API methods a console client uses. Runs on
 * the testbed's event loop; never blocks (QMP calls go to a worker thread in {@link ConsoleRelay}).
 */
final class PveApi implements Handler<HttpServerRequest> {

  private static final String BASE = "/api2/json";
  private static final Pattern GUEST = Pattern.compile(
      "^/nodes/([^/]+)/(qemu|lxc)/([^/]+)/(vncproxy|vncwebsocket|status/current)$");
  private static final Pattern TASK = Pattern.compile("^/nodes/([^/]+)/tasks/([^/]+)/status$");

  private final Vertx vertx;
  private final PveState state;
  private final ConsoleRelay relay;

  PveApi(Vertx vertx, PveState state, ConsoleRelay relay) {
    this.vertx = vertx;
    this.state = state;
    this.relay = relay;
  }

  @Override
  public void handle(HttpServerRequest req) {
    Reply reply = new Reply(vertx, req, state);
    if (req.method() == HttpMethod.POST || req.method() == HttpMethod.PUT) {
      req.body().onSuccess(body -> {
        try {
          dispatch(req, reply, PveParams.body(req, body));
        } catch (PveParams.ParamException e) {
          reply.json(400, "Parameter verification failed.\n", null, e.errors());
        }
      });
    } else {
      dispatch(req, reply, new LinkedHashMap<>());
    }
  }

  private void dispatch(HttpServerRequest req, Reply reply, Map<String, String> params) {
    String path = URLDecoder.decode(req.path(), StandardCharsets.UTF_8);
    if (!path.startsWith(BASE + "/") && !path.equals(BASE)) {
      reply.bare(501, "no such uri");
      return;
    }
    String rel = path.substring(BASE.length());
    rel = rel.isEmpty() ? "/" : rel;
    params.putAll(PveParams.query(req.query()));
    params.remove("_dc");
    String method = req.method().name();
    boolean noAuth = rel.equals("/access/ticket") && (method.equals("POST") || method.equals("GET"));
    PveAuthenticator.Auth auth = null;
    if (!noAuth) {
      try {
        auth = PveAuthenticator.authenticate(state, req, method);
      } catch (PveAuthenticator.AuthException e) {
        reply.bare(401, e.getMessage());
        return;
      }
      reply.principal(auth.user());
    }
    Matcher guest = GUEST.matcher(rel);
    Matcher task = TASK.matcher(rel);
    if (rel.equals("/access/ticket") && method.equals("POST")) {
      login(reply, params);
    } else if (rel.equals("/version") && method.equals("GET")) {
      reply.json(200, null, new JsonObject().put("version", "8.3.2").put("release", "8.3")
          .put("repoid", "3e76eec21c4a14a7"), null);
    } else if (rel.equals("/cluster/resources") && method.equals("GET")) {
      resources(reply, auth, params);
    } else if (guest.matches() && isMethodOf(guest.group(4), method)) {
      int vmid;
      try {
        vmid = Integer.parseInt(guest.group(3));
      } catch (NumberFormatException e) {
        reply.json(400, "Parameter verification failed.\n", null,
            new JsonObject().put("vmid", "invalid format - value does not look like a valid VM ID\n"));
        return;
      }
      GuestCall call = new GuestCall(guest.group(1), guest.group(2), vmid, auth, params);
      switch (guest.group(4)) {
        case "vncproxy" -> vncproxy(reply, call);
        case "vncwebsocket" -> vncwebsocket(req, reply, call);
        default -> statusCurrent(reply, call);
      }
    } else if (task.matches() && method.equals("GET")) {
      state.workers().taskStatus(task.group(2), state.nowMillis()).ifPresentOrElse(
          status -> reply.json(200, null, new JsonObject(status), null),
          () -> reply.json(500, "unable to parse worker upid '" + task.group(2) + "'\n", null, null));
    } else {
      reply.json(501, "Method '" + method + " " + rel + "' not implemented", null, null);
    }
  }

  private static boolean isMethodOf(String call, String method) {
    return call.equals("vncproxy") ? method.equals("POST") : method.equals("GET");
  }

  /** The arguments of one guest method: URL node and type, vmid, caller, parameters. */
  private record GuestCall(String node, String type, int vmid, PveAuthenticator.Auth auth, Map<String, String> params) {
    String aclPath() {
      return "/vms/" + vmid;
    }
  }

  private void login(Reply reply, Map<String, String> params) {
    String user = params.getOrDefault("username", "");
    if (params.containsKey("realm") && !user.contains("@")) {
      user = user + "@" + params.get("realm");
    }
    PveState.Principal principal = state.users().get(user);
    if (principal == null || !principal.secret().equals(params.get("password"))) {
      reply.json(401, "authentication failure\n", null, null);
      return;
    }
    reply.principal(user);
    long now = state.nowSeconds();
    reply.json(200, null, new JsonObject()
        .put("username", user)
        .put("ticket", state.tickets().loginTicket(user, now))
        .put("CSRFPreventionToken", state.tickets().csrfToken(user, now))
        .put("cap", new JsonObject()), null);
  }

  // ------------------------------------------------------------------ methods

  private void resources(Reply reply, PveAuthenticator.Auth auth, Map<String, String> params) {
    String type = params.get("type");
    if (type != null && !type.matches("vm|storage|node|sdn")) {
      reply.json(400, "Parameter verification failed.\n", null, new JsonObject().put("type",
          "value '" + type + "' does not have a value in the enumeration 'vm, storage, node, sdn'"));
      return;
    }
    JsonArray out = new JsonArray();
    if (type == null || type.equals("vm")) {
      for (PveGuest g : state.guests()) {
        if (auth.permissions().mayAudit(g.vmid())) {
          out.add(resource(g));
        }
      }
    }
    if (type == null || type.equals("node")) {
      for (String node : state.nodes()) {
        boolean online = !state.offlineNodes().contains(node);
        out.add(new JsonObject().put("id", "node/" + node).put("type", "node").put("node", node)
            .put("status", online ? "online" : "offline"));
      }
    }
    reply.json(200, null, out, null);
  }

  private JsonObject resource(PveGuest g) {
    boolean running = g.status().equals("running");
    String status = state.offlineNodes().contains(g.node()) ? "unknown" : g.status();
    JsonObject entry = new JsonObject()
        .put("id", g.type() + "/" + g.vmid()).put("type", g.type()).put("vmid", g.vmid())
        .put("node", g.node()).put("name", g.name()).put("status", status).put("template", 0)
        .put("uptime", running ? 4711 : 0).put("maxcpu", 1).put("cpu", running ? 0.01 : 0)
        .put("maxmem", 67108864).put("mem", running ? 33554432 : 0).put("maxdisk", 0).put("disk", 0)
        .put("netin", 0).put("netout", 0).put("diskread", 0).put("diskwrite", 0);
    if (!g.tags().isEmpty()) {
      entry.put("tags", String.join(";", g.tags()));
    }
    if (g.pool() != null) {
      entry.put("pool", g.pool());
    }
    return entry;
  }

  /** A guest of that type on that node, or an answer already sent. */
  private PveGuest loadConfig(Reply reply, GuestCall call) {
    PveGuest guest = state.guest(call.vmid());
    if (guest == null || !guest.node().equals(call.node()) || !guest.type().equals(call.type())) {
      String dir = call.type().equals("qemu") ? "qemu-server" : "lxc";
      reply.json(500, "Configuration file 'nodes/" + call.node() + "/" + dir + "/" + call.vmid()
          + ".conf' does not exist\n", null, null);
      return null;
    }
    return guest;
  }

  private boolean permitted(Reply reply, GuestCall call, String privilege) {
    PvePermissions p = call.auth().permissions();
    boolean ok = privilege.equals("VM.Console") ? p.mayConsole(call.vmid()) : p.mayAudit(call.vmid());
    if (!ok) {
      reply.json(403, "Permission check failed (" + call.aclPath() + ", " + privilege + ")\n", null, null);
    }
    return ok;
  }

  private void statusCurrent(Reply reply, GuestCall call) {
    if (!permitted(reply, call, "VM.Audit")) {
      return;
    }
    JsonObject errors = PveParams.unknown(call.params(), Set.of());
    if (!errors.isEmpty()) {
      reply.json(400, "Parameter verification failed.\n", null, errors);
      return;
    }
    if (state.offlineNodes().contains(call.node())) {
      reply.bare(595, "Errors during connection establishment, proxy handshake: No route to host");
      return;
    }
    PveGuest g = loadConfig(reply, call);
    if (g == null) {
      return;
    }
    boolean running = g.status().equals("running");
    JsonObject data = new JsonObject().put("vmid", g.vmid()).put("name", g.name())
        .put("status", g.status()).put("uptime", running ? 4711 : 0).put("cpus", 1)
        .put("maxmem", 67108864).put("mem", running ? 33554432 : 0)
        .put("ha", new JsonObject().put("managed", 0));
    if (g.type().equals("qemu")) {
      data.put("qmpstatus", running ? "running" : "stopped");
    } else {
      data.put("type", "lxc");
    }
    if (!g.tags().isEmpty()) {
      data.put("tags", String.join(";", g.tags()));
    }
    reply.json(200, null, data, null);
  }

  private void vncproxy(Reply reply, GuestCall call) {
    if (!permitted(reply, call, "VM.Console")) {
      return;
    }
    Boolean websocket;
    boolean lxc = call.type().equals("lxc");
    JsonObject errors = PveParams.unknown(call.params(), lxc
        ? Set.of("websocket", "width", "height") : Set.of("websocket", "generate-password"));
    try {
      websocket = PveParams.bool(call.params(), "websocket");
      if (!lxc) {
        PveParams.bool(call.params(), "generate-password");
      }
    } catch (PveParams.ParamException e) {
      errors = errors.mergeIn(e.errors());
      websocket = null;
    }
    if (lxc) {
      PveParams.range(call.params(), "width", 16, 4096, errors);
      PveParams.range(call.params(), "height", 16, 2160, errors);
    }
    if (!errors.isEmpty()) {
      reply.json(400, "Parameter verification failed.\n", null, errors);
      return;
    }
    PveGuest guest = loadConfig(reply, call);
    if (guest == null) {
      return;
    }
    long nowMs = state.nowMillis();
    int port = state.workers().freePort(nowMs);
    if (port < 0) {
      reply.json(500, "unable to find free port (5900-5999)\n", null, null);
      return;
    }
    String ticket = state.tickets().vncTicket(call.auth().user(), call.aclPath(), port, nowMs / 1000);
    String password = null;
    if (guest.type().equals("qemu") || Boolean.TRUE.equals(websocket)) {
      password = state.tickets().vncPassword();
      ticket = password + ":" + ticket;
    }
    VncProxyWorkers.Worker worker =
        state.workers().start(port, guest, call.auth().user(), password, ticket, nowMs);
    // Perl interpolated $port into the ticket's secret data before JSON encoding: it is a string.
    JsonObject data = new JsonObject().put("user", call.auth().user()).put("ticket", ticket)
        .put("port", String.valueOf(port)).put("upid", worker.upid).put("cert", state.caPem());
    if (password != null) {
      data.put("password", password);
    }
    reply.json(200, null, data, null);
    state.vncproxyAnswered();
  }

  private void vncwebsocket(HttpServerRequest req, Reply reply, GuestCall call) {
    if (!permitted(reply, call, "VM.Console")) {
      return;
    }
    JsonObject errors = PveParams.unknown(call.params(), Set.of("port", "vncticket"));
    String ticket = call.params().get("vncticket");
    String portText = call.params().get("port");
    int port = -1;
    if (ticket == null) {
      errors.put("vncticket", "property is missing and it is not optional");
    } else if (ticket.length() > 512) {
      errors.put("vncticket", "value may only be 512 characters long");
    }
    if (portText == null) {
      errors.put("port", "property is missing and it is not optional");
    } else {
      try {
        port = Integer.parseInt(portText);
        if (port < 5900) {
          errors.put("port", "value must have a minimum value of 5900");
        } else if (port > 5999) {
          errors.put("port", "value must have a maximum value of 5999");
        }
      } catch (NumberFormatException e) {
        errors.put("port", "type check ('integer') failed - got '" + portText + "'");
      }
    }
    if (!errors.isEmpty()) {
      reply.json(400, "Parameter verification failed.\n", null, errors);
      return;
    }
    if (!state.tickets().verifyVncTicket(ticket, call.auth().user(), call.aclPath(), port, state.nowSeconds())) {
      reply.json(401, "permission denied - invalid PVEVNC ticket\n", null, null);
      return;
    }
    PveGuest guest = loadConfig(reply, call);
    if (guest == null) {
      return;
    }
    if (!"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
      reply.json(200, null, new JsonObject().put("port", String.valueOf(port)), null);
      return;
    }
    var worker = state.workers().accept(port, state.nowMillis());
    if (worker.isEmpty()) {
      // pveproxy's websocket_proxy: tcp_connect to the worker's port fails, and its callback dies
      // ("connect to 'localhost:5900' failed: Connection refused") outside the eval that would
      // answer; the event loop logs and ignores it, and the request's handle has its timeout
      // off: the client gets no answer at all, until it gives up
      reply.noAnswer();
      return;
    }
    VncProxyWorkers.Worker w = worker.get();
    PveGuest now = state.guest(guest.vmid());
    req.toWebSocket().onSuccess(ws -> {
      ws.pause();
      reply.upgraded();
      if (now == null || !now.status().equals("running") || now.console() == null
          || state.offlineNodes().contains(now.node())) {
        state.workers().finish(w, "Failed to run vncproxy.");
        Reply.abort(req.connection());
        return;
      }
      String password = w.password != null ? w.password : w.ticket;
      Runnable closed = () -> {
        state.consoleClosed();
        state.workers().finish(w, "OK");
      };
      Runnable start = () -> relay.start(ws, req.connection(), now.console(), password, closed)
          .onSuccess(v -> state.consoleOpened())
          .onFailure(err -> state.workers().finish(w, "Failed to run vncproxy."));
      long hold = state.takeConsoleHold();
      if (hold > 0) {
        Vertx.currentContext().owner().setTimer(hold, id -> start.run());
      } else {
        start.run();
      }
    }).onFailure(err -> {
      state.workers().finish(w, "connection failed: " + err.getMessage());
      reply.dropConnection();
    });
  }
}
