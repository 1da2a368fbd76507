package io.vncgate.gateway.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.cli.StatusHttp.Answer;
import io.vncgate.gateway.cli.StatusReport.Layer;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The layers of {@code vncgate status} that need the gateway's API: its providers, the target's
 * VNC server (through {@code GET /api/v1/targets/{id}/check}) and who is connected.
 */
final class StatusApiLayers {
  private final StatusHttp http;
  private final String base;
  /** The target to check, or null. */
  private final String target;
  /** The token file as the user names it, for the commands to paste (never the token). */
  private final String tokenShown;
  /** Why the sessions layer has nothing to say, set when the target layer found no such target or a forbidden one. */
  private String noSessionsBecause;

  StatusApiLayers(StatusHttp http, String base, String target, String tokenShown) {
    this.http = http;
    this.base = base;
    this.target = target;
    this.tokenShown = tokenShown;
  }

  // 3. providers

  void providers(StatusReport report, String token) {
    try {
      Answer ready = http.get("/readyz", null);
      JsonObject data = new JsonObject().put("readyz", ready.status());
      if (ready.json() != null && "draining".equals(ready.json().getString("status"))) {
        report.add(Layer.problem("providers", "the gateway is stopping (draining)", "the gateway refuses new connections: it"
            + " was asked to stop (SIGTERM) and waits for its viewers", "/readyz answered 503 draining", data,
            "systemctl start vncgate   # once it has stopped; or start the new instance"));
        return;
      }
      List<String> notReady = new ArrayList<>();
      List<String> details = new ArrayList<>();
      List<String> rescue = new ArrayList<>();
      JsonArray list = new JsonArray();
      if (token != null) {
        Answer a = http.get("/api/v1/providers", token);
        if (a.status() == 200 && a.json() != null) list.addAll(a.json().getJsonArray("providers", new JsonArray()));
      }
      if (list.isEmpty() && ready.json() != null) {
        // without a token, /readyz's words: started providers and those that did not start
        for (Object n : ready.json().getJsonArray("providers", new JsonArray())) {
          list.add(new JsonObject().put("name", n).put("state", "ready").put("ready", true));
        }
        ready.json().getJsonObject("unavailable", new JsonObject()).forEach(e -> list.add(new JsonObject().put("name", e.getKey())
            .put("state", "unavailable").put("ready", false).put("detail", e.getValue())));
      }
      List<String> names = new ArrayList<>();
      for (Object o : list) {
        JsonObject p = (JsonObject) o;
        String name = p.getString("name");
        names.add(name + " " + p.getString("state") + (p.containsKey("targets") ? " (" + p.getValue("targets") + ")" : ""));
        if (p.getBoolean("ready", false)) continue;
        notReady.add(name);
        details.add(name + ": " + p.getString("state") + (p.getString("detail") == null ? " (an admin token shows why)"
            : ": " + p.getString("detail")));
        if ("unavailable".equals(p.getString("state"))) {
          rescue.add("vncgate plugins --config /etc/vncgate/vncgate.yaml   # why provider " + name + " did not start");
          rescue.add("systemctl restart vncgate   # after fixing providers." + name + " or its plugin");
        } else {
          rescue.add("journalctl -u vncgate | grep 'provider=" + name + "'   # its own words on what fails");
          if (name.equals("docker")) rescue.add("systemctl start docker   # the Docker engine providers.docker.host names");
          rescue.add("curl -H \"Authorization: Bearer $(cat " + tokenShown + ")\" "
              + base + "/api/v1/providers   # again, once fixed");
        }
      }
      data.put("providers", list);
      if (notReady.isEmpty() && ready.status() == 200) {
        report.add(Layer.ok("providers", names.isEmpty() ? "ready (no providers)" : "ready: " + String.join(", ", names), data));
      } else if (notReady.isEmpty()) {
        report.add(Layer.problem("providers", "not ready (/readyz " + ready.status() + ")", "the gateway says it is not ready",
            abbreviate(ready.body()), data, "curl -k " + base + "/readyz", "journalctl -u vncgate | tail -50"));
      } else {
        report.add(new Layer("providers", StatusReport.State.PROBLEM, "not ready: " + String.join(", ", notReady),
            "provider" + (notReady.size() == 1 ? " " : "s ") + String.join(", ", notReady) + " cannot serve targets",
            String.join("; ", details), List.copyOf(rescue), data));
      }
    } catch (IOException e) {
      report.add(Layer.problem("providers", "could not ask", "/readyz failed", e.getMessage(), new JsonObject(),
          "curl -k " + base + "/readyz"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // 4. the target's VNC server, through the gateway

  void target(StatusReport report, String token) {
    String path = "/api/v1/targets/" + URLEncoder.encode(target, StandardCharsets.UTF_8).replace("%2F", "/") + "/check";
    String again = "curl -H \"Authorization: Bearer $(cat " + tokenShown + ")\" "
        + base + path + "   # again, once fixed";
    try {
      Answer a = http.get(path, token);
      JsonObject j = a.json() == null ? new JsonObject() : a.json();
      if (a.status() == 200 && j.getBoolean("ok", false)) {
        // the gateway logged in (the stored password works), or answered from the target's live shared session
        String how = j.getBoolean("session", false) ? "answers through its live shared session"
            : j.getString("banner") + " (RFB " + j.getString("version") + ") in " + j.getValue("millis") + " ms, VNC login ok";
        JsonObject desk = j.getJsonObject("desktop");
        if (desk != null) how += ", desktop \"" + desk.getString("name") + "\" " + desk.getValue("width") + "x" + desk.getValue("height");
        long age = j.getLong("ageSeconds", 0L);
        if (age > 0) how += " (checked " + age + " s ago)";
        report.add(Layer.ok("target", target + ": " + how, j));
        return;
      }
      if (a.status() == 200) {
        String outcome = j.getString("outcome", "");
        List<String> rescue = new ArrayList<>(targetRescue(outcome));
        rescue.add(again);
        long age = j.getLong("ageSeconds", 0L);
        report.add(new Layer("target", StatusReport.State.PROBLEM, target + ": " + j.getString("reason"),
            j.getString("reason") + " (outcome " + outcome + ")",
            j.getString("error") + (age > 0 ? " (checked " + age + " s ago)" : ""), List.copyOf(rescue), j));
        return;
      }
      String error = j.getString("error", abbreviate(a.body()));
      if (a.status() == 403) {
        report.add(Layer.problem("target", target + ": not granted by your token", "your token does not grant " + target,
            error, j, "vncgate token --config /etc/vncgate/vncgate.yaml --sub " + StatusCommand.user()
                + " --targets '" + target + "' --ttl 8h > " + tokenShown));
        noSessionsBecause = "not checked: your token does not grant " + target + " (see above)";
      } else if (a.status() == 404) {
        report.add(Layer.problem("target", target + ": no such target", "the gateway has no target " + target, error, j,
            "curl -H \"Authorization: Bearer $(cat " + tokenShown + ")\" " + base
                + "/api/v1/targets   # the targets you may open"));
        noSessionsBecause = "not checked: the gateway has no target " + target + " (see above)";
      } else {
        report.add(Layer.problem("target", target + ": HTTP " + a.status(), "the target could not be checked", error, j,
            again));
      }
    } catch (IOException e) {
      report.add(Layer.problem("target", target + ": the check failed", "GET " + path + " failed",
          e.getClass().getSimpleName() + ": " + e.getMessage(), new JsonObject(), again));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What to do for each way a check fails (the outcome labels of docs/api.md). */
  private List<String> targetRescue(String outcome) {
    String provider = target.contains("/") ? target.substring(0, target.indexOf('/')) : target;
    String name = target.substring(target.indexOf('/') + 1);
    List<String> out = new ArrayList<>();
    switch (outcome) {
      case "unreachable", "closed", "timeout" -> {
        if (provider.equals("docker")) out.add("docker start " + name);
        out.add("start the VNC server of " + target + " (e.g. systemctl start vncserver@:1 on its host), or fix its"
            + " host/port: providers." + provider + " in the gateway's config");
      }
      case "not-rfb", "no-banner", "repeater", "unsupported-version" ->
          out.add("set the VNC port of " + target + " (5900 + display), not another service's: providers." + provider
              + " in the gateway's config");
      case "misconfigured" -> out.add("fix the route of " + target + " (TLS trust, SSH host key): providers." + provider
          + " in the gateway's config");
      case "auth-failed", "password-required", "password", "too-many-attempts", "held" ->
          out.add("set the VNC password the gateway keeps for " + target + " to the server's (its password file,"
              + " readable by the gateway): providers." + provider + " in the gateway's config");
      case "not-ready" -> out.add("vncgate plugins --config /etc/vncgate/vncgate.yaml   # why provider " + provider
          + " is not available");
      default -> out.add("journalctl -u vncgate | grep 'target=" + target + "'");
    }
    return out;
  }

  // 5. who is connected

  void sessions(StatusReport report, String token) {
    if (noSessionsBecause != null) {
      report.add(Layer.skipped("sessions", noSessionsBecause));
      return;
    }
    try {
      Answer a = http.get("/api/v1/sessions", token);
      if (a.status() != 200 || a.json() == null) {
        report.add(Layer.problem("sessions", "HTTP " + a.status(), "the sessions could not be listed",
            a.json() == null ? abbreviate(a.body()) : a.json().getString("error"), new JsonObject(),
            "curl -H \"Authorization: Bearer $(cat " + tokenShown + ")\" "
                + base + "/api/v1/sessions"));
        return;
      }
      JsonArray shown = new JsonArray();
      List<String> lines = new ArrayList<>();
      for (Object o : a.json().getJsonArray("sessions", new JsonArray())) {
        JsonObject s = (JsonObject) o;
        if (target != null && !target.equals(s.getString("target"))) continue;
        shown.add(s);
        JsonObject controller = s.getJsonObject("controller");
        List<String> viewers = new ArrayList<>();
        for (Object v : s.getJsonArray("viewers", new JsonArray())) {
          JsonObject vj = (JsonObject) v;
          viewers.add(vj.getString("user") + " (" + vj.getString("role") + ")");
        }
        lines.add(s.getString("target") + ": " + (controller == null ? "nobody controls" : controller.getString("user")
            + " controls") + ", viewers " + viewers);
      }
      report.add(Layer.ok("sessions", lines.isEmpty() ? "nobody is connected" + (target == null ? "" : " to " + target)
          : String.join("; ", lines), new JsonObject().put("sessions", shown)));
    } catch (IOException e) {
      report.add(Layer.problem("sessions", "could not ask", "GET /api/v1/sessions failed", e.getMessage(), new JsonObject(),
          "curl -k " + base + "/healthz"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String abbreviate(String body) {
    return StatusCommand.abbreviate(body);
  }
}
