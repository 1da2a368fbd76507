package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failure a viewer can meet reaches it in words: as the RFB failure reason (what noVNC
 * shows) and, on the WebSocket front, as the close reason. Never a silent close.
 */
@Timeout(120)
class RelayFailuresTest {
  @TempDir static Path dir;
  static XvncServer xvnc;
  static ScriptedRfbServer wrongPassword;
  static ScriptedRfbServer ssh;
  static ScriptedRfbServer repeater;
  static ScriptedRfbServer vencryptOnly;
  static ScriptedRfbServer blacklisted;
  static ScriptedRfbServer stalled;
  static ScriptedRfbServer desktop;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(320, 200).password("right-pw").blacklist(false).start();
    wrongPassword = ScriptedRfbServer.builder().vncAuth("right-pw").desktop(64, 64, "d").start();
    ssh = ScriptedRfbServer.builder().sendRaw("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".getBytes(StandardCharsets.US_ASCII)).stall().start();
    repeater = ScriptedRfbServer.builder().banner("RFB 000.000\n").stall().start();
    vencryptOnly = ScriptedRfbServer.builder().securityTypes(19, 16).start();
    blacklisted = ScriptedRfbServer.builder().tooManyAttempts().start();
    stalled = ScriptedRfbServer.builder().stall().start();
    desktop = ScriptedRfbServer.builder().noneAuth().desktop(64, 48, "scripted").start();
    Path wrong = dir.resolve("wrong.pw");
    Files.writeString(wrong, "not-the-password\n");
    gw = new GatewayHarness(dir,
        GatewayHarness.target("down", freePortNobodyListensOn(), null)
            + GatewayHarness.target("xvnc-wrong", xvnc.port(), wrong.toString())
            + GatewayHarness.target("wrong", wrongPassword.port(), wrong.toString())
            + GatewayHarness.target("ssh", ssh.port(), null)
            + GatewayHarness.target("repeater", repeater.port(), null)
            + GatewayHarness.target("vencrypt", vencryptOnly.port(), null)
            + GatewayHarness.target("blacklisted", blacklisted.port(), null)
            + GatewayHarness.target("stalled", stalled.port(), null)
            + GatewayHarness.target("desktop", desktop.port(), null),
        "limits: {clipboard: {max-bytes: 1KiB}}\n", "3s");
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    for (AutoCloseable c : new AutoCloseable[] {xvnc, wrongPassword, ssh, repeater, vencryptOnly, blacklisted, stalled, desktop}) {
      if (c != null) c.close();
    }
  }

  private static int freePortNobodyListensOn() {
    return io.vncgate.testbeds.FreePorts.next();
  }

  /** Opens target through the WebSocket front; returns the RFB reason and checks the close reason says the same. */
  private static String refusalOverWebSocket(String target) throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/" + target));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      RfbRefused refused = assertThrows(RfbRefused.class, client::handshakeNone);
      WebSocketClose close = bridge.awaitClose(1, Duration.ofSeconds(5));
      String reason = refused.reason();
      assertTrue(reason.startsWith(close.reason().replace("...", "")), "close reason '" + close.reason() + "' vs RFB reason '" + reason + "'");
      assertTrue(close.code() >= 1000 && close.code() != 1000, "an error close code, got " + close.code());
      return reason;
    }
  }

  @Test
  void unreachableTargetIsNamedWithTheCause() throws Exception {
    assertEquals("target static/down unreachable: connection refused", refusalOverWebSocket("down"));
    String metrics = gw.get("/metrics", null).body();
    assertTrue(metrics.matches("(?s).*vncgate_handshake_failures_total\\{cause=\"unreachable\",front=\"ws\"} [1-9].*"), metrics);
  }

  @Test
  void wrongStoredPasswordOnRealXvncGivesTheServersReason() throws Exception {
    String reason = refusalOverWebSocket("xvnc-wrong");
    assertTrue(reason.startsWith("target static/xvnc-wrong: "), reason);
    assertTrue(reason.contains("Authentication failure"), reason);
    assertFalse(reason.contains("not-the-password"), "the password never appears in a reason");
  }

  @Test
  void wrongStoredPasswordIsTriedOnceNotInALoop() throws Exception {
    int before = wrongPassword.authAttempts();
    String reason = refusalOverWebSocket("wrong");
    assertTrue(reason.contains("check the VNC password"), reason);
    Thread.sleep(500);
    assertEquals(before + 1, wrongPassword.authAttempts(), "exactly one upstream attempt");
  }

  @Test
  void nonRfbTargetIsRefusedShowingWhatItSaid() throws Exception {
    String reason = refusalOverWebSocket("ssh");
    assertTrue(reason.startsWith("target static/ssh: "), reason);
    assertTrue(reason.contains("did not speak RFB: got 'SSH-2.0-OpenSSH_9.2p1"), reason);
  }

  @Test
  void repeaterIsNotAServer() throws Exception {
    assertTrue(refusalOverWebSocket("repeater").toLowerCase().contains("repeater"));
  }

  @Test
  void unsupportedSecurityTypesAreListed() throws Exception {
    String reason = refusalOverWebSocket("vencrypt");
    assertTrue(reason.contains("19 (VeNCrypt)"), reason);
  }

  @Test
  void tigerVncBlacklistIsReportedVerbatim() throws Exception {
    String reason = refusalOverWebSocket("blacklisted");
    assertTrue(reason.contains("Too many security failures"), reason);
  }

  @Test
  void stalledServerTimesOutWithAReason() throws Exception {
    String reason = refusalOverWebSocket("stalled");
    assertTrue(reason.contains("static/stalled") && reason.contains("within 3 s"), reason);
  }

  @Test
  void aBrowserSlowerThanItsUpstreamSetupIsToldTheFailureAtItsSecurityStep() throws Exception {
    // the upstream setup starts at the upgrade, alongside the viewer's greeting: it fails long before
    // this viewer even reads the banner, and the viewer still gets the words at its security step
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/down"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      Thread.sleep(500);
      RfbRefused refused = assertThrows(RfbRefused.class, client::handshakeNone);
      assertEquals("target static/down unreachable: connection refused", refused.reason());
    }
  }

  @Test
  void aBrowserSlowerThanItsUpstreamSetupGetsTheDesktop() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/desktop"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      Thread.sleep(500);
      assertEquals(64, client.handshakeNone().width());
    }
  }

  @Test
  void ticketWorksOnlyOnce() throws Exception {
    String ticket = gw.ticket("static/desktop");
    try (WebSocketTcpBridge first = gw.bridge(ticket);
         RfbTestClient ok = RfbTestClient.connect(first.host(), first.port())) {
      assertEquals(64, ok.handshakeNone().width());
      try (WebSocketTcpBridge second = gw.bridge(ticket);
           RfbTestClient reused = RfbTestClient.connect(second.host(), second.port())) {
        RfbRefused refused = assertThrows(RfbRefused.class, reused::handshakeNone);
        assertTrue(refused.reason().contains("ticket is not valid"), refused.reason());
      }
    }
  }

  @Test
  void missingTicketSaysHowToGetOne() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(null);
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      RfbRefused refused = assertThrows(RfbRefused.class, client::handshakeNone);
      assertTrue(refused.reason().contains("POST /api/v1/sessions"), refused.reason());
    }
  }

  @Test
  void nativeViewerWithAWrongTicketIsRefusedInWords() throws Exception {
    gw.ticket("static/desktop");
    try (RfbTestClient client = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      RfbRefused refused = assertThrows(RfbRefused.class, () -> client.handshakeVncAuth("guessing"));
      assertTrue(refused.reason().contains("not a valid ticket"), refused.reason());
    }
  }

  @Test
  void oversizedClipboardIsSkippedAndTheConnectionStaysUp() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/desktop"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      client.handshakeNone();
      int index = desktop.connections().size() - 1;
      client.sendClientCutText("x".repeat(5000));      // over the 1 KiB cap
      client.sendClientCutText("small paste");          // under it
      client.sendKeyEvent(true, 0x61);
      ScriptedRfbServer.Connection upstream = desktop.connections().get(index);
      upstream.awaitMessage(4, Duration.ofSeconds(5));
      List<Integer> types = upstream.messageTypes();
      assertEquals(1, types.stream().filter(t -> t == 6).count(), "only the small cut text arrives: " + types);
      assertFalse(client.isClosedByPeer(Duration.ofMillis(300)));
      assertTrue(upstream.sharedFlag(), "ClientInit reached the server as shared");
    }
  }

  @Test
  void targetClipboardOverTheCapIsSkippedAndWhatFollowsArrives() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/desktop"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      client.readTimeout(Duration.ofSeconds(10));
      client.handshakeNone();
      ScriptedRfbServer.Connection upstream = desktop.connections().get(desktop.connections().size() - 1);
      upstream.sendServerCutText("y".repeat(5000));     // over the 1 KiB cap
      upstream.sendServerCutText("small copy");          // under it
      assertEquals("small copy", client.readServerCutText());
      assertEquals(List.of("small copy"), client.serverCutTexts());
      assertFalse(client.isClosedByPeer(Duration.ofMillis(300)));
    }
  }

  @Test
  void aTargetThatBreaksTheProtocolIsCutOffWithAReason() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/desktop"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      client.handshakeNone();
      ScriptedRfbServer.Connection upstream = desktop.connections().get(desktop.connections().size() - 1);
      upstream.send(new byte[] {2, 77, 0, 0});           // a Bell, then no RFB message at all
      assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
      WebSocketClose close = bridge.awaitClose(1, Duration.ofSeconds(5));
      assertEquals(1011, close.code());
      assertEquals("target static/desktop sent unknown RFB message type 77", close.reason());
      assertTrue(upstream.awaitClosed(Duration.ofSeconds(5)), "the target connection is closed too");
    }
  }

  @Test
  void aTargetThatEndsTheSessionClosesNormallyWithAReason() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/desktop"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      client.handshakeNone();
      ScriptedRfbServer.Connection upstream = desktop.connections().get(desktop.connections().size() - 1);
      upstream.close();                                   // the VNC server ends the session cleanly
      assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
      WebSocketClose close = bridge.awaitClose(1, Duration.ofSeconds(5));
      assertEquals(1000, close.code(), close.reason());   // a normal end, not 1011 (a failure)
      assertEquals("the VNC server closed the connection", close.reason());
    }
  }

  @Test
  void unknownMessageTypeClosesWithAReason() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/desktop"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      client.handshakeNone();
      client.send(new byte[] {42, 0, 0, 0});
      assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
      WebSocketClose close = bridge.awaitClose(1, Duration.ofSeconds(5));
      assertEquals(1008, close.code());
      assertTrue(close.reason().contains("unknown RFB message type 42"), close.reason());
    }
  }

  @Test
  void textFramesAreRefusedWith1003() throws Exception {
    WebSocketClient ws = gw.vertx.createWebSocketClient();
    try {
      CompletableFuture<String> closed = new CompletableFuture<>();
      var socket = ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.httpPort())
          .setURI("/ws/v1/connect").addSubProtocol("binary").addSubProtocol("vncgate.ticket." + gw.ticket("static/desktop")))
          .await(5, TimeUnit.SECONDS);
      socket.closeHandler(v -> closed.complete(socket.closeStatusCode() + " " + socket.closeReason()));
      socket.writeTextMessage("RFB 003.008\n");
      String close = closed.get(5, TimeUnit.SECONDS);
      assertTrue(close.startsWith("1003 ") && close.contains("binary"), close);
    } finally {
      ws.close();
    }
  }
}
