package io.vncgate.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.e2e.GatewayHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/auth/config} without a token: {@code {"signIn": null}} on a gateway with a
 * static key, and 503 in words while the identity provider's discovery cannot be read (sign-in is
 * then not offered, the gateway runs). With a provider that answers: {@code SignInBrowserTest}.
 */
@Timeout(60)
class AuthConfigEndpointTest {
  @TempDir Path dir;

  private static HttpResponse<String> get(GatewayHarness gw) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gw.origin() + "/api/v1/auth/config")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withAStaticKeyNoSignInIsOffered() throws Exception {
    try (GatewayHarness gw = GatewayHarness.in(dir).noTcp().start()) {
      HttpResponse<String> r = get(gw);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(new JsonObject().putNull("signIn"), new JsonObject(r.body()));
      assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));
    }
  }

  @Test
  void whileTheProvidersDiscoveryCannotBeReadItSaysSoIn503() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String issuer = "https://127.0.0.1:" + port + "/realms/down";
    try (GatewayHarness gw = GatewayHarness.in(dir).noTcp().jwt("{}")
        .auth("  oidc: {issuer: \"" + issuer + "\", client-id: vncgate-web, refetch-interval: 1s}\n").start()) {
      HttpResponse<String> r = get(gw);
      assertEquals(503, r.statusCode(), r.body());
      String error = new JsonObject(r.body()).getString("error");
      assertTrue(error.startsWith("sign-in is not available yet: the identity provider's discovery document " + issuer
          + "/.well-known/openid-configuration could not be read ("), error);
      assertTrue(error.contains("unreachable"), error);
    }
  }
}
