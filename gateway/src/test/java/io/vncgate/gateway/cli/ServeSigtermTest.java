package io.vncgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vncgate.testbeds.FreePorts;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `vncgate serve` (a real process) drains on SIGTERM: /readyz turns 503 while /healthz stays 200,
 * two browsers' WebSockets close with 1001 "the gateway is restarting", a native viewer's socket
 * closes, the audit says why, and the process exits 0 within {@code server.drain-timeout}.
 */
@Timeout(120)
class ServeSigtermTest {
  private static final int DRAIN_SECONDS = 8;

  @TempDir Path dir;

  @Test
  void sigtermDrainsThreeViewersAndExitsZero() throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "sigterm-test-secret-0123456789-abcdefghij\n");
    int port = FreePorts.next();
    int tcpPort = FreePorts.next();
    Vertx vertx = Vertx.vertx();
    Process serve = null;
    AtomicBoolean polling = new AtomicBoolean(true);
    Thread poller = null;
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(64, 48, "d").start()) {
      Path config = dir.resolve("vncgate.yaml");
      Files.writeString(config, "server:\n  host: 127.0.0.1\n  port: " + port + "\n  tcp: {port: " + tcpPort + "}\n"
          + "  drain-timeout: " + DRAIN_SECONDS + "s\n"
          + "auth:\n  jwt: {secret-file: jwt.key}\naudit: {file: audit.log}\n"
          + "providers:\n  static:\n    targets:\n      - {id: lab1, host: 127.0.0.1, port: " + desktop.port() + "}\n");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      serve = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
          "--config", config.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile()).start();
      for (int i = 0; i < 300 && !Files.readString(dir.resolve("serve.log")).contains("vncgate is listening"); i++) Thread.sleep(100);
      assertTrue(Files.readString(dir.resolve("serve.log")).contains("vncgate is listening"), Files.readString(dir.resolve("serve.log")));

      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      assertEquals(200, get(http, port, "/readyz").statusCode());
      String token = token(config);
      try (WebSocketTcpBridge bridge1 = bridge(vertx, port, ticket(http, port, token));
           WebSocketTcpBridge bridge2 = bridge(vertx, port, ticket(http, port, token));
           RfbTestClient browser1 = RfbTestClient.connect(bridge1.host(), bridge1.port());
           RfbTestClient browser2 = RfbTestClient.connect(bridge2.host(), bridge2.port());
           RfbTestClient nativeViewer = RfbTestClient.connect("127.0.0.1", tcpPort)) {
        assertEquals(64, browser1.handshakeNone().width());
        assertEquals(64, browser2.handshakeNone().width());
        assertEquals(64, nativeViewer.handshakeVncAuth(ticket(http, port, token)).width());

        // /readyz and /healthz, asked over and over on a kept-alive connection (a new one when the
        // gateway closes it) until the gateway is gone
        List<String> answers = new CopyOnWriteArrayList<>();
        poller = new Thread(() -> {
          RawHttp raw = null;
          while (polling.get() && answers.stream().filter(a -> a.endsWith(" gone")).count() < 20) {
            for (String path : List.of("/readyz", "/readyz", "/readyz", "/healthz")) {
              try {
                if (raw == null) raw = new RawHttp(port);
                answers.add(path + " " + raw.get(path));
              } catch (IOException e) {
                if (raw != null) raw.close();
                raw = null;
                try {
                  raw = new RawHttp(port);
                  answers.add(path + " " + raw.get(path));
                } catch (IOException again) {
                  if (raw != null) raw.close();
                  raw = null;
                  answers.add(path + " gone");
                }
              }
            }
          }
          if (raw != null) raw.close();
        }, "readyz-poller");
        poller.start();
        Thread.sleep(200);

        long killedAt = System.nanoTime();
        new ProcessBuilder("kill", "-TERM", Long.toString(serve.pid())).inheritIO().start().waitFor();
        assertEquals(new WebSocketClose(1001, "the gateway is restarting"), bridge1.awaitClose(1, Duration.ofSeconds(DRAIN_SECONDS)));
        assertEquals(new WebSocketClose(1001, "the gateway is restarting"), bridge2.awaitClose(1, Duration.ofSeconds(DRAIN_SECONDS)));
        // the native viewer relays (after ServerInit): RFB has no words there, the socket just closes
        nativeViewer.readTimeout(Duration.ofSeconds(DRAIN_SECONDS));
        assertEquals(-1, readUntilClosed(nativeViewer));

        assertTrue(serve.waitFor(DRAIN_SECONDS, TimeUnit.SECONDS), "serve exits within server.drain-timeout");
        assertTrue(System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(DRAIN_SECONDS));
        assertEquals(0, serve.exitValue(), Files.readString(dir.resolve("serve.log")));
        polling.set(false);
        poller.join(10_000);

        System.out.println("drain: /readyz answered 503 " + answers.stream().filter(a -> a.startsWith("/readyz 503")).count()
            + " times of " + answers.size() + " probes");
        String before = answers.get(0);
        assertTrue(before.startsWith("/readyz 200"), answers.toString());
        assertTrue(answers.stream().anyMatch(a -> a.startsWith("/readyz 503") && a.contains("restarting")
            || a.startsWith("/readyz 503") && a.contains("draining")), answers.toString());
        assertTrue(answers.stream().filter(a -> a.startsWith("/healthz")).allMatch(a -> a.startsWith("/healthz 200")
            || a.equals("/healthz gone")), answers.toString());
        assertTrue(answers.get(answers.size() - 1).endsWith("gone"), answers.toString());
      }
      List<String> audit = Files.readAllLines(dir.resolve("audit.log"));
      assertEquals(3, audit.stream().filter(l -> l.contains("\"event\":\"viewer.left\"")
          && l.contains("\"cause\":\"the gateway is restarting\"")).count(), audit.toString());
      assertTrue(Files.readString(dir.resolve("serve.log")).contains("draining: no new connections; told 3 viewer(s)"),
          Files.readString(dir.resolve("serve.log")));
    } finally {
      polling.set(false);
      if (poller != null) poller.interrupt();
      if (serve != null) serve.destroyForcibly();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** HTTP/1.1 GETs on one kept-alive socket: "STATUS BODY" per request. */
  private static final class RawHttp {
    private final java.net.Socket socket;
    private final java.io.DataInputStream in;

    RawHttp(int port) throws IOException {
      socket = new java.net.Socket("127.0.0.1", port);
      socket.setSoTimeout(5000);
      in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
    }

    String get(String path) throws IOException {
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String status = line();
      if (status == null) throw new IOException("closed");
      int length = 0;
      for (String h = line(); h != null && !h.isEmpty(); h = line()) {
        if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
      }
      byte[] body = new byte[length];
      in.readFully(body);
      return status.split(" ")[1] + " " + new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    private String line() throws IOException {
      StringBuilder b = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') if (c != '\r') b.append((char) c);
      return c == -1 && b.length() == 0 ? null : b.toString();
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // gone anyway
      }
    }
  }

  private static int readUntilClosed(RfbTestClient client) {
    try {
      client.readFramebufferUpdateRaw();
      while (true) client.readFramebufferUpdateRaw();
    } catch (java.net.SocketTimeoutException e) {
      return 0; // still open
    } catch (IOException e) {
      return -1; // end of stream (or reset): closed
    }
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static WebSocketTcpBridge bridge(Vertx vertx, int port, String ticket) {
    return WebSocketTcpBridge.to(vertx, "127.0.0.1", port, "/ws/v1/connect")
        .origin("http://127.0.0.1:" + port).protocols("binary", "vncgate.ticket." + ticket).start();
  }

  private static String ticket(HttpClient http, int port, String token) throws Exception {
    HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/sessions"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"target\": \"static/lab1\", \"role\": \"control\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, created.statusCode(), created.body());
    return new JsonObject(created.body()).getString("ticket");
  }

  private static String token(Path config) {
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cli = Main.commandLine();
    cli.setOut(new java.io.PrintWriter(out, true));
    assertEquals(0, cli.execute("token", "--config", config.toString(), "--sub", "alice", "--ttl", "5m"));
    return out.toString().strip();
  }
}
