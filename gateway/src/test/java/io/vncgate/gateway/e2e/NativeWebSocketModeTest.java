package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WebSocket front's native mode at the wire: a WebSocket offering only {@code vncgate.native}
 * (no ticket) is answered with that subprotocol and gets RFB with VNC authentication, the ticket
 * its password, as on the TCP front; wrong passwords count towards the ticket throttle, which then
 * refuses the address before it is asked for a password. A real Xvnc is the target.
 */
@Timeout(90)
class NativeWebSocketModeTest {
  @TempDir static Path dir;
  static XvncServer target;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    target = XvncServer.builder().geometry(320, 200).start();
    gw = GatewayHarness.in(dir).noTcp().targets(GatewayHarness.target("desk", target.port(), null))
        .yaml("limits:\n  tickets: {failures-per-address: 2, failure-window: 60s}\n").start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (target != null) target.close();
  }

  private static WebSocketTcpBridge nativeSocket() {
    // no Origin: a native client, as vncgate bridge connects
    return WebSocketTcpBridge.to(gw.vertx, "127.0.0.1", gw.httpPort(), "/ws/v1/connect").protocols("vncgate.native").start();
  }

  @Test
  void theTicketIsTheVncPasswordAndWrongOnesAreThrottled() throws Exception {
    try (WebSocketTcpBridge ws = nativeSocket()) {
      String ticket = gw.ticket("static/desk");
      try (RfbTestClient viewer = RfbTestClient.connect(ws.host(), ws.port()).readTimeout(Duration.ofSeconds(15))) {
        ServerInitInfo init = viewer.handshakeVncAuth(ticket);
        assertEquals(List.of(2), viewer.offeredSecurityTypes(), "VNC authentication only");
        assertEquals(320, init.width());
        assertEquals(List.of("vncgate.native"), ws.acceptedSubProtocols());
      }

      // the same ticket again: used
      try (RfbTestClient again = RfbTestClient.connect(ws.host(), ws.port()).readTimeout(Duration.ofSeconds(15))) {
        RfbRefused refused = assertThrows(RfbRefused.class, () -> again.handshakeVncAuth(ticket));
        assertTrue(refused.reason().startsWith("the password is not a valid ticket (tickets work once"), refused.reason());
      }
      WebSocketClose close = ws.awaitClose(2, Duration.ofSeconds(10));
      assertEquals(1008, close.code());
      assertTrue(close.reason().startsWith("the password is not a valid ticket"), close.reason());

      // a wrong one: the second failure from 127.0.0.1
      try (RfbTestClient wrong = RfbTestClient.connect(ws.host(), ws.port()).readTimeout(Duration.ofSeconds(15))) {
        RfbRefused refused = assertThrows(RfbRefused.class, () -> wrong.handshakeVncAuth("notaticket"));
        assertTrue(refused.reason().startsWith("the password is not a valid ticket"), refused.reason());
      }

      // now the address is refused before it is asked for a password
      try (RfbTestClient throttled = RfbTestClient.connect(ws.host(), ws.port()).readTimeout(Duration.ofSeconds(15))) {
        throttled.readBanner();
        throttled.sendVersion(8);
        // no security type at all (no password is asked): the refusal follows at once
        assertEquals(0, throttled.readU8(), "security types offered to a throttled address");
        String reason = throttled.readFailureReason();
        assertTrue(reason.startsWith("too many invalid tickets from 127.0.0.1 (limits.tickets.failures-per-address: 2)"), reason);
      }
      close = ws.awaitClose(4, Duration.ofSeconds(10));
      assertEquals(1008, close.code());
      assertTrue(close.reason().startsWith("too many invalid tickets"), close.reason());
    }
  }
}
