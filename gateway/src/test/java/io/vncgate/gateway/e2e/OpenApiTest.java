package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vncgate.gateway.api.ApiDocument;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import io.vncgate.gateway.auth.Role;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import io.vncgate.testbeds.WebSocketTcpBridge;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API described (issue #19): the OpenAPI 3.1 document the gateway serves, checked by the
 * vertx-openapi loader, against the routes the router mounts, and against the real gateway's
 * replies; requests that do not fit it are 400 problem details in words; every error is a problem.
 */
@Timeout(120)
class OpenApiTest {
  @TempDir static Path dir;
  static GatewayHarness gw;
  static final AtomicReference<Router> router = new AtomicReference<>();
  static OpenAPIContract contract;
  static ResponseValidator responses;
  static ServerSocket closedLater;
  static ScriptedRfbServer desktop;

  @BeforeAll
  static void start() throws Exception {
    // a port nothing answers on once closed: the check's "unreachable" reply
    closedLater = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
    int downPort = closedLater.getLocalPort();
    closedLater.close();
    desktop = ScriptedRfbServer.builder().noneAuth().desktop(64, 48, "openapi").start();
    gw = GatewayHarness.in(dir)
        .targets(GatewayHarness.target("lab1", desktop.port(), null) + GatewayHarness.target("lab2", downPort, null))
        .route(router::set)
        .start();
    HttpResponse<String> r = gw.get("/api/v1/openapi.json", null);
    assertEquals(200, r.statusCode(), r.body());
    contract = OpenAPIContract.from(gw.vertx, ApiDocument.forValidation(new JsonObject(r.body())))
        .await(30, TimeUnit.SECONDS);
    responses = ResponseValidator.create(gw.vertx, contract);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (desktop != null) desktop.close();
  }

  @Test
  void theServedDocumentIsOpenApi31WithBearerJwt() throws Exception {
    HttpResponse<String> r = gw.get("/api/v1/openapi.json", null);
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
    JsonObject doc = new JsonObject(r.body());
    assertEquals("3.1.0", doc.getString("openapi"));
    // the document as served, against the OpenAPI 3.1 schema vertx-openapi ships
    OpenAPIVersion version = OpenAPIVersion.fromContract(doc);
    assertEquals(OpenAPIVersion.V3_1, version);
    OutputUnit result = version.getRepository(gw.vertx, "app://")
        .compose(repo -> version.validateContract(gw.vertx, repo, doc)).await(30, TimeUnit.SECONDS);
    result.checkValidity();
    assertTrue(r.body().contains("\"application/problem+json\""), "errors are documented as problem details");
    JsonObject bearer = doc.getJsonObject("components").getJsonObject("securitySchemes").getJsonObject("bearerAuth");
    assertEquals("bearer", bearer.getString("scheme"));
    assertEquals("JWT", bearer.getString("bearerFormat"));
    assertFalse(doc.containsKey("servers"), "at the root the default server / applies: " + doc.getValue("servers"));
    assertNotNull(contract.operation("createSession"));
  }

  @Test
  void theCopyInDocsIsTheServedDocument() throws Exception {
    Path copy = Path.of("..", "docs", "openapi.json"); // surefire runs in the module's folder
    assertTrue(java.nio.file.Files.exists(copy), copy.toAbsolutePath() + " is missing");
    assertEquals(served(), new JsonObject(java.nio.file.Files.readString(copy)),
        "docs/openapi.json differs from gateway/src/main/resources/io/vncgate/gateway/api/openapi.json: copy it over");
  }

  @Test
  void everyMountedRouteIsInTheDocumentAndViceVersa() throws Exception {
    TreeSet<String> mounted = new TreeSet<>();
    for (Route route : router.get().getRoutes()) {
      if (route.methods() == null || route.methods().isEmpty()) continue; // filters: auth, body, validation
      String path = route.isRegexPath() ? route.getName() : route.getPath();
      assertNotNull(path, "a regex route without a name (its document path): " + route);
      path = path.replaceAll(":([A-Za-z]+)", "{$1}");
      for (HttpMethod m : route.methods()) mounted.add(m.name() + " " + path);
    }
    TreeSet<String> documented = new TreeSet<>();
    JsonObject paths = served().getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) documented.add(method.toUpperCase() + " " + path);
    }
    assertTrue(mounted.size() > 10, mounted.toString());
    assertEquals(documented, mounted);
  }

  @Test
  void theRealRepliesFitTheDocument() throws Exception {
    String alice = gw.token("alice", "**", Role.CONTROL);
    valid("listTargets", gw.get("/api/v1/targets", alice));
    HttpResponse<String> created = gw.post("/api/v1/sessions", alice, "{\"target\": \"static/lab1\", \"role\": \"control\"}");
    assertEquals(201, created.statusCode(), created.body());
    valid("createSession", created);
    JsonObject session = new JsonObject(created.body());
    // a real viewer in the roster: the ticket redeemed through the WebSocket, RFB's handshake done
    try (WebSocketTcpBridge bridge = gw.bridge(session.getString("ticket"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      client.handshakeNone();
      HttpResponse<String> sessions = gw.get("/api/v1/sessions", alice);
      assertEquals(1, new JsonObject(sessions.body()).getJsonArray("sessions").getJsonObject(0).getJsonArray("viewers").size(),
          sessions.body());
      valid("listSessions", sessions);
      String viewer = new JsonObject().put("viewer", session.getString("viewer")).encode();
      valid("releaseControl", gw.post("/api/v1/sessions/" + session.getString("id") + "/release", alice, viewer));
      valid("takeControl", gw.post("/api/v1/sessions/" + session.getString("id") + "/control", alice, viewer));
      HttpResponse<String> ok = gw.get("/api/v1/targets/static/lab1/check", alice);
      assertEquals(true, new JsonObject(ok.body()).getBoolean("ok"), ok.body());
      valid("checkTarget", ok);
    }
    valid("listProviders", gw.get("/api/v1/providers", alice));
    HttpResponse<String> check = gw.get("/api/v1/targets/static/lab2/check", alice);
    assertEquals(200, check.statusCode(), check.body());
    assertEquals(false, new JsonObject(check.body()).getBoolean("ok"), check.body());
    valid("checkTarget", check);
    valid("authConfig", gw.get("/api/v1/auth/config", null));
    valid("healthz", gw.get("/healthz", null));
    valid("readyz", gw.get("/readyz", null));
    valid("metrics", gw.get("/metrics", null));
    // and a problem reply fits the Problem schema
    valid("createSession", gw.post("/api/v1/sessions", alice, "{\"target\": 5}"));
    valid("listTargets", gw.get("/api/v1/targets", null));
  }

  @Test
  void aTargetOfTheWrongTypeIs400NamingTheField() throws Exception {
    JsonObject p = problem(gw.post("/api/v1/sessions", "{\"target\": 42}"), 400, "/api/v1/sessions");
    assertEquals("\"target\" must be a target id such as \"static/lab1\"", p.getString("detail"));
    assertEquals("https://vncgate.io/problems/bad-request", p.getString("type"));
  }

  @Test
  void anUnknownRoleIs400InTheOldWords() throws Exception {
    JsonObject p = problem(gw.post("/api/v1/sessions", "{\"target\": \"static/lab1\", \"role\": \"admin\"}"), 400, null);
    assertEquals("\"role\" must be \"control\" or \"view\"", p.getString("detail"));
    p = problem(gw.post("/api/v1/sessions", "{\"target\": \"static/lab1\", \"role\": true}"), 400, null);
    assertEquals("\"role\" must be \"control\" or \"view\"", p.getString("detail"));
    // as before: a null role is the token's role
    HttpResponse<String> r = gw.post("/api/v1/sessions", gw.token("carol", "**", Role.VIEW),
        "{\"target\": \"static/lab1\", \"role\": null, \"comment\": \"unknown members are ignored\"}");
    assertEquals(201, r.statusCode(), r.body());
    assertEquals("view", new JsonObject(r.body()).getString("role"));
  }

  @Test
  void aBodyOnlyOperationIsCheckedWithoutVertxOpenapisPerRequestValidatorAndInTheSameWords() throws Exception {
    // the operations whose whole input is a JSON body get a validator made once (ApiDocument.bodyValidators);
    // an operation with a path parameter keeps vertx-openapi's
    OpenAPIContract contract = OpenAPIContract.from(gw.vertx, ApiDocument.forValidation(ApiDocument.document()))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    var quick = ApiDocument.bodyValidators(contract);
    assertTrue(quick.containsKey("createSession"), quick.keySet().toString());
    assertFalse(quick.containsKey("takeControl"), quick.keySet().toString());
    assertTrue(quick.get("createSession").validate(new JsonObject().put("target", "static/lab1")).getValid());
    assertFalse(quick.get("createSession").validate(new JsonObject().put("target", 7)).getValid());
    // the first request may load the contract (the slow path); every later one takes the quick one: same words
    for (int i = 0; i < 5; i++) {
      JsonObject p = problem(gw.post("/api/v1/sessions", "{\"target\": \"static/lab1\", \"role\": \"admin\"}"), 400, null);
      assertEquals("\"role\" must be \"control\" or \"view\"", p.getString("detail"));
    }
    assertEquals(201, gw.post("/api/v1/sessions", "{\"target\": \"static/lab1\"}").statusCode());
  }

  @Test
  void aMissingTargetIs400InTheOldWords() throws Exception {
    JsonObject p = problem(gw.post("/api/v1/sessions", "{\"role\": \"view\"}"), 400, null);
    assertEquals("\"target\" is required: a target id such as \"static/lab1\"", p.getString("detail"));
  }

  @Test
  void aViewerOfTheWrongTypeIs400() throws Exception {
    JsonObject p = problem(gw.post("/api/v1/sessions/nope/control", "{\"viewer\": [1]}"), 400, null);
    assertEquals("\"viewer\" must be your viewer id from POST /api/v1/sessions", p.getString("detail"));
  }

  @Test
  void anEmptyOrNonObjectBodyKeepsTheHandlersWords() throws Exception {
    JsonObject p = problem(gw.post("/api/v1/sessions", ""), 400, null);
    assertTrue(p.getString("detail").startsWith("expected a JSON body like"), p.encode());
    p = problem(gw.post("/api/v1/sessions", "[1, 2]"), 400, null);
    assertTrue(p.getString("detail").startsWith("expected a JSON body like"), p.encode());
  }

  @Test
  void everyExistingErrorIsAProblemWithTheSameWordsInError() throws Exception {
    String view = gw.token("bob", "**", Role.VIEW);
    JsonObject p = problem(gw.get("/api/v1/targets", null), 401, "/api/v1/targets");
    assertTrue(p.getString("detail").contains("Authorization: Bearer"), p.encode());
    assertEquals("https://vncgate.io/problems/unauthorized", p.getString("type"));
    p = problem(gw.post("/api/v1/sessions", view, "{\"target\": \"static/lab1\", \"role\": \"control\"}"), 403, null);
    assertTrue(p.getString("detail").contains("allows only role \"view\""), p.encode());
    p = problem(gw.post("/api/v1/sessions", "{\"target\": \"static/nope\"}"), 404, null);
    assertEquals("https://vncgate.io/problems/not-found", p.getString("type"));
    p = problem(gw.get("/api/v1/nothing-here", gw.token("alice", "**", Role.CONTROL)), 404, "/api/v1/nothing-here");
    assertEquals("no such endpoint: GET /api/v1/nothing-here", p.getString("detail"));
    p = problem(gw.get("/nowhere", null), 404, "/nowhere");
    p = problem(gw.get("/ws/v1/connect", null), 400, "/ws/v1/connect");
    assertTrue(p.getString("detail").contains("takes a WebSocket upgrade"), p.encode());
    p = problem(gw.get("/ws/v1/events", null), 400, "/ws/v1/events");
    p = problem(send("GET /ws/v1/connect HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://evil.example\r\n\r\n"), 403);
    assertTrue(p.getString("detail").contains("server.allowed-origins"), p.encode());
    p = problem(delete("/api/v1/sessions/x", gw.token("alice", "**", Role.CONTROL)), 403, null);
    assertTrue(p.getString("detail").startsWith("only operators may end sessions"), p.encode());
    // the front's own refusals, before any router
    p = problem(send("PROPFIND /api/v1/targets HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), 501);
    assertEquals("about:blank", p.getString("type"));
    assertEquals("Not Implemented", p.getString("title"));
    p = problem(send("GET /api/v1/targets HTTP/1.1\r\n\r\n"), 400);
    assertEquals("an HTTP/1.1 request needs exactly one Host header", p.getString("detail"));
  }

  @Test
  void underABasePathTheDocumentNamesItAndRequestsAreValidatedThere(@TempDir Path other) throws Exception {
    try (GatewayHarness vnc = GatewayHarness.in(other).targets(GatewayHarness.target("lab1", 5999, null))
        .server("  base-path: /vnc\n").start()) {
      HttpResponse<String> r = vnc.get("/vnc/api/v1/openapi.json", null);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("/vnc", new JsonObject(r.body()).getJsonArray("servers").getJsonObject(0).getString("url"));
      JsonObject p = problem(vnc.post("/vnc/api/v1/sessions", "{\"target\": \"static/lab1\", \"role\": 1}"), 400,
          "/vnc/api/v1/sessions");
      assertEquals("\"role\" must be \"control\" or \"view\"", p.getString("detail"));
      assertEquals(201, vnc.post("/vnc/api/v1/sessions", "{\"target\": \"static/lab1\"}").statusCode());
      assertEquals(200, vnc.get("/vnc/api/v1/targets/static/lab1/check").statusCode());
      problem(vnc.get("/vnc/api/v1/targets", null), 401, "/vnc/api/v1/targets");
      problem(vnc.get("/elsewhere", null), 404, "/elsewhere");
    }
  }

  /** Checks a problem reply and returns its body; {@code instance} null: not compared. */
  private static JsonObject problem(HttpResponse<String> r, int status, String instance) {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""), r.headers().toString());
    if (status == 401) assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(""));
    JsonObject p = problemBody(r.body(), status);
    if (instance != null) assertEquals(instance, p.getString("instance"), r.body());
    return p;
  }

  private static JsonObject problem(String raw, int status) {
    assertTrue(raw.startsWith("HTTP/1.1 " + status), raw);
    assertTrue(raw.contains("Content-Type: application/problem+json"), raw);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(raw);
    assertTrue(m.find(), raw);
    int start = raw.indexOf("\r\n\r\n") + 4;
    return problemBody(raw.substring(start, start + Integer.parseInt(m.group(1))), status);
  }

  private static JsonObject problemBody(String body, int status) {
    JsonObject p = new JsonObject(body);
    assertEquals(status, p.getInteger("status"), body);
    assertNotNull(p.getString("title"), body);
    assertTrue(p.getString("type").equals("about:blank") || p.getString("type").startsWith("https://vncgate.io/problems/"), body);
    assertNotNull(p.getString("detail"), body);
    assertFalse(p.getString("detail").isBlank(), body);
    assertEquals(p.getString("detail"), p.getString("error"), "detail and error must hold the same words: " + body);
    return p;
  }

  /** The reply validates against the operation's response in the document (status, media type, schema). */
  private static void valid(String operationId, HttpResponse<String> r) throws Exception {
    String contentType = r.headers().firstValue("Content-Type").orElse(null);
    if ("application/problem+json".equals(contentType)) contentType = "application/json"; // see ApiDocument.forValidation
    // vertx-openapi 5.0 looks the response's media type up as it is written in the document
    if (contentType != null && contentType.startsWith("application/json;")) contentType = "application/json";
    if (contentType != null && contentType.startsWith("text/plain;")) contentType = "text/plain";
    ValidatableResponse response = ValidatableResponse.create(r.statusCode(), Map.of(), Buffer.buffer(r.body()),
        contentType);
    try {
      responses.validate(response, operationId).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(operationId + " " + r.statusCode() + " " + r.body() + " does not fit the document: "
          + e.getMessage(), e);
    }
  }

  private static String send(String raw) throws Exception {
    try (Socket s = new Socket("127.0.0.1", gw.httpPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[65536];
      int n = 0;
      // a reply with Content-Length: read the head and that many bytes (a refused upgrade may keep the connection)
      while (true) {
        int got = in.read(buf, n, buf.length - n);
        if (got < 0) break;
        n += got;
        String text = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        int head = text.indexOf("\r\n\r\n");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
        if (head > 0 && m.find() && n >= head + 4 + Integer.parseInt(m.group(1))) break;
      }
      return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }
  }

  private static JsonObject served() throws Exception {
    return new JsonObject(gw.get("/api/v1/openapi.json", null).body());
  }

  private static HttpResponse<String> delete(String path, String token) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gw.origin() + path)).DELETE()
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }
}
