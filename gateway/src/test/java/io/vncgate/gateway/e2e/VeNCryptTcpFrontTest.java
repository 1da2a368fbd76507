package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.relay.ViewerConnection;
import io.vncgate.testbeds.TigerVncViewer;
import io.vncgate.testbeds.XvncServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The TCP front with {@code server.tcp.tls}: TigerVNC's unmodified viewer over VeNCrypt X509Vnc
 * (TLS with the gateway's certificate from a test CA, the ticket as VNC password inside) to a real
 * Xvnc; the same viewer limited to plain VNC auth under {@code require}; a JDK TLS client trusting
 * another CA; a certificate reload while a VeNCrypt session runs; a 1024x768 Raw update relayed
 * through the TLS socket with {@code server.zero-copy: always} (splicing would put clear bytes into
 * the TLS stream).
 */
@Timeout(150)
class VeNCryptTcpFrontTest {
  @TempDir static Path dir;
  static XvncServer target;
  static XvncServer screen;
  static TestCa ca;

  @TempDir Path gwDir;
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ViewerConnection.class);

  @BeforeAll
  static void start() throws Exception {
    TigerVncViewer.require();
    target = XvncServer.builder().geometry(1024, 768).start();
    screen = XvncServer.builder().geometry(1280, 900).start(); // the viewer's own display
    ca = new TestCa(dir);
    ca.issue("first", "rsa:2048");
    ca.issue("second", "ec");
  }

  @AfterAll
  static void stop() {
    if (screen != null) screen.close();
    if (target != null) target.close();
  }

  @BeforeEach
  void capture() {
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
  }

  private GatewayHarness gateway(String tcpTls, String extraServer) throws Exception {
    Files.copy(dir.resolve("first.pem"), gwDir.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(dir.resolve("first.key"), gwDir.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
    return GatewayHarness.in(gwDir).tcp("{port: 0, tls: " + tcpTls + "}")
        .server("  tls: {cert-file: cert.pem, key-file: key.pem, check-interval: 1s}\n" + extraServer)
        .targets(GatewayHarness.target("desk", target.port(), null)).start();
  }

  /** A control ticket for static/desk, over HTTPS as the gateway serves it. */
  private static String ticket(GatewayHarness gw) throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(ca.trustingContext()).connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gw.httpPort() + "/api/v1/sessions"))
        .header("Authorization", "Bearer " + gw.token("alice", "**", Role.CONTROL)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("target", "static/desk").put("role", "control").encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, r.statusCode(), r.body());
    return new JsonObject(r.body()).getString("ticket");
  }

  private static String metrics(GatewayHarness gw) throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(ca.trustingContext()).build();
    return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gw.httpPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private String logged(String text, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      for (ILoggingEvent e : lines.list.toArray(ILoggingEvent[]::new)) {
        if (e.getFormattedMessage().contains(text)) return e.getFormattedMessage();
      }
      Thread.sleep(50);
    }
    StringBuilder all = new StringBuilder();
    lines.list.forEach(e -> all.append(e.getFormattedMessage()).append('\n'));
    throw new AssertionError("the gateway did not log \"" + text + "\" within " + within + ":\n" + all);
  }

  @Test
  void tigervncOverX509VncShowsTheDesktopAndKeepsItsSessionAcrossACertificateReload() throws Exception {
    try (GatewayHarness gw = gateway("require", "")) {
      try (TigerVncViewer viewer = TigerVncViewer.start(screen, "127.0.0.1", gw.tcpPort(), ticket(gw),
          "-SecurityTypes", "X509Vnc", "-X509CA", dir.resolve("ca.pem").toString())) {
        viewer.awaitLog("Choosing security type X509Vnc (261)", Duration.ofSeconds(20));
        viewer.awaitLog("Enabling continuous updates", Duration.ofSeconds(20));
        for (int i = 0; i < 4; i++) repaint(i);
        String relaying = logged("front=tcp relaying (viewer ", Duration.ofSeconds(5));
        assertTrue(relaying.contains("front=tcp"), relaying);
        assertTrue(metrics(gw).contains("vncgate_viewers{role=\"control\"} 1.0"), "the gateway relays it");

        // certbot's way: new files moved into place while the session runs
        Files.copy(dir.resolve("second.pem"), gwDir.resolve("cert.new"));
        Files.copy(dir.resolve("second.key"), gwDir.resolve("key.new"));
        Files.move(gwDir.resolve("key.new"), gwDir.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
        Files.move(gwDir.resolve("cert.new"), gwDir.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
        String expected = ca.fingerprint("second.pem");
        String served = null;
        for (int i = 0; i < 100 && !expected.equals(served); i++) {
          Thread.sleep(100);
          try (VeNCryptClient probe = new VeNCryptClient(gw.tcpPort())) {
            probe.toTls();
            served = probe.handshake(ca.trustingContext());
          }
        }
        assertEquals(expected, served, "a new VeNCrypt connection gets the new certificate");
        assertNotEquals(ca.fingerprint("first.pem"), served);

        for (int i = 0; i < 4; i++) repaint(i + 4);
        assertTrue(viewer.isAlive(), "the viewer's session survived the reload:\n" + viewer.log());
        assertFalse(viewer.log().contains("End of stream"), viewer.log());
        assertTrue(metrics(gw).contains("vncgate_viewers{role=\"control\"} 1.0"), "still relayed after the reload");
      }
    }
  }

  /**
   * gtk-vnc's remote-viewer (virt-viewer) over VeNCrypt: it takes the ticket from a {@code .vv}
   * connection file and the CA only from {@code /etc/pki/CA/cacert.pem} or {@code ~/.pki/CA/cacert.pem}
   * of the user's passwd entry (not $HOME), so it runs in a user and mount namespace of its own
   * ({@code unshare -rm}: uid 0 there, the test's home mounted on {@code /root}).
   */
  @Test
  void remoteViewerOverX509VncIsRelayed() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/remote-viewer")), "remote-viewer (virt-viewer) is not installed");
    Assumptions.assumeTrue(TestCa.run(dir, "unshare", "-rm", "true").exit() == 0, "no user namespaces here (unshare -rm)");
    try (GatewayHarness gw = gateway("require", "")) {
      Path home = Files.createDirectories(gwDir.resolve("home"));
      Files.createDirectories(home.resolve(".pki/CA"));
      Files.copy(dir.resolve("ca.pem"), home.resolve(".pki/CA/cacert.pem"));
      Path vv = Files.writeString(gwDir.resolve("desk.vv"), "[virt-viewer]\ntype=vnc\nhost=127.0.0.1\nport=" + gw.tcpPort()
          + "\npassword=" + ticket(gw) + "\n");
      Path log = gwDir.resolve("remote-viewer.log");
      ProcessBuilder pb = new ProcessBuilder("unshare", "-rm", "sh", "-c",
          "mount --bind \"$1\" /root && exec remote-viewer --debug \"$2\"", "sh", home.toString(), vv.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(screen.env());
      pb.environment().put("HOME", home.toString());
      pb.environment().put("XDG_CONFIG_HOME", home.resolve(".config").toString());
      pb.environment().put("XDG_RUNTIME_DIR", home.toString());
      Process viewer = pb.start();
      try {
        try {
          logged("front=tcp relaying (viewer ", Duration.ofSeconds(30));
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "\nremote-viewer:\n" + Files.readString(log), e);
        }
        for (int i = 0; i < 4; i++) repaint(i);
        assertTrue(viewer.isAlive(), "remote-viewer still shows the desktop:\n" + Files.readString(log));
        assertTrue(metrics(gw).contains("vncgate_viewers{role=\"control\"} 1.0"), "the gateway relays it");
      } finally {
        viewer.destroy();
        if (!viewer.waitFor(5, TimeUnit.SECONDS)) viewer.destroyForcibly();
      }
    }
  }

  @Test
  void aViewerLimitedToPlainVncAuthIsRefusedUnderRequire() throws Exception {
    try (GatewayHarness gw = gateway("require", "")) {
      try (TigerVncViewer viewer = TigerVncViewer.start(screen, "127.0.0.1", gw.tcpPort(), ticket(gw),
          "-SecurityTypes", "VncAuth")) {
        // the gateway offers only VeNCrypt (19); TigerVNC ends on its side before choosing, in its words
        viewer.awaitLog("Server offers security type VeNCrypt(19)", Duration.ofSeconds(20));
        viewer.awaitLog("No matching security types", Duration.ofSeconds(20));
        String line = logged("ended before relaying", Duration.ofSeconds(10));
        assertTrue(line.contains("only VeNCrypt") && line.contains("X509Vnc"), line);
      }
      // a viewer that does choose VNC auth anyway is told why, in the RFB failure reason
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.tcpPort())) {
        s.setSoTimeout(10_000);
        var in = new java.io.DataInputStream(s.getInputStream());
        in.readFully(new byte[12]);
        s.getOutputStream().write("RFB 003.008\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(1, in.readUnsignedByte());
        assertEquals(19, in.readUnsignedByte());
        s.getOutputStream().write(2);
        assertEquals(1, in.readInt(), "SecurityResult failed");
        byte[] reason = new byte[in.readInt()];
        in.readFully(reason);
        String words = new String(reason, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(words.contains("requires TLS") && words.contains("-SecurityTypes X509Vnc"), words);
      }
    }
  }

  @Test
  void aClientTrustingAnotherCaFailsItsTlsHandshakeAndTheGatewaySaysSo() throws Exception {
    Path otherDir = Files.createDirectories(gwDir.resolve("other-ca"));
    TestCa other = new TestCa(otherDir);
    try (GatewayHarness gw = gateway("offer", "")) {
      try (VeNCryptClient client = new VeNCryptClient(gw.tcpPort())) {
        client.toTls();
        assertThrows(SSLHandshakeException.class, () -> client.handshake(other.trustingContext()));
      }
      String line = logged("TLS handshake failed", Duration.ofSeconds(10));
      assertTrue(line.contains("does not accept the gateway's certificate") || line.contains("certificate_unknown"), line);
      assertFalse(line.contains("Exception"), "words, not an exception's name: " + line);
    }
  }

  /**
   * TigerVNC's viewer trusting another CA: its TLS handshake completes, then it finds the certificate
   * unknown and asks its user whether to trust it (a dialog nobody answers here). The gateway ends
   * the connection at server.handshake-timeout, in words.
   */
  @Test
  void tigervncTrustingAnotherCaIsEndedAtTheHandshakeTimeoutInWords() throws Exception {
    Path otherDir = Files.createDirectories(gwDir.resolve("other-ca"));
    new TestCa(otherDir);
    try (GatewayHarness gw = gateway("require", "  handshake-timeout: 4s\n")) {
      try (TigerVncViewer viewer = TigerVncViewer.start(screen, "127.0.0.1", gw.tcpPort(), ticket(gw),
          "-SecurityTypes", "X509Vnc", "-X509CA", otherDir.resolve("ca.pem").toString())) {
        viewer.awaitLog("TLS handshake completed", Duration.ofSeconds(20));
        String line = logged("ended before relaying", Duration.ofSeconds(15));
        assertTrue(line.contains("viewer-timeout") && line.contains("within 4 s") && line.contains("-X509CA"), line);
        assertFalse(viewer.log().contains("Enabling continuous updates"), "no desktop for it:\n" + viewer.log());
      }
    }
  }

  @Test
  void aLargeRawUpdateIsRelayedThroughTlsWithZeroCopyAlways() throws Exception {
    target.setRootColor("#cc3311");
    try (GatewayHarness gw = gateway("offer", "  zero-copy: always\n")) {
      String ticket = ticket(gw);
      byte[] pixels;
      try (VeNCryptClient client = new VeNCryptClient(gw.tcpPort())) {
        client.toTls();
        client.handshake(ca.trustingContext());
        client.login(ticket);
        assertEquals(1024, client.width);
        assertEquals(768, client.height);
        pixels = client.fullRawUpdate();
      }
      assertEquals(1024 * 768 * 4, pixels.length, "the whole screen in one Raw update, 3 MiB");
      // little endian, red at 16: B G R x; the root window's colour
      int centre = (384 * 1024 + 512) * 4;
      assertEquals(0x11, pixels[centre] & 0xFF, "blue");
      assertEquals(0x33, pixels[centre + 1] & 0xFF, "green");
      assertEquals(0xcc, pixels[centre + 2] & 0xFF, "red");
      String closed = logged("closed (", Duration.ofSeconds(10));
      assertTrue(closed.contains(" 0 of them spliced"), "nothing spliced into a TLS socket: " + closed);
    }
  }

  @Test
  void requireWithoutServerTlsIsAConfigErrorNamingTheKey() throws Exception {
    Throwable e = GatewayHarness.in(gwDir).tcp("{port: 0, tls: require}")
        .targets(GatewayHarness.target("desk", target.port(), null)).startFailure();
    assertTrue(e.getMessage().contains("server.tcp.tls") && e.getMessage().contains("server.tls"), e.getMessage());
  }

  private static void repaint(int i) throws Exception {
    target.runOnDisplay("xsetroot", "-mod", String.valueOf(2 + i % 7), String.valueOf(3 + i % 5),
        "-fg", i % 2 == 0 ? "#cc3311" : "#11aa44", "-bg", "#2233cc").waitFor(5, TimeUnit.SECONDS);
    Thread.sleep(200);
  }
}
