package io.vncgate.testbeds.kubevirt;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The request side of {@link KubeVirtTestbed}: the kube-apiserver's authentication (bearer token
 * or client certificate) and RBAC authorizer with their {@code Status} answers, the
 * {@code kubevirt.io/v1} VMI list and get, and the checks virt-api makes before it upgrades the
 * {@code vnc} subresource. Runs on the event loop; never blocks.
 */
final class KubeApi implements Handler<HttpServerRequest> {
  private static final String KUBEVIRT = "kubevirt.io";
  private static final String SUBRESOURCES = "subresources.kubevirt.io";
  private static final String VMIS = "virtualmachineinstances";
  private static final Pattern LIST_ALL = Pattern.compile("^/apis/kubevirt\\.io/v1/virtualmachineinstances$");
  private static final Pattern LIST_NS = Pattern.compile("^/apis/kubevirt\\.io/v1/namespaces/([^/]+)/virtualmachineinstances$");
  private static final Pattern GET = Pattern.compile("^/apis/kubevirt\\.io/v1/namespaces/([^/]+)/virtualmachineinstances/([^/]+)$");
  private static final Pattern VNC = Pattern.compile(
      "^/apis/subresources\\.kubevirt\\.io/v1/namespaces/([^/]+)/virtualmachineinstances/([^/]+)/vnc$");

  private final KubeState state;
  private final VncBridge bridge;

  KubeApi(KubeState state, VncBridge bridge) {
    this.state = state;
    this.bridge = bridge;
  }

  @Override
  public void handle(HttpServerRequest req) {
    String user = authenticate(req);
    state.requests.add(req.method() + " " + req.uri() + " " + (user == null ? "-" : user));
    if (user == null) {
      status(req, 401, "Unauthorized", "Unauthorized", null);
      return;
    }
    if (req.method() != HttpMethod.GET) {
      status(req, 405, "the server does not allow this method on the requested resource", "MethodNotAllowed", null);
      return;
    }
    String path = req.path();
    Matcher m;
    if (LIST_ALL.matcher(path).matches()) {
      list(req, user, null);
    } else if ((m = LIST_NS.matcher(path)).matches()) {
      list(req, user, m.group(1));
    } else if ((m = GET.matcher(path)).matches()) {
      get(req, user, m.group(1), m.group(2));
    } else if ((m = VNC.matcher(path)).matches()) {
      vnc(req, user, m.group(1), m.group(2));
    } else {
      status(req, 404, "the server could not find the requested resource", "NotFound", new JsonObject());
    }
  }

