package io.vncgate.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.time.Instant;
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

  private final GatewayConfig.Jwt config;
  private final JWTAuth verifier;
  private final JWTAuth signer;
  private final Set<String> admins;

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
        .setAudience(List.of(config.audience()))
        .setIgnoreExpiration(true);
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
    if (!alg.equals(config.algorithm())) {
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
    Future<io.vertx.ext.auth.User> checked;
    try {
      checked = verifier.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      checked = Future.failedFuture(e);
    }
    return checked
        .recover(e -> Future.failedFuture(new GatewayException(Status.UNAUTHORIZED, "invalid token: " + describe(e))))
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
    Object raw = claims.getValue(CLAIM);
    if (!(raw instanceof JsonObject claim)) {
      return Future.failedFuture(new GatewayException(Status.FORBIDDEN,
          "the token has no '" + CLAIM + "' claim naming the targets and role it grants"));
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

  /** True if this gateway can mint tokens (HS* secret, or a private key for RS/ES). */
  public boolean canSign() {
    return signer != null;
  }

  public String mint(String subject, List<String> targets, Role role, Duration ttl) {
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

  private static String describe(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String lower = m.toLowerCase();
    if (lower.contains("expired")) return "it has expired; mint a new one";
    if (lower.contains("signature")) return "bad signature";
    if (lower.contains("issuer") || lower.contains("iss")) return "wrong issuer (expected the configured auth.jwt.issuer)";
    if (lower.contains("audience") || lower.contains("aud")) return "wrong audience (expected the configured auth.jwt.audience)";
    // never echo token content
    return m.length() > 120 ? m.substring(0, 120) : m;
  }
}
