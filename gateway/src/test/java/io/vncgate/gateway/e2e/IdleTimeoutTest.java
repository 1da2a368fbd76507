package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.idle-timeout} ends a connection with no traffic either way, telling the viewer why. */
@Timeout(60)
class IdleTimeoutTest {
  @TempDir Path dir;

  @Test
  void idleConnectionIsClosedWithAReasonAndAnActiveOneIsNot() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().noneAuth().desktop(32, 32, "idle").start();
         GatewayHarness gw = new GatewayHarness(dir, GatewayHarness.target("idle", server.port(), null), null, "10s", "",
             "  idle-timeout: 2s\n")) {
      try (WebSocketTcpBridge active = gw.bridge(gw.ticket("static/idle"));
           RfbTestClient busy = RfbTestClient.connect(active.host(), active.port());
           WebSocketTcpBridge quiet = gw.bridge(gw.ticket("static/idle"));
           RfbTestClient idle = RfbTestClient.connect(quiet.host(), quiet.port())) {
        busy.handshakeNone();
        idle.handshakeNone();
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < end) {           // keeps one connection busy for 5 s
          busy.readFramebufferUpdateRaw(0, 0, 1, 1);
          Thread.sleep(250);
        }
        assertTrue(idle.isClosedByPeer(Duration.ofSeconds(3)), "the idle viewer is closed");
        WebSocketClose close = quiet.awaitClose(1, Duration.ofSeconds(3));
        assertTrue(close.reason().startsWith("idle for 2 s (server.idle-timeout)"), close.reason());
        assertEquals(4002, close.code(), "the idle timeout's own close code, not 1011 (a target failure)");
        assertEquals(0, active.closes().size(), "the busy viewer stays");
      }
    }
  }
}
