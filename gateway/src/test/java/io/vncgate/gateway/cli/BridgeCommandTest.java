package io.vncgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.gateway.e2e.TestCa;
import io.vncgate.testbeds.FreePorts;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.X11vncServer;
import io.vncgate.testbeds.XvncServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vncgate bridge} in this JVM against real gateways (one with HTTPS from a test CA, one plain
 * HTTP), a real Xvnc desktop as the target and, for the default viewer, the real remote-viewer on
 * an Xvfb display whose pixels are read back through x11vnc.
 */
@Timeout(180)
class BridgeCommandTest {
  @TempDir static Path dir;
  static XvncServer target;
  static GatewayHarness tlsGateway;
  static GatewayHarness plainGateway;
  static TestCa ca;

  static final String COLOUR = "#cc3311";

  @BeforeAll
  static void start() throws Exception {
    target = XvncServer.builder().geometry(640, 480).start();
    target.setRootColor(COLOUR);
    Path tlsDir = Files.createDirectory(dir.resolve("tls"));
    ca = new TestCa(tlsDir);
    ca.issue("gateway", "ec");
    tlsGateway = GatewayHarness.in(tlsDir).noTcp()
        .server("  tls: {cert-file: gateway.pem, key-file: gateway.key}\n")
        .targets(GatewayHarness.target("desk", target.port(), null)).start();
    // the smallest frames a gateway may take: the bridge's writes must be cut to fit
    plainGateway = GatewayHarness.in(Files.createDirectory(dir.resolve("plain"))).noTcp()
        .yaml("limits:\n  websocket: {max-frame: 1KiB, events-message: 1KiB}\n")
        .targets(GatewayHarness.target("desk", target.port(), null)).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (tlsGateway != null) tlsGateway.close();
    if (plainGateway != null) plainGateway.close();
    if (target != null) target.close();
  }

  /** A bridge command running in its own thread; its output as it goes. */
  static final class Run {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final BridgeCommand command;
    final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final CommandLine cli;

    Run(Map<String, String> viewerEnv, Map<String, String> env) {
      cli = Main.commandLine();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      command = cli.getSubcommands().get("bridge").getCommand();
      command.viewerEnvironment = viewerEnv;
      command.environment = env;
    }

    Run start(String... args) {
      String[] all = new String[args.length + 1];
      all[0] = "bridge";
      System.arraycopy(args, 0, all, 1, args.length);
      Thread t = new Thread(() -> exit.complete(cli.execute(all)), "bridge-under-test");
      t.setDaemon(true);
      t.start();
      return this;
    }

    int exitCode() throws Exception {
      return exit.get(30, TimeUnit.SECONDS);
    }

    int port() throws Exception {
      return CompletableFuture.anyOf(command.listening, exit).thenApply(v -> {
        if (!command.listening.isDone()) throw new AssertionError("the bridge ended: " + out + err);
        return command.listening.join();
      }).get(30, TimeUnit.SECONDS);
    }
  }

  static Run run(String... args) {
    return new Run(Map.of(), Map.of()).start(args);
  }

  static Path tokenFile(GatewayHarness gw, String name) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, gw.token("alice", "static/*", Role.CONTROL) + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  static String https(GatewayHarness gw) {
    return "https://127.0.0.1:" + gw.httpPort();
  }

