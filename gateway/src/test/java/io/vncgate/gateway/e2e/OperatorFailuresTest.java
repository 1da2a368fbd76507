package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.http.HttpServer;
import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.provider.StaticProvider;
import io.vncgate.gateway.relay.ViewerConnection;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.VncPasswd;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Failures only the operator can fix reach the viewer as final (close 4001, the reason ending with
 * {@link Status#NEEDS_OPERATOR_NOTE}) and in words that say what to fix; password files in both
 * formats (text, and the obfuscated file TigerVNC's own {@code vncpasswd -f} writes) open a real
 * password-protected Xvnc started with that very file.
 */
@Timeout(120)
class OperatorFailuresTest {
  @TempDir static Path dir;
  static XvncServer xvnc;
  static io.vertx.core.Vertx httpVertx;
  static HttpServer http;
  static GatewayHarness gw;
  static Path gone;
  static Path rotated;
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    // blacklisting on, as shipped: the refusals below must not lock the gateway out
    xvnc = XvncServer.builder().geometry(320, 200).password("lab-pw1").start();
    Path rfbauth = xvnc.passwordFile().resolveSibling("passwd"); // written by vncpasswd -f, read by Xvnc -rfbauth
    Path withViewOnly = dir.resolve("with-view-only.passwd");
    Files.write(withViewOnly, VncPasswd.of("lab-pw1\nview-pw\n"));
    Path wrongObfuscated = dir.resolve("wrong.passwd");
    Files.write(wrongObfuscated, VncPasswd.of("nope-pw\n"));
    rotated = dir.resolve("rotated.txt");
    Files.writeString(rotated, "not-it-1\n");
    gone = dir.resolve("gone.txt");
    Files.writeString(gone, "lab-pw1\n");
    // a real HTTP server: it accepts and waits for a request, as a web port does
    httpVertx = io.vertx.core.Vertx.vertx();
    http = httpVertx.createHttpServer().requestHandler(r -> r.response().end("hello"))
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    for (String name : new String[] {ViewerConnection.class.getPackageName(), StaticProvider.class.getName()}) {
      ((Logger) LoggerFactory.getLogger(name)).addAppender(logs);
    }
    logs.start();
    gw = new GatewayHarness(dir,
        GatewayHarness.target("nopw", xvnc.port(), null)
            + GatewayHarness.target("obfuscated", xvnc.port(), rfbauth.toString())
            + GatewayHarness.target("viewonly", xvnc.port(), withViewOnly.toString())
            + GatewayHarness.target("text", xvnc.port(), xvnc.passwordFile().toString())
            + GatewayHarness.target("wrong", xvnc.port(), wrongObfuscated.toString())
            + GatewayHarness.target("gone", xvnc.port(), gone.toString())
            + GatewayHarness.target("rotated", xvnc.port(), rotated.toString())
            + GatewayHarness.target("web", http.actualPort(), null),
        null, "20s");
    Files.delete(gone); // after start-up: the file vanishes while the gateway runs
  }

  @AfterAll
  static void stop() throws Exception {
    for (String name : new String[] {ViewerConnection.class.getPackageName(), StaticProvider.class.getName()}) {
      ((Logger) LoggerFactory.getLogger(name)).detachAppender(logs);
    }
    if (gw != null) gw.close();
    if (httpVertx != null) httpVertx.close().await(5, TimeUnit.SECONDS);
    if (xvnc != null) xvnc.close();
  }


  /** Connections Xvnc has accepted so far, from its own log. */
  static long xvncConnections() throws Exception {
    try (Stream<Path> files = Files.list(xvnc.passwordFile().getParent())) {
      long n = 0;
      for (Path log : files.filter(f -> f.getFileName().toString().matches("Xvnc-\\d+\\.log")).toList()) {
        n += Files.readAllLines(log).stream().filter(l -> l.contains("Connections: accepted")).count();
      }
      return n;
    }
  }

  record Refusal(String reason, WebSocketClose close) {}

  static Refusal refusal(String target) throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/" + target));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      RfbRefused refused = assertThrows(RfbRefused.class, client::handshakeNone);
      return new Refusal(refused.reason(), bridge.awaitClose(1, Duration.ofSeconds(10)));
    }
  }

  static int opens(String target) throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/" + target));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      return client.handshakeNone().width();
    }
  }

  @Test
  void aPasswordProtectedXvncWithoutAConfiguredPasswordIsFinalAndNamesTheKey() throws Exception {
    long before = xvncConnections();
    Refusal r = refusal("nopw");
    assertEquals("target static/nopw requires a VNC password but none is configured:"
        + " set providers.static.targets[nopw].password-file " + Status.NEEDS_OPERATOR_NOTE, r.reason());
    assertEquals(4001, r.close().code(), r.close().toString());
    assertEquals(before + 1, xvncConnections(), "the target saw exactly one connection");
    assertEquals(320, opens("obfuscated"), "not blacklisted: the right password still gets in");
  }

  @Test
  void theObfuscatedFileVncpasswdWroteForXvncItselfOpensIt() throws Exception {
    assertEquals(320, opens("obfuscated"));
    assertEquals(320, opens("viewonly"), "16 bytes: the view-only half is ignored");
    assertEquals(320, opens("text"));
    assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().matches(
        "target static/obfuscated: VNC password file .*passwd is in vncpasswd \\(obfuscated binary\\) format")), "format logged");
    assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().matches(
        "target static/viewonly: .* vncpasswd \\(obfuscated binary\\) format \\(its view-only password is not used\\)")));
    assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().matches(
        "target static/text: VNC password file .*password.txt is in plain text format")));
    assertFalse(logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("lab-pw1")), "never the password");
  }

  @Test
  void aWrongPasswordInVncpasswdFormatIsFinalAndSaysWhereToFixIt() throws Exception {
    Refusal r = refusal("wrong");
    assertTrue(r.reason().startsWith("target static/wrong: "), r.reason());
    assertTrue(r.reason().contains("check the VNC password the gateway has for this target: set providers.static.targets[wrong].password-file"),
        r.reason());
    assertTrue(r.reason().endsWith(Status.NEEDS_OPERATOR_NOTE), r.reason());
    assertEquals(4001, r.close().code());
  }

  @Test
  void aFailedLoginIsNotRepeatedWithTheSameSettingsButAFixedPasswordFileIsTriedAtOnce() throws Exception {
    long before = xvncConnections();
    Refusal first = refusal("rotated");
    assertTrue(first.reason().contains("Authentication failure"), first.reason());
    // another viewer (another user, another tab) a moment later: the gateway does not knock again
    Refusal second = refusal("rotated");
    assertTrue(second.reason().contains("the gateway did not try again: the same settings failed"), second.reason());
    assertTrue(second.reason().endsWith(Status.NEEDS_OPERATOR_NOTE), second.reason());
    assertEquals(4001, second.close().code());
    assertEquals(before + 1, xvncConnections(), "one failed login, not two");
    Files.writeString(rotated, "lab-pw1\n"); // the operator fixes it: tried at once
    assertEquals(320, opens("rotated"));
    assertEquals(before + 2, xvncConnections());
  }

  @Test
  void anUnreadablePasswordFileIsFinalAndTheViewerSeesNeitherPathNorExceptionName() throws Exception {
    Refusal r = refusal("gone");
    assertEquals("target static/gone: the gateway cannot read the stored VNC password for it; the operator's log says why "
        + Status.NEEDS_OPERATOR_NOTE, r.reason());
    assertFalse(r.close().reason().contains(dir.toString()));
    assertEquals(4001, r.close().code());
    assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains(
        "providers.static.targets[gone].password-file " + gone + " cannot be used: it does not exist")), "the log has path and cause");
  }

  @Test
  void aTargetThatSendsNoBannerIsNamedWithinTheBannerTimeout() throws Exception {
    long t0 = System.nanoTime();
    Refusal r = refusal("web");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals("target static/web sent no RFB banner within 5 s: is it a VNC server? (server.banner-timeout) "
        + Status.NEEDS_OPERATOR_NOTE, r.reason());
    assertTrue(ms < 15_000, "named after " + ms + " ms, long before the 20 s handshake timeout");
  }
}
