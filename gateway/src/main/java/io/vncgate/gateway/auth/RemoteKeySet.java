package io.vncgate.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An identity provider's signing keys ({@code auth.jwt.jwks-url}, or {@code jwks_uri} from
 * {@code <auth.oidc.issuer>/.well-known/openid-configuration}), fetched with the JDK's asynchronous
 * HTTP client (never on the event loop), kept by {@code kid}, and fetched again when a token names a
 * kid not known yet, at most once per {@code refetchInterval}. TLS trusts the system CAs or
 * {@code auth.oidc.ca-file}, never everything.
 */
final class RemoteKeySet {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteKeySet.class);
  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
  private static final long MAX_DOCUMENT_BYTES = 1 << 20;

  private final Vertx vertx;
  private final GatewayConfig.RemoteKeys config;
  private final JWTOptions options;
  private final HttpClient http;
  private final Object lock = new Object();
  /** kid → a verifier holding that one key; replaced whole by each successful fetch. */
  private Map<String, JWTAuth> byKid = Map.of();
  private boolean loaded;
  /** When the last rate-limited fetch began: one asked for by an unknown kid, or one that failed. */
  private long limitedFromNanos;
  private boolean limited;
  private CompletableFuture<Void> inFlight;
  private String lastProblem;
  /** The discovery document's authorization and token endpoints, once read; null before. */
  private JsonObject signInEndpoints;

  RemoteKeySet(Vertx vertx, GatewayConfig.RemoteKeys config, JWTOptions options) {
    this.vertx = vertx;
    this.config = config;
    this.options = options;
    this.http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
        .sslContext(sslContext(config.caFile())).build();
  }

  private static SSLContext sslContext(Path caFile) {
    try {
      if (caFile == null) return SSLContext.getDefault();
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      try (InputStream in = Files.newInputStream(caFile)) {
        int i = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          store.setCertificateEntry("ca-" + i++, c);
        }
        if (i == 0) throw new IllegalArgumentException("auth.oidc.ca-file: " + caFile + " holds no PEM certificate");
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("auth.oidc.ca-file: " + caFile + " cannot be read as PEM certificates: "
          + e.getClass().getSimpleName());
    }
  }

  /** Where the keys come from, for messages. */
  String source() {
    return config.jwksUrl() != null ? config.jwksUrl().toString() : discoveryUrl().toString();
  }

  private URI discoveryUrl() {
    String issuer = config.discoveryIssuer().toString();
    return URI.create((issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
        + "/.well-known/openid-configuration");
  }

  /** Starts the first fetch; completes (never fails) when it is done, logging a warning if it failed. */
  Future<Void> prefetch() {
    return Future.fromCompletionStage(refetch(false), vertx.getOrCreateContext()).otherwiseEmpty().mapEmpty();
  }

  /** The verifier for {@code kid}, fetching the keys again (rate-limited) when it is not known. */
  Future<JWTAuth> verifierFor(String kid) {
    CompletableFuture<Void> fetch;
    synchronized (lock) {
      JWTAuth known = byKid.get(kid);
      if (known != null) return Future.succeededFuture(known);
      boolean due = !limited || System.nanoTime() - limitedFromNanos >= config.refetchInterval().toNanos();
      if (inFlight != null) {
        fetch = inFlight;
      } else if (due) {
        fetch = refetch(true);
      } else {
        return Future.failedFuture(refusal(kid));
      }
    }
    return Future.fromCompletionStage(fetch, vertx.getOrCreateContext()).otherwiseEmpty().compose(v -> {
      synchronized (lock) {
        JWTAuth known = byKid.get(kid);
        return known != null ? Future.succeededFuture(known) : Future.failedFuture(refusal(kid));
      }
    });
  }

  private GatewayException refusal(String kid) {
    synchronized (lock) {
      if (!loaded) {
        return new GatewayException(Status.UNAUTHORIZED, "the identity provider's signing keys could not be fetched yet ("
            + lastProblem + "); the token cannot be checked until " + source() + " answers");
      }
      return new GatewayException(Status.UNAUTHORIZED, "invalid token: its key id (kid) '" + printable(kid)
          + "' is not among the identity provider's keys at " + source()
          + ", even after fetching them again; the key was removed or the token is from another issuer");
    }
  }

  /** @param forUnknownKid true when a token's kid asked for it: that starts the rate limit's interval */
  private CompletableFuture<Void> refetch(boolean forUnknownKid) {
    synchronized (lock) {
      if (inFlight != null) return inFlight;
      long started = System.nanoTime();
      if (forUnknownKid) {
        limited = true;
        limitedFromNanos = started;
      }
      CompletableFuture<URI> jwksUri = config.jwksUrl() != null
          ? CompletableFuture.completedFuture(config.jwksUrl())
          : getJson(discoveryUrl()).thenApply(this::jwksUriOf);
      CompletableFuture<Void> f = jwksUri.thenCompose(uri -> getJson(uri).thenAccept(doc -> install(uri, doc)))
          .handle((v, e) -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            synchronized (lock) {
              inFlight = null;
              if (cause != null) {
                limited = true;
                limitedFromNanos = started;
                lastProblem = cause.getMessage();
                LOG.warn("identity provider keys not fetched: {}", lastProblem);
              }
            }
            if (cause != null) throw new CompletionException(cause);
            return null;
          });
      inFlight = f;
      return f;
    }
  }

  private URI jwksUriOf(JsonObject discovery) {
    Object issuer = discovery.getValue("issuer");
    String expected = config.discoveryIssuer().toString();
    if (!(issuer instanceof String s) || !s.equals(expected)) {
      throw new IllegalStateException(discoveryUrl() + " names the issuer '" + printable(String.valueOf(issuer))
          + "', not the configured auth.oidc.issuer " + expected + " (they must be equal, character for character)");
    }
    JsonObject endpoints = endpointsOf(discovery);
    if (endpoints != null) {
      synchronized (lock) {
        signInEndpoints = endpoints;
      }
    }
    if (!(discovery.getValue("jwks_uri") instanceof String uri)) {
      throw new IllegalStateException(discoveryUrl() + " has no jwks_uri");
    }
    try {
      URI u = new URI(uri);
      if (!"https".equals(u.getScheme()) && !"http".equals(config.discoveryIssuer().getScheme())) {
        throw new IllegalStateException(discoveryUrl() + " names a jwks_uri that is not https: " + printable(uri));
      }
      return u;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(discoveryUrl() + " names a jwks_uri that is not a URL");
    }
  }

  /** {@code authorization_endpoint} and {@code token_endpoint} when both are https (or http with an http issuer), else null. */
  private JsonObject endpointsOf(JsonObject discovery) {
    JsonObject out = new JsonObject();
    for (String key : List.of("authorization_endpoint", "token_endpoint")) {
      if (!(discovery.getValue(key) instanceof String text)) return null;
      try {
        URI u = new URI(text);
        if (u.getHost() == null || !("https".equals(u.getScheme()) || "http".equals(config.discoveryIssuer().getScheme()))) return null;
      } catch (URISyntaxException e) {
        return null;
      }
      out.put(key, text);
    }
    return out;
  }

  /**
   * The identity provider's {@code authorization_endpoint} and {@code token_endpoint} from its
   * discovery document, for the page's sign-in: read with the keys, or fetched now (rate-limited
   * like the keys) when the first fetch failed. Fails with {@link Status#UNAVAILABLE} in words.
   */
  Future<JsonObject> signInEndpoints() {
    CompletableFuture<Void> fetch;
    synchronized (lock) {
      if (signInEndpoints != null) return Future.succeededFuture(signInEndpoints);
      boolean due = !limited || System.nanoTime() - limitedFromNanos >= config.refetchInterval().toNanos();
      if (inFlight != null) {
        fetch = inFlight;
      } else if (due && config.discoveryIssuer() != null) {
        fetch = refetch(true);
      } else {
        return Future.failedFuture(noEndpoints());
      }
    }
    return Future.fromCompletionStage(fetch, vertx.getOrCreateContext()).otherwiseEmpty().compose(v -> {
      synchronized (lock) {
        return signInEndpoints != null ? Future.succeededFuture(signInEndpoints) : Future.failedFuture(noEndpoints());
      }
    });
  }

  private GatewayException noEndpoints() {
    synchronized (lock) {
      return new GatewayException(Status.UNAVAILABLE, "sign-in is not available yet: the identity provider's discovery document "
          + discoveryUrl() + (lastProblem != null ? " could not be read (" + lastProblem + ")"
              : " names no https authorization_endpoint and token_endpoint") + "; try again shortly or paste a token");
    }
  }

  private void install(URI uri, JsonObject jwks) {
    if (!(jwks.getValue("keys") instanceof JsonArray keys)) {
      throw new IllegalStateException(uri + " is not a JWKS (no \"keys\" list)");
    }
    Map<String, JWTAuth> next = new HashMap<>();
    int skipped = 0;
    for (Object o : keys) {
      if (!(o instanceof JsonObject jwk) || !(jwk.getValue("kid") instanceof String kid) || "enc".equals(jwk.getString("use"))) {
        skipped++;
        continue;
      }
      JsonObject key = jwk.copy();
      String kty = key.getString("kty", "");
      if (!key.containsKey("alg")) {
        if (kty.equals("RSA")) key.put("alg", "RS256");
        else if (kty.equals("EC") && "P-256".equals(key.getString("crv"))) key.put("alg", "ES256");
      }
      String alg = key.getString("alg", "");
      if (!JwtService.REMOTE_ALGORITHMS.contains(alg)) {
        skipped++;
        continue;
      }
      try {
        next.put(kid, JWTAuth.create(vertx, new JWTAuthOptions().setJwks(List.of(key)).setJWTOptions(options)));
      } catch (RuntimeException e) {
        skipped++;
      }
    }
    if (next.isEmpty()) {
      throw new IllegalStateException(uri + " holds no usable RS256 or ES256 signing key");
    }
    synchronized (lock) {
      byKid = Map.copyOf(next);
      loaded = true;
      lastProblem = null;
    }
    LOG.info("identity provider keys fetched from {}: {} key(s){}", uri, next.size(),
        skipped == 0 ? "" : ", " + skipped + " skipped (not RS256/ES256 signing keys)");
  }

  private CompletableFuture<JsonObject> getJson(URI uri) {
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT).header("Accept", "application/json").GET().build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray())
        .handle((resp, e) -> {
          if (e != null) {
            Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("the identity provider at " + uri + " is unreachable: "
                + (c instanceof SSLException
                    ? "TLS failed (" + c.getMessage() + "); set auth.oidc.ca-file to the CA that signed its certificate"
                    : c.getClass().getSimpleName() + (c.getMessage() == null ? "" : " " + c.getMessage())));
          }
          if (resp.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered HTTP " + resp.statusCode() + ", not 200");
          }
          if (resp.body().length > MAX_DOCUMENT_BYTES) {
            throw new IllegalStateException(uri + " sent more than " + MAX_DOCUMENT_BYTES + " bytes");
          }
          try {
            return new JsonObject(new String(resp.body(), StandardCharsets.UTF_8));
          } catch (RuntimeException bad) {
            throw new IllegalStateException(uri + " did not send a JSON object");
          }
        });
  }

  private static String printable(String s) {
    String t = s.replaceAll("[^\\x20-\\x7e]", "?");
    return t.length() > 80 ? t.substring(0, 80) + "…" : t;
  }
}
