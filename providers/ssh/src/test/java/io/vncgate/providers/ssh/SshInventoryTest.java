package io.vncgate.providers.ssh;

import static io.vncgate.testbeds.plugin.ProviderTestConfig.CALLER;
import static io.vncgate.testbeds.plugin.ProviderTestConfig.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.Credentials;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.Route;
import io.vncgate.spi.Secret;
import io.vncgate.spi.SshHop;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetRoute;
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

/** The static inventory: listing, defaults, and routes with host-key policy and VNC password. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SshInventoryTest {
  private static final String CONFIG = """
      known-hosts: known_hosts
      defaults: {user: desk, identity-file: id_ed25519, vnc: {port: 5901}}
      hosts:
        - {id: box1, name: "Box 1", host: 10.0.0.5, port: 2222, labels: {os: linux},
           vnc: {password-file: secrets/box1.vncpass}}
        - {id: box2, host: box2.example, user: root, identity-file: [keys/a, keys/b],
           vnc: {host: 10.1.1.1, port: 5900}}
        - {id: box3, host: 10.0.0.7, vnc: {password-remote-file: /home/desk/.vnc/it's plain}}
      """;

  @TempDir
  Path dir;
  SshTargetProvider provider;

  @BeforeEach
  void setUp() throws Exception {
    Files.createDirectories(dir.resolve("secrets"));
    Files.writeString(dir.resolve("secrets/box1.vncpass"), "s3cret\n");
    provider = ProviderTestConfig.start(new SshTargetProvider(), dir, CONFIG);
  }

  @AfterEach
  void tearDown() {
    provider.stop();
  }

  @Test
  void listsInventoryHostsWithNamesAndLabels() throws Throwable {
    List<TargetInfo> targets = await(provider.list(CALLER));
    assertEquals(List.of(
        new TargetInfo("ssh/box1", "Box 1", Map.of("os", "linux"), java.util.Set.of()),
        new TargetInfo("ssh/box2", "box2"),
        new TargetInfo("ssh/box3", "box3")), targets);
  }

  @Test
  void resolvesToOneSshHopWithTheHostKeyPolicyAndThePasswordFromItsFile() throws Throwable {
    TargetRoute route = await(provider.resolve("ssh/box1", CALLER));
    Route.Ssh ssh = assertInstanceOf(Route.Ssh.class, route.route());
    assertEquals(List.of(new SshHop("10.0.0.5", 2222, "desk", List.of(dir.resolve("id_ed25519")),
        dir.resolve("known_hosts"), List.of())), ssh.hops());
    assertEquals("127.0.0.1", ssh.targetHost());
    assertEquals(5901, ssh.targetPort());
    Credentials.VncPassword password = assertInstanceOf(Credentials.VncPassword.class, route.credentials());
    assertEquals(Secret.of("s3cret"), password.password(), "trailing newline stripped");
  }

  @Test
  void hostValuesOverrideDefaultsAndNoPasswordFileMeansNone() throws Throwable {
    TargetRoute route = await(provider.resolve("ssh/box2", CALLER));
    Route.Ssh ssh = (Route.Ssh) route.route();
    SshHop hop = ssh.hops().get(0);
    assertEquals("box2.example", hop.host());
    assertEquals(22, hop.port());
    assertEquals("root", hop.user());
    assertEquals(List.of(dir.resolve("keys/a"), dir.resolve("keys/b")), hop.identityFiles());
    assertEquals("10.1.1.1", ssh.targetHost());
    assertEquals(5900, ssh.targetPort());
    assertInstanceOf(Credentials.None.class, route.credentials());
  }

  @Test
  void passwordRemoteFileNamesTheFileOnTheHostForTheGatewayToRead() throws Throwable {
    TargetRoute route = await(provider.resolve("ssh/box3", CALLER));
    assertEquals(new Credentials.VncPasswordOnHost("/home/desk/.vnc/it's plain"), route.credentials());
    assertEquals(5901, ((Route.Ssh) route.route()).targetPort(), "the defaults' VNC port still applies");
  }

  @Test
  void anEntrysOwnPasswordSettingReplacesTheDefaultsOfTheOtherKind() throws Throwable {
    Files.writeString(dir.resolve("default.vncpass"), "from-defaults\n");
    SshTargetProvider mixed = ProviderTestConfig.start(new SshTargetProvider(), dir, """
        known-hosts: known_hosts
        defaults: {user: desk, identity-file: id_ed25519, vnc: {password-file: default.vncpass}}
        hosts:
          - {id: plain, host: 10.0.0.5}
          - {id: remote, host: 10.0.0.6, vnc: {password-remote-file: /etc/vnc/pw}}
        """);
    try {
      assertEquals(Secret.of("from-defaults"),
          ((Credentials.VncPassword) await(mixed.resolve("ssh/plain", CALLER)).credentials()).password());
      assertEquals(new Credentials.VncPasswordOnHost("/etc/vnc/pw"), await(mixed.resolve("ssh/remote", CALLER)).credentials());
    } finally {
      mixed.stop();
    }
  }

  @Test
  void passwordIsReadAtResolveTime() throws Throwable {
    Files.writeString(dir.resolve("secrets/box1.vncpass"), "rotated\r\n");
    Credentials.VncPassword password = (Credentials.VncPassword) await(provider.resolve("ssh/box1", CALLER)).credentials();
    assertEquals(Secret.of("rotated"), password.password());
  }

  @Test
  void missingPasswordFileIsAConfigurationFailureNamingTheFile() throws Throwable {
    Files.delete(dir.resolve("secrets/box1.vncpass"));
    ProviderException e = assertThrows(ProviderException.class, () -> await(provider.resolve("ssh/box1", CALLER)));
    assertEquals(ProviderException.Kind.MISCONFIGURED, e.kind());
    assertTrue(e.getMessage().contains(dir.resolve("secrets/box1.vncpass").toString()), e.getMessage());
  }

  @Test
  void unknownTargetIsNotFound() {
    for (String id : List.of("ssh/nope", "ssh/hetzner/web-1", "ssh/aws/i-1", "other/box1")) {
      ProviderException e = assertThrows(ProviderException.class, () -> await(provider.resolve(id, CALLER)));
      assertEquals(ProviderException.Kind.NOT_FOUND, e.kind(), id);
    }
  }

  @Test
  void pinnedKeysAloneAreEnough() throws Throwable {
    SshTargetProvider pinned = ProviderTestConfig.start(new SshTargetProvider(), dir, """
        pinned-keys: ["SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"]
        hosts: [{id: box1, host: 10.0.0.5, user: desk, identity-file: id_ed25519}]
        """);
    try {
      SshHop hop = ((Route.Ssh) await(pinned.resolve("ssh/box1", CALLER)).route()).hops().get(0);
      assertNull(hop.knownHosts());
      assertEquals(List.of("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"), hop.pinnedKeys());
      assertFalse(hop.identityFiles().isEmpty());
    } finally {
      pinned.stop();
    }
  }
}
