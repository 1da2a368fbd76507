package io.vncgate.testbeds.oidc;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The OIDC testbed's authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636, OpenID Connect
 * Core §3.1) for public clients, as a browser meets it: the authorization endpoint checks the
 * client and its registered redirect URI, "signs in" the configured test user without a form and
 * redirects back with {@code code} and {@code state} (or {@code error=access_denied} when told to
 * deny); the token endpoint takes a form-encoded {@code authorization_code} grant, checks the code
 * (once, 60 s), client, redirect URI and {@code code_verifier} against the S256 challenge, and
 * answers with an access token (audience: the configured API audience) and an ID token (audience:
 * the client id), or RFC 6749 §5.2 errors. CORS as Keycloak sends it for a client's web origins.
 */
final class AuthorizationServer {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  /** RFC 7636 §4.1: 43 to 128 unreserved characters. */
  private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");
  private static final Duration CODE_TTL = Duration.ofSeconds(60);

  /** A public client: its exact redirect URI and the web origin allowed to call the token endpoint. */
  record Client(String id, String redirectUri, String webOrigin) {}

  private record Code(String clientId, String redirectUri, String challenge, String scope, String nonce, long expiresAtMs) {}

  private final OidcTestbed idp;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Client> clients = new ConcurrentHashMap<>();
  private final Map<String, Code> codes = new ConcurrentHashMap<>();
  private final AtomicBoolean denyNext = new AtomicBoolean();
  private final AtomicBoolean corruptNextChallenge = new AtomicBoolean();
  private final AtomicInteger tokensIssued = new AtomicInteger();
  private volatile String subject = "alice";
  private volatile JsonObject claims = new JsonObject();
  private volatile String audience = "vncgate";
  private volatile Duration tokenTtl = Duration.ofMinutes(5);

  AuthorizationServer(OidcTestbed idp) {
    this.idp = idp;
  }

  void client(Client c) {
    clients.put(c.id(), c);
  }

  void user(String subject, JsonObject claims) {
    this.subject = subject;
    this.claims = claims.copy();
  }

  void audience(String audience) {
    this.audience = audience;
  }

  void tokenTtl(Duration ttl) {
    this.tokenTtl = ttl;
  }

  void denyNext() {
    denyNext.set(true);
  }

  void corruptNextChallenge() {
    corruptNextChallenge.set(true);
  }

  int tokensIssued() {
    return tokensIssued.get();
  }

  // ----- the authorization endpoint (a browser navigates here) -----

  void authorize(HttpServerRequest req) {
    MultiMap q = req.params();
    Client client = clients.get(String.valueOf(q.get("client_id")));
    String redirect = q.get("redirect_uri");
    // §4.1.2.1: with an unknown client or a redirect URI not registered, say so and never redirect
    if (client == null) {
      page(req, 400, "Unknown client_id '" + q.get("client_id") + "': register the client at the identity provider.");
      return;
    }
    if (redirect == null || !redirect.equals(client.redirectUri())) {
      page(req, 400, "Invalid redirect_uri for client '" + client.id() + "': " + redirect
          + " is not registered (registered: " + client.redirectUri() + ").");
      return;
    }
    String state = q.get("state");
    if (!"code".equals(q.get("response_type"))) {
      redirectError(req, redirect, state, "unsupported_response_type", "only response_type=code is supported");
    } else if (!hasScope(q.get("scope"), "openid")) {
      redirectError(req, redirect, state, "invalid_scope", "the scope must include openid");
    } else if (q.get("code_challenge") == null || !"S256".equals(q.get("code_challenge_method"))) {
      redirectError(req, redirect, state, "invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256");
    } else if (denyNext.getAndSet(false)) {
      redirectError(req, redirect, state, "access_denied", "the user denied the request");
    } else {
      String challenge = q.get("code_challenge");
      if (corruptNextChallenge.getAndSet(false)) challenge = s256("not the verifier the client holds " + randomToken());
      String code = randomToken();
      codes.put(code, new Code(client.id(), redirect, challenge, q.get("scope"), q.get("nonce"),
          System.currentTimeMillis() + CODE_TTL.toMillis()));
      redirect(req, redirect + (redirect.contains("?") ? "&" : "?") + "code=" + enc(code)
          + (state == null ? "" : "&state=" + enc(state)));
    }
  }

  // ----- the token endpoint (the page fetches it, cross-origin) -----

