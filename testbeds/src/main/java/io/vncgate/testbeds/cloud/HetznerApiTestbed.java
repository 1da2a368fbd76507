package io.vncgate.testbeds.cloud;

import com.sun.net.httpserver.HttpExchange;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake Hetzner Cloud API on loopback that speaks the real wire format of
 * {@code GET /v1/servers}: bearer token, {@code label_selector}, {@code page}/{@code per_page}
 * pagination with {@code meta.pagination}, and Hetzner's error objects.
 */
public final class HetznerApiTestbed implements AutoCloseable {

  /** One server as the API describes it; {@code publicIpv4} may be null (no primary IPv4). */
  public record Server(long id, String name, String status, Map<String, String> labels, String publicIpv4,
      List<String> privateIps) {
    public Server {
      Objects.requireNonNull(name, "name");
      labels = labels == null ? Map.of() : Map.copyOf(labels);
      privateIps = privateIps == null ? List.of() : List.copyOf(privateIps);
    }
  }

  private final String token;
  private final List<Server> servers;
  private final int maxPerPage;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final LoopbackHttp http;

  private HetznerApiTestbed(String token, List<Server> servers, int maxPerPage) {
    this.token = token;
    this.servers = List.copyOf(servers);
    this.maxPerPage = maxPerPage;
    this.http = new LoopbackHttp("/v1/", this::handle);
  }

  /**
   * Starts the fake API. {@code maxPerPage} caps {@code per_page} (Hetzner's own cap is 50), so a
   * test can force several pages with a few servers.
   */
  public static HetznerApiTestbed start(String token, List<Server> servers, int maxPerPage) {
    return new HetznerApiTestbed(token, servers, maxPerPage);
  }

  /** The API base, like {@code https://api.hetzner.cloud/v1}. */
  public String endpoint() {
    return "http://127.0.0.1:" + http.port() + "/v1";
  }

  /** Path and query of every request received, in order. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    http.close();
  }

  private void handle(HttpExchange ex) throws IOException {
    String query = ex.getRequestURI().getRawQuery();
    requests.add(ex.getRequestURI().getPath() + (query == null ? "" : "?" + query));
    if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      error(ex, 401, "unauthorized", "unable to authenticate");
      return;
    }
    if (!ex.getRequestMethod().equals("GET") || !ex.getRequestURI().getPath().equals("/v1/servers")) {
      error(ex, 404, "not_found", "not found");
      return;
    }
    Map<String, String> params = LoopbackHttp.decodeForm(query);
    LabelSelector selector;
    int page;
    int perPage;
    try {
      selector = LabelSelector.parse(params.getOrDefault("label_selector", ""));
      page = Integer.parseInt(params.getOrDefault("page", "1"));
      perPage = Math.min(Integer.parseInt(params.getOrDefault("per_page", "25")), maxPerPage);
      if (page < 1 || perPage < 1) throw new IllegalArgumentException("page and per_page must be positive");
    } catch (IllegalArgumentException e) {
      error(ex, 400, "invalid_input", "invalid input: " + e.getMessage());
      return;
    }
    List<Server> matching = servers.stream().filter(s -> selector.matches(s.labels())).toList();
    int lastPage = Math.max(1, (matching.size() + perPage - 1) / perPage);
    List<Server> slice = new ArrayList<>();
    for (int i = (page - 1) * perPage; i < Math.min(matching.size(), page * perPage); i++) {
      slice.add(matching.get(i));
    }
    JsonObject pagination = new JsonObject()
        .put("page", page)
        .put("per_page", perPage)
        .put("previous_page", page > 1 ? page - 1 : null)
        .put("next_page", page < lastPage ? page + 1 : null)
        .put("last_page", lastPage)
        .put("total_entries", matching.size());
    JsonObject body = new JsonObject()
        .put("servers", new JsonArray(slice.stream().map(HetznerApiTestbed::toJson).toList()))
        .put("meta", new JsonObject().put("pagination", pagination));
    LoopbackHttp.respond(ex, 200, "application/json", body.encode());
  }

  private static JsonObject toJson(Server s) {
    JsonObject ipv4 = s.publicIpv4() == null ? null
        : new JsonObject().put("id", s.id() * 10).put("ip", s.publicIpv4()).put("blocked", false)
            .put("dns_ptr", "static." + s.publicIpv4() + ".clients.your-server.de");
    JsonObject publicNet = new JsonObject().put("ipv4", ipv4).put("ipv6", null)
        .put("floating_ips", new JsonArray()).put("firewalls", new JsonArray());
    JsonArray privateNet = new JsonArray();
    for (int i = 0; i < s.privateIps().size(); i++) {
      privateNet.add(new JsonObject().put("network", 4711 + i).put("ip", s.privateIps().get(i))
          .put("alias_ips", new JsonArray()).put("mac_address", "86:00:00:00:00:0" + i));
    }
    JsonObject labels = new JsonObject();
    s.labels().forEach(labels::put);
    return new JsonObject()
        .put("id", s.id())
        .put("name", s.name())
        .put("status", s.status())
        .put("created", "2024-01-01T00:00:00+00:00")
        .put("labels", labels)
        .put("public_net", publicNet)
        .put("private_net", privateNet)
        .put("server_type", new JsonObject().put("name", "cx22"));
  }

  private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
    JsonObject body = new JsonObject().put("error",
        new JsonObject().put("code", code).put("message", message).put("details", new JsonObject()));
    LoopbackHttp.respond(ex, status, "application/json", body.encode());
  }
}
