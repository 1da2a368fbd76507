package io.vncgate.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies bearer tokens (Vert.x Auth JWT) and mints them for {@code vncgate token}.
 *
 * <p>Checked: signature with the configured algorithm only (so {@code alg: none} and algorithm
 * confusion fail), {@code iss}, {@code aud}, {@code exp} (required), {@code nbf}, and the
 * {@code vncgate} claim {@code {"targets": [globs], "role": "control"|"view"}}.
 */
public final class JwtService {
  public static final String CLAIM = "vncgate";
  /** Clock skew allowed between the gateway and a token's issuer, for exp, nbf and iat. */
  public static final int LEEWAY_SECONDS = 5;
  /** What a token from an identity provider ({@code auth.jwt.jwks-url}, {@code auth.oidc.issuer}) may be signed with. */
  static final Set<String> REMOTE_ALGORITHMS = Set.of("RS256", "ES256");

  private final GatewayConfig.Jwt config;
  private final JWTAuth verifier;
  private final JWTAuth signer;
  private final Set<String> admins;
  /** The identity provider's keys; null with a static key. */
  private final RemoteKeySet remote;

  public JwtService(Vertx vertx, GatewayConfig.Jwt config) {
    this(vertx, config, Set.of());
  }

  /** @param admins subjects that are operators whatever their token says ({@code auth.admins}) */
  public JwtService(Vertx vertx, GatewayConfig.Jwt config, Set<String> admins) {
    this.config = config;
    this.admins = Set.copyOf(admins);
    // exp, nbf and iat are checked here (principal), not by Vert.x: it reads them unchecked (a
    // string or null there threw out of authenticate) and calls a future nbf "expired"
    JWTOptions options = new JWTOptions()
        .setIssuer(config.issuer())
        .setIgnoreExpiration(true);
    // Vert.x checks aud whenever the list is not null, and an empty list matches nothing: null when not configured
    options.setAudience(config.audience() == null ? null : List.of(config.audience()));
    if (config.remote() != null) {
      this.remote = new RemoteKeySet(vertx, config.remote(), options);
      this.verifier = null;
      this.signer = null;
      return;
    }
    this.remote = null;
    this.verifier = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(key(config.algorithm(), config.key()))
        .setJWTOptions(options));
    this.signer = config.signingKey() == null ? null : JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(key(config.algorithm(), config.signingKey()))
        .setJWTOptions(new JWTOptions().setAlgorithm(config.algorithm())));
  }

  private static PubSecKeyOptions key(String algorithm, byte[] material) {
    return new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(Buffer.buffer(material));
  }

  /**
   * With an identity provider: the first fetch of its keys (never fails; a failure is logged and
   * tokens are refused in words until the keys arrive). With a static key: done.
   */
  public Future<Void> start() {
    return remote == null ? Future.succeededFuture() : remote.prefetch();
  }

  /**
   * What the viewer page needs to offer sign-in at the identity provider ({@code auth.oidc.client-id}):
   * {@code {"signIn": {issuer, authorizationEndpoint, tokenEndpoint, clientId, scopes}}}, or
   * {@code {"signIn": null}} when none is offered. Nothing secret: the client is a public one.
   */
  public Future<JsonObject> signInConfig() {
    GatewayConfig.SignIn signIn = remote == null ? null : config.remote().signIn();
    if (signIn == null) return Future.succeededFuture(new JsonObject().putNull("signIn"));
    return remote.signInEndpoints().map(e -> new JsonObject().put("signIn", new JsonObject()
        .put("issuer", config.issuer())
        .put("authorizationEndpoint", e.getString("authorization_endpoint"))
        .put("tokenEndpoint", e.getString("token_endpoint"))
        .put("clientId", signIn.clientId())
        .put("scopes", new JsonArray(signIn.scopes()))));
  }

  /** Verifies a bearer token; fails with {@link Status#UNAUTHORIZED} saying why in words. */
  public Future<UserPrincipal> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(new GatewayException(Status.UNAUTHORIZED,
          "missing bearer token: send 'Authorization: Bearer <jwt>' (mint one with `vncgate token`)"));
    }
    JsonObject header = header(token);
    String alg = header == null || !(header.getValue("alg") instanceof String a) ? null : a;
    if (alg == null) {
      return Future.failedFuture(new GatewayException(Status.UNAUTHORIZED, "the bearer token is not a JWT"));
    }
    if (remote != null && !REMOTE_ALGORITHMS.contains(alg)) {
      return Future.failedFuture(new GatewayException(Status.UNAUTHORIZED,
          "token algorithm '" + alg + "' is not accepted; tokens from the identity provider must be RS256 or ES256"));
    }
    String kid = header.getValue("kid") instanceof String k ? k : null;
    if (remote != null && kid == null) {
      return Future.failedFuture(new GatewayException(Status.UNAUTHORIZED,
          "invalid token: its header has no key id (kid), so the identity provider's key that signed it cannot be chosen"));
    }
    if (remote == null && !alg.equals(config.algorithm())) {
      return Future.failedFuture(new GatewayException(Status.UNAUTHORIZED,
          "token algorithm '" + alg + "' is not accepted; this gateway accepts " + config.algorithm()));
    }
    if (header.containsKey("crit")) {
      // RFC 7515 4.1.11: a recipient must refuse a token whose critical extensions it does not
      // understand; this gateway understands none
      return Future.failedFuture(new GatewayException(Status.UNAUTHORIZED,
          "invalid token: its header lists critical extensions (crit) that this gateway does not support"));
    }
    // Vert.x reads exp, nbf and iat as numbers before it looks at anything else (a string threw):
    // their types are checked first, on the still unverified payload; their values once verified
    String typeProblem = claimTypeProblem(payload(token));
    if (typeProblem != null) {
      return Future.failedFuture(new GatewayException(Status.UNAUTHORIZED, "invalid token: " + typeProblem));
    }
    Future<JWTAuth> keys = remote == null ? Future.succeededFuture(verifier) : remote.verifierFor(kid);
    return keys.compose(v -> {
      Future<User> checked;
      try {
        checked = v.authenticate(new TokenCredentials(token));
      } catch (RuntimeException e) {
        checked = Future.failedFuture(e);
      }
      return checked
          .recover(e -> Future.failedFuture(new GatewayException(Status.UNAUTHORIZED, "invalid token: " + describe(e))));
    })
        .compose(user -> {
          try {
            return principal(user.principal(), user.attributes());
          } catch (RuntimeException e) {
            return Future.failedFuture(new GatewayException(Status.UNAUTHORIZED, "invalid token: its claims cannot be read"));
          }
        });
  }

  /** exp, nbf and iat, where present, must be JSON numbers; null when they are (or the payload is unreadable). */
  private static String claimTypeProblem(JsonObject payload) {
    if (payload == null) return null; // the signature check will say what is wrong
    for (String claim : List.of("exp", "nbf", "iat")) {
      if (payload.containsKey(claim) && !(payload.getValue(claim) instanceof Number)) {
        return "its " + claim + " must be a number of seconds since 1970";
      }
    }
    return null;
  }

  /**
   * exp (required), nbf and iat, checked with {@link #LEEWAY_SECONDS}; their types were checked on
   * the same bytes before the signature ({@link #claimTypeProblem}).
   */
  private static String timeProblem(JsonObject payload) {
    long now = System.currentTimeMillis() / 1000;
    if (!payload.containsKey("exp")) return "it has no expiry (exp)";
    if (now - LEEWAY_SECONDS >= payload.getLong("exp")) return "it has expired; mint a new one";
    if (payload.containsKey("nbf") && payload.getLong("nbf") > now + LEEWAY_SECONDS) {
      return "it is not valid yet (nbf " + Instant.ofEpochSecond(payload.getLong("nbf"))
          + "); wait, or check the clocks of the gateway and the token's issuer";
    }
    if (payload.containsKey("iat") && payload.getLong("iat") > now + LEEWAY_SECONDS) {
      return "it was issued in the future (iat " + Instant.ofEpochSecond(payload.getLong("iat"))
          + "); check the clocks of the gateway and the token's issuer";
    }
    return null;
  }

  private Future<UserPrincipal> principal(JsonObject claims, JsonObject attributes) {
    // Vert.x keeps the whole verified payload under accessToken
    JsonObject accessToken = attributes.getJsonObject("accessToken", new JsonObject());
    String timeProblem = timeProblem(accessToken);
    if (timeProblem != null) {
      return Future.failedFuture(new GatewayException(Status.UNAUTHORIZED, "invalid token: " + timeProblem));
    }
    String sub = claims.getValue("sub") instanceof String s ? s : null;
    if (sub == null || sub.isBlank()) {
      return Future.failedFuture(new GatewayException(Status.UNAUTHORIZED, "invalid token: it has no subject (sub)"));
    }
    GatewayConfig.ClaimSource source = config.claims();
    Object raw = at(claims, source.path());
    if (!(raw instanceof JsonObject) && !source.mapping().isEmpty()) {
      return mapped(sub, claims, source);
    }
    if (!(raw instanceof JsonObject claim)) {
      return Future.failedFuture(new GatewayException(Status.FORBIDDEN,
          "the token has no '" + source.path() + "' claim naming the targets and role it grants"
          + (source.mapping().isEmpty() ? "" : ", and none of its " + source.groupsClaim() + " is in auth.claims-mapping")));
    }
    List<TargetGlob> globs = new ArrayList<>();
    Object targets = claim.getValue("targets");
    if (targets instanceof JsonArray arr) {
      for (Object o : arr) {
        if (o instanceof String s && !s.isBlank()) globs.add(TargetGlob.of(s));
      }
    } else if (targets instanceof String s) {
      globs.add(TargetGlob.of(s));
    }
    Role role = Role.parse(claim.getString("role", "view")).orElse(null);
    if (role == null) {
      return Future.failedFuture(new GatewayException(Status.FORBIDDEN,
          "the token's " + CLAIM + ".role must be 'control' or 'view'"));
    }
    boolean admin = admins.contains(sub) || Boolean.TRUE.equals(claim.getValue("admin"));
    return Future.succeededFuture(new UserPrincipal(sub, globs, role, admin));
  }

  /** The value at a dotted claim path ({@code resource_access.vncgate}), or null. */
  private static Object at(JsonObject claims, String path) {
    Object at = claims;
    for (String part : path.split("\\.")) {
      if (!(at instanceof JsonObject o)) return null;
      at = o.getValue(part);
    }
    return at;
  }

  /**
   * The grant from {@code auth.claims-mapping}: the targets of every rule whose group is among the
   * token's groups; the role is control only when every matching rule grants control (one role
   * covers all the targets, so a mix gives the lesser, view).
   */
  private Future<UserPrincipal> mapped(String sub, JsonObject claims, GatewayConfig.ClaimSource source) {
    Object raw = at(claims, source.groupsClaim());
    Set<String> groups = new HashSet<>();
    if (raw instanceof JsonArray arr) {
      for (Object o : arr) if (o instanceof String g) groups.add(g);
    } else if (raw instanceof String g) {
      groups.add(g);
    }
    List<TargetGlob> globs = new ArrayList<>();
    Role role = null;
    for (GatewayConfig.GroupRule rule : source.mapping()) {
      if (!groups.contains(rule.group())) continue;
      for (String t : rule.targets()) globs.add(TargetGlob.of(t));
      Role r = Role.parse(rule.role()).orElse(Role.VIEW);
      role = role == null ? r : (role == Role.CONTROL && r == Role.CONTROL ? Role.CONTROL : Role.VIEW);
    }
    if (role == null) {
      return Future.failedFuture(new GatewayException(Status.FORBIDDEN, "the token grants no target: it has no '"
          + source.path() + "' claim and none of its " + source.groupsClaim() + " (" + groups.size()
          + ") is a group in auth.claims-mapping"));
    }
    return Future.succeededFuture(new UserPrincipal(sub, globs, role, admins.contains(sub)));
  }

  /** True if this gateway can mint tokens (HS* secret, or a private key for RS/ES). */
  public boolean canSign() {
    return signer != null;
  }

  public String mint(String subject, List<String> targets, Role role, Duration ttl) {
    if (remote != null) {
      throw new GatewayException(Status.BAD_REQUEST,
          "this gateway takes its tokens from the identity provider (" + remote.source() + "); get one there");
    }
    if (signer == null) {
      throw new GatewayException(Status.BAD_REQUEST,
          "cannot mint " + config.algorithm() + " tokens: set auth.jwt.private-key-file to the PEM private key");
    }
    JsonObject claims = new JsonObject()
        .put(CLAIM, new JsonObject().put("targets", new JsonArray(new ArrayList<>(targets))).put("role", role.wireName()));
    JWTOptions options = new JWTOptions()
        .setAlgorithm(config.algorithm())
        .setIssuer(config.issuer())
        .setAudience(List.of(config.audience()))
        .setSubject(subject)
        .setExpiresInSeconds((int) Math.max(1, Math.min(Integer.MAX_VALUE, ttl.toSeconds())));
    return signer.generateToken(claims, options);
  }

  /** The token's (unverified) payload, or null when it is not base64url JSON. */
  private static JsonObject payload(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) return null;
    try {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The token's (unverified) header, or null when it is not base64url JSON. */
  private static JsonObject header(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0) return null;
    try {
      byte[] header = Base64.getUrlDecoder().decode(token.substring(0, dot));
      return new JsonObject(new String(header, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private String describe(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String lower = m.toLowerCase();
    if (lower.contains("expired")) return "it has expired; mint a new one";
    if (lower.contains("signature")) return "bad signature";
    if (lower.contains("issuer") || lower.contains("iss")) {
      return remote == null ? "wrong issuer (expected the configured auth.jwt.issuer)"
          : "wrong issuer (expected " + config.issuer() + ")";
    }
    if (lower.contains("audience") || lower.contains("aud")) {
      return remote == null ? "wrong audience (expected the configured auth.jwt.audience)"
          : "wrong audience (expected " + config.audience() + ", set in auth.oidc.audience)";
    }
    // never echo token content
    return m.length() > 120 ? m.substring(0, 120) : m;
  }
}
