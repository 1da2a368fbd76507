package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.Caller;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.Limits;
import io.vncgate.spi.ProviderContext;
import io.vncgate.spi.Route;
import io.vncgate.spi.Sharing;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.spi.TargetRoute;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A target that goes away while relaying (a real Xvnc killed): the gateway asks its provider why
 * ({@code TargetProvider.whyEnded}) and the viewer's close reason carries the provider's words; a
 * provider that never answers leaves the gateway's own words, soon; a fan-out session asks once
 * and tells every viewer.
 */
@Timeout(90)
class EndReasonsTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final String LONG_WORDS = "desk told was stopped by the test, which makes this sentence longer than"
      + " a WebSocket close frame can carry so that the audit keeps what the close frame cuts";
  @TempDir static Path dir;
  static GatewayHarness gw;
  static final WhyProvider provider = new WhyProvider();

  /**
   * {@code why/told} answers why, {@code why/hangs} never answers, {@code why/shared} is a fan-out
   * target that answers; each resolves to the Xvnc the test put in {@link #ports}.
   */
  static final class WhyProvider implements TargetProvider {
    final Map<String, Integer> ports = new ConcurrentHashMap<>();
    final List<String> asked = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "why";
    }

    @Override
    public void start(ProviderContext context) {}

    @Override
    public CompletionStage<List<TargetInfo>> list(Caller caller) {
      return CompletableFuture.completedFuture(List.of(new TargetInfo("why/told", "told"),
          new TargetInfo("why/hangs", "hangs"), new TargetInfo("why/shared", "shared")));
    }

    @Override
    public CompletionStage<TargetRoute> resolve(String targetId, Caller caller) {
      return CompletableFuture.completedFuture(new TargetRoute(new Route.Tcp("127.0.0.1", ports.get(targetId)),
          new Credentials.None(), Limits.DEFAULTS));
    }

    @Override
    public Sharing sharing(String targetId) {
      return targetId.equals("why/shared") ? Sharing.FAN_OUT : Sharing.PER_VIEWER;
    }

    @Override
    public CompletionStage<Optional<String>> whyEnded(String targetId, Caller caller) {
      asked.add(targetId + " by " + caller.subject());
      return switch (targetId) {
        case "why/told" -> CompletableFuture.completedFuture(Optional.of(LONG_WORDS));
        case "why/shared" -> CompletableFuture.supplyAsync(() -> Optional.of("the shared desk was stopped\nby the test"));
        default -> new CompletableFuture<>(); // never completes
      };
    }
  }

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayHarness.in(dir).targets(GatewayHarness.target("unused", 1, null)).yaml("audit: {file: audit.log}\n").start();
    gw.gateway.services().providers().add(provider);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
  }

  @Test
  void aViewerIsToldInTheProvidersWordsWhyItsTargetWentAwayAndTheAuditKeepsThemWhole() throws Exception {
    try (XvncServer target = XvncServer.builder().geometry(320, 200).start();
         WebSocketTcpBridge bridge = bridgeTo("why/told", target);
         RfbTestClient viewer = RfbTestClient.connect(bridge.host(), bridge.port()).readTimeout(WAIT)) {
      viewer.handshakeNone();
      target.kill();
      WebSocketClose close = bridge.awaitClose(1, WAIT);
      assertEquals(1000, close.code(), close.reason()); // still a normal end
      assertTrue(close.reason().startsWith("the VNC server closed the connection: desk told was stopped by the test"),
          close.reason());
      assertTrue(close.reason().getBytes(StandardCharsets.UTF_8).length <= 123 && close.reason().endsWith("..."),
          "cut to fit a close frame: " + close.reason());
      List<String> audit = awaitAudit("the VNC server closed the connection: " + LONG_WORDS);
      assertTrue(audit.get(0).contains("\"outcome\":\"target-ended\""), audit.toString());
    }
  }

  @Test
  void aProviderThatNeverSaysWhyLeavesTheGatewaysOwnWords() throws Exception {
    try (XvncServer target = XvncServer.builder().geometry(320, 200).start();
         WebSocketTcpBridge bridge = bridgeTo("why/hangs", target);
         RfbTestClient viewer = RfbTestClient.connect(bridge.host(), bridge.port()).readTimeout(WAIT)) {
      viewer.handshakeNone();
      target.kill();
      // the gateway waits about a second for the provider, well within the wait here
      WebSocketClose close = bridge.awaitClose(1, Duration.ofSeconds(5));
      assertEquals(1000, close.code(), close.reason());
      assertEquals("the VNC server closed the connection", close.reason());
      assertTrue(provider.asked.stream().anyMatch(a -> a.startsWith("why/hangs by ")), provider.asked.toString());
    }
  }

  @Test
  void everyViewerOfAFanOutSessionIsToldOnceAskedWhy() throws Exception {
    try (XvncServer target = XvncServer.builder().geometry(320, 200).start();
         WebSocketTcpBridge first = bridgeTo("why/shared", target);
         WebSocketTcpBridge second = gw.bridge(gw.ticket("why/shared"));
         RfbTestClient a = RfbTestClient.connect(first.host(), first.port()).readTimeout(WAIT);
         RfbTestClient b = RfbTestClient.connect(second.host(), second.port()).readTimeout(WAIT)) {
      a.handshakeNone();
      b.handshakeNone();
      a.readFramebufferUpdateRaw(0, 0, 32, 32);
      b.readFramebufferUpdateRaw(0, 0, 32, 32);
      target.kill();
      for (WebSocketTcpBridge bridge : List.of(first, second)) {
        WebSocketClose close = bridge.awaitClose(1, WAIT);
        assertEquals(1000, close.code(), close.reason());
        assertEquals("the VNC server closed the connection: the shared desk was stopped by the test", close.reason());
      }
      assertEquals(1, provider.asked.stream().filter(s -> s.startsWith("why/shared ")).count(),
          "one session, asked once: " + provider.asked);
    }
  }

  private static WebSocketTcpBridge bridgeTo(String targetId, XvncServer target) throws Exception {
    provider.ports.put(targetId, target.port());
    return gw.bridge(gw.ticket(targetId));
  }

  private static List<String> awaitAudit(String words) throws Exception {
    Path audit = dir.resolve("audit.log");
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<String> lines = List.of();
    while (System.nanoTime() < deadline) {
      lines = Files.exists(audit) ? Files.readAllLines(audit).stream().filter(l -> l.contains(words)).toList() : List.of();
      if (!lines.isEmpty()) return lines;
      Thread.sleep(100);
    }
    throw new AssertionError("no audit line says \"" + words + "\"");
  }
}
