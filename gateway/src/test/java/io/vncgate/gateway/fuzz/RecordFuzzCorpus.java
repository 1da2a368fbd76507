package io.vncgate.gateway.fuzz;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.HandshakeStep;
import io.vncgate.gateway.rfb.ServerInit;
import io.vncgate.gateway.rfb.UpstreamHandshake;
import io.vncgate.gateway.rfb.ViewerHandshake;
import io.vncgate.testbeds.LocalVncServer;
import io.vncgate.testbeds.PixelFormat;
import io.vncgate.testbeds.RfbRecorder;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.TigerVncViewer;
import io.vncgate.testbeds.X11vncServer;
import io.vncgate.testbeds.XvncServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Records real sessions through {@link RfbRecorder} and cuts the fuzz corpus from them (a tool, not
 * a test): TigerVNC's vncviewer and a noVNC-like client ({@link RfbTestClient} sending what noVNC
 * 1.7 sends) against Xvnc, x11vnc and QEMU. Each recording gives the four fuzz targets their seeds:
 * the viewer's handshake bytes, the server's, and what each sends after the handshake (first
 * {@link #LIMIT} bytes), behind the settings header each target reads.
 *
 * <p>Run: {@code java -cp <gateway test classpath> io.vncgate.gateway.fuzz.RecordFuzzCorpus
 * gateway/src/test/resources} (docs/security-testing.md).
 */
public final class RecordFuzzCorpus {

  static final int LIMIT = 8 * 1024;
  private static final String PASSWORD = "fuzzpw12";
  /** What noVNC 1.7 sends in SetEncodings (without H.264: Chromium here has no WebCodecs H.264). */
  private static final int[] NOVNC_ENCODINGS = {1, 7, -260, 16, 21, 5, 2, 6, 0, -32 + 6, -256 + 2,
      -223, -224, -258, -261, -308, -309, -312, -313, -307, 0xC0A1E5CE, -316, 0x574d5664, -239};

  private final Path resources;

  private RecordFuzzCorpus(Path resources) {
    this.resources = resources;
  }

  public static void main(String[] args) throws Exception {
    Path resources = Paths.get(args.length > 0 ? args[0] : "gateway/src/test/resources");
    RecordFuzzCorpus r = new RecordFuzzCorpus(resources);
    try (XvncServer screen = XvncServer.builder().geometry(1024, 768).start()) {
      try (XvncServer xvnc = XvncServer.builder().geometry(640, 400).start()) {
        r.tigerViewer("xvnc-tigervnc", xvnc, screen, null);
        r.noVncLike("xvnc-novnc", xvnc, null);
        r.noVncLike("xvnc-hextile", xvnc, null, withPseudo(5));
        r.noVncLike("xvnc-zrle", xvnc, null, withPseudo(16));
        r.noVncLike("xvnc-rre", xvnc, null, withPseudo(2));
        r.noVncLike("xvnc-raw", xvnc, null, withPseudo(0));
      }
      try (XvncServer xvnc = XvncServer.builder().geometry(640, 400).password(PASSWORD).blacklist(false).start()) {
        r.tigerViewer("xvnc-vncauth-tigervnc", xvnc, screen, PASSWORD);
        r.noVncLike("xvnc-vncauth-novnc", xvnc, PASSWORD);
      }
      try (X11vncServer x11vnc = X11vncServer.builder().geometry(640, 400).start()) {
        r.tigerViewer("x11vnc-tigervnc", x11vnc, screen, null);
        r.noVncLike("x11vnc-novnc", x11vnc, null);
        r.noVncLike("x11vnc-zlib", x11vnc, null, withPseudo(6));
        r.noVncLike("x11vnc-hextile", x11vnc, null, withPseudo(5));
      }
      Qemu qemu = Qemu.start();
      try {
        r.tigerViewer("qemu-tigervnc", qemu, screen, null);
        r.noVncLike("qemu-novnc", qemu, null);
      } finally {
        qemu.close();
      }
    }
  }

  /** The target to record against: host, port, and (for Xvnc/x11vnc) its display to act on. */
  private interface Target {
    String host();
    int port();
    default LocalVncServer display() { return null; }
  }

  private static Target of(LocalVncServer s) {
    return new Target() {
      public String host() { return s.host(); }
      public int port() { return s.port(); }
      public LocalVncServer display() { return s; }
    };
  }

  /** Text on the target's screen (xterm, when installed) so updates carry more than one colour. */
  private static void busy(Target t) {
    LocalVncServer d = t.display();
    if (d == null || !new java.io.File("/usr/bin/xterm").canExecute()) return;
    d.setRootColor("#336699");
    d.runOnDisplay("xterm", "-geometry", "80x20+10+10", "-e", "sh", "-c", "ls -lR /usr/share/X11 | head -400; sleep 30");
  }

  private void tigerViewer(String name, Object server, XvncServer screen, String password) throws Exception {
    Target t = server instanceof LocalVncServer l ? of(l) : (Target) server;
    busy(t);
    try (RfbRecorder rec = RfbRecorder.start(t.host(), t.port(), LIMIT);
         TigerVncViewer viewer = TigerVncViewer.start(screen, "127.0.0.1", rec.port(), password == null ? "unused" : password,
             "-SecurityTypes", password == null ? "None" : "VncAuth", "-AcceptClipboard=1", "-SendClipboard=1")) {
      Thread.sleep(2500);
      screen.xdotool("mousemove", "200", "200");
      screen.xdotool("click", "1");
      screen.xdotool("type", "--delay", "30", "hello fuzz");
      screen.setClipboard("from the viewer's side");
      if (t.display() != null) t.display().setClipboard("from the desktop");
      Thread.sleep(2000);
      save(name, rec);
    }
  }

  private void noVncLike(String name, Object server, String password) throws Exception {
    noVncLike(name, server, password, NOVNC_ENCODINGS);
  }

  /** The noVNC-like client asking for {@code encodings}: one recording per server encoding wanted. */
  private void noVncLike(String name, Object server, String password, int[] encodings) throws Exception {
    Target t = server instanceof LocalVncServer l ? of(l) : (Target) server;
    busy(t);
    try (RfbRecorder rec = RfbRecorder.start(t.host(), t.port(), LIMIT);
         RfbTestClient c = RfbTestClient.connect("127.0.0.1", rec.port())) {
      c.readTimeout(Duration.ofSeconds(10));
      if (password == null) c.handshakeNone(); else c.handshakeVncAuth(password);
      c.sendSetPixelFormat(PixelFormat.RGB888_LE);
      c.sendSetEncodings(encodings);
      c.sendFramebufferUpdateRequest(false, 0, 0, 640, 400);
      // noVNC's extended clipboard caps answer, a fence answer and continuous updates
      c.send(hex("06000000fffffff8" + "1f000001" + "00a00000"));
      c.send(hex("f8000000" + "00000003" + "00"));
      c.send(hex("96" + "01" + "0000" + "0000" + "0280" + "0190"));
      for (int i = 0; i < 20; i++) {
        c.sendPointerEvent(i % 3 == 0 ? 1 : 0, 10 + 7 * i, 20 + 5 * i);
      }
      c.send(hex("ff00" + "0001" + "00000061" + "0000001e")); // QEMU extended key event 'a'
      c.send(hex("ff00" + "0000" + "00000061" + "0000001e"));
      c.sendKeyEvent(true, 'b');
      c.sendKeyEvent(false, 'b');
      c.sendClientCutText("noVNC clipboard text");
      c.sendFramebufferUpdateRequest(true, 0, 0, 640, 400);
      if (t.display() != null) t.display().setClipboard("from the desktop to noVNC");
      Thread.sleep(2500);
      save(name, rec);
    }
  }

  /** One real encoding plus noVNC's pseudo-encodings (cursor, desktop size, LastRect...). */
  private static int[] withPseudo(int encoding) {
    int[] e = NOVNC_ENCODINGS.clone();
    e[0] = encoding;
    for (int i = 1; i < e.length; i++) {
      if (e[i] >= 0 && e[i] < 100) e[i] = encoding; // the other real encodings give way to it
    }
    return e;
  }

  private void save(String name, RfbRecorder rec) throws IOException {
    byte[] c2s = rec.viewerToServer();
    byte[] s2c = rec.serverToViewer();
    int serverHandshake = serverHandshakeLength(s2c);
    int viewerHandshake = viewerHandshakeLength(c2s);
    System.out.printf("%s: viewer sent %d bytes (handshake %d), server sent %d bytes (handshake %d)%n",
        name, c2s.length, viewerHandshake, s2c.length, serverHandshake);
    if (serverHandshake < 0 || viewerHandshake < 0) {
      System.out.println("  handshake not understood: not used");
      return;
    }
    byte[] viewerAfter = Arrays.copyOfRange(c2s, viewerHandshake, c2s.length);
    byte[] serverAfter = Arrays.copyOfRange(s2c, serverHandshake, s2c.length);
    // client framer: controller with the clipboard, then an observer (settings bit 0 and 1), no switch
    write(ClientFramerFuzzTest.class, "forwardsExactlyTheMessagesXvncReads", name + "-controller",
        concat(new byte[] {0x1C, 0, (byte) 0xFF, (byte) 0xFF}, viewerAfter));
    write(ClientFramerFuzzTest.class, "forwardsExactlyTheMessagesXvncReads", name + "-observer",
        concat(new byte[] {0x1F, 42, (byte) 0xFF, (byte) 0xFF}, viewerAfter));
    write(ServerFramerFuzzTest.class, "forwardsExactlyTheMessagesNoVncReads", name + "-clipboard",
        concat(new byte[] {0x07, 0}, serverAfter));
    write(ServerFramerFuzzTest.class, "forwardsExactlyTheMessagesNoVncReads", name + "-no-clipboard",
        concat(new byte[] {0x00, 42}, serverAfter));
    boolean vncAuth = viewerHandshake > 14;
    write(UpstreamHandshakeFuzzTest.class, "endsOrFailsWithoutLeakingThePassword", name,
        concat(new byte[] {(byte) (vncAuth ? 1 : 0), 42}, Arrays.copyOf(s2c, Math.min(s2c.length, serverHandshake + 64))));
    write(ViewerHandshakeFuzzTest.class, "endsOrFailsWithoutEchoingTheTicketProof", name,
        concat(new byte[] {(byte) (vncAuth ? 3 : 2), 42}, Arrays.copyOf(c2s, Math.min(c2s.length, viewerHandshake + 64))));
  }

  private void write(Class<?> test, String method, String name, byte[] bytes) throws IOException {
    Path dir = resources.resolve(test.getPackageName().replace('.', '/')).resolve(test.getSimpleName() + "Inputs").resolve(method);
    Files.createDirectories(dir);
    Files.write(dir.resolve("recorded-" + name), bytes);
  }

  /** Length of the server's handshake up to the end of ServerInit, as the gateway reads it. */
  private static int serverHandshakeLength(byte[] s2c) {
    HandshakeStep step = new UpstreamHandshake(PASSWORD.getBytes(StandardCharsets.US_ASCII)).onData(Buffer.buffer(s2c));
    return step instanceof HandshakeStep.Ready r ? s2c.length - r.leftover().length() : -1;
  }

  /** Length of the viewer's handshake up to ClientInit, as the gateway reads it. */
  private static int viewerHandshakeLength(byte[] c2s) {
    for (ViewerHandshake.Security security : ViewerHandshake.Security.values()) {
      ViewerHandshake h = new ViewerHandshake(security);
      HandshakeStep step = h.onData(Buffer.buffer(c2s));
      if (step instanceof HandshakeStep.AwaitAdmission) {
        step = h.admit(new ServerInit(640, 400, ServerFramerFuzzTest.NOVNC_FORMAT, "x"));
      }
      if (step instanceof HandshakeStep.Ready r) return c2s.length - r.leftover().length();
    }
    return -1;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  private static byte[] hex(String s) {
    return java.util.HexFormat.of().parseHex(s);
  }

  /** QEMU with nothing to boot: SeaBIOS's screen over VNC on 127.0.0.1 (docs test-infra). */
  private static final class Qemu implements Target, AutoCloseable {
    private final Process process;
    private final int display;

    private Qemu(Process process, int display) {
      this.process = process;
      this.display = display;
    }

    static Qemu start() throws Exception {
      int display = 40 + (int) (ProcessHandle.current().pid() % 50);
      List<String> command = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg", "-display", "none",
          "-nodefaults", "-vga", "std", "-m", "64", "-boot", "reboot-timeout=-1", "-vnc", "127.0.0.1:" + display));
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      Qemu q = new Qemu(p, display);
      for (int i = 0; i < 100; i++) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", q.port())) {
          Thread.sleep(1500); // let SeaBIOS draw
          return q;
        } catch (IOException e) {
          Thread.sleep(100);
        }
      }
      q.close();
      throw new IOException("QEMU's VNC did not answer on port " + q.port());
    }

    public String host() { return "127.0.0.1"; }
    public int port() { return 5900 + display; }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
    }
  }
}
