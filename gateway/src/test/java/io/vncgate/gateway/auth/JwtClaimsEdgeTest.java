package io.vncgate.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Correctly signed tokens whose claims or header are malformed or not yet valid: each is refused
 * with 401 and words, as a failed future (never an exception out of {@code verify}, which became an
 * HTTP 500 and left the events socket open).
 */
@Timeout(60)
class JwtClaimsEdgeTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static Vertx vertx;
  private static JwtService jwt;

  @BeforeAll
  static void up() {
    vertx = Vertx.vertx();
    byte[] key = SECRET.getBytes(StandardCharsets.UTF_8);
    jwt = new JwtService(vertx, new GatewayConfig.Jwt("HS256", key, key, "vncgate", "vncgate"));
  }

  @AfterAll
  static void down() {
    vertx.close();
  }

  /** The refusal's words; fails if verify threw instead of failing its future, or accepted the token. */
  private static String refusal(String token) throws Exception {
    Future<UserPrincipal> f = jwt.verify(token);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS), "the token was accepted");
    GatewayException g = (GatewayException) e.getCause();
    assertEquals(Status.UNAUTHORIZED, g.status(), g.getMessage());
    return g.getMessage();
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  @Test
  void aStringExpIsRefusedInWords() throws Exception {
    String m = refusal(JwtClaimsForge.signed(SECRET, new JsonObject().put("exp", "tomorrow")));
    assertTrue(m.contains("exp must be a number"), m);
  }

  @Test
  void aNullExpIsRefusedInWords() throws Exception {
    String m = refusal(JwtClaimsForge.signed(SECRET, new JsonObject().putNull("exp")));
    assertTrue(m.contains("exp must be a number"), m);
  }

  @Test
  void aStringNbfOrIatIsRefused() throws Exception {
    assertTrue(refusal(JwtClaimsForge.signed(SECRET, new JsonObject().put("nbf", "now"))).contains("nbf"));
    assertTrue(refusal(JwtClaimsForge.signed(SECRET, new JsonObject().put("iat", new JsonArray()))).contains("iat"));
  }

  @Test
  void aFutureNbfIsNotYetValidNotExpired() throws Exception {
    String m = refusal(JwtClaimsForge.signed(SECRET, new JsonObject().put("nbf", now() + 3600)));
    assertTrue(m.contains("not valid yet"), m);
    assertFalse(m.contains("expired"), m);
  }

  @Test
  void aFutureIatIsNamed() throws Exception {
    String m = refusal(JwtClaimsForge.signed(SECRET, new JsonObject().put("iat", now() + 3600)));
    assertTrue(m.contains("issued in the future"), m);
  }

  @Test
  void anExpiredTokenStillSaysExpired() throws Exception {
    String m = refusal(JwtClaimsForge.signed(SECRET, new JsonObject().put("exp", now() - 3600)));
    assertTrue(m.contains("expired"), m);
  }

  @Test
  void aCriticalHeaderExtensionIsRefused() throws Exception {
    String m = refusal(JwtClaimsForge.signed(SECRET, new JsonObject().put("crit", new JsonArray().add("exp-x"))
        .put("exp-x", 1), new JsonObject()));
    assertTrue(m.contains("crit"), m);
  }

  @Test
  void aNonStringSubOrRoleIsRefusedNotThrown() throws Exception {
    refusal(JwtClaimsForge.signed(SECRET, new JsonObject().put("sub", 42)));
    Future<UserPrincipal> f = jwt.verify(JwtClaimsForge.signed(SECRET,
        new JsonObject().put("vncgate", new JsonObject().put("targets", "**").put("role", 7))));
    assertThrows(ExecutionException.class, () -> f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  @Test
  void theForgeMakesTokensTheGatewayAccepts() throws Exception {
    UserPrincipal p = jwt.verify(JwtClaimsForge.signed(SECRET, new JsonObject()))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals("alice", p.subject());
    // a past nbf and iat, and a clock a few seconds behind (leeway), are fine
    jwt.verify(JwtClaimsForge.signed(SECRET, new JsonObject().put("nbf", now() + 2).put("iat", now() - 60)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
