package io.vncgate.testbeds.oidc;

import io.vncgate.testbeds.impl.OpenSsl;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vncgate.testbeds.TestbedException;
import io.vncgate.testbeds.impl.Launcher;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenID Connect identity provider's token side, on the real wire format: HTTPS with its own CA
 * (made with {@code openssl} at start), {@code /.well-known/openid-configuration} naming
 * {@code jwks_uri}, {@code /jwks} with the public keys (RSA and EC P-256, each with a {@code kid}),
 * and tokens signed RS256 or ES256 with a {@code kid} header. Keys rotate on demand: {@link #rotate}
 * adds a new key and {@link #remove} drops one from the JWKS (tokens it signed keep their kid).
 * Counts JWKS fetches so a test can see a refetch.
 *
 * <p>It also signs users in as a browser meets it ({@link AuthorizationServer}): the authorization
 * code flow with PKCE (S256) for a public client registered with {@link #client}, the configured
 * test user approved without a form, tokens signed with the newest key ({@link #signingKid}), and
 * CORS on the token endpoint for the client's web origin.
 */
public final class OidcTestbed implements AutoCloseable {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final Vertx vertx;
  private final HttpServer server;
  private final Path dir;
  private final Path caFile;
  private final String issuer;
  private final Map<String, KeyPair> keys = new LinkedHashMap<>();
  private final AtomicInteger jwksFetches = new AtomicInteger();
  private final AtomicInteger nextKid = new AtomicInteger(1);
  private final AuthorizationServer authorization = new AuthorizationServer(this);
  private final Path certFile;

  private OidcTestbed(Vertx vertx, HttpServer server, Path dir, Path caFile, Path certFile) {
    this.vertx = vertx;
    this.certFile = certFile;
    this.server = server;
    this.dir = dir;
    this.caFile = caFile;
    this.issuer = "https://127.0.0.1:" + server.actualPort() + "/realms/test";
  }

  /** Starts on 127.0.0.1, a free port, with one RSA and one EC key. */
  public static OidcTestbed start() {
    Path dir;
    try {
      dir = Files.createTempDirectory("oidc-testbed");
    } catch (java.io.IOException e) {
      throw new TestbedException("cannot make a folder for the OIDC testbed: " + e.getMessage(), e);
    }
    Vertx vertx = Vertx.vertx();
    try {
      Path ca = dir.resolve("ca.pem");
      Path caKey = dir.resolve("ca.key");
      Path key = dir.resolve("idp.key");
      Path csr = dir.resolve("idp.csr");
      Path cert = dir.resolve("idp.pem");
      Path ext = Launcher.writePrivate(dir.resolve("idp.ext"), String.join("\n",
          "basicConstraints=CA:FALSE", "keyUsage=digitalSignature,keyAgreement", "extendedKeyUsage=serverAuth",
          "subjectAltName=IP:127.0.0.1,DNS:localhost", "").getBytes(StandardCharsets.US_ASCII));
      OpenSsl.run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
          "-subj", "/CN=OIDC testbed CA", "-keyout", caKey.toString(), "-out", ca.toString());
      OpenSsl.run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-subj", "/CN=127.0.0.1", "-keyout", key.toString(), "-out", csr.toString());
      OpenSsl.run("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
          "-set_serial", "0x1a2b3c4d", "-days", "1", "-extfile", ext.toString(), "-out", cert.toString());
      OidcTestbed[] self = new OidcTestbed[1];
      HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
              .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString())))
          .requestHandler(req -> self[0].handle(req));
      server.listen().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      self[0] = new OidcTestbed(vertx, server, dir, ca, cert);
      self[0].rotate("RS256");
      self[0].rotate("ES256");
      return self[0];
    } catch (Exception e) {
      vertx.close();
      Launcher.deleteTree(dir);
      throw e instanceof TestbedException t ? t : new TestbedException("OIDC testbed did not start: " + e, e);
    }
  }

  private void handle(io.vertx.core.http.HttpServerRequest req) {
    String path = req.path();
    if (path.equals("/realms/test/.well-known/openid-configuration")) {
      json(req, new JsonObject().put("issuer", issuer).put("jwks_uri", issuer + "/protocol/openid-connect/certs")
          .put("authorization_endpoint", issuer + "/protocol/openid-connect/auth")
          .put("token_endpoint", issuer + "/protocol/openid-connect/token")
          .put("id_token_signing_alg_values_supported", new JsonArray().add("RS256").add("ES256")));
    } else if (path.equals("/realms/test/protocol/openid-connect/certs")) {
      jwksFetches.incrementAndGet();
      json(req, jwks());
    } else if (path.equals("/realms/test/protocol/openid-connect/auth") && req.method() == io.vertx.core.http.HttpMethod.GET) {
      authorization.authorize(req);
    } else if (path.equals("/realms/test/protocol/openid-connect/token")) {
      authorization.token(req);
    } else {
      req.response().setStatusCode(404).end("not found");
    }
  }

  private static void json(io.vertx.core.http.HttpServerRequest req, JsonObject body) {
    req.response().putHeader("content-type", "application/json").end(body.encode());
  }

  /** The issuer URL ({@code https://127.0.0.1:PORT/realms/test}). */
  public String issuer() {
    return issuer;
  }

  /** The PEM CA certificate that signed the server's certificate. */
  public Path caFile() {
    return caFile;
  }

  /** The server certificate's SPKI hash (base64 SHA-256), for Chromium's {@code --ignore-certificate-errors-spki-list}. */
  public String spkiHash() {
    try (var in = Files.newInputStream(certFile)) {
      var cert = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
      return Base64.getEncoder().encodeToString(
          java.security.MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
    } catch (java.io.IOException | GeneralSecurityException e) {
      throw new TestbedException("cannot read the OIDC testbed's certificate: " + e.getMessage(), e);
    }
  }

  /** The origin of the issuer ({@code https://127.0.0.1:PORT}). */
  public String origin() {
    return "https://127.0.0.1:" + server.actualPort();
  }

  /**
   * Registers a public client for sign-in: its one redirect URI (compared exactly) and the web origin
   * the token endpoint answers with CORS headers.
   */
  public OidcTestbed client(String clientId, String redirectUri, String webOrigin) {
    authorization.client(new AuthorizationServer.Client(clientId, redirectUri, webOrigin));
    return this;
  }

  /** The user the authorization endpoint signs in (default {@code alice}, no claims), and the claims its tokens carry. */
  public OidcTestbed user(String subject, JsonObject claims) {
    authorization.user(subject, claims);
    return this;
  }

  /** The access token's {@code aud} (default {@code vncgate}); the ID token's is the client id. */
  public OidcTestbed accessTokenAudience(String audience) {
    authorization.audience(audience);
    return this;
  }

  /** How long signed-in tokens live (default 5 minutes). */
  public OidcTestbed tokenTtl(Duration ttl) {
    authorization.tokenTtl(ttl);
    return this;
  }

  /** The next authorization request is answered {@code error=access_denied} (the user pressed "No"). */
  public void denyNext() {
    authorization.denyNext();
  }

  /**
   * The next authorization code is bound to a challenge the client did not send, so the client's
   * (right) verifier fails at the token endpoint as a wrong one would: {@code invalid_grant}.
   */
  public void corruptNextChallenge() {
    authorization.corruptNextChallenge();
  }

  /** How many token responses the token endpoint sent. */
  public int tokensIssued() {
    return authorization.tokensIssued();
  }

  /** The key that signs tokens issued at the token endpoint: the newest in the JWKS. */
  public synchronized String signingKid() {
    List<String> kids = kids();
    if (kids.isEmpty()) throw new TestbedException("the OIDC testbed has no key to sign with");
    return kids.get(kids.size() - 1);
  }

  /** How many times {@code jwks_uri} was fetched. */
  public int jwksFetches() {
    return jwksFetches.get();
  }

  /** Adds a new key for {@code alg} (RS256 or ES256) to the JWKS; returns its kid. */
  public synchronized String rotate(String alg) {
    try {
      KeyPairGenerator g;
      if (alg.equals("RS256")) {
        g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
      } else if (alg.equals("ES256")) {
        g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
      } else {
        throw new IllegalArgumentException("the OIDC testbed signs RS256 or ES256, not " + alg);
      }
      String kid = alg.toLowerCase() + "-" + nextKid.getAndIncrement();
      keys.put(kid, g.generateKeyPair());
      return kid;
    } catch (GeneralSecurityException e) {
      throw new TestbedException("cannot make a " + alg + " key: " + e.getMessage(), e);
    }
  }

  /** Drops a key from the JWKS (its private half stays, so tokens can still be signed with it). */
  public synchronized void remove(String kid) {
    if (!removed.containsKey(kid)) removed.put(kid, keys.remove(kid));
  }

  private final Map<String, KeyPair> removed = new LinkedHashMap<>();

  /** The current kids, oldest first. */
  public synchronized List<String> kids() {
    return new ArrayList<>(keys.keySet());
  }

  /** The JWKS document as served. */
  public synchronized JsonObject jwks() {
    JsonArray list = new JsonArray();
    keys.forEach((kid, pair) -> list.add(jwk(kid, pair)));
    return new JsonObject().put("keys", list);
  }

  private static JsonObject jwk(String kid, KeyPair pair) {
    if (pair.getPublic() instanceof RSAPublicKey rsa) {
      return new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig").put("alg", "RS256")
          .put("n", B64.encodeToString(unsigned(rsa.getModulus(), 0)))
          .put("e", B64.encodeToString(unsigned(rsa.getPublicExponent(), 0)));
    }
    ECPublicKey ec = (ECPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "EC").put("kid", kid).put("use", "sig").put("alg", "ES256").put("crv", "P-256")
        .put("x", B64.encodeToString(unsigned(ec.getW().getAffineX(), 32)))
        .put("y", B64.encodeToString(unsigned(ec.getW().getAffineY(), 32)));
  }

  private static byte[] unsigned(BigInteger v, int length) {
    byte[] b = v.toByteArray();
    if (b.length > 1 && b[0] == 0) b = java.util.Arrays.copyOfRange(b, 1, b.length);
    if (length > b.length) {
      byte[] padded = new byte[length];
      System.arraycopy(b, 0, padded, length - b.length, b.length);
      return padded;
    }
    return b;
  }

  /**
   * A token signed with {@code kid} (a current or removed key): {@code iss} this issuer, {@code aud}
   * as given, {@code iat}/{@code exp} now and now + ttl, plus {@code claims}.
   */
  public synchronized String token(String kid, String subject, String audience, Duration ttl, JsonObject claims) {
    KeyPair pair = keys.containsKey(kid) ? keys.get(kid) : removed.get(kid);
    if (pair == null) throw new IllegalArgumentException("no key " + kid);
    long now = System.currentTimeMillis() / 1000;
    JsonObject payload = claims.copy().put("iss", claims.getString("iss", issuer)).put("sub", subject)
        .put("aud", audience).put("iat", now).put("exp", now + ttl.toSeconds());
    return sign(kid, pair, payload);
  }

  /** Signs any payload with {@code kid}'s key (for tokens with unusual claims). */
  public synchronized String sign(String kid, JsonObject payload) {
    KeyPair pair = keys.containsKey(kid) ? keys.get(kid) : removed.get(kid);
    if (pair == null) throw new IllegalArgumentException("no key " + kid);
    return sign(kid, pair, payload);
  }

  private static String sign(String kid, KeyPair pair, JsonObject payload) {
    boolean rsa = pair.getPublic() instanceof RSAPublicKey;
    JsonObject header = new JsonObject().put("alg", rsa ? "RS256" : "ES256").put("typ", "JWT").put("kid", kid);
    String input = B64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(payload.encode().getBytes(StandardCharsets.UTF_8));
    try {
      // JWS ES256 wants R||S (IEEE P1363), not DER
      Signature s = Signature.getInstance(rsa ? "SHA256withRSA" : "SHA256withECDSAinP1363Format");
      s.initSign(pair.getPrivate());
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64.encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new TestbedException("cannot sign: " + e.getMessage(), e);
    }
  }

  /** Stops serving (the IdP is down) while keeping the keys; {@link #close} also removes the files. */
  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing anyway
    }
    vertx.close();
    Launcher.deleteTree(dir);
  }
}
