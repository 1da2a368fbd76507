package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vncgate.gateway.auth.Role;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API's refusals, each with its status and a JSON error in words. */
@Timeout(60)
class ApiSecurityTest {
  @TempDir static Path dir;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    gw = new GatewayHarness(dir, GatewayHarness.target("lab1", 5999, null) + GatewayHarness.target("lab2", 5998, null), null);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  private static String error(HttpResponse<String> r) {
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), r.headers().toString());
    return new JsonObject(r.body()).getString("error");
  }

  @Test
  void healthzAnswersUp() throws Exception {
    HttpResponse<String> r = gw.get("/healthz", null);
    assertEquals(200, r.statusCode());
    assertEquals("up", new JsonObject(r.body()).getString("status"));
  }

  @Test
  void missingTokenIs401WithHowTo() throws Exception {
    HttpResponse<String> r = gw.get("/api/v1/targets", null);
    assertEquals(401, r.statusCode());
    assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(""));
    assertTrue(error(r).contains("Authorization: Bearer"), r.body());
  }

  @Test
  void expiredTokenIs401() throws Exception {
    JWTAuth signer = JWTAuth.create(gw.vertx, new JWTAuthOptions().addPubSecKey(
        new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(GatewayHarness.SECRET)));
    long past = System.currentTimeMillis() / 1000 - 3600;
    String token = signer.generateToken(new JsonObject().put("sub", "alice").put("iss", "vncgate").put("aud", "vncgate")
        .put("exp", past).put("iat", past - 60)
        .put("vncgate", new JsonObject().put("targets", new JsonArray().add("**")).put("role", "control")),
        new JWTOptions().setAlgorithm("HS256"));
    HttpResponse<String> r = gw.get("/api/v1/targets", token);
    assertEquals(401, r.statusCode());
    assertTrue(error(r).contains("expired"), r.body());
  }

  @Test
  void tokenWithoutExpiryIs401() throws Exception {
    JWTAuth signer = JWTAuth.create(gw.vertx, new JWTAuthOptions().addPubSecKey(
        new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(GatewayHarness.SECRET)));
    String token = signer.generateToken(new JsonObject().put("sub", "alice").put("iss", "vncgate").put("aud", "vncgate")
        .put("vncgate", new JsonObject().put("targets", new JsonArray().add("**")).put("role", "control")),
        new JWTOptions().setAlgorithm("HS256"));
    HttpResponse<String> r = gw.get("/api/v1/targets", token);
    assertEquals(401, r.statusCode());
    assertTrue(error(r).contains("no expiry"), r.body());
  }

  @Test
  void forgedSignatureIs401() throws Exception {
    String good = gw.token("alice", "**", Role.CONTROL);
    String[] parts = good.split("\\.");
    String forged = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
    assertEquals(401, gw.get("/api/v1/targets", forged).statusCode());
  }

  @Test
  void algNoneIs401() throws Exception {
    String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    String body = b64(new JsonObject().put("sub", "mallory").put("iss", "vncgate").put("aud", "vncgate")
        .put("exp", System.currentTimeMillis() / 1000 + 600)
        .put("vncgate", new JsonObject().put("targets", new JsonArray().add("**")).put("role", "control")).encode());
    HttpResponse<String> r = gw.get("/api/v1/targets", header + "." + body + ".");
    assertEquals(401, r.statusCode());
    assertTrue(error(r).contains("none"), r.body());
  }

  @Test
  void targetsAreFilteredByTheTokensGlobs() throws Exception {
    HttpResponse<String> r = gw.get("/api/v1/targets", gw.token("alice", "static/lab1", Role.VIEW));
    assertEquals(200, r.statusCode());
    JsonArray targets = new JsonObject(r.body()).getJsonArray("targets");
    assertEquals(1, targets.size());
    assertEquals("static/lab1", targets.getJsonObject(0).getString("id"));
    assertFalse(r.body().contains("5999"), "targets must not reveal host and port");
  }

  @Test
  void sessionForTargetOutsideGlobsIs403() throws Exception {
    HttpResponse<String> r = gw.post("/api/v1/sessions", gw.token("alice", "static/lab1", Role.CONTROL),
        "{\"target\": \"static/lab2\", \"role\": \"control\"}");
    assertEquals(403, r.statusCode());
    assertTrue(error(r).contains("static/lab2"), r.body());
  }

  @Test
  void viewTokenAskingForControlIs403() throws Exception {
    HttpResponse<String> r = gw.post("/api/v1/sessions", gw.token("bob", "**", Role.VIEW),
        "{\"target\": \"static/lab1\", \"role\": \"control\"}");
    assertEquals(403, r.statusCode());
    assertTrue(error(r).contains("view"), r.body());
  }

  @Test
  void unknownTargetIs404AndBadBodyIs400() throws Exception {
    String token = gw.token("alice", "**", Role.CONTROL);
    assertEquals(404, gw.post("/api/v1/sessions", token, "{\"target\": \"static/nope\"}").statusCode());
    assertEquals(404, gw.post("/api/v1/sessions", token, "{\"target\": \"nosuch/x\"}").statusCode());
    HttpResponse<String> r = gw.post("/api/v1/sessions", token, "not json");
    assertEquals(400, r.statusCode());
    assertTrue(error(r).contains("target"), r.body());
    assertEquals(400, gw.post("/api/v1/sessions", token, "{\"target\": \"static/lab1\", \"role\": \"admin\"}").statusCode());
  }

  @Test
  void sessionReplyFollowsTheContract() throws Exception {
    JsonObject s = gw.session(gw.token("alice", "static/*", Role.CONTROL), "static/lab1", "control");
    assertEquals("static/lab1", s.getString("target"));
    assertEquals("control", s.getString("role"));
    assertEquals(30, s.getInteger("expiresInSeconds"));
    assertEquals("/ws/v1/connect", s.getJsonObject("websocket").getString("path"));
    assertEquals(List.of("binary", "vncgate.ticket." + s.getString("ticket")),
        s.getJsonObject("websocket").getJsonArray("protocols").getList());
    assertTrue(s.getString("id").length() > 8);
  }

  @Test
  void unknownEndpointIsJson404() throws Exception {
    HttpResponse<String> r = gw.get("/api/v1/nope", gw.token("alice", "**", Role.VIEW));
    assertEquals(404, r.statusCode());
    assertTrue(error(r).contains("/api/v1/nope"), r.body());
  }

  @Test
  void foreignOriginWebSocketIs403() throws Exception {
    String reply = rawUpgrade("http://evil.example");
    assertTrue(reply.startsWith("HTTP/1.1 403"), reply);
    assertTrue(reply.contains("server.allowed-origins"), reply);
    String own = rawUpgrade(gw.origin());
    assertTrue(own.startsWith("HTTP/1.1 101"), own);
  }

  @Test
  void plainGetOnTheWebSocketPathIs400() throws Exception {
    HttpResponse<String> r = gw.get("/ws/v1/connect", null);
    assertEquals(400, r.statusCode());
    assertTrue(error(r).contains("WebSocket"), r.body());
  }

  private static String rawUpgrade(String origin) throws Exception {
    try (Socket s = new Socket("127.0.0.1", gw.httpPort())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(("GET /ws/v1/connect HTTP/1.1\r\nHost: 127.0.0.1:" + gw.httpPort() + "\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Protocol: binary\r\nOrigin: " + origin + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      int n = in.read(buf);
      String head = new String(buf, 0, Math.max(0, n), StandardCharsets.ISO_8859_1);
      if (head.startsWith("HTTP/1.1 403")) {
        int more;
        StringBuilder sb = new StringBuilder(head);
        while (!sb.toString().contains("}") && (more = in.read(buf)) > 0) sb.append(new String(buf, 0, more, StandardCharsets.ISO_8859_1));
        return sb.toString();
      }
      return head;
    }
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
