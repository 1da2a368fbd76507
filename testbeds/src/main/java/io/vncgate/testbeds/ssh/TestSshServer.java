package io.vncgate.testbeds.ssh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.forward.ForwardingFilter;
import org.apache.sshd.server.forward.TcpForwardingFilter;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.server.shell.ProcessShellFactory;

/**
 * An in-process SSH server on a free loopback port, for tests of the SSH route: public-key auth
 * for one user, a freshly generated host key, and {@code direct-tcpip} forwarding only to
 * 127.0.0.1 (like {@code ssh -L} to a VNC server on the host's loopback). No shell; exec
 * requests are refused unless {@link #allowExec()} turns them on.
 *
 * <pre>{@code
 * KeyPair user = SshKeys.generate(SshKeys.Type.ED25519);
 * try (TestSshServer ssh = TestSshServer.start("desk", user.getPublic())) {
 *   ssh.writeKnownHosts(dir.resolve("known_hosts"));
 *   ...
 * }
 * }</pre>
 */
public final class TestSshServer implements AutoCloseable {
  public static final String HOST = "127.0.0.1";

  private final SshServer sshd;
  private final KeyPair hostKey;
  private final AtomicInteger sessionsCreated = new AtomicInteger();
  private final AtomicInteger sessionsOpen = new AtomicInteger();
  private final AtomicInteger forwardsOpened = new AtomicInteger();
  private final List<String> execCommands = new CopyOnWriteArrayList<>();

  private TestSshServer(String user, List<PublicKey> authorized, KeyPair hostKey) {
    this.hostKey = hostKey;
    sshd = SshServer.setUpDefaultServer();
    sshd.setHost(HOST);
    sshd.setPort(0);
    sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
    sshd.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    sshd.setPublickeyAuthenticator((name, key, session) -> name.equals(user)
        && authorized.stream().anyMatch(k -> KeyUtils.compareKeys(k, key)));
    sshd.setForwardingFilter(ForwardingFilter.asForwardingFilter(null, null, loopbackOnly()));
    sshd.addSessionListener(new SessionListener() {
      @Override
      public void sessionCreated(Session session) {
        sessionsCreated.incrementAndGet();
        sessionsOpen.incrementAndGet();
      }

      @Override
      public void sessionClosed(Session session) {
        sessionsOpen.decrementAndGet();
      }
    });
    sshd.addChannelListener(new ChannelListener() {
      @Override
      public void channelOpenSuccess(Channel channel) {
        forwardsOpened.incrementAndGet();
      }
    });
  }

  /** Starts a server that lets {@code user} in with any of {@code authorizedKeys}; ed25519 host key. */
  public static TestSshServer start(String user, PublicKey... authorizedKeys) {
    return start(user, SshKeys.generate(SshKeys.Type.ED25519), authorizedKeys);
  }

  /** Starts a server with a given host key (e.g. to present a key a client does not know). */
  public static TestSshServer start(String user, KeyPair hostKey, PublicKey... authorizedKeys) {
    TestSshServer server = new TestSshServer(user, List.of(authorizedKeys), hostKey);
    try {
      server.sshd.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return server;
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return sshd.getPort();
  }

  public PublicKey hostKey() {
    return hostKey.getPublic();
  }

  /** The host key as an OpenSSH public key line ({@code ssh-ed25519 AAAA...}), for pinning. */
  public String hostKeyLine() {
    return SshKeys.publicKeyLine(hostKey.getPublic());
  }

  /** The host key's {@code SHA256:...} fingerprint, for pinning and for asserting messages. */
  public String hostKeyFingerprint() {
    return SshKeys.fingerprint(hostKey.getPublic());
  }

  /** The known_hosts line OpenSSH writes for this server: {@code [127.0.0.1]:port ssh-ed25519 AAAA...}. */
  public String knownHostsLine() {
    return "[" + HOST + "]:" + port() + " " + hostKeyLine();
  }

  /** Appends {@link #knownHostsLine()} to {@code file} (created if missing) and returns it. */
  public Path writeKnownHosts(Path file) {
    try {
      List<String> lines = new ArrayList<>(Files.exists(file) ? Files.readAllLines(file) : List.of());
      lines.add(knownHostsLine());
      Files.write(file, lines, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SSH sessions (TCP connections) accepted since start. */
  public int sessionsCreated() {
    return sessionsCreated.get();
  }

  /** SSH sessions open right now. */
  public int sessionsOpen() {
    return sessionsOpen.get();
  }

  /**
   * Lets the logged-in user run commands, the way OpenSSH runs them: {@code /bin/sh -c <command>}
   * as a real process (this JVM's OS user, its working directory), its stdout and stderr sent on
   * the channel and its exit status reported. So a command line is parsed by a real POSIX shell.
   * Without this call exec requests are refused. Returns this server.
   */
  public TestSshServer allowExec() {
    sshd.setCommandFactory((channel, command) -> {
      execCommands.add(command);
      return new ProcessShellFactory(command, List.of("/bin/sh", "-c", command)).createShell(channel);
    });
    return this;
  }

  /** The command lines of exec requests this server ran, in order. */
  public List<String> execCommands() {
    return List.copyOf(execCommands);
  }

  /** Channels (forwarding, or exec after {@link #allowExec()}) successfully opened since start. */
  public int channelsOpened() {
    return forwardsOpened.get();
  }

  /** Closes every session at once, without an SSH disconnect message (like a crashed server). */
  public void dropSessions() {
    sshd.getActiveSessions().forEach(s -> s.close(true));
  }

  /** Stops listening and drops every session at once: the server "dies". */
  public void kill() {
    try {
      sshd.stop(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops gracefully. */
  public void stop() {
    try {
      sshd.stop(false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (sshd.isOpen()) {
      kill();
    }
  }

  private static TcpForwardingFilter loopbackOnly() {
    return new TcpForwardingFilter() {
      @Override
      public boolean canListen(SshdSocketAddress address, Session session) {
        return false;
      }

      @Override
      public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
        return type == Type.Direct && session instanceof ServerSession && HOST.equals(address.getHostName());
      }
    };
  }
}
