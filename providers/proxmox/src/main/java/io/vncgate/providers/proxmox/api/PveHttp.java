package io.vncgate.providers.proxmox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.vncgate.providers.proxmox.config.ClusterSettings;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * One request to {@code <url>/api2/json<path>}, non-blocking ({@link HttpClient#sendAsync}): the
 * auth header, the CSRF header on POSTs with a ticket, a form body; the answer's {@code data}, or a
 * {@link PveErrors} failure.
 */
final class PveHttp {
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final ClusterSettings cluster;
  private final HttpClient client;
  private final Executor executor;
  private final PveErrors errors;

  PveHttp(ClusterSettings cluster, HttpClient client, Executor executor) {
    this.cluster = cluster;
    this.client = client;
    this.executor = executor;
    this.errors = new PveErrors(cluster);
  }

  PveErrors errors() {
    return errors;
  }

  /**
   * @param form the POST body's fields, or null for a GET
   * @param auth the auth header to send, or null (the login itself)
   */
  CompletableFuture<JsonNode> call(String method, String path, Map<String, String> form, ApiAuth auth, PveCall call) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cluster.url() + "/api2/json" + path))
        .timeout(REQUEST_TIMEOUT)
        .header("Accept", "application/json");
    if (auth != null) {
      request.header(auth.headerName(), auth.headerValue().reveal());
      if (form != null && auth.csrfToken() != null) request.header("CSRFPreventionToken", auth.csrfToken().reveal());
    }
    if (form == null) {
      request.GET();
    } else {
      request.header("Content-Type", "application/x-www-form-urlencoded")
          .method(method, HttpRequest.BodyPublishers.ofString(encode(form)));
    }
    // java.net.http hands its answers to the common pool, which on a 2-core machine is a new thread
    // per task: continue on the provider's own threads instead
    return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .exceptionallyAsync(e -> {
          throw new CompletionException(errors.transport(e, call));
        }, executor)
        .thenApplyAsync(response -> {
          JsonNode body = PveJson.parse(response.body());
          if (response.statusCode() != 200) {
            throw errors.status(response.statusCode(), PveJson.message(body), call);
          }
          if (body == null) {
            throw errors.status(502, "(an answer that is not JSON)", call);
          }
          JsonNode data = body.get("data");
          return data == null ? NullNode.getInstance() : data;
        }, executor);
  }

  private static String encode(Map<String, String> form) {
    return form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }
}
