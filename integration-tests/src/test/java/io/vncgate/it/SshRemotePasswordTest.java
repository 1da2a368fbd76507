package io.vncgate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import io.vncgate.testbeds.ssh.SshKeys;
import io.vncgate.testbeds.ssh.TestSshServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code vnc.password-remote-file} through the real gateway and the built ssh plugin zip: the
 * gateway reads the VNC password on the SSH host (an in-process MINA server that runs exec
 * requests with {@code /bin/sh -c}, on this machine) and authenticates to a real Xvnc with it.
 * Failures reach the viewer as RFB reasons in words, and no password is in any reason or log line.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SshRemotePasswordTest {
  private static final String USER = "desk";
  private static final String PASSWORD = "rem0te-pw";
  private static final String WRONG = "wr0ng-pw";

  @TempDir
  static Path dir;
  static XvncServer xvnc;
  static TestSshServer host;
  /** A host whose SSH server refuses exec requests. */
  static TestSshServer noExec;
  static Path plain;
  static Path wrong;
  static GatewayHarness gw;
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  static Level vncgateLevel;

  @BeforeAll
  static void start() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger vncgate = (Logger) LoggerFactory.getLogger("io.vncgate");
    vncgateLevel = vncgate.getLevel();
    vncgate.setLevel(Level.DEBUG);
    logs.start();
    root.addAppender(logs);

    // blacklist off: the wrong-password test fails VNC auth on purpose
    xvnc = XvncServer.builder().geometry(640, 480).password(PASSWORD).blacklist(false).start();
    xvnc.setRootColor("#2e8b57");
    KeyPair userKey = SshKeys.generate(SshKeys.Type.ED25519);
    SshKeys.writePrivateKey(userKey, dir.resolve("id_ed25519"));
    host = TestSshServer.start(USER, userKey.getPublic()).allowExec();
    noExec = TestSshServer.start(USER, userKey.getPublic());
    Path knownHosts = dir.resolve("known_hosts");
    host.writeKnownHosts(knownHosts);
    noExec.writeKnownHosts(knownHosts);

    // "the host's" files; a space and a quote in the path, as a shell must see them
    Path vncDir = Files.createDirectories(dir.resolve("host's home/.vnc"));
    plain = Files.copy(xvnc.passwordFile(), vncDir.resolve("plain"));
    wrong = Files.writeString(vncDir.resolve("wrong"), WRONG + "\n");

    PluginZips.install(PluginZips.ssh(), dir.resolve("plugins"));
    gw = GatewayHarness.in(dir).handshakeTimeout("20s").yaml("""
        ssh: {connect-timeout: 5s, auth-timeout: 5s}
        providers:
          ssh:
            known-hosts: known_hosts
            defaults: {user: desk, identity-file: id_ed25519, vnc: {port: %d, password-remote-file: "%s"}}
            hosts:
              - {id: box1, host: 127.0.0.1, port: %d}
              - {id: missing, host: 127.0.0.1, port: %d, vnc: {password-remote-file: "%s"}}
              - {id: wrong, host: 127.0.0.1, port: %d, vnc: {password-remote-file: "%s"}}
              - {id: no-exec, host: 127.0.0.1, port: %d}
        """.formatted(xvnc.port(), plain, host.port(), host.port(), vncDir.resolve("gone"), host.port(), wrong,
        noExec.port())).start();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (gw != null) gw.close();
      for (AutoCloseable c : new AutoCloseable[] {host, noExec, xvnc}) {
        if (c != null) c.close();
      }
    } finally {
      ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
      ((Logger) LoggerFactory.getLogger("io.vncgate")).setLevel(vncgateLevel);
      assertNoPasswordLogged();
    }
  }

  private static void assertNoPasswordLogged() {
    assertFalse(logs.list.isEmpty(), "the gateway's log was captured");
    for (ILoggingEvent e : logs.list) {
      String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
      assertFalse(line.contains(PASSWORD) || line.contains(WRONG), "a password in the log: " + line);
    }
  }

  private static String refusal(String target) throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket(target));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      String reason = assertThrows(RfbRefused.class, client::handshakeNone).reason();
      WebSocketClose close = bridge.awaitClose(1, Duration.ofSeconds(10));
      // every refusal here is the operator's to fix (the stored password or how it is read): final,
      // so the page does not retry into the target's blacklist
      assertEquals(4001, close.code(), close.toString());
      assertTrue(reason.endsWith(" (not retried: the operator must fix this first)"), reason);
      // a close frame holds 123 bytes of reason: the start of the same words
      assertTrue(reason.startsWith(close.reason().replaceAll("\\.\\.\\.$", "")), close.toString());
      assertFalse(reason.contains(PASSWORD) || reason.contains(WRONG), reason);
      return reason;
    }
  }

  private static void assertDesktop(RfbTestClient client) throws IOException {
    assertEquals(0x2e8b57, client.awaitCentreColour(0x2e8b57, Duration.ofSeconds(10)), "the desktop's colour arrives");
  }

  @Test
  void desktopArrivesWithThePasswordReadOverSshOnTheHost() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("ssh/box1"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      ServerInitInfo init = client.handshakeNone();
      assertEquals(640, init.width());
      assertDesktop(client);
    }
    String quoted = plain.toString().replace("'", "'\\''");
    assertTrue(host.execCommands().contains("cat -- '" + quoted + "'"), host.execCommands().toString());
  }

  @Test
  void missingRemoteFileIsRefusedNamingThePathTheHostAndTheCause() throws Exception {
    String reason = refusal("ssh/missing");
    assertEquals("target ssh/missing: cannot read the VNC password from " + plain.getParent().resolve("gone")
        + " on 127.0.0.1:" + host.port() + ": No such file or directory (not retried: the operator must fix this first)", reason);
  }

  @Test
  void wrongPasswordInTheRemoteFileGetsXvncsAuthenticationFailure() throws Exception {
    String reason = refusal("ssh/wrong");
    assertTrue(reason.startsWith("target ssh/wrong: Authentication failure"), reason);
  }

  @Test
  void hostThatRefusesExecIsNamedWithTheReason() throws Exception {
    String reason = refusal("ssh/no-exec");
    assertEquals("target ssh/no-exec: cannot read the VNC password from " + plain + " on 127.0.0.1:" + noExec.port()
        + ": the SSH server ran no command or reported no exit status (does it allow exec for this user?)"
        + " (not retried: the operator must fix this first)", reason);
  }
}