  static void assertPortClosed(int port) {
    assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "port " + port + " is closed");
  }

  @Test
  void remoteViewerShowsTheDesktopOverWssAndTheBridgeEndsWithIt() throws Exception {
    Path tokenFile = tokenFile(tlsGateway, "alice.jwt");
    String token = Files.readString(tokenFile).strip();
    try (X11vncServer screen = X11vncServer.builder().geometry(1024, 768).start()) {
      Run bridge = new Run(Map.of("DISPLAY", screen.displayName(), "NO_AT_BRIDGE", "1"), Map.of())
          .start("static/desk", "--gateway", https(tlsGateway), "--token-file", tokenFile.toString(),
              "--ca-file", dir.resolve("tls/ca.pem").toString());
      int port = bridge.port();
      Process viewer = bridge.command.viewerProcess.get(30, TimeUnit.SECONDS);
      Path vvDir = bridge.command.filesDir.get(5, TimeUnit.SECONDS);
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(vvDir)));

      // the Xvfb screen, read through x11vnc: remote-viewer's window shows the target's colour
      try (RfbTestClient screenReader = RfbTestClient.connect(screen.host(), screen.port())) {
        screenReader.handshakeNone();
        int seen = screenReader.awaitColour(300, 300, 0xcc3311, Duration.ofSeconds(40));
        assertEquals("#cc3311", String.format("#%06x", seen), "remote-viewer shows the desktop; its log: "
            + Files.readString(vvDir.resolve("remote-viewer.log")) + "\nbridge: " + bridge.out + bridge.err);
        // and a change on the target reaches the screen: it is live, not a first frame
        target.setRootColor("#2266aa");
        assertEquals(0x2266aa, screenReader.awaitColour(300, 300, 0x2266aa, Duration.ofSeconds(30)));
      } finally {
        target.setRootColor(COLOUR);
      }
      assertFalse(Files.exists(vvDir.resolve("connection.vv")), "remote-viewer deleted the .vv file (delete-this-file=1)");

      // another local process on the port, without the ticket, does not get in
      try (RfbTestClient other = RfbTestClient.connect("127.0.0.1", port).readTimeout(Duration.ofSeconds(20))) {
        RfbRefused refused = assertThrows(RfbRefused.class, () -> other.handshakeVncAuth("guessed!"));
        assertTrue(refused.reason().contains("the password is not a valid ticket"), refused.reason());
      }
      assertTrue(viewer.isAlive(), "remote-viewer still runs");

      viewer.destroy();
      int code = bridge.exitCode();
      assertEquals(BridgeCommand.VIEWER_FAILED, code, bridge.out + "" + bridge.err);
      assertTrue(bridge.err.toString().contains("remote-viewer exited with status 143"), bridge.err.toString());
      assertTrue(bridge.out.toString().contains("Closed the local port."), bridge.out.toString());
      assertPortClosed(port);
      assertFalse(Files.exists(vvDir), "the private folder is removed");
      assertFalse((bridge.out + "" + bridge.err).contains(token), "the token is never printed");
    }
  }

  @Test
  void withoutAViewerTheTicketWorksOnceAndTheBridgeEndsWithTheConnection() throws Exception {
    String token = plainGateway.token("alice", "static/*", Role.CONTROL);
    Run bridge = new Run(Map.of(), Map.of("VNCGATE_TOKEN", token))
        .start("static/desk", "--gateway", "http://127.0.0.1:" + plainGateway.httpPort(), "--viewer", "none");
    int port = bridge.port();
    Matcher m = Pattern.compile("the ticket is in (\\S+\\.vv)").matcher(bridge.out.toString());
    assertTrue(m.find(), bridge.out.toString());
    Path vv = Path.of(m.group(1));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(vv)));
    List<String> lines = Files.readAllLines(vv);
    assertEquals(List.of("[virt-viewer]", "type=vnc", "host=127.0.0.1", "port=" + port), lines.subList(0, 4));
    assertTrue(lines.contains("delete-this-file=1") && lines.contains("title=static/desk"), lines.toString());
    String ticket = lines.stream().filter(l -> l.startsWith("password=")).findFirst().orElseThrow().substring(9);
    assertEquals(32, ticket.length());
    assertFalse(bridge.out.toString().contains(ticket), "the ticket is not printed");

    try (RfbTestClient first = RfbTestClient.connect("127.0.0.1", port).readTimeout(Duration.ofSeconds(20))) {
      first.handshakeVncAuth(ticket);
      assertEquals(List.of(2), first.offeredSecurityTypes(), "VNC authentication, the ticket its password");
      assertEquals(0xcc3311, first.awaitColour(320, 240, 0xcc3311, Duration.ofSeconds(20)), "the desktop, through ws://");
      // a 40 KB paste crosses a gateway that closes on frames over 1 KiB, and lands in Xvnc's clipboard
      String paste = "bridge paste ".repeat(3100);
      first.sendClientCutText(paste);
      for (int i = 0; i < 100 && !target.clipboard().equals(paste); i++) Thread.sleep(100);
      assertEquals(paste.length(), target.clipboard().length(), "the paste reached the target: " + bridge.err);
      // the same ticket again, from a second local connection: used
      try (RfbTestClient second = RfbTestClient.connect("127.0.0.1", port).readTimeout(Duration.ofSeconds(20))) {
        RfbRefused refused = assertThrows(RfbRefused.class, () -> second.handshakeVncAuth(ticket));
        assertTrue(refused.reason().contains("the password is not a valid ticket (tickets work once"), refused.reason());
      }
      assertFalse(bridge.exit.isDone(), "the bridge stays while its first connection is open");
    }
    assertEquals(0, bridge.exitCode(), bridge.out + "" + bridge.err);
    assertTrue(bridge.err.toString().contains("the gateway ended the viewer's connection 2 (1008): the password is not a valid ticket"),
        bridge.err.toString());
    assertPortClosed(port);
    assertFalse(Files.exists(vv), "the .vv file is removed with the bridge");
  }

  @Test
  void vncviewerModePrintsTheCommandWithAPasswordFileVncpasswdWouldWrite() throws Exception {
    Path tokenFile = tokenFile(plainGateway, "vnc.jwt");
    Run bridge = run("static/desk", "--gateway", "http://127.0.0.1:" + plainGateway.httpPort(),
        "--token-file", tokenFile.toString(), "--viewer", "vncviewer");
    int port = bridge.port();
    Matcher m = Pattern.compile("  vncviewer -passwd (\\S+) 127\\.0\\.0\\.1::" + port + "\n").matcher(bridge.out.toString());
    assertTrue(m.find(), bridge.out.toString());
    Path passwd = Path.of(m.group(1));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(passwd)));
    // the ticket's first 8 characters in vncpasswd's format: TigerVNC's own tool agrees
    Process p = new ProcessBuilder("vncpasswd", "-f").start();
    p.getOutputStream().write("Sample12345\n".getBytes());
    p.getOutputStream().close();
    byte[] expected = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    assertArrayEquals(expected, ViewerFiles.obfuscated("Sample12345"));
    assertEquals(8, Files.size(passwd));
    // the printed command, run as printed, on an Xvfb screen read back through x11vnc
    try (X11vncServer screen = X11vncServer.builder().geometry(800, 600).start()) {
      ProcessBuilder pb = new ProcessBuilder("xtigervncviewer", "-passwd", passwd.toString(), "127.0.0.1::" + port)
          .redirectErrorStream(true).redirectOutput(dir.resolve("xtigervncviewer.log").toFile());
      pb.environment().putAll(screen.env());
      Process viewer = pb.start();
      try (RfbTestClient screenReader = RfbTestClient.connect(screen.host(), screen.port())) {
        screenReader.handshakeNone();
        assertEquals(0xcc3311, screenReader.awaitColour(300, 300, 0xcc3311, Duration.ofSeconds(40)),
            Files.readString(dir.resolve("xtigervncviewer.log")));
      } finally {
        viewer.destroy();
        viewer.waitFor(10, TimeUnit.SECONDS);
      }
    }
    assertEquals(0, bridge.exitCode(), bridge.out + "" + bridge.err);
    assertPortClosed(port);
    assertFalse(Files.exists(passwd), "the password file is removed with the bridge");
  }

  @Test
  void sigtermEndsRemoteViewerAndClosesThePort() throws Exception {
    String token = plainGateway.token("alice", "static/*", Role.CONTROL);
    try (X11vncServer screen = X11vncServer.builder().geometry(800, 600).start()) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
          "bridge", "static/desk", "--gateway", "http://127.0.0.1:" + plainGateway.httpPort())
          .redirectErrorStream(true).redirectOutput(dir.resolve("bridge-sigterm.log").toFile());
      pb.environment().put("VNCGATE_TOKEN", token);
      pb.environment().put("DISPLAY", screen.displayName());
      pb.environment().put("NO_AT_BRIDGE", "1");
      Process bridge = pb.start();
      Pattern started = Pattern.compile("Started remote-viewer for static/desk on 127\\.0\\.0\\.1:(\\d+)");
      Matcher m = started.matcher("");
      for (int i = 0; i < 300 && !(m = started.matcher(Files.readString(dir.resolve("bridge-sigterm.log")))).find(); i++) {
        Thread.sleep(100);
      }
      String log = Files.readString(dir.resolve("bridge-sigterm.log"));
      assertTrue(m.find(0), log);
      int port = Integer.parseInt(m.group(1));
      ProcessHandle viewer = bridge.descendants().filter(h -> h.info().command().orElse("").contains("remote-viewer"))
          .findFirst().orElseThrow(() -> new AssertionError("no remote-viewer child: " + log));
      try (RfbTestClient screenReader = RfbTestClient.connect(screen.host(), screen.port())) {
        screenReader.handshakeNone();
        assertEquals(0xcc3311, screenReader.awaitColour(300, 300, 0xcc3311, Duration.ofSeconds(40)), "connected first");
      }
      bridge.destroy(); // SIGTERM
      assertTrue(bridge.waitFor(20, TimeUnit.SECONDS), "the bridge ends on SIGTERM");
      assertEquals(143, bridge.exitValue(), Files.readString(dir.resolve("bridge-sigterm.log")));
      assertTrue(viewer.onExit().get(10, TimeUnit.SECONDS) != null && !viewer.isAlive(), "remote-viewer ends with it");
      assertPortClosed(port);
      assertFalse(Files.readString(dir.resolve("bridge-sigterm.log")).contains(token), "the token is never printed");
    }
  }

  @Test
  void failuresAreSentencesWithExitCodes() throws Exception {
    Path tokenFile = tokenFile(tlsGateway, "tls.jwt");
    // a token the gateway did not sign
    Path forged = dir.resolve("forged.jwt");
    Files.writeString(forged, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl\n");
    Run bad = run("static/desk", "--gateway", https(tlsGateway), "--token-file", forged.toString(),
        "--ca-file", dir.resolve("tls/ca.pem").toString(), "--viewer", "none");
    assertEquals(BridgeCommand.REFUSED, bad.exitCode());
    assertTrue(bad.err.toString().matches("(?s)vncgate: the gateway refused the session for static/desk \\(HTTP 401\\): .+"
        + ": the token is invalid or expired; get a new one.*\n"), bad.err.toString());
    assertFalse(bad.err.toString().contains("Exception"), bad.err.toString());

    Run unknown = run("static/nope", "--gateway", https(tlsGateway), "--token-file", tokenFile.toString(),
        "--ca-file", dir.resolve("tls/ca.pem").toString(), "--viewer", "none");
    assertEquals(BridgeCommand.REFUSED, unknown.exitCode());
    assertTrue(unknown.err.toString().contains("the gateway refused the session for static/nope (HTTP 404)"), unknown.err.toString());

    Run untrusted = run("static/desk", "--gateway", https(tlsGateway), "--token-file", tokenFile.toString(), "--viewer", "none");
    assertEquals(BridgeCommand.UNREACHABLE, untrusted.exitCode());
    assertEquals("vncgate: the gateway's TLS certificate is not trusted: if a private CA signed it, give that CA's"
        + " certificate with --ca-file PEM\n", untrusted.err.toString());

    Run down = run("static/desk", "--gateway", "http://127.0.0.1:" + FreePorts.next(), "--token-file", tokenFile.toString(),
        "--viewer", "none");
    assertEquals(BridgeCommand.UNREACHABLE, down.exitCode());
    assertTrue(down.err.toString().startsWith("vncgate: no gateway answers at http://127.0.0.1:"), down.err.toString());

    Run noToken = run("static/desk", "--gateway", https(tlsGateway));
    assertEquals(2, noToken.exitCode());
    assertTrue(noToken.err.toString().contains("no token: give --token-file FILE or set VNCGATE_TOKEN"), noToken.err.toString());

    String token = plainGateway.token("alice", "static/*", Role.CONTROL);
    Run onCommandLine = run("static/nope", "--gateway", "http://127.0.0.1:" + plainGateway.httpPort(), "--token", token,
        "--viewer", "none");
    assertEquals(BridgeCommand.REFUSED, onCommandLine.exitCode());
    assertTrue(onCommandLine.err.toString().startsWith("vncgate: warning: --token is visible to other users in the process list"),
        onCommandLine.err.toString());
    assertFalse(onCommandLine.err.toString().contains(token));
  }
}
