package io.vncgate.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class JwtServiceTest {
  private static final byte[] SECRET = "a-test-secret-that-is-long-enough-for-hs256".getBytes(StandardCharsets.UTF_8);
  private static Vertx vertx;

  @BeforeAll
  static void up() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void down() {
    vertx.close();
  }

  private static JwtService hs256(String issuer, String audience) {
    return new JwtService(vertx, new GatewayConfig.Jwt("HS256", SECRET, SECRET, issuer, audience));
  }

  private static UserPrincipal verify(JwtService s, String token) throws Exception {
    return s.verify(token).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static GatewayException refused(JwtService s, String token) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> verify(s, token));
    return (GatewayException) e.getCause();
  }

  @Test
  void mintedTokenVerifiesWithClaim() throws Exception {
    JwtService s = hs256("vncgate", "vncgate");
    UserPrincipal p = verify(s, s.mint("alice", List.of("static/*"), Role.CONTROL, Duration.ofMinutes(15)));
    assertEquals("alice", p.subject());
    assertEquals(Role.CONTROL, p.role());
    assertTrue(p.mayOpen("static/lab1"));
    assertFalse(p.mayOpen("ssh/box1"));
  }

  @Test
  void expiredTokenIsRefused() throws Exception {
    JwtService s = hs256("vncgate", "vncgate");
    String token = s.mint("alice", List.of("**"), Role.VIEW, Duration.ofSeconds(1));
    Thread.sleep(7000); // past exp plus the 5 s leeway
    GatewayException e = refused(s, token);
    assertEquals(Status.UNAUTHORIZED, e.status());
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
  }

  @Test
  void forgedSignatureIsRefused() {
    JwtService s = hs256("vncgate", "vncgate");
    JwtService other = new JwtService(vertx, new GatewayConfig.Jwt("HS256",
        "another-secret-that-is-long-enough-for-hs256".getBytes(), "another-secret-that-is-long-enough-for-hs256".getBytes(),
        "vncgate", "vncgate"));
    GatewayException e = refused(s, other.mint("mallory", List.of("**"), Role.CONTROL, Duration.ofMinutes(5)));
    assertEquals(Status.UNAUTHORIZED, e.status());
  }

  @Test
  void algNoneIsRefused() {
    JwtService s = hs256("vncgate", "vncgate");
    long exp = System.currentTimeMillis() / 1000 + 600;
    String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    String body = b64(new JsonObject().put("sub", "mallory").put("iss", "vncgate").put("aud", "vncgate").put("exp", exp)
        .put("vncgate", new JsonObject().put("targets", List.of("**")).put("role", "control")).encode());
    for (String token : List.of(header + "." + body + ".", header + "." + body)) {
      GatewayException e = refused(s, token);
      assertEquals(Status.UNAUTHORIZED, e.status());
      assertTrue(e.getMessage().contains("none"), e.getMessage());
    }
  }

  @Test
  void wrongIssuerAndAudienceAreRefused() {
    JwtService s = hs256("vncgate", "vncgate");
    assertEquals(Status.UNAUTHORIZED, refused(s, hs256("someone-else", "vncgate")
        .mint("a", List.of("**"), Role.VIEW, Duration.ofMinutes(5))).status());
    assertEquals(Status.UNAUTHORIZED, refused(s, hs256("vncgate", "other-app")
        .mint("a", List.of("**"), Role.VIEW, Duration.ofMinutes(5))).status());
  }

  @Test
  void missingTokenSaysHowToSendOne() {
    GatewayException e = refused(hs256("vncgate", "vncgate"), null);
    assertTrue(e.getMessage().contains("Authorization: Bearer"), e.getMessage());
  }

  @Test
  void es256And256RsaPublicKeysVerify() throws Exception {
    for (String alg : List.of("ES256", "RS256")) {
      KeyPairGenerator g = KeyPairGenerator.getInstance(alg.startsWith("ES") ? "EC" : "RSA");
      if (alg.startsWith("ES")) g.initialize(new ECGenParameterSpec("secp256r1")); else g.initialize(2048);
      KeyPair kp = g.generateKeyPair();
      byte[] pub = pem("PUBLIC KEY", kp.getPublic().getEncoded());
      byte[] priv = pem("PRIVATE KEY", kp.getPrivate().getEncoded());
      JwtService signer = new JwtService(vertx, new GatewayConfig.Jwt(alg, pub, priv, "vncgate", "vncgate"));
      JwtService verifier = new JwtService(vertx, new GatewayConfig.Jwt(alg, pub, null, "vncgate", "vncgate"));
      assertFalse(verifier.canSign());
      assertEquals("bob", verify(verifier, signer.mint("bob", List.of("**"), Role.VIEW, Duration.ofMinutes(1))).subject());
      // algorithm confusion: an HS256 token "signed" with the public key is refused
      JwtService confused = new JwtService(vertx, new GatewayConfig.Jwt("HS256", pub, pub, "vncgate", "vncgate"));
      assertEquals(Status.UNAUTHORIZED, refused(verifier, confused.mint("x", List.of("**"), Role.CONTROL, Duration.ofMinutes(1))).status());
    }
  }

  private static byte[] pem(String kind, byte[] der) {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
    return ("-----BEGIN " + kind + "-----\n" + b64 + "\n-----END " + kind + "-----\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
