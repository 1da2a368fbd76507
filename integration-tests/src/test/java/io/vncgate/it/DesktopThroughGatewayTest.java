package io.vncgate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.Framebuffer;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.TigerVncViewer;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The desktop plugin zip in the real gateway: each user's desktop is a real TigerVNC Xvnc it
 * launches on a 0600 unix socket with openbox and an xterm; keys typed through the gateway run a
 * command in that xterm; a reconnect reuses the same Xvnc, an idle one stops, the cap and another
 * user's desktop are refused in words, and no TCP port is ever opened for it.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DesktopThroughGatewayTest {
  private static final Duration IDLE_STOP = Duration.ofSeconds(3);
  private static final int ENTER = 0xff0d;

  @TempDir
  static Path dir;
  static Path state;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    XvncServer.require();
    PluginZips.install(PluginZips.desktop(), dir.resolve("plugins"));
    state = dir.resolve("desktops");
    gw = GatewayHarness.in(dir).handshakeTimeout("30s").yaml("""
        providers:
          desktop:
            state-dir: desktops
            geometry: 800x600
            idle-stop: %ds
            max-desktops: 2
            admins: [helpdesk]
        """.formatted(IDLE_STOP.toSeconds())).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    // stopping the gateway stopped its desktops
    if (state != null) awaitNoXvnc();
  }

  @Test
  void aCommandTypedThroughTheGatewayRunsInTheUsersXterm() throws Exception {
    awaitAtMostRunning(1);
    try (WebSocketTcpBridge bridge = gw.bridge(ticket("alice", "desktop/alice"));
         RfbTestClient viewer = RfbTestClient.connect(bridge.host(), bridge.port())) {
      ServerInitInfo init = viewer.handshakeNone();
      assertEquals(800, init.width());
      assertEquals(600, init.height());
      assertEquals("alice's desktop", init.name());
      awaitXterm(viewer);
      type(viewer, "echo typed-through-vncgate > $HOME/out.txt");
      Path out = state.resolve("homes/alice/out.txt");
      awaitFile(out, "typed-through-vncgate\n");
    }
  }

  @Test
  void aReconnectReusesTheSameXvncAndAnIdleOneStops() throws Exception {
    awaitAtMostRunning(1);
    long first;
    try (Opened viewer = open("bob", "desktop/bob")) {
      first = xvncPid("bob");
      assertEquals("running", label("bob", "desktop/bob", "state"));
    }
    Thread.sleep(IDLE_STOP.toMillis() / 3); // within idle-stop: still running
    try (Opened viewer = open("bob", "desktop/bob")) {
      assertEquals(first, xvncPid("bob"), "the reconnect found the same Xvnc");
    }
    // nobody watches: stopped after idle-stop, its socket gone
    long deadline = System.nanoTime() + IDLE_STOP.plusSeconds(10).toNanos();
    while (ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) Thread.sleep(100);
    assertFalse(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false), "the idle Xvnc was stopped");
    assertEquals("stopped", label("bob", "desktop/bob", "state"));
    try (Stream<Path> sockets = Files.list(state.resolve("run"))) {
      assertEquals(List.of(), sockets.toList(), "no socket left behind");
    }
    try (Opened viewer = open("bob", "desktop/bob")) {
      assertNotEquals(first, xvncPid("bob"), "the next open started a fresh Xvnc");
    }
  }

  @Test
  void theSocketIsPrivateAndNoTcpPortIsListening() throws Exception {
    awaitAtMostRunning(1);
    try (Opened viewer = open("carol", "desktop/carol")) {
      long pid = xvncPid("carol");
      List<String> args = List.of(ProcessHandle.of(pid).orElseThrow().info().arguments().orElseThrow());
      Path socket = Path.of(args.get(args.indexOf("-rfbunixpath") + 1));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("homes/carol"))));
      Set<String> inodes = socketInodes(pid);
      assertFalse(inodes.isEmpty(), "Xvnc holds sockets (its unix socket at least)");
      for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        for (String line : Files.readAllLines(Path.of(table)).subList(1, Files.readAllLines(Path.of(table)).size())) {
          String[] f = line.trim().split("\\s+");
          boolean listening = f[3].equals("0A");
          assertFalse(listening && inodes.contains(f[9]), "Xvnc listens on TCP: " + table + ": " + line);
        }
      }
      boolean unixListener = false;
      for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 8 && f[7].equals(socket.toString()) && inodes.contains(f[6])) unixListener = true;
      }
      assertTrue(unixListener, "Xvnc listens on " + socket);
    }
  }

  @Test
  void anotherUserCannotOpenSomeoneElsesDesktopButTheAdminCan() throws Exception {
    awaitAtMostRunning(1);
    try (Opened alice = open("alice", "desktop/alice")) {
      // mallory's token grants desktop/* but the provider lists only her own desktop to her
      HttpResponse<String> r = gw.post("/api/v1/sessions", gw.token("mallory", "desktop/*", Role.CONTROL),
          new JsonObject().put("target", "desktop/alice").put("role", "control").encode());
      assertEquals(404, r.statusCode(), r.body());
      assertTrue(r.body().contains("no target desktop/alice"), r.body());
      assertTrue(gw.get("/api/v1/targets", gw.token("mallory", "desktop/*", Role.CONTROL)).body()
          .contains("\"desktop/mallory\""));
      assertFalse(gw.get("/api/v1/targets", gw.token("mallory", "desktop/*", Role.CONTROL)).body()
          .contains("\"desktop/alice\""));
      // the provider's admin sees and opens the running desktop of alice
      try (Opened helpdesk = open("helpdesk", "desktop/alice")) {
        assertEquals("alice's desktop", helpdesk.client().serverInit().name());
      }
    }
  }

  @Test
  void pastMaxDesktopsTheRefusalSaysSoInWords() throws Exception {
    awaitAtMostRunning(0);
    try (Opened one = open("dave", "desktop/dave");
         Opened two = open("erin", "desktop/erin");
         WebSocketTcpBridge bridge = gw.bridge(ticket("frank", "desktop/frank"));
         RfbTestClient third = RfbTestClient.connect(bridge.host(), bridge.port())) {
      RfbRefused refused = assertThrows(RfbRefused.class, third::handshakeNone);
      assertEquals("target desktop/frank unavailable: this gateway runs its limit of 2 desktops; close one or ask the"
          + " admin to raise providers.desktop.max-desktops", refused.reason());
    }
  }

  @Test
  void aViewerWhoseDesktopSessionEndsIsToldSo() throws Exception {
    awaitAtMostRunning(1);
    try (Opened viewer = open("heidi", "desktop/heidi")) {
      long xvnc = xvncPid("heidi");
      ProcessHandle session = sessionOf("heidi", xvnc);
      session.destroy(); // the user's session ends (as a logout does): the provider stops the desktop
      var close = viewer.bridge().awaitClose(1, Duration.ofSeconds(20));
      assertEquals(1000, close.code(), close.toString());
      assertTrue(close.reason().matches("the VNC server closed the connection: the desktop's session ended"
          + " \\(exit code \\d+\\); open it again for a fresh one"), close.reason());
    }
  }

  /** The session process the gateway started beside {@code user}'s Xvnc (a child of this JVM, in that user's home). */
  private static ProcessHandle sessionOf(String user, long xvnc) throws Exception {
    String home = "HOME=" + state.resolve("homes").resolve(user).toAbsolutePath();
    List<ProcessHandle> found = new ArrayList<>();
    for (ProcessHandle child : ProcessHandle.current().children().toList()) {
      if (child.pid() == xvnc) continue;
      Path environ = Path.of("/proc/" + child.pid() + "/environ");
      if (!Files.isReadable(environ)) continue;
      List<String> env = List.of(new String(Files.readAllBytes(environ), StandardCharsets.UTF_8).split("\0"));
      if (env.contains(home)) found.add(child);
    }
    assertEquals(1, found.size(), "one session for " + user + ": " + found);
    return found.get(0);
  }

  @Test
  void tigervncViewerOnTheTcpFrontTypesIntoTheXterm() throws Exception {
    TigerVncViewer.require();
    awaitAtMostRunning(1);
    try (XvncServer screen = XvncServer.builder().geometry(1024, 768).start();
         TigerVncViewer viewer = TigerVncViewer.start(screen, "127.0.0.1", gw.tcpPort(), ticket("grace", "desktop/grace"))) {
      viewer.awaitLog("Enabling continuous updates", Duration.ofSeconds(30));
      // the desktop shows its xterm: watched by a view-only viewer (a second controller would take the control)
      try (Opened watcher = open("grace", "desktop/grace", "view")) {
        awaitXterm(watcher.client());
        // no window manager on the viewer's screen: its window gets the keyboard focus by hand
        String window = screen.xdotool("search", "--name", "TigerVNC").strip().split("\\s+")[0];
        screen.xdotool("windowfocus", window);
        screen.xdotool("mousemove", "400", "300"); // over the desktop's xterm, as a user's pointer would be
        screen.xdotool("type", "--delay", "40", "echo typed-in-tigervnc > $HOME/tiger.txt");
        screen.xdotool("key", "Return");
        awaitFile(state.resolve("homes/grace/tiger.txt"), "typed-in-tigervnc\n");
        assertTrue(viewer.isAlive(), viewer.log());
      }
    }
  }

  // ----- helpers -----

  private static String ticket(String user, String target) throws Exception {
    return ticket(user, target, "control");
  }

  private static String ticket(String user, String target, String role) throws Exception {
    return gw.session(gw.token(user, target, Role.CONTROL), target, role).getString("ticket");
  }

  /** A browser-front viewer of {@code target} as {@code user}, past its handshake. */
  private static Opened open(String user, String target) throws Exception {
    return open(user, target, "control");
  }

  private static Opened open(String user, String target, String role) throws Exception {
    WebSocketTcpBridge bridge = gw.bridge(ticket(user, target, role));
    RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port());
    try {
      client.handshakeNone();
    } catch (Exception e) {
      client.close();
      bridge.close();
      throw e;
    }
    return new Opened(client, bridge);
  }

  /** A viewer and its bridge into the WebSocket front, closed together. */
  private record Opened(RfbTestClient client, WebSocketTcpBridge bridge) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      try {
        client.close();
      } finally {
        bridge.close();
      }
    }
  }

  private static String label(String user, String target, String name) throws Exception {
    var targets = new JsonObject(gw.get("/api/v1/targets", gw.token(user, target, Role.CONTROL)).body()).getJsonArray("targets");
    for (int i = 0; i < targets.size(); i++) {
      JsonObject t = targets.getJsonObject(i);
      if (t.getString("id").equals(target)) return t.getJsonObject("labels").getString(name);
    }
    throw new AssertionError(target + " not listed: " + targets);
  }

  /** Waits until the framebuffer shows the xterm (its white background over 100 sampled points). */
  private static void awaitXterm(RfbTestClient viewer) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      viewer.sendFramebufferUpdateRequest(false, 0, 0, 800, 600);
      Framebuffer fb = viewer.readFramebufferUpdateRaw();
      int white = 0;
      for (int y = 0; y < fb.height(); y += 10) {
        for (int x = 0; x < fb.width(); x += 10) if (fb.rgb(x, y) == 0xffffff) white++;
      }
      if (white > 100) {
        Thread.sleep(500); // the shell prompt in it
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no xterm appeared on the desktop within 30 s");
  }

  /** Types {@code text} as key presses (printable ASCII keysyms are their code points), then Enter. */
  private static void type(RfbTestClient viewer, String text) throws Exception {
    for (char c : text.toCharArray()) {
      viewer.sendKeyEvent(true, c);
      viewer.sendKeyEvent(false, c);
    }
    viewer.sendKeyEvent(true, ENTER);
    viewer.sendKeyEvent(false, ENTER);
  }

  private static void awaitFile(Path file, String content) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(content)) return;
      Thread.sleep(100);
    }
    throw new AssertionError(file + " did not get \"" + content.strip() + "\": "
        + (Files.exists(file) ? Files.readString(file) : "no such file"));
  }

  /** The pids of the Xvnc processes this gateway launched (their socket is under its state folder). */
  private static List<Long> xvncPids() {
    String run = state.resolve("run").toString();
    List<Long> out = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(p -> {
      String[] args = p.info().arguments().orElse(new String[0]);
      // Debian's Xvnc is Xtigervnc behind an alternatives link: matched by its socket argument
      if (List.of(args).contains("-rfbunixpath") && List.of(args).stream().anyMatch(a -> a.startsWith(run))) {
        out.add(p.pid());
      }
    });
    return out;
  }

  /** The pid of the Xvnc of {@code user}'s desktop ({@code -desktop "<user>'s desktop"}). */
  private static long xvncPid(String user) {
    List<Long> pids = new ArrayList<>();
    for (long pid : xvncPids()) {
      List<String> args = List.of(ProcessHandle.of(pid).orElseThrow().info().arguments().orElse(new String[0]));
      int i = args.indexOf("-desktop");
      if (i >= 0 && args.get(i + 1).equals(user + "'s desktop")) pids.add(pid);
    }
    assertEquals(1, pids.size(), "one Xvnc for " + user + ": " + pids);
    return pids.get(0);
  }

  /** Waits (idle-stop plus a margin) until at most {@code n} desktops of earlier tests still run. */
  private static void awaitAtMostRunning(int n) throws InterruptedException {
    long deadline = System.nanoTime() + IDLE_STOP.plusSeconds(10).toNanos();
    while (xvncPids().size() > n && System.nanoTime() < deadline) Thread.sleep(100);
    assertTrue(xvncPids().size() <= n, "desktops of earlier tests still run: " + xvncPids());
  }

  private static void awaitNoXvnc() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!xvncPids().isEmpty() && System.nanoTime() < deadline) Thread.sleep(100);
    assertEquals(List.of(), xvncPids(), "stopping the gateway stops its desktops");
  }

  private static Set<String> socketInodes(long pid) throws Exception {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String link = Files.readSymbolicLink(fd).toString();
          if (link.startsWith("socket:[")) inodes.add(link.substring(8, link.length() - 1));
        } catch (java.io.IOException gone) {
          // closed meanwhile
        }
      }
    }
    return inodes;
  }
}
