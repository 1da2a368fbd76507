package io.vncgate.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import io.vncgate.testbeds.oidc.OidcTestbed;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway with {@code auth.oidc.issuer} pointing at a real HTTPS identity provider (the OIDC
 * testbed, its own CA given as {@code auth.oidc.ca-file}): discovery, JWKS, RS256 and ES256 tokens
 * opening sessions a real viewer connects through, key rotation mid-run, and refusals in words.
 */
class OidcTokensTest {
  private static final String TARGET = "static/desk";
  @TempDir static Path dir;
  static OidcTestbed idp;
  static XvncServer xvnc;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    idp = OidcTestbed.start();
    xvnc = XvncServer.builder().geometry(320, 200).password("oidc-pw1").start();
    Files.copy(idp.caFile(), dir.resolve("idp-ca.pem"));
    Path pw = dir.resolve("vnc.pw");
    Files.writeString(pw, "oidc-pw1\n");
    gw = GatewayHarness.in(dir).targets(GatewayHarness.target("desk", xvnc.port(), pw, null)).noTcp()
        .jwt("{}")
        .auth("  oidc: {issuer: \"" + idp.issuer() + "\", audience: vncgate, ca-file: idp-ca.pem}\n"
            + "  claims-path: resource_access.vncgate\n"
            + "  claims-mapping:\n"
            + "    - {group: desk-operators, targets: [\"static/desk\"], role: control}\n"
            + "    - {group: watchers, targets: [\"static/*\"], role: view}\n")
        .start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
    if (idp != null) idp.close();
  }

  private static JsonObject grant(String role) {
    return new JsonObject().put("resource_access", new JsonObject()
        .put("vncgate", new JsonObject().put("targets", new JsonArray().add(TARGET)).put("role", role)));
  }

  private static String token(String kid, JsonObject claims) {
    return idp.token(kid, "alice", "vncgate", Duration.ofMinutes(5), claims);
  }

  private static HttpResponse<String> open(String token, String role) throws Exception {
    return gw.post("/api/v1/sessions", token, new JsonObject().put("target", TARGET).put("role", role).encode());
  }

  /** Opens a session with the token and connects a viewer through the WebSocket front to Xvnc. */
  private static void viewerConnects(String token, String role) throws Exception {
    HttpResponse<String> r = open(token, role);
    assertEquals(201, r.statusCode(), r.body());
    String ticket = new JsonObject(r.body()).getString("ticket");
    try (WebSocketTcpBridge bridge = gw.bridge(ticket);
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      ServerInitInfo init = client.handshakeNone();
      assertEquals(320, init.width());
      assertEquals(200, init.height());
    }
  }

  private static String kid(String prefix) {
    return idp.kids().stream().filter(k -> k.startsWith(prefix)).reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void rs256AndEs256TokensFromTheProviderOpenASessionAViewerConnectsThrough() throws Exception {
    viewerConnects(token(kid("rs256"), grant("control")), "control");
    viewerConnects(token(kid("es256"), grant("view")), "view");
  }

  @Test
  void aRotatedKeyIsFetchedByItsKidAndARemovedOneIsRefusedInWords() throws Exception {
    String old = kid("rs256");
    viewerConnects(token(old, grant("control")), "control");
    int before = idp.jwksFetches();
    String fresh = idp.rotate("RS256");
    String oldToken = token(old, grant("control"));
    idp.remove(old);
    // a token signed with the new key: its kid is unknown, so the keys are fetched again, once
    viewerConnects(token(fresh, grant("control")), "control");
    assertEquals(before + 1, idp.jwksFetches(), "one refetch for the new kid");
    // the removed key is no longer in the fetched set: refused without another fetch (rate limit)
    HttpResponse<String> refused = open(oldToken, "control");
    assertEquals(401, refused.statusCode(), refused.body());
    String error = new JsonObject(refused.body()).getString("error");
    assertTrue(error.contains("key id (kid) '" + old + "' is not among the identity provider's keys"), error);
    assertFalse(refused.body().contains(oldToken), "the token is never echoed");
    assertEquals(before + 1, idp.jwksFetches(), "an unknown kid refetches at most once per refetch-interval");
  }

  @Test
  void wrongAudienceAndWrongIssuerAreRefusedInWords() throws Exception {
    HttpResponse<String> aud = open(idp.token(kid("es256"), "alice", "someone-else", Duration.ofMinutes(5),
        grant("view")), "view");
    assertEquals(401, aud.statusCode(), aud.body());
    assertTrue(aud.body().contains("wrong audience (expected vncgate"), aud.body());
    HttpResponse<String> iss = open(token(kid("es256"), grant("view").put("iss", "https://evil.example/realms/test")), "view");
    assertEquals(401, iss.statusCode(), iss.body());
    assertTrue(iss.body().contains("wrong issuer (expected " + idp.issuer()), iss.body());
    HttpResponse<String> expired = open(idp.token(kid("es256"), "alice", "vncgate", Duration.ofSeconds(-60), grant("view")), "view");
    assertEquals(401, expired.statusCode(), expired.body());
    assertTrue(expired.body().contains("expired"), expired.body());
  }

  /**
   * Decided: an identity provider down at start does not stop the gateway (it may come up later,
   * and sessions by tickets already issued keep working); tokens are refused naming the URL.
   */
  @Test
  void anIdentityProviderDownAtStartLetsTheGatewayStartAndRefusesTokensNamingTheUrl() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String issuer = "https://127.0.0.1:" + port + "/realms/down";
    Path sub = Files.createDirectories(dir.resolve("down"));
    Files.copy(idp.caFile(), sub.resolve("idp-ca.pem"));
    try (GatewayHarness down = GatewayHarness.in(sub).noTcp().jwt("{}")
        .auth("  oidc: {issuer: \"" + issuer + "\", ca-file: idp-ca.pem}\n").start()) {
      HttpResponse<String> r = down.post("/api/v1/sessions", token(kid("es256"), grant("view")),
          new JsonObject().put("target", TARGET).put("role", "view").encode());
      assertEquals(401, r.statusCode(), r.body());
      String error = new JsonObject(r.body()).getString("error");
      assertTrue(error.contains("could not be fetched yet"), error);
      assertTrue(error.contains(issuer + "/.well-known/openid-configuration is unreachable"), error);
    }
  }

  /** auth.jwt.jwks-url straight to the JWKS; without the testbed's CA its certificate is refused, never trusted. */
  @Test
  void aJwksUrlWorksAndTheProvidersTlsIsCheckedAgainstTheConfiguredCaOnly() throws Exception {
    String jwks = idp.issuer() + "/protocol/openid-connect/certs";
    Path withCa = Files.createDirectories(dir.resolve("jwks"));
    Files.copy(idp.caFile(), withCa.resolve("idp-ca.pem"));
    try (GatewayHarness direct = GatewayHarness.in(withCa).noTcp().jwt("{jwks-url: \"" + jwks + "\"}")
        .auth("  oidc: {ca-file: idp-ca.pem}\n").start()) {
      HttpResponse<String> r = direct.post("/api/v1/sessions", token(kid("es256"), grant("view")),
          new JsonObject().put("target", "static/none").put("role", "view").encode());
      // the token is accepted (the claims path is the default vncgate, absent here): refused for its grant, not its key
      assertEquals(403, r.statusCode(), r.body());
      assertTrue(r.body().contains("no 'vncgate' claim"), r.body());
    }
    Path systemCas = Files.createDirectories(dir.resolve("system-cas"));
    try (GatewayHarness untrusted = GatewayHarness.in(systemCas).noTcp().jwt("{jwks-url: \"" + jwks + "\"}").start()) {
      HttpResponse<String> r = untrusted.post("/api/v1/sessions", token(kid("es256"), grant("view")),
          new JsonObject().put("target", "static/none").put("role", "view").encode());
      assertEquals(401, r.statusCode(), r.body());
      assertTrue(r.body().contains("TLS failed"), r.body());
      assertTrue(r.body().contains("set auth.oidc.ca-file"), r.body());
    }
  }

  @Test
  void groupsAreMappedToTargetsAndRoles() throws Exception {
    JsonObject operator = new JsonObject().put("groups", new JsonArray().add("staff").add("desk-operators"));
    viewerConnects(token(kid("rs256"), operator), "control");
    JsonObject watcher = new JsonObject().put("groups", new JsonArray().add("watchers"));
    HttpResponse<String> control = open(token(kid("rs256"), watcher), "control");
    assertEquals(403, control.statusCode(), "watchers may only view: " + control.body());
    viewerConnects(token(kid("rs256"), watcher), "view");
    JsonObject stranger = new JsonObject().put("groups", new JsonArray().add("staff"));
    HttpResponse<String> none = open(token(kid("rs256"), stranger), "view");
    assertEquals(403, none.statusCode(), none.body());
    assertTrue(none.body().contains("is a group in auth.claims-mapping"), none.body());
  }
}
