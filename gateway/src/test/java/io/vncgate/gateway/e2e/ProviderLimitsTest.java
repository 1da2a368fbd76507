package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vncgate.gateway.auth.Role;
import io.vncgate.spi.Caller;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.Limits;
import io.vncgate.spi.ProviderContext;
import io.vncgate.spi.Route;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.spi.TargetRoute;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import io.vncgate.testbeds.WebSocketTcpBridge;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A provider's per-target limits narrow the gateway's clipboard policy for that target's viewers. */
@Timeout(60)
class ProviderLimitsTest {
  @TempDir static Path dir;
  static ScriptedRfbServer server;
  static GatewayHarness gw;

  /** Targets {@code limited/no-paste} (paste off) and {@code limited/small} (16-byte cap), both on the scripted server. */
  static final class LimitedProvider implements TargetProvider {
    private final Map<String, Limits> limits = Map.of(
        "limited/no-paste", new Limits(false, true, 0),
        "limited/small", new Limits(true, true, 16));

    @Override
    public String name() {
      return "limited";
    }

    @Override
    public void start(ProviderContext context) {}

    @Override
    public CompletionStage<List<TargetInfo>> list(Caller caller) {
      return CompletableFuture.completedFuture(limits.keySet().stream().map(id -> new TargetInfo(id, id)).toList());
    }

    @Override
    public CompletionStage<TargetRoute> resolve(String targetId, Caller caller) {
      return CompletableFuture.completedFuture(new TargetRoute(new Route.Tcp("127.0.0.1", server.port()),
          new Credentials.None(), limits.get(targetId)));
    }
  }

  @BeforeAll
  static void start() throws Exception {
    server = ScriptedRfbServer.builder().noneAuth().desktop(32, 32, "limits").start();
    gw = new GatewayHarness(dir, GatewayHarness.target("unused", server.port(), null), null);
    gw.gateway.services().providers().add(new LimitedProvider());
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (server != null) server.close();
  }

  /** The controller sends two pastes and a key; returns the message types the server received. */
  private static List<Integer> send(String target, String firstPaste) throws Exception {
    String ticket = gw.session(gw.token("alice", "limited/*", Role.CONTROL), target, "control").getString("ticket");
    try (WebSocketTcpBridge bridge = gw.bridge(ticket);
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      client.handshakeNone();
      ScriptedRfbServer.Connection upstream = server.connections().get(server.connections().size() - 1);
      client.sendClientCutText(firstPaste);
      client.sendClientCutText("short");
      client.sendKeyEvent(true, 0x61);
      upstream.awaitMessage(4, Duration.ofSeconds(5));
      return upstream.messageTypes();
    }
  }

  @Test
  void pasteDisabledForTheTargetDropsEvenTheControllersPaste() throws Exception {
    assertEquals(List.of(4), send("limited/no-paste", "hello"));
  }

  @Test
  void aSmallerCapForTheTargetDropsLargerPastes() throws Exception {
    assertEquals(List.of(6, 4), send("limited/small", "more than sixteen bytes of paste"));
  }
}
