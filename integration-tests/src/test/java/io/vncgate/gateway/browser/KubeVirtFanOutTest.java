package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.Framebuffer;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.TigerVncViewer;
import io.vncgate.testbeds.XvncServer;
import io.vncgate.testbeds.kubevirt.KubeRbac;
import io.vncgate.testbeds.kubevirt.KubeVirtTestbed;
import io.vncgate.testbeds.kubevirt.KubeVmi;
import io.vncgate.testbeds.qemu.QemuVncServer;
import io.vncgate.testbeds.qemu.SeaBiosScreen;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WindowType;

/**
 * Issue 16's KubeVirt fan-out, end to end: the gateway with the kubevirt plugin zip (whose provider
 * says fan-out; no {@code sessions.sharing} here) → the KubeVirt testbed (kube API over HTTPS, the
 * vnc subresource, KubeVirt's one-session rule: a second upgrade kicks the first) → a real QEMU.
 * Five noVNC pages in one Chromium (one window each) and TigerVNC's viewer on the TCP front watch
 * one VMI at once:
 *
 * <ul>
 *   <li>every canvas, and TigerVNC's window read back from its own X screen, shows the guest: the
 *       same lit pixels as QEMU's own screendump;
 *   <li>the testbed counts ONE vnc upgrade for the VMI, and QEMU itself ({@code query-vnc}) one
 *       client;
 *   <li>keys: the guest's BIOS keyboard buffer (read through QEMU's monitor) gets exactly the
 *       controller's keys, typed into its page; the observers' keys (typed into their pages, and
 *       into TigerVNC's window, which is not view-only and sends them) never arrive;
 *   <li>a late viewer's first update is the whole screen (time printed);
 *   <li>when the last viewer leaves, the upstream stays for {@code sessions.fan-out-grace} and then
 *       the testbed sees it closed.
 * </ul>
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class KubeVirtFanOutTest {
  private static final String TOKEN = "tok-gateway-fanout-93ac";
  private static final String VMI = "kubevirt/lab/web";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int PAGES = 5;
  private static final int GRACE_SECONDS = 3;
  /** SeaBIOS's text cursor, an underline of 9×2 pixels, blinking. */
  private static final int TEXT_CURSOR = 18;
  /** The rows of SeaBIOS's screen its text is in (its few lines at the top). */
  private static final int TEXT_ROWS = 150;

  @TempDir
  static Path dir;
  static QemuVncServer qemu;
  static KubeVirtTestbed kube;
  static GatewayHarness gw;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.require();
    QemuVncServer.require();
    TigerVncViewer.require();
    qemu = QemuVncServer.builder().password(false).start();
    kube = KubeVirtTestbed.builder()
        .vmi(KubeVmi.running("lab", "web", qemu))
        .serviceAccount("vncgate", "gateway", TOKEN, KubeRbac.vncgate())
        .start();
    Files.writeString(dir.resolve("kubeconfig"), kube.kubeconfigWithToken(TOKEN));
    Path zip = Path.of(System.getProperty("vncgate.it.zip.kubevirt", "missing.zip"));
    Files.createDirectories(dir.resolve("plugins"));
    Files.copy(zip, dir.resolve("plugins").resolve(zip.getFileName()));
    gw = GatewayHarness.in(dir).handshakeTimeout("20s").webUi().yaml("""
        providers:
          kubevirt:
            kubeconfig: kubeconfig
        sessions:
          fan-out-grace: %ds
        """.formatted(GRACE_SECONDS)).start();
    browser = new Browser(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
    if (kube != null) kube.close();
    if (qemu != null) qemu.close();
  }

  @Test
  void fiveBrowsersAndTigerVncShareOneUpstreamAndOnlyTheControllersKeysReachTheGuest() throws Exception {
    int lit = screendumpLitPixels();
    assertTrue(lit > 500, "QEMU draws SeaBIOS's text: " + lit + " lit pixels in its screendump");

    // five pages: the first with a control token (it becomes the controller), four view-only observers
    List<String> pages = new ArrayList<>();
    for (int i = 0; i < PAGES; i++) {
      if (i > 0) browser.driver.switchTo().newWindow(WindowType.WINDOW);
      pages.add(browser.driver.getWindowHandle());
      long opened = System.nanoTime();
      browser.driver.get(i == 0
          ? gw.viewerUrl(gw.token("alice", Role.CONTROL), VMI, false)
          : gw.viewerUrl(gw.token("observer" + i, Role.VIEW), VMI, true));
      browser.awaitConnected(WAIT);
      browser.await(WAIT, "SeaBIOS's text on page " + i, d -> showsGuest(canvasLitPixels(), lit));
      System.out.printf("page %d: loaded, connected and showing the guest in %d ms%n", i,
          (System.nanoTime() - opened) / 1_000_000);
    }
    browser.driver.switchTo().window(pages.get(0));
    browser.await(WAIT, "the first page is the controller", d -> "control".equals(pageRole()));

    try (XvncServer screen = XvncServer.builder().geometry(1024, 768).start()) {
      screen.setRootColor("black");
      String viewTicket = gw.session(gw.token("tiger", Role.VIEW), VMI, "view").getString("ticket");
      try (TigerVncViewer tiger = TigerVncViewer.start(screen, "127.0.0.1", gw.tcpPort(), viewTicket)) {
        tiger.awaitLog("CConnection: initialisation done", WAIT);
        screen.movePointer(1000, 700); // the X pointer off the viewer's window, so it is not in the picture
        // SeaBIOS's lines are in the window's top rows; TigerVNC's "Press F8" notice is in its middle
        int band = screendumpLitPixels(TEXT_ROWS);
        assertTrue(band > 500, "SeaBIOS's text is in the top " + TEXT_ROWS + " rows: " + band + " lit pixels there");
        int inWindow = awaitLitOnScreen(screen, band);
        assertTrue(showsGuest(inWindow, band), "TigerVNC's window shows the guest: " + inWindow
            + " lit pixels in its top rows, QEMU's screendump " + band + "\n" + tiger.log());

        // every page still shows the guest, and none was kicked by a second vnc connection
        for (String page : pages) {
          browser.driver.switchTo().window(page);
          assertArrayEquals(new int[] {SeaBiosScreen.WIDTH, SeaBiosScreen.HEIGHT}, browser.canvasSize());
          int seen = canvasLitPixels();
          assertTrue(showsGuest(seen, lit), "page " + pages.indexOf(page) + ": " + seen + " lit pixels, QEMU's screendump "
              + lit + "; status: " + browser.statusText());
          assertEquals("connected", browser.js("return document.getElementById('status').dataset.state"),
              "page " + pages.indexOf(page) + " was not kicked: " + browser.statusText());
        }
        assertEquals(1, kube.vncConnections("lab", "web"), "six viewers, one vnc upgrade to the VMI");
        assertTrue(kube.vncOpen("lab", "web"));
        assertEquals(1, qemu.vncClients(), "QEMU sees one VNC client: " + qemu.queryVnc().encode());
        assertTrue(tiger.isAlive(), tiger.log());

        // the observers type: four pages (noVNC view-only), and TigerVNC's window, which sends them
        List<Integer> before = qemu.biosKeyboardBuffer();
        for (int i = 1; i < PAGES; i++) {
          browser.driver.switchTo().window(pages.get(i));
          browser.driver.findElement(By.cssSelector("#screen canvas")).sendKeys("o");
        }
        double dropped = droppedByRole();
        // TigerVNC's window gets the X input focus (no window manager here to give it), then X's keys
        String window = screen.xdotool("search", "--onlyvisible", "--name", "TigerVNC").trim().split("\\s+")[0];
        screen.xdotool("windowfocus", "--sync", window);
        screen.xdotool("key", "x", "y", "z");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (droppedByRole() < dropped + 6 && System.nanoTime() < deadline) Thread.sleep(100);
        assertTrue(droppedByRole() >= dropped + 6, "TigerVNC's three key presses and releases reached the gateway"
            + " and were dropped for the observer's role: " + droppedByRole() + " after " + dropped + "\n" + tiger.log());
        Thread.sleep(500);
        assertEquals(hex(before), hex(qemu.biosKeyboardBuffer()), "no observer's key reached the guest");

        // the controller types into its page
        browser.driver.switchTo().window(pages.get(0));
        browser.driver.findElement(By.cssSelector("#screen canvas")).sendKeys("kv");
        List<Integer> expected = new ArrayList<>(before);
        expected.addAll(List.of(0x256b, 0x2f76)); // k and v as SeaBIOS stores them: scancode << 8 | ASCII
        deadline = System.nanoTime() + WAIT.toNanos();
        List<Integer> after = qemu.biosKeyboardBuffer();
        while (!after.equals(expected) && System.nanoTime() < deadline) {
          Thread.sleep(100);
          after = qemu.biosKeyboardBuffer();
        }
        assertEquals(hex(expected), hex(after), "exactly the controller's keys, in order, in the guest's keyboard buffer");

        // a late viewer: its first update is the whole screen, from the gateway's copy
        long joined = System.nanoTime();
        try (RfbTestClient late = RfbTestClient.connect("127.0.0.1", gw.tcpPort()).readTimeout(WAIT)) {
          late.handshakeVncAuth(gw.session(gw.token("late", Role.VIEW), VMI, "view").getString("ticket"));
          Framebuffer first = late.readFramebufferUpdateRaw();
          long ms = (System.nanoTime() - joined) / 1_000_000;
          for (int y = 0; y < SeaBiosScreen.HEIGHT; y += 5) {
            for (int x = 0; x < SeaBiosScreen.WIDTH; x += 5) {
              assertTrue(first.covered(x, y), "the late viewer's first update covers the screen; not (" + x + "," + y + ")");
            }
          }
          assertTrue(showsGuest(lit(first), lit), "the late viewer's first update is the guest's screen: " + lit(first)
              + " lit pixels, QEMU's screendump " + lit);
          System.out.println("late viewer: ticket, handshake and the whole screen in " + ms + " ms");
          assertEquals(1, kube.vncConnections("lab", "web"), "the late viewer joined the one upstream");
        }
        assertTrue(tiger.isAlive(), tiger.log());
        assertFalse(tiger.log().contains("End of stream"), tiger.log());
      }
    }

    // everyone leaves; the upstream stays for the grace, then the VMI's connection is closed
    for (String page : pages) {
      browser.driver.switchTo().window(page);
      browser.driver.get("about:blank");
    }
    long left = System.nanoTime();
    Thread.sleep(1000);
    assertTrue(kube.vncOpen("lab", "web"), "within the " + GRACE_SECONDS + " s grace the upstream is kept");
    long deadline = System.nanoTime() + Duration.ofSeconds(GRACE_SECONDS + 15).toNanos();
    while (kube.vncOpen("lab", "web") && System.nanoTime() < deadline) Thread.sleep(100);
    assertFalse(kube.vncOpen("lab", "web"), "after the grace the gateway closed the VMI's vnc connection");
    System.out.printf("last viewer gone: the VMI's vnc connection closed %d ms later (grace %d s)%n",
        (System.nanoTime() - left) / 1_000_000, GRACE_SECONDS);
    assertEquals(1, kube.vncConnections("lab", "web"), "one upstream for the whole test");
    deadline = System.nanoTime() + WAIT.toNanos();
    while (qemu.vncClients() > 0 && System.nanoTime() < deadline) Thread.sleep(100);
    assertEquals(0, qemu.vncClients(), "QEMU's client is gone too");
  }

  /** The role the page shows for itself ("control" or "view"), read from its badge. */
  private static String pageRole() {
    return (String) browser.js("const b = document.getElementById('role-badge'); return b.hidden ? '' : b.dataset.role;");
  }

  /** Non-black pixels of the canvas (r+g+b > 30; SeaBIOS draws grey text on black). */
  private static int canvasLitPixels() {
    return ((Number) browser.js("const c = document.querySelector('#screen canvas');"
        + "if (!c || !c.width) return -1;"
        + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        + "let n = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] + d[i + 1] + d[i + 2] > 30) n++; }"
        + "return n;")).intValue();
  }

  /** Non-black pixels of QEMU's own picture of the guest's screen (QMP screendump, a PPM). */
  private static int screendumpLitPixels() throws Exception {
    return screendumpLitPixels(SeaBiosScreen.HEIGHT);
  }

  /** The same, in the rows above {@code rows}. */
  private static int screendumpLitPixels(int rows) throws Exception {
    Path file = dir.resolve("screen.ppm");
    qemu.qmp().execute("screendump", new JsonObject().put("filename", file.toString()));
    byte[] ppm = Files.readAllBytes(file);
    // "P6\n720 400\n255\n", then RGB
    int at = 0;
    for (int fields = 0; fields < 4; at++) {
      if (Character.isWhitespace(ppm[at]) && !Character.isWhitespace(ppm[at - 1])) fields++;
    }
    String header = new String(ppm, 0, at, StandardCharsets.US_ASCII).trim();
    assertEquals("P6 " + SeaBiosScreen.WIDTH + " " + SeaBiosScreen.HEIGHT + " 255", header.replaceAll("\\s+", " "));
    int n = 0;
    for (int i = at; i + 2 < ppm.length && (i - at) / 3 / SeaBiosScreen.WIDTH < rows; i += 3) {
      if ((ppm[i] & 0xFF) + (ppm[i + 1] & 0xFF) + (ppm[i + 2] & 0xFF) > 30) n++;
    }
    return n;
  }

  /** Lit pixels of the viewer's X screen (its window, nothing else lit), read until they show the guest. */
  private static int awaitLitOnScreen(XvncServer screen, int lit) throws Exception {
    try (RfbTestClient shot = RfbTestClient.connect(screen.host(), screen.port()).readTimeout(WAIT)) {
      if (screen.password().isPresent()) {
        shot.handshakeVncAuth(screen.password().get());
      } else {
        shot.handshakeNone();
      }
      long deadline = System.nanoTime() + WAIT.toNanos();
      int seen;
      Framebuffer last = null;
      do {
        Framebuffer fb = shot.readFramebufferUpdateRaw();
        seen = lit(fb, TEXT_ROWS);
        last = fb;
        if (!showsGuest(seen, lit)) Thread.sleep(200);
      } while (!showsGuest(seen, lit) && System.nanoTime() < deadline);
      if (!showsGuest(seen, lit)) writePpm(last, Path.of("target", "kubevirt-fanout-tigervnc-screen.ppm"));
      return seen;
    }
  }

  /** Non-black pixels of a framebuffer read over RFB, counted as for the canvas and the screendump. */
  private static int lit(Framebuffer fb) {
    return lit(fb, fb.height());
  }

  private static int lit(Framebuffer fb, int rows) {
    int n = 0;
    for (int y = 0; y < Math.min(rows, fb.height()); y++) {
      for (int x = 0; x < fb.width(); x++) {
        int rgb = fb.rgb(x, y);
        if (fb.covered(x, y) && (rgb >> 16 & 0xFF) + (rgb >> 8 & 0xFF) + (rgb & 0xFF) > 30) n++;
      }
    }
    return n;
  }

  /**
   * Whether a picture with {@code seen} lit pixels is the guest's screen of {@code lit}: the same
   * text, give or take SeaBIOS's blinking text cursor (9×2 pixels), which is on in one picture and
   * off in the other.
   */
  private static boolean showsGuest(int seen, int lit) {
    return Math.abs(seen - lit) <= TEXT_CURSOR;
  }

  /** A picture for the failure's reader (PPM, any image viewer opens it). */
  private static void writePpm(Framebuffer fb, Path file) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(("P6\n" + fb.width() + " " + fb.height() + "\n255\n").getBytes(StandardCharsets.US_ASCII));
    for (int y = 0; y < fb.height(); y++) {
      for (int x = 0; x < fb.width(); x++) {
        int rgb = fb.rgb(x, y);
        out.write(rgb >> 16 & 0xFF);
        out.write(rgb >> 8 & 0xFF);
        out.write(rgb & 0xFF);
      }
    }
    Files.write(file, out.toByteArray());
    System.out.println("the viewer's screen as read: " + file.toAbsolutePath());
  }

  /** Viewer messages the gateway dropped for the sender's role, all types together. */
  private static double droppedByRole() throws Exception {
    double sum = 0;
    for (String line : gw.metrics().split("\n")) {
      if (line.startsWith("vncgate_dropped_messages_total{") && line.contains("reason=\"role\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  private static List<String> hex(List<Integer> keys) {
    return keys.stream().map(k -> String.format("0x%04x", k)).toList();
  }
}
