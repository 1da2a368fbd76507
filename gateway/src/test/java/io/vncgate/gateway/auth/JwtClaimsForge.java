package io.vncgate.gateway.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs HS256 tokens with any header and claims, valid or not (a string {@code exp}, a {@code crit}
 * header): what a client holding the key, or a buggy issuer, could send. The signature is right,
 * so only the gateway's claim checks stand between such a token and the API.
 */
public final class JwtClaimsForge {
  private JwtClaimsForge() {}

  /** A token for alice with iss/aud vncgate, all targets, role control, exp in 10 min; {@code claims} override. */
  public static String signed(String secret, JsonObject claims) {
    return signed(secret, new JsonObject(), claims);
  }

  /** As {@link #signed(String, JsonObject)}, with {@code headerExtra} added to the header. */
  public static String signed(String secret, JsonObject headerExtra, JsonObject claims) {
    JsonObject header = new JsonObject().put("alg", "HS256").put("typ", "JWT").mergeIn(headerExtra);
    JsonObject payload = new JsonObject().put("sub", "alice").put("iss", "vncgate").put("aud", "vncgate")
        .put("exp", System.currentTimeMillis() / 1000 + 600)
        .put("vncgate", new JsonObject().put("targets", new JsonArray().add("**")).put("role", "control"))
        .mergeIn(claims);
    String signingInput = b64(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + b64(payload.encode().getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return signingInput + "." + b64(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
