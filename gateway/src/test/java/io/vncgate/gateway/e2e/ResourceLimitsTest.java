package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.JwtClaimsForge;
import io.vncgate.gateway.auth.Role;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
 * Unauthenticated resource exhaustion, each attack performed for real against a started gateway
 * with small limits: idle and slowloris sockets, connection floods per address and in all, method
 * names as metrics series, a huge first events message and an oversized frame, ticket floods and
 * ticket guessing on both fronts. Each test uses its own loopback source address (127.0.0.x) so the
 * per-address limits of one do not touch another.
 */
@Timeout(120)
class ResourceLimitsTest {
  @TempDir static Path dir;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    gw = new GatewayHarness(dir, GatewayHarness.target("lab1", 5999, null), "limits:\n"
        + "  connections: {max: 14, per-address: 6}\n"
        + "  http: {header-timeout: 1s}\n"
        + "  tickets: {per-user: 5, failures-per-address: 3, failure-window: 60s}\n"
        + "audit: {file: audit.log}\n");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  private static Socket connect(String local, int port) throws IOException {
    Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(local), 0);
    s.setSoTimeout(10_000);
    return s;
  }

  /** Sends {@code head} (with {@code Connection: close}) and reads the answer until the server closes. */
  private static String request(String local, String head) throws IOException {
    try (Socket s = connect(local, gw.httpPort())) {
      s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static String get(String local, String path) throws IOException {
    return request(local, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  }

  private static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }

  private static List<Socket> idleSockets(String local, int port, int n) throws IOException {
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < n; i++) sockets.add(connect(local, port));
    return sockets;
  }

  private static void closeAll(List<Socket> sockets) throws IOException {
    for (Socket s : sockets) s.close();
  }

  /** Reads from {@code in} until the server closes; the time that took. */
  private static long millisUntilClosed(InputStream in) throws IOException {
    long t0 = System.nanoTime();
    while (in.read() >= 0) {
      // whatever comes (nothing, for an idle socket)
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  @Test
  void socketsOverThePerAddressCapGet503InWordsWhileHealthzAndOtherAddressesWork() throws Exception {
    List<Socket> idle = idleSockets("127.0.0.21", gw.httpPort(), 6);
    try {
      String refused = get("127.0.0.21", "/api/v1/targets");
      assertTrue(refused.startsWith("HTTP/1.1 503"), refused);
      assertTrue(refused.contains("Retry-After: 5"), refused);
      String error = new JsonObject(body(refused)).getString("error");
      assertTrue(error.contains("127.0.0.21") && error.contains("limits.connections.per-address"), error);
      assertTrue(get("127.0.0.21", "/healthz").startsWith("HTTP/1.1 200"), "a liveness probe is answered over the cap");
      assertTrue(get("127.0.0.22", "/api/v1/targets").startsWith("HTTP/1.1 401"), "another address is not capped");
    } finally {
      closeAll(idle);
    }
    Thread.sleep(300); // the gateway sees the closes
    assertTrue(get("127.0.0.21", "/api/v1/targets").startsWith("HTTP/1.1 401"), "closed sockets free the address's share");
  }

  @Test
  void socketsOverTheGlobalCapGet503() throws Exception {
    List<Socket> idle = new ArrayList<>(idleSockets("127.0.0.31", gw.httpPort(), 6));
    try {
      idle.addAll(idleSockets("127.0.0.32", gw.httpPort(), 6));
      List<Socket> viewers = idleSockets("127.0.0.33", gw.tcpPort(), 2); // native viewers count too
      idle.addAll(viewers);
      for (Socket v : viewers) {
        // the banner comes once the TCP front (another event loop) has counted the connection
        assertEquals("RFB 003.008\n", new String(v.getInputStream().readNBytes(12), StandardCharsets.US_ASCII));
      }
      String refused = get("127.0.0.34", "/api/v1/targets");
      assertTrue(refused.startsWith("HTTP/1.1 503"), refused);
      assertTrue(new JsonObject(body(refused)).getString("error").contains("limits.connections.max"), refused);
    } finally {
      closeAll(idle);
    }
  }

  @Test
  void anIdleSocketIsClosedAfterTheHeaderTimeout() throws Exception {
    try (Socket s = connect("127.0.0.41", gw.httpPort())) {
      long ms = assertDoesNotTimeOut(() -> millisUntilClosed(s.getInputStream()));
      assertTrue(ms < 5_000, ms + " ms");
    }
  }

  @Test
  void aSlowlorisTrickleDoesNotExtendTheHeaderDeadline() throws Exception {
    try (Socket s = connect("127.0.0.42", gw.httpPort())) {
      OutputStream out = s.getOutputStream();
      byte[] head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.US_ASCII);
      long t0 = System.nanoTime();
      int sent = 0;
      try {
        for (; sent < head.length; sent++) { // one byte every 150 ms: 9 s for the whole head
          out.write(head[sent]);
          out.flush();
          Thread.sleep(150);
        }
      } catch (IOException closed) {
        // the gateway closed the socket while we were still trickling: what we want
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(sent < head.length, "the whole trickled head was taken (" + ms + " ms)");
      assertDoesNotTimeOut(() -> millisUntilClosed(s.getInputStream()));
      assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000, "closed " + ms + " ms after the first byte");
    }
  }

  @Test
  void anIdleKeptAliveConnectionIsClosedButAnAnsweredOneServedFirst() throws Exception {
    try (Socket s = connect("127.0.0.43", gw.httpPort())) {
      s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] buf = new byte[4096];
      int n = s.getInputStream().read(buf);
      assertTrue(new String(buf, 0, n, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"));
      assertTrue(assertDoesNotTimeOut(() -> millisUntilClosed(s.getInputStream())) < 5_000);
    }
  }

  @Test
  void anUpgradedWebSocketOutlivesTheHeaderDeadline() throws Exception {
    try (RawWebSocket ws = RawWebSocket.open("127.0.0.44", gw.httpPort(), "/ws/v1/events", "vncgate.events")) {
      assertTrue(ws.upgraded(), ws.responseHead);
      Thread.sleep(2_500); // well past limits.http.header-timeout
      ws.sendText("not json");
      RawWebSocket.Frame close = ws.readUntilClose(null);
      assertNotNull(close);
      assertEquals(1008, close.closeCode());
      assertTrue(close.closeReason().contains("JSON"), close.closeReason());
    }
  }

  @Test
  void clientChosenMethodNamesDoNotBecomeMetricsSeries() throws Exception {
    for (int i = 0; i < 120; i++) {
      String reply = request("127.0.0.51", String.format("XM%04d /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", i));
      assertTrue(reply.startsWith("HTTP/1.1 501"), reply);
      assertTrue(new JsonObject(body(reply)).getString("error").contains("method"), reply);
    }
    String metrics = gw.get("/metrics", null).body();
    assertFalse(metrics.contains("XM00"), "a client-chosen method became a label value");
    assertTrue(metrics.contains("method=\"OTHER\""), "unknown methods are counted as OTHER");
    assertTrue(metrics.contains("method=\"GET\""), "known methods keep their name");
  }

  @Test
  void aMegabyteFirstEventsMessageIsRefusedWith1009() throws Exception {
    try (RawWebSocket ws = RawWebSocket.open("127.0.0.52", gw.httpPort(), "/ws/v1/events", "vncgate.events")) {
      assertTrue(ws.upgraded(), ws.responseHead);
      byte[] chunk = new byte[64 * 1024];
      java.util.Arrays.fill(chunk, (byte) 'a');
      try {
        for (int i = 0; i < 16; i++) ws.send(i == 0 ? RawWebSocket.TEXT : 0, i == 15, chunk); // 1 MiB in 16 frames
      } catch (IOException closedMeanwhile) {
        // the gateway may already have closed
      }
      RawWebSocket.Frame close = ws.readUntilClose(null);
      assertNotNull(close, "closed without a close frame");
      assertEquals(1009, close.closeCode(), close.closeReason());
      assertTrue(close.closeReason().contains("limits.websocket.events-message"), close.closeReason());
    }
  }

  @Test
  void aFrameOverTheCapClosesWith1009AndAReason() throws Exception {
    try (RawWebSocket ws = RawWebSocket.open("127.0.0.53", gw.httpPort(), "/ws/v1/connect", "binary")) {
      assertTrue(ws.upgraded(), ws.responseHead);
      try {
        ws.send(RawWebSocket.BINARY, true, new byte[1024 * 1024 + 1]);
      } catch (IOException closedMeanwhile) {
        // the gateway may already have closed
      }
      RawWebSocket.Frame close = ws.readUntilClose(null);
      assertNotNull(close, "closed without a close frame");
      assertEquals(1009, close.closeCode(), close.closeReason());
      assertTrue(close.closeReason().contains("limits.websocket.max-frame"), close.closeReason());
    }
  }

  @Test
  void aTokenWithAStringExpIs401AndClosesTheEventsSocket() throws Exception {
    String token = JwtClaimsForge.signed(GatewayHarness.SECRET, new JsonObject().put("exp", "tomorrow"));
    HttpResponse<String> r = gw.get("/api/v1/targets", token);
    assertEquals(401, r.statusCode(), r.body());
    assertTrue(new JsonObject(r.body()).getString("error").contains("exp"), r.body());
    try (RawWebSocket ws = RawWebSocket.open("127.0.0.54", gw.httpPort(), "/ws/v1/events", "vncgate.events")) {
      ws.socket.setSoTimeout(5_000);
      ws.sendText(new JsonObject().put("token", token).put("viewer", "v1").encode());
      RawWebSocket.Frame close = assertDoesNotTimeOut(() -> ws.readUntilClose(null));
      assertNotNull(close);
      assertEquals(1008, close.closeCode());
      assertTrue(close.closeReason().contains("exp"), close.closeReason());
    }
  }

  @Test
  void ticketsPerUserAreCappedWith429InWords() throws Exception {
    String flooder = gw.token("flooder", "**", Role.CONTROL);
    String body = "{\"target\": \"static/lab1\", \"role\": \"control\"}";
    for (int i = 0; i < 5; i++) assertEquals(201, gw.post("/api/v1/sessions", flooder, body).statusCode());
    HttpResponse<String> r = gw.post("/api/v1/sessions", flooder, body);
    assertEquals(429, r.statusCode(), r.body());
    String error = new JsonObject(r.body()).getString("error");
    assertTrue(error.contains("limits.tickets.per-user") && error.contains("5"), error);
    assertEquals(201, gw.post("/api/v1/sessions", gw.token("someone-else", "**", Role.CONTROL), body).statusCode());
  }

  /** A browser's connection with {@code ticket}: banner, version, and the close that follows (null if none). */
  private static RawWebSocket.Frame wsWithTicket(String local, String ticket) throws IOException {
    try (RawWebSocket ws = RawWebSocket.open(local, gw.httpPort(), "/ws/v1/connect", "binary, vncgate.ticket." + ticket)) {
      assertTrue(ws.upgraded(), ws.responseHead);
      RawWebSocket.Frame banner = ws.read();
      assertEquals("RFB 003.008\n", new String(banner.payload(), StandardCharsets.US_ASCII));
      ws.send(RawWebSocket.BINARY, true, "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
      return ws.readUntilClose(new ByteArrayOutputStream());
    }
  }

  @Test
  void guessedTicketsOnTheWebSocketFrontAreThrottledPerAddressAndAudited() throws Exception {
    for (int i = 0; i < 3; i++) {
      RawWebSocket.Frame close = wsWithTicket("127.0.0.61", "guess" + "x".repeat(26) + i);
      assertTrue(close.closeReason().contains("not valid"), close.closeReason());
    }
    String real = gw.ticket("static/lab1");
    RawWebSocket.Frame throttled = wsWithTicket("127.0.0.61", real);
    assertTrue(throttled.closeReason().contains("too many invalid tickets from 127.0.0.61"), throttled.closeReason());
    // the throttled address's ticket was not even looked at: it still works from elsewhere
    RawWebSocket.Frame other = wsWithTicket("127.0.0.62", real);
    assertTrue(other.closeReason().contains("static/lab1"), "redeemed, then the target (no server) failed: " + other.closeReason());
    String audit = awaitAudit("127.0.0.61:");
    assertTrue(audit.contains("auth.refused"), audit);
    assertTrue(audit.contains("\"outcome\":\"ticket"), "the refusal's outcome label: " + audit);
  }

  @Test
  void guessedTicketsOnTheTcpFrontAreThrottledPerAddress() throws Exception {
    for (int i = 0; i < 3; i++) {
      try (RfbTestClient viewer = RfbTestClient.over(connect("127.0.0.71", gw.tcpPort()))) {
        RfbRefused refused = assertThrows(RfbRefused.class, () -> viewer.handshakeVncAuth("guessing"));
        assertTrue(refused.reason().contains("not a valid ticket"), refused.reason());
      }
    }
    try (RfbTestClient viewer = RfbTestClient.over(connect("127.0.0.71", gw.tcpPort()))) {
      RfbRefused refused = assertThrows(RfbRefused.class, () -> viewer.handshakeVncAuth("guessing"));
      assertTrue(refused.reason().contains("too many invalid tickets from 127.0.0.71"), refused.reason());
    }
    awaitAudit("127.0.0.71:");
  }

  @Test
  void nativeViewersOverThePerAddressCapGetAnRfbReason() throws Exception {
    List<Socket> idle = idleSockets("127.0.0.81", gw.tcpPort(), 6);
    try (RfbTestClient viewer = RfbTestClient.over(connect("127.0.0.81", gw.tcpPort()))) {
      RfbRefused refused = assertThrows(RfbRefused.class, () -> viewer.handshakeVncAuth("whatever"));
      assertTrue(refused.reason().contains("limits.connections.per-address"), refused.reason());
    } finally {
      closeAll(idle);
    }
  }

  /** The audit file's line naming {@code remote}, waiting for its writer thread. */
  private static String awaitAudit(String remote) throws Exception {
    Path file = dir.resolve("audit.log");
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          if (line.contains("\"remote\":\"" + remote)) return line;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no audit line names " + remote + ": " + (Files.exists(file) ? Files.readString(file) : "no file"));
  }

  private interface IoCall<T> {
    T call() throws IOException;
  }

  /** Runs {@code call}, failing the test (not erroring) when the socket read timed out: the gateway kept it open. */
  private static <T> T assertDoesNotTimeOut(IoCall<T> call) throws IOException {
    try {
      return call.call();
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the gateway kept the socket open", e);
    }
  }
}
