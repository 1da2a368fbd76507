package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.Caller;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.Limits;
import io.vncgate.spi.ProviderContext;
import io.vncgate.spi.Route;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.spi.TargetRoute;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway tells a target's provider how many viewers relay from it, up and down, over both
 * fronts ({@code TargetProvider.viewers}); the target is a real Xvnc reached by its unix socket
 * ({@code Route.UnixSocket}) through the whole relay.
 */
@Timeout(90)
class ViewerCountsTest {
  @TempDir static Path dir;
  static XvncServer xvnc;
  static Path socket;
  static GatewayHarness gw;
  static final CountingProvider provider = new CountingProvider();

  /** {@code counted/desk}: the Xvnc's unix socket; records every viewer count with its thread. */
  static final class CountingProvider implements TargetProvider {
    final List<String> counts = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "counted";
    }

    @Override
    public void start(ProviderContext context) {}

    @Override
    public CompletionStage<List<TargetInfo>> list(Caller caller) {
      return CompletableFuture.completedFuture(List.of(new TargetInfo("counted/desk", "desk")));
    }

    @Override
    public CompletionStage<TargetRoute> resolve(String targetId, Caller caller) {
      return CompletableFuture.completedFuture(new TargetRoute(new Route.UnixSocket(socket), new Credentials.None(),
          Limits.DEFAULTS));
    }

    @Override
    public void viewers(String targetId, int count) {
      counts.add(targetId + "=" + count);
      threads.add(Thread.currentThread().getName());
    }
  }

  @BeforeAll
  static void start() throws Exception {
    socket = dir.resolve("desk.sock");
    xvnc = XvncServer.builder().geometry(320, 200)
        .extraArgs("-rfbunixpath", socket.toString(), "-rfbunixmode", "0600").start();
    xvnc.setRootColor("#2e8b57");
    gw = GatewayHarness.in(dir).targets(GatewayHarness.target("unused", xvnc.port(), null)).start();
    gw.gateway.services().providers().add(provider);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
  }

  @Test
  void everyRelayingViewerOfEitherFrontIsCountedUpAndDown() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("counted/desk"));
         RfbTestClient browser = RfbTestClient.connect(bridge.host(), bridge.port())) {
      browser.handshakeNone();
      assertEquals(0x2e8b57, browser.awaitCentreColour(0x2e8b57, Duration.ofSeconds(10)),
          "the desktop arrives through the unix socket");
      await(List.of("counted/desk=1"));
      try (RfbTestClient nativeViewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
        nativeViewer.handshakeVncAuth(gw.ticket("counted/desk"));
        await(List.of("counted/desk=1", "counted/desk=2"));
      }
      await(List.of("counted/desk=1", "counted/desk=2", "counted/desk=1"));
    }
    await(List.of("counted/desk=1", "counted/desk=2", "counted/desk=1", "counted/desk=0"));
    assertTrue(provider.threads.stream().allMatch(t -> t.startsWith("vert.x-eventloop-thread")),
        "called on event loops: " + provider.threads);
  }

  private static void await(List<String> expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!provider.counts.equals(expected) && System.nanoTime() < deadline) Thread.sleep(20);
    assertEquals(expected, provider.counts);
  }
}
