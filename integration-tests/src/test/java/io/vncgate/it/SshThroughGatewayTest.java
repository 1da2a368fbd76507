package io.vncgate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import io.vncgate.testbeds.cloud.HetznerApiTestbed;
import io.vncgate.testbeds.ssh.SshKeys;
import io.vncgate.testbeds.ssh.TestSshServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ssh plugin zip loaded by the real gateway; hosts are in-process MINA SSH servers that
 * forward {@code direct-tcpip} to a real Xvnc on loopback, as {@code ssh -L} would. The desktop
 * arrives through the gateway; unknown host keys and wrong user keys are refused with reasons
 * the viewer sees; a dying SSH server ends its viewers with a reason; viewers share a session.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SshThroughGatewayTest {
  private static final String USER = "desk";
  private static final String HCLOUD_TOKEN = "hcloud-it-token-0123456789abcdef";

  @TempDir
  static Path dir;
  static XvncServer xvnc;
  static KeyPair userKey;
  /** box1, wrong-key and the Hetzner-discovered host. */
  static TestSshServer main;
  /** A server whose host key is in no known_hosts. */
  static TestSshServer stranger;
  /** Only the many-viewers test uses it, so its session count is its own. */
  static TestSshServer shared;
  /** Killed by one test. */
  static TestSshServer doomed;
  static HetznerApiTestbed hetzner;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    // blacklist off: some tests end connections before VNC auth on purpose
    xvnc = XvncServer.builder().geometry(800, 600).password("ssh-vnc-pw").blacklist(false).start();
    xvnc.setRootColor("#4682b4");
    userKey = SshKeys.generate(SshKeys.Type.ED25519);
    SshKeys.writePrivateKey(userKey, dir.resolve("id_ed25519"));
    SshKeys.writePrivateKey(SshKeys.generate(SshKeys.Type.ED25519), dir.resolve("id_other"));
    Files.copy(xvnc.passwordFile(), dir.resolve("desk.vncpass"));

    main = TestSshServer.start(USER, userKey.getPublic());
    stranger = TestSshServer.start(USER, userKey.getPublic());
    shared = TestSshServer.start(USER, userKey.getPublic());
    doomed = TestSshServer.start(USER, userKey.getPublic());
    Path knownHosts = dir.resolve("known_hosts");
    for (TestSshServer s : List.of(main, shared, doomed)) s.writeKnownHosts(knownHosts);

    hetzner = HetznerApiTestbed.start(HCLOUD_TOKEN, List.of(new HetznerApiTestbed.Server(7, "web-1", "running",
        Map.of("vncgate", "true"), "127.0.0.1", List.of())), 25);
    Files.writeString(dir.resolve("hcloud.token"), HCLOUD_TOKEN + "\n");

    PluginZips.install(PluginZips.ssh(), dir.resolve("plugins"));
    int vnc = xvnc.port();
    gw = GatewayHarness.in(dir).handshakeTimeout("20s").yaml("""
        ssh: {connect-timeout: 5s, auth-timeout: 5s}
        providers:
          ssh:
            known-hosts: known_hosts
            defaults: {user: desk, identity-file: id_ed25519, vnc: {port: %d, password-file: desk.vncpass}}
            hosts:
              - {id: box1, name: Box 1, host: 127.0.0.1, port: %d, labels: {os: linux}}
              - {id: wrong-key, host: 127.0.0.1, port: %d, identity-file: id_other}
              - {id: stranger, host: 127.0.0.1, port: %d}
              - {id: shared, host: 127.0.0.1, port: %d}
              - {id: doomed, host: 127.0.0.1, port: %d}
            hetzner: {token-file: hcloud.token, label-selector: "vncgate=true", endpoint: "%s", port: %d}
        """.formatted(vnc, main.port(), main.port(), stranger.port(), shared.port(), doomed.port(),
        hetzner.endpoint(), main.port())).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    for (AutoCloseable c : new AutoCloseable[] {main, stranger, shared, doomed, hetzner, xvnc}) {
      if (c != null) c.close();
    }
  }

  /** Reads Raw updates until the centre pixel has the desktop's colour. */
  private static void assertDesktop(RfbTestClient client) throws IOException {
    assertEquals(0x4682b4, client.awaitCentreColour(0x4682b4, Duration.ofSeconds(10)), "the desktop's colour arrives");
  }

  @Test
  void inventoryAndHetznerHostsAreListed() throws Exception {
    Map<String, JsonObject> byId = gw.targets().stream().map(o -> (JsonObject) o)
        .collect(Collectors.toMap(t -> t.getString("id"), t -> t));
    assertEquals(List.of("ssh/box1", "ssh/doomed", "ssh/hetzner/web-1", "ssh/shared", "ssh/stranger", "ssh/wrong-key"),
        byId.keySet().stream().sorted().toList());
    assertEquals("Box 1", byId.get("ssh/box1").getString("name"));
    assertEquals("linux", byId.get("ssh/box1").getJsonObject("labels").getString("os"));
  }

  @Test
  void desktopArrivesThroughTheSshTunnel() throws Exception {
    int channelsBefore = main.channelsOpened();
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("ssh/box1"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      ServerInitInfo init = client.handshakeNone();
      assertEquals(800, init.width());
      assertEquals(600, init.height());
      assertDesktop(client);
    }
    assertTrue(main.channelsOpened() > channelsBefore, "the bytes went through the SSH server");
  }

  @Test
  void hetznerDiscoveredHostIsReachedOverSsh() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("ssh/hetzner/web-1"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      ServerInitInfo init = client.handshakeNone();
      assertEquals(800, init.width());
      assertDesktop(client);
    }
  }

  @Test
  void unknownHostKeyIsRefusedNamingTheHostAndItsFingerprint() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("ssh/stranger"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      RfbRefused refused = assertThrows(RfbRefused.class, client::handshakeNone);
      String reason = refused.reason();
      assertTrue(reason.startsWith("target ssh/stranger unreachable: "), reason);
      assertTrue(reason.contains("127.0.0.1:" + stranger.port()), reason);
      assertTrue(reason.contains(stranger.hostKeyFingerprint()), reason);
      assertEquals(0, stranger.channelsOpened(), "nothing was forwarded");
    }
  }

  @Test
  void wrongUserKeyIsRefusedWithTheReason() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("ssh/wrong-key"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      RfbRefused refused = assertThrows(RfbRefused.class, client::handshakeNone);
      assertTrue(refused.reason().startsWith("target ssh/wrong-key unreachable: SSH key authentication as desk@127.0.0.1:"
          + main.port() + " failed: the server refused key "), refused.reason());
      assertTrue(refused.reason().contains("(id_other)"), refused.reason());
    }
  }

  @Test
  void killedSshServerEndsTheViewersConnectionWithAReason() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("ssh/doomed"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      client.handshakeNone();
      assertDesktop(client);
      doomed.kill();
      assertTrue(client.isClosedByPeer(Duration.ofSeconds(15)), "the viewer's connection ends");
      WebSocketClose close = bridge.awaitClose(1, Duration.ofSeconds(10));
      assertEquals(1011, close.code(), close.toString());
      assertTrue(close.reason().contains("SSH session to 127.0.0.1:" + doomed.port()), close.toString());
    }
  }

  @Test
  void manyViewersShareOneSshSession() throws Exception {
    List<WebSocketTcpBridge> bridges = new ArrayList<>();
    List<RfbTestClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        WebSocketTcpBridge bridge = gw.bridge(gw.ticket("ssh/shared"));
        bridges.add(bridge);
        RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port());
        clients.add(client);
        client.handshakeNone();
      }
      for (RfbTestClient c : clients) assertDesktop(c);
      assertEquals(1, shared.sessionsCreated(), "one SSH connection carries every viewer");
      assertEquals(4, shared.channelsOpened(), "a forwarding channel per viewer");
      for (RfbTestClient c : clients) assertFalse(c.isClosedByPeer(Duration.ofMillis(100)));
    } finally {
      for (RfbTestClient c : clients) c.close();
      for (WebSocketTcpBridge b : bridges) b.close();
    }
  }
}
