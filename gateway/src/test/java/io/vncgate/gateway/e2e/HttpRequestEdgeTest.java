package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests that HTTP/1.1 forbids or that a proxy in front could read differently (request
 * smuggling), sent raw: each gets a JSON error in words and the connection is closed, never an
 * HTTP 500 or a request handled as if it were fine.
 */
@Timeout(60)
class HttpRequestEdgeTest {
  @TempDir static Path dir;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    gw = new GatewayHarness(dir, GatewayHarness.target("lab1", 5999, null), null);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  /** Sends {@code raw} and reads until the gateway closes (it must: these requests all end the connection). */
  private static String send(String raw) throws Exception {
    try (Socket s = new Socket("127.0.0.1", gw.httpPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** The first response's JSON error (bytes the gateway read as a further request may get their own answer). */
  private static String error(String response) {
    assertTrue(response.contains("Content-Type: application/problem+json"), response);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(response);
    assertTrue(m.find(), response);
    int start = response.indexOf("\r\n\r\n") + 4;
    return new JsonObject(response.substring(start, start + Integer.parseInt(m.group(1)))).getString("error");
  }

  @Test
  void anUnknownTransferEncodingWithContentLengthIsRefused() throws Exception {
    String r = send("POST /api/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: xchunked\r\n"
        + "Content-Length: 4\r\nContent-Type: application/json\r\n\r\n0\r\n\r\n");
    assertTrue(r.startsWith("HTTP/1.1 400"), r);
    assertTrue(error(r).contains("Transfer-Encoding"), r);
  }

  @Test
  void anUnknownTransferEncodingIs501() throws Exception {
    String r = send("POST /api/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n");
    assertTrue(r.startsWith("HTTP/1.1 501"), r);
    assertTrue(error(r).contains("chunked"), r);
  }

  @Test
  void http11WithoutHostIs400InWords() throws Exception {
    String r = send("GET /healthz HTTP/1.1\r\n\r\n");
    assertTrue(r.startsWith("HTTP/1.1 400"), r);
    assertTrue(error(r).contains("Host"), r);
    String twice = send("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    assertTrue(twice.startsWith("HTTP/1.1 400"), twice);
  }

  @Test
  void http10WithoutHostIsStillServed() throws Exception {
    String r = send("GET /healthz HTTP/1.0\r\n\r\n");
    assertTrue(r.startsWith("HTTP/1.0 200") || r.startsWith("HTTP/1.1 200"), r);
  }

  @Test
  void anUnknownMethodIs501() throws Exception {
    String r = send("BREW /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assertTrue(r.startsWith("HTTP/1.1 501"), r);
    assertTrue(error(r).contains("method"), r);
  }

  @Test
  void oversizedHeadersGetAJsonAnswer() throws Exception {
    String r = send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
    assertEquals(431, Integer.parseInt(r.substring(9, 12)), r);
    assertTrue(error(r).contains("headers"), r);
  }
}