  void token(HttpServerRequest req) {
    String origin = req.getHeader("Origin");
    if (req.method() == HttpMethod.OPTIONS) {
      cors(req, origin);
      req.response().putHeader("Access-Control-Allow-Methods", "POST, OPTIONS")
          .putHeader("Access-Control-Allow-Headers", "Content-Type, Authorization").putHeader("Access-Control-Max-Age", "600")
          .setStatusCode(204).end();
      return;
    }
    if (req.method() != HttpMethod.POST) {
      req.response().setStatusCode(405).putHeader("Allow", "POST, OPTIONS").end();
      return;
    }
    String type = String.valueOf(req.getHeader("Content-Type"));
    if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      error(req, origin, 400, "invalid_request", "the body must be application/x-www-form-urlencoded");
      return;
    }
    req.setExpectMultipart(true);
    req.end().onSuccess(v -> exchange(req, origin, req.formAttributes()))
        .onFailure(e -> error(req, origin, 400, "invalid_request", "unreadable body"));
  }

  private void exchange(HttpServerRequest req, String origin, MultiMap form) {
    if (!"authorization_code".equals(form.get("grant_type"))) {
      error(req, origin, 400, "unsupported_grant_type", "only grant_type=authorization_code is supported");
      return;
    }
    Client client = clients.get(String.valueOf(form.get("client_id")));
    if (client == null) {
      error(req, origin, 401, "invalid_client", "unknown client_id");
      return;
    }
    String codeValue = form.get("code");
    Code code = codeValue == null ? null : codes.remove(codeValue); // one use only, right or wrong
    String verifier = form.get("code_verifier");
    if (codeValue == null || verifier == null) {
      error(req, origin, 400, "invalid_request", "code and code_verifier are required");
    } else if (code == null || code.expiresAtMs() < System.currentTimeMillis()) {
      error(req, origin, 400, "invalid_grant", "the authorization code is invalid, expired or already used");
    } else if (!code.clientId().equals(client.id())) {
      error(req, origin, 400, "invalid_grant", "the authorization code was issued to another client");
    } else if (!code.redirectUri().equals(form.get("redirect_uri"))) {
      error(req, origin, 400, "invalid_grant", "redirect_uri differs from the one in the authorization request");
    } else if (!VERIFIER.matcher(verifier).matches() || !MessageDigest.isEqual(
        s256(verifier).getBytes(StandardCharsets.US_ASCII), code.challenge().getBytes(StandardCharsets.US_ASCII))) {
      // RFC 7636 §4.6
      error(req, origin, 400, "invalid_grant", "PKCE verification failed: the code_verifier does not match the code_challenge");
    } else {
      String kid = idp.signingKid();
      JsonObject access = claims.copy().put("azp", client.id()).put("scope", code.scope()).put("typ", "Bearer");
      String accessToken = idp.token(kid, subject, audience, tokenTtl, access);
      JsonObject id = new JsonObject().put("azp", client.id()).put("typ", "ID");
      if (code.nonce() != null) id.put("nonce", code.nonce());
      String idToken = idp.token(kid, subject, client.id(), tokenTtl, id);
      tokensIssued.incrementAndGet();
      cors(req, origin);
      req.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
          .putHeader("Pragma", "no-cache")
          .end(new JsonObject().put("access_token", accessToken).put("token_type", "Bearer")
              .put("expires_in", tokenTtl.toSeconds()).put("id_token", idToken).put("scope", code.scope()).encode());
    }
  }

  /** As Keycloak does: the origin is echoed only when it is one of a registered client's web origins. */
  private void cors(HttpServerRequest req, String origin) {
    if (origin == null) return;
    req.response().putHeader("Vary", "Origin");
    if (clients.values().stream().anyMatch(c -> origin.equals(c.webOrigin()))) {
      req.response().putHeader("Access-Control-Allow-Origin", origin);
    }
  }

  private void error(HttpServerRequest req, String origin, int status, String error, String description) {
    cors(req, origin);
    if (status == 401) req.response().putHeader("WWW-Authenticate", "Basic realm=\"test\"");
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("error", error).put("error_description", description).encode());
  }

  private static void redirectError(HttpServerRequest req, String redirect, String state, String error, String description) {
    redirect(req, redirect + (redirect.contains("?") ? "&" : "?") + "error=" + enc(error)
        + "&error_description=" + enc(description) + (state == null ? "" : "&state=" + enc(state)));
  }

  private static void redirect(HttpServerRequest req, String location) {
    req.response().setStatusCode(302).putHeader("Location", location).putHeader("Cache-Control", "no-store").end();
  }

  private static void page(HttpServerRequest req, int status, String text) {
    String escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    req.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
        .end("<!doctype html><title>Sign-in error</title><h1>We are sorry...</h1><p id=\"error\">" + escaped + "</p>");
  }

  private static boolean hasScope(String scope, String wanted) {
    if (scope == null) return false;
    for (String s : scope.split(" ")) if (s.equals(wanted)) return true;
    return false;
  }

  /** BASE64URL(SHA-256(ASCII(verifier))), RFC 7636 §4.2. */
  static String s256(String verifier) {
    try {
      return B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private String randomToken() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return B64.encodeToString(b);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
