package io.vncgate.gateway.transport.ssh;

import ch.qos.logback.classic.Level;
import io.vncgate.spi.Route;
import io.vncgate.spi.SshHop;
import io.vncgate.testbeds.ssh.SshKeys;
import io.vncgate.testbeds.ssh.TestSshServer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * An in-process SSH server that lets user {@code desk} in with a generated ed25519 key, its
 * identity file and a known_hosts file that trusts it, all in a temp dir.
 */
final class SshFixture implements AutoCloseable {
  static final String USER = "desk";

  final Path dir;
  final KeyPair userKey;
  final Path identityFile;
  final Path knownHosts;
  final TestSshServer server;

  SshFixture(Path dir) {
    quietSshd();
    this.dir = dir;
    this.userKey = SshKeys.generate(SshKeys.Type.ED25519);
    this.identityFile = SshKeys.writePrivateKey(userKey, dir.resolve("id_ed25519"));
    this.server = TestSshServer.start(USER, userKey.getPublic());
    this.knownHosts = server.writeKnownHosts(dir.resolve("known_hosts"));
  }

  SshHop hop() {
    return new SshHop(server.host(), server.port(), USER, List.of(identityFile), knownHosts, List.of());
  }

  Route.Ssh route(int targetPort) {
    return new Route.Ssh(List.of(hop()), "127.0.0.1", targetPort);
  }

  static Route.Ssh route(SshHop hop, int targetPort) {
    return new Route.Ssh(List.of(hop), "127.0.0.1", targetPort);
  }

  @Override
  public void close() {
    server.close();
  }

  /** MINA logs every packet at debug; keep test output readable. */
  static void quietSshd() {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.sshd")).setLevel(Level.WARN);
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.netty")).setLevel(Level.INFO);
  }
}
