package io.vncgate.gateway.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vncgate.gateway.transport.TransportException;
import io.vncgate.spi.Route;
import io.vncgate.spi.SshHop;
import io.vncgate.testbeds.ssh.SshKeys;
import io.vncgate.testbeds.ssh.TestSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Host keys are always verified: known_hosts (never modified) and/or pinned keys, nothing else. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SshHostKeyTest {
  @TempDir
  Path dir;
  SshFixture ssh;
  SshConnector connector;
  NetServer echo;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    ssh = new SshFixture(dir);
    connector = new SshConnector(vertx);
    echo = LoopbackServers.echo(vertx).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    connector.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ssh.close();
  }

  private SshHop hop(Path knownHosts, List<String> pinned) {
    return new SshHop("127.0.0.1", ssh.server.port(), SshFixture.USER, List.of(ssh.identityFile), knownHosts, pinned);
  }

  @Test
  void unknownHostKeyIsRefusedNamingHostAndFingerprint(VertxTestContext test) throws Exception {
    Path empty = Files.writeString(dir.resolve("known_hosts_other"), "# nobody here\n");
    connector.connect(SshFixture.route(hop(empty, List.of()), echo.actualPort()))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertInstanceOf(TransportException.class, e);
          String m = e.getMessage();
          assertTrue(m.contains("127.0.0.1:" + ssh.server.port()), m);
          assertTrue(m.contains(ssh.server.hostKeyFingerprint()), m);
          assertTrue(m.contains("add it to " + empty + " after checking it out of band"), m);
          assertEquals("# nobody here\n", Files.readString(empty), "known_hosts must not be modified");
          assertEquals(0, ssh.server.channelsOpened());
          test.completeNow();
        })));
  }

  @Test
  void changedHostKeyIsRefusedAsAMismatch(VertxTestContext test) throws Exception {
    String otherKey = SshKeys.publicKeyLine(SshKeys.generate(SshKeys.Type.ED25519).getPublic());
    Path stale = Files.writeString(dir.resolve("known_hosts_stale"),
        "[127.0.0.1]:" + ssh.server.port() + " " + otherKey + "\n");
    connector.connect(SshFixture.route(hop(stale, List.of()), echo.actualPort()))
        .onComplete(test.failing(e -> test.verify(() -> {
          String m = e.getMessage();
          assertTrue(m.contains("does not match the one in " + stale), m);
          assertTrue(m.contains(ssh.server.hostKeyFingerprint()), m);
          assertTrue(Files.readString(stale).contains(otherKey), "known_hosts must not be modified");
          test.completeNow();
        })));
  }

  @Test
  void pinnedFingerprintIsEnoughWithoutKnownHosts(VertxTestContext test) {
    connector.connect(SshFixture.route(hop(null, List.of(ssh.server.hostKeyFingerprint())), echo.actualPort()))
        .map(TestViewer::new)
        .compose(v -> v.write("ok").compose(x -> v.read(2)))
        .onComplete(test.succeeding(data -> test.verify(() -> {
          assertEquals("ok", data.toString());
          test.completeNow();
        })));
  }

  @Test
  void pinnedPublicKeyLineIsEnoughWithoutKnownHosts(VertxTestContext test) {
    connector.connect(SshFixture.route(hop(null, List.of(ssh.server.hostKeyLine() + " host@example")),
            echo.actualPort()))
        .onComplete(test.succeeding(up -> test.completeNow()));
  }

  @Test
  void wrongPinnedKeyIsRefusedAndSaysToPinIt(VertxTestContext test) {
    String other = SshKeys.fingerprint(SshKeys.generate(SshKeys.Type.ED25519).getPublic());
    connector.connect(SshFixture.route(hop(null, List.of(other)), echo.actualPort()))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertTrue(e.getMessage().contains(ssh.server.hostKeyFingerprint()), e.getMessage());
          assertTrue(e.getMessage().contains("pinned keys"), e.getMessage());
          test.completeNow();
        })));
  }

  @Test
  void hopWithNeitherKnownHostsNorPinnedKeysIsRefusedBeforeConnecting(VertxTestContext test) {
    connector.connect(SshFixture.route(hop(null, List.of()), echo.actualPort()))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertTrue(e.getMessage().contains("neither a known_hosts file nor pinned host keys"), e.getMessage());
          assertEquals(0, ssh.server.sessionsCreated());
          test.completeNow();
        })));
  }

  @Test
  void sameServerUnderAnotherPortEntryIsUnknown(VertxTestContext test) throws Exception {
    // known_hosts trusts this key for another port only: still refused
    try (TestSshServer second = TestSshServer.start(SshFixture.USER, ssh.userKey.getPublic())) {
      SshHop hop = new SshHop("127.0.0.1", second.port(), SshFixture.USER, List.of(ssh.identityFile), ssh.knownHosts,
          List.of());
      connector.connect(new Route.Ssh(List.of(hop), "127.0.0.1", echo.actualPort()))
          .onComplete(test.failing(e -> test.verify(() -> {
            assertTrue(e.getMessage().contains(second.hostKeyFingerprint()), e.getMessage());
            assertFalse(e.getMessage().contains("does not match"), e.getMessage());
            test.completeNow();
          })));
      assertTrue(test.awaitCompletion(30, TimeUnit.SECONDS));
    }
  }
}
