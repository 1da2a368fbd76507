package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vncgate.testbeds.FreePorts;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a fixed port the TCP front listens once per core (Vert.x shares the port between the
 * instances, so native viewers' relays spread over the event loops); every viewer still gets in.
 */
@Timeout(60)
class TcpFrontOnEveryCoreTest {
  @TempDir Path dir;

  @Test
  void aFixedPortIsSharedByOneListenerPerCoreAndEveryViewerGetsIn() throws Exception {
    int port = FreePorts.next();
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(32, 16, "cores").start();
         GatewayHarness gw = new GatewayHarness(dir, GatewayHarness.target("d", desktop.port(), null), null, "10s", "", "", port)) {
      assertEquals(port, gw.tcpPort());
      List<RfbTestClient> viewers = new ArrayList<>();
      try {
        for (int i = 0; i < 6; i++) {
          RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", port);
          viewers.add(viewer);
          assertEquals("cores", viewer.handshakeVncAuth(gw.ticket("static/d")).name());
        }
        desktop.awaitConnections(6, java.time.Duration.ofSeconds(10));
      } finally {
        for (RfbTestClient v : viewers) v.close();
      }
    }
  }
}
