package io.vncgate.testbeds.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The OIDC testbed's sign-in side over real HTTPS, on the wire as RFC 6749/7636 say: discovery
 * names both endpoints; a PKCE S256 round trip yields tokens with the right audiences signed by a
 * key in the JWKS; a wrong verifier, a reused code, a wrong redirect URI are {@code invalid_grant};
 * an unknown redirect URI is never redirected to; a denial comes back as {@code access_denied} with
 * the state; CORS only for the registered web origin.
 */
@Timeout(60)
class OidcTestbedSignInTest {
  private static final String CLIENT = "vncgate-web";
  private static final String REDIRECT = "http://127.0.0.1:9/index.html";
  private static final String ORIGIN = "http://127.0.0.1:9";
  static OidcTestbed idp;
  static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    idp = OidcTestbed.start();
    idp.client(CLIENT, REDIRECT, ORIGIN).user("alice", new JsonObject().put("groups", new io.vertx.core.json.JsonArray().add("ops")));
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(idp.caFile())) {
      store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    http = HttpClient.newBuilder().sslContext(ctx).followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() {
    if (idp != null) idp.close();
  }

  private static String verifier() {
    byte[] b = new byte[32];
    new java.security.SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String challenge(String verifier) throws Exception {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static JsonObject discovery() throws Exception {
    return new JsonObject(http.send(HttpRequest.newBuilder(URI.create(idp.issuer() + "/.well-known/openid-configuration")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  private static HttpResponse<String> authorize(String redirect, String challenge, String state) throws Exception {
    String url = discovery().getString("authorization_endpoint") + "?response_type=code&client_id=" + enc(CLIENT)
        + "&redirect_uri=" + enc(redirect) + "&scope=" + enc("openid profile") + "&state=" + enc(state)
        + "&code_challenge=" + enc(challenge) + "&code_challenge_method=S256";
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The query of a 302's Location, decoded. */
  private static Map<String, String> redirectQuery(HttpResponse<String> r) {
    assertEquals(302, r.statusCode(), r.body());
    String location = r.headers().firstValue("Location").orElseThrow();
    assertTrue(location.startsWith(REDIRECT + "?"), location);
    Map<String, String> q = new LinkedHashMap<>();
    for (String kv : location.substring(location.indexOf('?') + 1).split("&")) {
      int eq = kv.indexOf('=');
      q.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return q;
  }

  private static HttpResponse<String> exchange(String code, String verifier, String redirect, String origin) throws Exception {
    String form = "grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" + enc(redirect)
        + "&client_id=" + enc(CLIENT) + "&code_verifier=" + enc(verifier);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(discovery().getString("token_endpoint")))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
    if (origin != null) b.header("Origin", origin);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject claims(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  private static JsonObject header(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8));
  }

  @Test
  void aPkceRoundTripGivesAnAccessTokenForTheApiAndAnIdTokenForTheClient() throws Exception {
    String verifier = verifier();
    Map<String, String> q = redirectQuery(authorize(REDIRECT, challenge(verifier), "s-1"));
    assertEquals("s-1", q.get("state"));
    assertNotNull(q.get("code"));
    HttpResponse<String> r = exchange(q.get("code"), verifier, REDIRECT, ORIGIN);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(ORIGIN, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));
    JsonObject body = new JsonObject(r.body());
    assertEquals("Bearer", body.getString("token_type"));
    JsonObject access = claims(body.getString("access_token"));
    assertEquals("vncgate", access.getString("aud"));
    assertEquals("alice", access.getString("sub"));
    assertEquals(idp.issuer(), access.getString("iss"));
    assertEquals("ops", access.getJsonArray("groups").getString(0));
    assertEquals(CLIENT, claims(body.getString("id_token")).getString("aud"));
    String kid = header(body.getString("access_token")).getString("kid");
    assertEquals(idp.signingKid(), kid);
    assertTrue(idp.jwks().getJsonArray("keys").stream().anyMatch(k -> kid.equals(((JsonObject) k).getString("kid"))));

    // the code works once: the same request again is invalid_grant
    HttpResponse<String> again = exchange(q.get("code"), verifier, REDIRECT, ORIGIN);
    assertEquals(400, again.statusCode());
    assertEquals("invalid_grant", new JsonObject(again.body()).getString("error"));
  }

  @Test
  void aWrongVerifierIsInvalidGrant() throws Exception {
    String verifier = verifier();
    Map<String, String> q = redirectQuery(authorize(REDIRECT, challenge(verifier), "s-2"));
    HttpResponse<String> r = exchange(q.get("code"), verifier(), REDIRECT, ORIGIN);
    assertEquals(400, r.statusCode());
    JsonObject e = new JsonObject(r.body());
    assertEquals("invalid_grant", e.getString("error"));
    assertTrue(e.getString("error_description").contains("code_verifier"), r.body());
    // the error reaches the page too: CORS on errors as well
    assertEquals(ORIGIN, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
  }

  @Test
  void aCorruptedChallengeFailsTheRightVerifierLikeAWrongOne() throws Exception {
    String verifier = verifier();
    idp.corruptNextChallenge();
    Map<String, String> q = redirectQuery(authorize(REDIRECT, challenge(verifier), "s-3"));
    HttpResponse<String> r = exchange(q.get("code"), verifier, REDIRECT, ORIGIN);
    assertEquals("invalid_grant", new JsonObject(r.body()).getString("error"));
  }

  @Test
  void aRedirectUriNotRegisteredIsNeverRedirectedTo() throws Exception {
    HttpResponse<String> r = authorize("http://127.0.0.1:9/elsewhere.html", challenge(verifier()), "s-4");
    assertEquals(400, r.statusCode());
    assertTrue(r.headers().firstValue("Location").isEmpty());
    assertTrue(r.body().contains("Invalid redirect_uri"), r.body());
  }

  @Test
  void aDenialComesBackAsAccessDeniedWithTheState() throws Exception {
    idp.denyNext();
    Map<String, String> q = redirectQuery(authorize(REDIRECT, challenge(verifier()), "s-5"));
    assertEquals("access_denied", q.get("error"));
    assertEquals("s-5", q.get("state"));
    assertNull(q.get("code"));
  }

  @Test
  void pkceIsRequiredAndOnlyS256() throws Exception {
    String url = discovery().getString("authorization_endpoint") + "?response_type=code&client_id=" + CLIENT
        + "&redirect_uri=" + enc(REDIRECT) + "&scope=openid&state=s-6&code_challenge=abc&code_challenge_method=plain";
    Map<String, String> q = redirectQuery(http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()));
    assertEquals("invalid_request", q.get("error"));
    assertEquals("s-6", q.get("state"));
  }

  @Test
  void corsOnlyForTheRegisteredWebOriginAndPreflightAnswered() throws Exception {
    String verifier = verifier();
    Map<String, String> q = redirectQuery(authorize(REDIRECT, challenge(verifier), "s-7"));
    HttpResponse<String> r = exchange(q.get("code"), verifier, REDIRECT, "http://evil.example");
    assertEquals(200, r.statusCode()); // the grant is fine; the browser would not let the page read it
    assertTrue(r.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    HttpResponse<String> pre = http.send(HttpRequest.newBuilder(URI.create(discovery().getString("token_endpoint")))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(204, pre.statusCode());
    assertEquals(ORIGIN, pre.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    assertTrue(pre.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));
  }

  @Test
  void afterARotationNewTokensAreSignedWithTheNewKey() throws Exception {
    String kid = idp.rotate("RS256");
    String verifier = verifier();
    Map<String, String> q = redirectQuery(authorize(REDIRECT, challenge(verifier), "s-8"));
    JsonObject body = new JsonObject(exchange(q.get("code"), verifier, REDIRECT, ORIGIN).body());
    assertEquals(kid, header(body.getString("access_token")).getString("kid"));
    assertEquals("RS256", header(body.getString("access_token")).getString("alg"));
  }
}
