package io.vncgate.providers.ssh;

import static io.vncgate.testbeds.plugin.ProviderTestConfig.CALLER;
import static io.vncgate.testbeds.plugin.ProviderTestConfig.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.Credentials;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.Route;
import io.vncgate.spi.SshHop;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetRoute;
import io.vncgate.testbeds.cloud.HetznerApiTestbed;
import io.vncgate.testbeds.cloud.HetznerApiTestbed.Server;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hetzner Cloud discovery through the real client against a fake API speaking the real format. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HetznerDiscoveryTest {
  private static final String TOKEN = "hcloud-test-token-0123456789abcdef";
  private static final List<Server> SERVERS = List.of(
      new Server(1, "web-1", "running", Map.of("vncgate", "true"), "203.0.113.10", List.of("10.0.0.10")),
      new Server(2, "web-2", "running", Map.of("vncgate", "true", "team", "x"), "203.0.113.11", List.of()),
      new Server(3, "web-3", "off", Map.of("vncgate", "true"), "203.0.113.12", List.of()),
      new Server(4, "db-1", "running", Map.of("vncgate", "false"), "203.0.113.13", List.of()),
      new Server(5, "web-4", "running", Map.of("vncgate", "true"), "203.0.113.14", List.of("10.0.0.14")),
      new Server(6, "ipv6-only", "running", Map.of("vncgate", "true"), null, List.of()));

  @TempDir
  Path dir;
  HetznerApiTestbed api;
  SshTargetProvider provider;

  @BeforeEach
  void setUp() throws Exception {
    api = HetznerApiTestbed.start(TOKEN, SERVERS, 2);
    Files.writeString(dir.resolve("hcloud.token"), TOKEN + "\n");
  }

  @AfterEach
  void tearDown() {
    if (provider != null) provider.stop();
    api.close();
  }

  private SshTargetProvider start(String extra) throws Exception {
    provider = ProviderTestConfig.start(new SshTargetProvider(), dir, """
        known-hosts: known_hosts
        hetzner: {token-file: hcloud.token, label-selector: "vncgate=true", user: root, identity-file: id_ed25519,
                  endpoint: "%s" %s}
        """.formatted(api.endpoint(), extra));
    return provider;
  }

  @Test
  void listsRunningLabelledServersAcrossPages() throws Throwable {
    List<TargetInfo> targets = await(start("").list(CALLER));
    assertEquals(List.of("ssh/hetzner/web-1", "ssh/hetzner/web-2", "ssh/hetzner/web-4"),
        targets.stream().map(TargetInfo::id).toList());
    assertEquals(Map.of("vncgate", "true", "team", "x"), targets.get(1).labels());
    // five servers match the selector, two per page: three pages, each with the selector
    List<String> requests = api.requests();
    assertEquals(3, requests.size(), requests.toString());
    for (int page = 1; page <= 3; page++) {
      assertTrue(requests.get(page - 1).startsWith("/v1/servers?label_selector=vncgate%3Dtrue&page=" + page),
          requests.get(page - 1));
    }
  }

  @Test
  void labelSelectorIsPassedThrough() throws Throwable {
    provider = ProviderTestConfig.start(new SshTargetProvider(), dir, """
        known-hosts: known_hosts
        hetzner: {token-file: hcloud.token, label-selector: "vncgate=true,team!=x", user: root,
                  identity-file: id_ed25519, endpoint: "%s"}
        """.formatted(api.endpoint()));
    assertEquals(List.of("ssh/hetzner/web-1", "ssh/hetzner/web-4"),
        await(provider.list(CALLER)).stream().map(TargetInfo::id).toList());
  }

  @Test
  void resolvesToThePublicAddressOrThePrivateNetwork() throws Throwable {
    SshHop hop = ((Route.Ssh) await(start("").resolve("ssh/hetzner/web-1", CALLER)).route()).hops().get(0);
    assertEquals(new SshHop("203.0.113.10", 22, "root", List.of(dir.resolve("id_ed25519")),
        dir.resolve("known_hosts"), List.of()), hop);
    provider.stop();
    Route.Ssh priv = (Route.Ssh) await(start(", network: private").resolve("ssh/hetzner/web-4", CALLER)).route();
    assertEquals("10.0.0.14", priv.hops().get(0).host());
    assertEquals("127.0.0.1:5900", priv.targetHost() + ":" + priv.targetPort());
  }

  @Test
  void passwordRemoteFileInTheHetznerSectionNamesTheFileOnEachServer() throws Throwable {
    TargetRoute route = await(start(", vnc: {password-remote-file: /root/.vnc/plain}").resolve("ssh/hetzner/web-2", CALLER));
    assertEquals(new Credentials.VncPasswordOnHost("/root/.vnc/plain"), route.credentials());
  }

  @Test
  void answersAreCachedForTheTtl() throws Throwable {
    start("");
    await(provider.list(CALLER));
    await(provider.list(CALLER));
    await(provider.resolve("ssh/hetzner/web-2", CALLER));
    assertEquals(3, api.requests().size(), "one discovery (three pages) for all three calls");
  }

  @Test
  void zeroTtlAsksAgain() throws Throwable {
    provider = ProviderTestConfig.start(new SshTargetProvider(), dir, """
        known-hosts: known_hosts
        discovery-ttl: 0s
        hetzner: {token-file: hcloud.token, user: root, identity-file: id_ed25519, endpoint: "%s"}
        """.formatted(api.endpoint()));
    await(provider.list(CALLER));
    int first = api.requests().size();
    await(provider.list(CALLER));
    assertEquals(2 * first, api.requests().size());
  }

  @Test
  void badTokenIsUnavailableNamingTheApiAndStatusButNotTheToken() throws Exception {
    Files.writeString(dir.resolve("hcloud.token"), "wrong-token-value-42\n");
    ProviderException e = assertThrows(ProviderException.class, () -> await(start("").list(CALLER)));
    assertEquals(ProviderException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().startsWith("Hetzner Cloud API GET /servers answered 401"), e.getMessage());
    assertTrue(e.getMessage().contains("token-file"), e.getMessage());
    assertFalse(e.getMessage().contains("wrong-token-value-42"));
    assertFalse(e.getMessage().contains(TOKEN));
  }

  @Test
  void unreachableApiIsUnavailable() throws Throwable {
    String endpoint = api.endpoint();
    api.close();
    provider = ProviderTestConfig.start(new SshTargetProvider(), dir, """
        known-hosts: known_hosts
        hetzner: {token-file: hcloud.token, user: root, identity-file: id_ed25519, endpoint: "%s"}
        """.formatted(endpoint));
    ProviderException e = assertThrows(ProviderException.class, () -> await(provider.list(CALLER)));
    assertEquals(ProviderException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().startsWith("Hetzner Cloud API at 127.0.0.1 cannot be reached"), e.getMessage());
  }
}
