package io.vncgate.gateway.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vncgate.spi.SshHop;
import io.vncgate.testbeds.ssh.SshKeys;
import io.vncgate.testbeds.ssh.TestSshServer;
import io.vncgate.testbeds.FreePorts;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Key authentication from identity files, and what the user reads when it cannot happen. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SshAuthTest {
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

  private SshHop hop(int port, Path identity) {
    return new SshHop("127.0.0.1", port, SshFixture.USER, List.of(identity), ssh.knownHosts, List.of());
  }

  @ParameterizedTest
  @EnumSource(SshKeys.Type.class)
  void eachKeyTypeAuthenticatesFromAnOpenSshFile(SshKeys.Type type, VertxTestContext test) throws Exception {
    KeyPair key = SshKeys.generate(type);
    Path file = SshKeys.writePrivateKey(key, dir.resolve("id_" + type));
    try (TestSshServer server = TestSshServer.start(SshFixture.USER, key.getPublic())) {
      server.writeKnownHosts(ssh.knownHosts);
      connector.connect(SshFixture.route(hop(server.port(), file), echo.actualPort()))
          .map(TestViewer::new)
          .compose(v -> v.write("hi").compose(x -> v.read(2)))
          .onComplete(test.succeeding(data -> test.verify(() -> {
            assertEquals("hi", data.toString());
            test.completeNow();
          })));
      assertTrue(test.awaitCompletion(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void wrongUserKeyIsRefusedNamingTheKey(VertxTestContext test) {
    KeyPair stranger = SshKeys.generate(SshKeys.Type.ED25519);
    Path file = SshKeys.writePrivateKey(stranger, dir.resolve("id_stranger"));
    connector.connect(SshFixture.route(hop(ssh.server.port(), file), echo.actualPort()))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertEquals("SSH key authentication as desk@127.0.0.1:" + ssh.server.port()
              + " failed: the server refused key " + SshKeys.fingerprint(stranger.getPublic()) + " (id_stranger)",
              e.getMessage());
          assertEquals(0, connector.pooledSessions());
          test.completeNow();
        })));
  }

  @Test
  void passphraseProtectedKeyGetsAClearError(VertxTestContext test) {
    Path file = SshKeys.writeEncryptedPrivateKey(ssh.userKey, dir.resolve("id_locked"), "secret-passphrase");
    connector.connect(SshFixture.route(hop(ssh.server.port(), file), echo.actualPort()))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertTrue(e.getMessage().contains(file + " is protected by a passphrase"), e.getMessage());
          assertTrue(!e.getMessage().contains("secret-passphrase"));
          assertEquals(0, ssh.server.sessionsCreated());
          test.completeNow();
        })));
  }

  @Test
  void missingOrGarbledIdentityFileIsNamed(VertxTestContext test) throws Exception {
    Path garbled = Files.writeString(dir.resolve("id_garbled"), "not a key\n");
    connector.connect(SshFixture.route(hop(ssh.server.port(), dir.resolve("id_missing")), echo.actualPort()))
        .onComplete(test.failing(e -> test.verify(() ->
            assertTrue(e.getMessage().contains(dir.resolve("id_missing") + " does not exist"), e.getMessage()))))
        .recover(e -> connector.connect(SshFixture.route(hop(ssh.server.port(), garbled), echo.actualPort())))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertTrue(e.getMessage().contains(garbled + " is not a private key"), e.getMessage());
          test.completeNow();
        })));
  }

  @Test
  void connectionRefusedSaysSo(VertxTestContext test) throws Exception {
    int closedPort = FreePorts.next();
    connector.connect(SshFixture.route(hop(closedPort, ssh.identityFile), echo.actualPort()))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertEquals("cannot reach SSH server 127.0.0.1:" + closedPort + ": connection refused", e.getMessage());
          test.completeNow();
        })));
  }

  @Test
  void serverThatNeverSpeaksSshTimesOutTheLogin(Vertx vertx, VertxTestContext test) throws Exception {
    SshConnector impatient = new SshConnector(vertx, new SshSettings(java.time.Duration.ofSeconds(2),
        java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(15), java.time.Duration.ofSeconds(60)));
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      impatient.connect(SshFixture.route(hop(silent.getLocalPort(), ssh.identityFile), echo.actualPort()))
          .onComplete(test.failing(e -> test.verify(() -> {
            assertEquals("SSH login as desk@127.0.0.1:" + silent.getLocalPort() + " timed out after 500ms",
                e.getMessage());
            test.completeNow();
          })));
      assertTrue(test.awaitCompletion(20, TimeUnit.SECONDS));
    } finally {
      impatient.close();
    }
  }

  @Test
  void forwardingToAClosedPortNamesTheTarget(VertxTestContext test) throws Exception {
    int closedPort = FreePorts.next();
    connector.connect(ssh.route(closedPort))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertTrue(e.getMessage().startsWith("the SSH server refused to forward to 127.0.0.1:" + closedPort + ": "),
              e.getMessage());
          test.completeNow();
        })));
  }

  @Test
  void forwardingOutsideLoopbackIsRefusedByTheServerPolicy(VertxTestContext test) {
    connector.connect(new io.vncgate.spi.Route.Ssh(List.of(ssh.hop()), "192.0.2.7", 5900))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertTrue(e.getMessage().startsWith("the SSH server refused to forward to 192.0.2.7:5900: "
              + "administratively prohibited"), e.getMessage());
          test.completeNow();
        })));
  }

  @Test
  void multiHopRoutesAreRefusedForNow(VertxTestContext test) {
    connector.connect(new io.vncgate.spi.Route.Ssh(List.of(ssh.hop(), ssh.hop()), "127.0.0.1", 5900))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertTrue(e.getMessage().startsWith("multi-hop SSH routes are not supported yet"), e.getMessage());
          test.completeNow();
        })));
  }
}
