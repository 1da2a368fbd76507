package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.testbeds.FreePorts;
import io.vncgate.testbeds.Nginx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real nginx in front of a gateway with {@code server.base-path: /vnc} and nginx's address in
 * {@code server.trusted-proxies}: the routes under the base path (the probes also at the root), the
 * REST API and the events socket through nginx, the ticket throttle and the audit counting the client
 * nginx names in {@code X-Forwarded-For}, and the same headers sent by anyone else changing nothing.
 */
@Timeout(60)
class ReverseProxyTest {
  @TempDir static Path dir;
  static GatewayHarness gw;
  static Nginx nginx;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Nginx.require();
    gw = GatewayHarness.in(dir).noTcp().server(ProxiedGateway.SERVER_YAML)
        .targets(GatewayHarness.target("lab1", FreePorts.next(), null))
        .yaml("limits:\n  tickets: {failures-per-address: 2, failure-window: 60s}\n  connections: {per-address: 4}\n"
            + "audit: {file: audit.log}\n")
        .start();
    nginx = ProxiedGateway.nginx(dir.resolve("nginx"), gw.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    if (nginx != null) nginx.close();
    if (gw != null) gw.close();
  }

  private static HttpResponse<String> get(int port, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyRouteIsUnderTheBasePathAndTheProbesAnswerAtTheRootToo() throws Exception {
    String token = gw.token("alice", Role.CONTROL);
    int port = gw.httpPort();
    assertEquals(200, get(port, "/vnc/api/v1/targets", token).statusCode());
    HttpResponse<String> outside = get(port, "/api/v1/targets", token);
    assertEquals(404, outside.statusCode());
    assertTrue(outside.body().contains("server.base-path"), outside.body());
    for (String probe : new String[] {"/healthz", "/vnc/healthz", "/readyz", "/vnc/readyz"}) {
      assertEquals(200, get(port, probe, null).statusCode(), probe);
    }
    assertTrue(get(port, "/metrics", null).body().contains("vncgate_"), "/metrics at the root for scrapers");
    assertTrue(get(port, "/vnc/metrics", null).body().contains("vncgate_"));
    for (String page : new String[] {"/", "/vnc"}) {
      HttpResponse<String> r = get(port, page, null);
      assertEquals(302, r.statusCode(), page);
      assertEquals("/vnc/", r.headers().firstValue("Location").orElse(""), page);
    }
  }

  @Test
  void theApiAndTheEventsSocketWorkThroughNginx() throws Exception {
    String token = gw.token("alice", Role.CONTROL);
    HttpResponse<String> targets = get(nginx.port(), "/vnc/api/v1/targets", token);
    assertEquals(200, targets.statusCode(), targets.body() + nginx.errorLog());
    assertTrue(targets.body().contains("static/lab1"), targets.body());
    HttpResponse<String> session = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginx.port() + "/vnc/api/v1/sessions"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"target\": \"static/lab1\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, session.statusCode(), session.body());
    JsonObject reply = new JsonObject(session.body());
    assertEquals("/ws/v1/connect", reply.getJsonObject("websocket").getString("path"), "relative to the base path, as the page resolves it");
    try (RawWebSocket ws = RawWebSocket.open("127.0.0.1", nginx.port(), "/vnc/ws/v1/events", "vncgate.events")) {
      assertTrue(ws.upgraded(), ws.responseHead);
      ws.sendText(new JsonObject().put("token", token).put("viewer", reply.getString("viewer")).encode());
      RawWebSocket.Frame first = ws.read();
      assertNotNull(first, "the events socket closed through nginx");
      String text = new String(first.payload(), StandardCharsets.UTF_8);
      assertTrue(text.contains("\"type\""), text);
    }
  }

  /** A guessed ticket on the viewer socket from {@code local}, to {@code port} (nginx's or the gateway's). */
  private static String guess(String local, int port, String path, String ticket, String headers) throws IOException {
    try (RawWebSocket ws = RawWebSocket.open(local, port, path, "binary, vncgate.ticket." + ticket, headers)) {
      assertTrue(ws.upgraded(), ws.responseHead);
      RawWebSocket.Frame banner = ws.read();
      assertEquals("RFB 003.008\n", new String(banner.payload(), StandardCharsets.US_ASCII));
      ws.send(RawWebSocket.BINARY, true, "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
      RawWebSocket.Frame close = ws.readUntilClose(new ByteArrayOutputStream());
      assertNotNull(close);
      return close.closeReason();
    }
  }

  private static String ticket(int i) {
    return "guess" + "x".repeat(26) + i;
  }

  @Test
  void theThrottleAndTheAuditCountTheClientNginxNames() throws Exception {
    // through nginx from 127.0.0.5: the gateway's peer is nginx (127.0.0.2), the client 127.0.0.5;
    // what the client itself writes into X-Forwarded-For stays at the left, unread
    for (int i = 0; i < 2; i++) {
      String reason = guess("127.0.0.5", nginx.port(), "/vnc/ws/v1/connect", ticket(i), "X-Forwarded-For: 203.0.113." + i + "\r\n");
      assertTrue(reason.contains("not valid"), reason);
    }
    String throttled = guess("127.0.0.5", nginx.port(), "/vnc/ws/v1/connect", ticket(9), "");
    assertTrue(throttled.contains("too many invalid tickets from 127.0.0.5"), throttled);
    // the same client straight to the gateway: the same address, the same count
    String direct = guess("127.0.0.5", gw.httpPort(), "/vnc/ws/v1/connect", ticket(10), "");
    assertTrue(direct.contains("too many invalid tickets from 127.0.0.5"), direct);
    // nginx's own address was never counted: another client through it is not throttled
    String other = guess("127.0.0.6", nginx.port(), "/vnc/ws/v1/connect", ticket(11), "");
    assertTrue(other.contains("not valid"), other);
    String audit = awaitAudit("\"remote\":\"127.0.0.5 (via ");
    assertTrue(audit.contains("(via " + ProxiedGateway.PROXY_ADDRESS), audit);
  }

  @Test
  void forwardedHeadersFromAnUntrustedPeerChangeNothing() throws Exception {
    // straight to the gateway from 127.0.0.8 (not a trusted proxy), a new forged client each time
    for (int i = 0; i < 2; i++) {
      String reason = guess("127.0.0.8", gw.httpPort(), "/vnc/ws/v1/connect", ticket(20 + i),
          "X-Forwarded-For: 198.51.100." + i + "\r\nForwarded: for=198.51.100.9" + i + "\r\n");
      assertTrue(reason.contains("not valid"), reason);
    }
    String throttled = guess("127.0.0.8", gw.httpPort(), "/vnc/ws/v1/connect", ticket(22),
        "X-Forwarded-For: 198.51.100.77\r\n");
    assertTrue(throttled.contains("too many invalid tickets from 127.0.0.8"), "the real address was counted: " + throttled);
    String audit = awaitAudit("\"remote\":\"127.0.0.8:");
    assertTrue(!audit.contains("198.51.100"), audit);
  }

  @Test
  void aForwardedOriginIsBelievedOnlyFromATrustedProxy() throws Exception {
    String forged = "X-Forwarded-Proto: http\r\nX-Forwarded-Host: evil.example\r\n";
    assertEquals(403, upgradeStatus("127.0.0.9", "http://evil.example", forged),
        "an untrusted peer cannot widen the allowed origins");
    assertEquals(101, upgradeStatus(ProxiedGateway.PROXY_ADDRESS, "http://evil.example", forged),
        "the trusted proxy's word on the page's origin is taken");
    assertEquals(403, upgradeStatus(ProxiedGateway.PROXY_ADDRESS, "http://evil.example", ""),
        "without forwarded headers the gateway's own origin still rules");
  }

  @Test
  void thePerAddressCapCountsEachClientBehindNginxNotNginx() throws Exception {
    List<RawWebSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        RawWebSocket ws = RawWebSocket.open("127.0.0.10", nginx.port(), "/vnc/ws/v1/events", "vncgate.events");
        held.add(ws);
        assertTrue(ws.upgraded(), ws.responseHead);
      }
      // a fifth from the same browser: over limits.connections.per-address, in words
      HttpResponse<String> over = get(nginx.port(), "/vnc/healthz?x", null);
      assertEquals(200, over.statusCode(), "from 127.0.0.1, another client: " + over.body());
      try (RawWebSocket fifth = RawWebSocket.open("127.0.0.10", nginx.port(), "/vnc/ws/v1/events", "vncgate.events")) {
        assertTrue(fifth.responseHead.startsWith("HTTP/1.1 503"), fifth.responseHead);
      }
      // nginx's own address holds 4 connections for 127.0.0.10 and is not capped: others still get in
      try (RawWebSocket other = RawWebSocket.open("127.0.0.11", nginx.port(), "/vnc/ws/v1/events", "vncgate.events")) {
        assertTrue(other.upgraded(), other.responseHead);
      }
    } finally {
      for (RawWebSocket ws : held) ws.close();
    }
  }

  /** The status of an events-socket upgrade sent straight to the gateway from {@code local} with {@code origin}. */
  private static int upgradeStatus(String local, String origin, String headers) throws IOException {
    try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), gw.httpPort(), InetAddress.getByName(local), 0)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET /vnc/ws/v1/events HTTP/1.1\r\nHost: 127.0.0.1:" + gw.httpPort()
          + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: vncgate.events\r\nOrigin: " + origin + "\r\n"
          + headers + "\r\n").getBytes(StandardCharsets.US_ASCII));
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = s.getInputStream().read()) >= 0 && b != '\n') line.append((char) b);
      return Integer.parseInt(line.toString().split(" ")[1]);
    }
  }

  /** The audit file's line containing {@code needle}, waiting for its writer thread. */
  private static String awaitAudit(String needle) throws Exception {
    Path file = dir.resolve("audit.log");
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          if (line.contains(needle)) return line;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no audit line with " + needle + " in " + (Files.exists(file) ? Files.readString(file) : "(no file)"));
  }
}
