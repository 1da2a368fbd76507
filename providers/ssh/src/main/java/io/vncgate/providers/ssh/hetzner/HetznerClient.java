package io.vncgate.providers.ssh.hetzner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code GET /servers} of the Hetzner Cloud API with a bearer token, following
 * {@code meta.pagination.next_page}. Non-blocking ({@link HttpClient#sendAsync}). Errors name the
 * API, the status and Hetzner's message — never the token.
 */
final class HetznerClient {
  static final int PER_PAGE = 50;
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final HttpClient http;
  private final URI endpoint;
  private final ObjectMapper json = new ObjectMapper();

  HetznerClient(HttpClient http, URI endpoint) {
    this.http = http;
    this.endpoint = endpoint;
  }

  CompletableFuture<List<HetznerServer>> servers(String token, String labelSelector) {
    return page(token, labelSelector, 1, new ArrayList<>());
  }

  private CompletableFuture<List<HetznerServer>> page(String token, String selector, int page,
      List<HetznerServer> acc) {
    String query = (selector.isEmpty() ? "" : "label_selector=" + URLEncoder.encode(selector, StandardCharsets.UTF_8)
        + "&") + "page=" + page + "&per_page=" + PER_PAGE;
    HttpRequest request = HttpRequest.newBuilder(URI.create(base() + "/servers?" + query))
        .timeout(TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json")
        .GET()
        .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .exceptionally(e -> {
          throw new CompletionException(unreachable(e));
        })
        .thenCompose(response -> {
          JsonNode body = parse(response);
          body.path("servers").forEach(s -> acc.add(server(s)));
          JsonNode next = body.path("meta").path("pagination").path("next_page");
          if (next.isNumber() && next.asInt() > page) return page(token, selector, next.asInt(), acc);
          return CompletableFuture.completedFuture(List.copyOf(acc));
        });
  }

  private JsonNode parse(HttpResponse<String> response) {
    int status = response.statusCode();
    JsonNode body;
    try {
      body = json.readTree(response.body());
    } catch (IOException e) {
      throw new ProviderException(Kind.UNAVAILABLE, "Hetzner Cloud API GET /servers answered " + status
          + " with a body that is not JSON");
    }
    if (status != 200) {
      String message = body.path("error").path("message").asText("");
      String code = body.path("error").path("code").asText("");
      String hint = status == 401 || status == 403 ? "; check providers.ssh.hetzner.token-file" : "";
      throw new ProviderException(Kind.UNAVAILABLE, "Hetzner Cloud API GET /servers answered " + status
          + (code.isEmpty() ? "" : " " + code) + (message.isEmpty() ? "" : ": " + message) + hint);
    }
    return body;
  }

  private static HetznerServer server(JsonNode s) {
    Map<String, String> labels = new LinkedHashMap<>();
    s.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    JsonNode ipv4 = s.path("public_net").path("ipv4");
    List<String> privateIps = new ArrayList<>();
    s.path("private_net").forEach(n -> {
      if (n.hasNonNull("ip")) privateIps.add(n.get("ip").asText());
    });
    return new HetznerServer(s.path("id").asLong(), s.path("name").asText(), s.path("status").asText(), labels,
        ipv4.hasNonNull("ip") ? ipv4.get("ip").asText() : null, privateIps);
  }

  private ProviderException unreachable(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    String why = cause instanceof HttpTimeoutException ? "timed out"
        : cause instanceof ConnectException ? "connection refused"
        : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new ProviderException(Kind.UNAVAILABLE, "Hetzner Cloud API at " + endpoint.getHost()
        + " cannot be reached: " + why);
  }

  private String base() {
    String s = endpoint.toString();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