  /** The user of the bearer token, else of the verified client certificate (its CN), else null. */
  private String authenticate(HttpServerRequest req) {
    String auth = req.getHeader("Authorization");
    if (auth != null) {
      if (!auth.startsWith("Bearer ")) return null;
      return state.tokens.get(auth.substring("Bearer ".length()).trim());
    }
    try {
      if (req.connection().isSsl()) {
        List<Certificate> chain = req.connection().peerCertificates();
        if (chain != null && !chain.isEmpty() && chain.get(0) instanceof X509Certificate x) {
          String dn = x.getSubjectX500Principal().getName();
          Matcher cn = Pattern.compile("(?:^|,)CN=([^,]+)").matcher(dn);
          return cn.find() ? cn.group(1) : null;
        }
      }
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    return null;
  }

  private boolean allowed(HttpServerRequest req, String user, String verb, String group, String resource, String ns,
                          String name) {
    KubeRbac rbac = state.rbac.get(user);
    if (rbac != null && rbac.allows(verb, group, resource, ns)) return true;
    String plural = resource.contains("/") ? resource.substring(0, resource.indexOf('/')) : resource;
    String message = plural + "." + group + (name == null ? "" : " \"" + name + "\"") + " is forbidden: User \"" + user
        + "\" cannot " + verb + " resource \"" + resource + "\" in API group \"" + group + "\""
        + (ns == null ? " at the cluster scope" : " in the namespace \"" + ns + "\"");
    JsonObject details = new JsonObject();
    if (name != null) details.put("name", name);
    details.put("group", group).put("kind", plural);
    status(req, 403, message, "Forbidden", details);
    return false;
  }

  private void list(HttpServerRequest req, String user, String ns) {
    if (!allowed(req, user, "list", KUBEVIRT, VMIS, ns, null)) return;
    Predicate<Map<String, String>> selector;
    try {
      selector = selector(req.getParam("labelSelector"));
    } catch (IllegalArgumentException e) {
      status(req, 400, "unable to parse requirement: " + e.getMessage(), "BadRequest", null);
      return;
    }
    JsonArray items = new JsonArray();
    for (KubeVmi vmi : state.vmis()) {
      if ((ns == null || ns.equals(vmi.namespace())) && selector.test(vmi.labels())) items.add(json(vmi));
    }
    json(req, 200, new JsonObject().put("apiVersion", "kubevirt.io/v1").put("kind", "VirtualMachineInstanceList")
        .put("metadata", new JsonObject().put("resourceVersion", "4711").put("continue", ""))
        .put("items", items));
  }

  private void get(HttpServerRequest req, String user, String ns, String name) {
    if (!allowed(req, user, "get", KUBEVIRT, VMIS, ns, name)) return;
    KubeVmi vmi = state.vmis.get(ns + "/" + name);
    if (vmi == null) {
      notFound(req, name);
      return;
    }
    json(req, 200, json(vmi));
  }

  /** The checks in virt-api's order (RBAC by the apiserver, fetch, validate, virt-handler's session rule), then the upgrade. */
  private void vnc(HttpServerRequest req, String user, String ns, String name) {
    if (!allowed(req, user, "get", SUBRESOURCES, VMIS + "/vnc", ns, name)) return;
    KubeVmi vmi = state.vmis.get(ns + "/" + name);
    if (vmi == null) {
      notFound(req, name);
      return;
    }
    if (!"Running".equals(vmi.phase()) || vmi.console() == null) {
      status(req, 400, "VMI is not running", "BadRequest", null);
      return;
    }
    if (Boolean.parseBoolean(req.getParam("preserveSession")) && state.openVnc.containsKey(vmi.key())) {
      req.response().setStatusCode(503).putHeader("Content-Type", "text/plain")
          .end("Active VNC connection. Request denied.");
      return;
    }
    if (!"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
      status(req, 400, "websocket: the client is not using the websocket protocol: 'upgrade' token not found in"
          + " 'Connection' header", "BadRequest", null);
      return;
    }
    bridge.open(req, vmi);
  }

  private static void notFound(HttpServerRequest req, String name) {
    status(req, 404, VMIS + "." + KUBEVIRT + " \"" + name + "\" not found", "NotFound",
        new JsonObject().put("name", name).put("group", KUBEVIRT).put("kind", VMIS));
  }

  static JsonObject json(KubeVmi vmi) {
    JsonObject status = new JsonObject().put("phase", vmi.phase());
    if (vmi.node() != null) status.put("nodeName", vmi.node());
    status.put("conditions", new JsonArray()).put("interfaces", new JsonArray());
    return new JsonObject().put("apiVersion", "kubevirt.io/v1").put("kind", "VirtualMachineInstance")
        .put("metadata", new JsonObject().put("name", vmi.name()).put("namespace", vmi.namespace())
            .put("uid", java.util.UUID.nameUUIDFromBytes(vmi.key().getBytes()).toString())
            .put("resourceVersion", "4711").put("generation", 1)
            .put("creationTimestamp", "2026-12-01T09:00:00Z")
            .put("labels", new JsonObject(Map.copyOf(vmi.labels()))))
        .put("spec", new JsonObject().put("domain", new JsonObject()
            .put("devices", new JsonObject()).put("resources", new JsonObject())))
        .put("status", status);
  }

  static void status(HttpServerRequest req, int code, String message, String reason, JsonObject details) {
    JsonObject body = new JsonObject().put("kind", "Status").put("apiVersion", "v1").put("metadata", new JsonObject())
        .put("status", "Failure").put("message", message).put("reason", reason);
    if (details != null) body.put("details", details);
    body.put("code", code);
    json(req, code, body);
  }

  private static void json(HttpServerRequest req, int code, JsonObject body) {
    req.response().setStatusCode(code).putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-cache, private").end(body.encode());
  }

  /** Equality-based label selectors: {@code k=v}, {@code k==v}, {@code k!=v}, {@code k}, {@code !k}, joined by commas. */
  static Predicate<Map<String, String>> selector(String text) {
    Predicate<Map<String, String>> all = labels -> true;
    if (text == null || text.isBlank()) return all;
    for (String raw : text.split(",")) {
      String term = raw.trim();
      Predicate<Map<String, String>> p;
      int ne = term.indexOf("!=");
      int eq = term.indexOf('=');
      if (ne > 0) {
        String k = key(term.substring(0, ne));
        String v = term.substring(ne + 2).trim();
        p = labels -> !v.equals(labels.get(k));
      } else if (eq > 0) {
        String k = key(term.substring(0, eq));
        String v = term.substring(term.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
        p = labels -> v.equals(labels.get(k));
      } else if (term.startsWith("!")) {
        String k = key(term.substring(1));
        p = labels -> !labels.containsKey(k);
      } else {
        String k = key(term);
        p = labels -> labels.containsKey(k);
      }
      all = all.and(p);
    }
    return all;
  }

  private static String key(String raw) {
    String k = raw.trim();
    if (!k.matches("[A-Za-z0-9._/-]+")) throw new IllegalArgumentException("invalid label key \"" + raw + "\"");
    return k;
  }
}
