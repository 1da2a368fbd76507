package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.XvncServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The viewer page's extra keys, the Ctrl+Alt+Shift panel hotkey, the on-screen keyboard, touch,
 * remote resize, the phone layout and the light theme, in headless Chromium against a real Xvnc.
 * The witness of keys is {@code xev -root} on Xvnc's display (what X clients receive); the
 * witness of the desktop's size is {@code xdpyinfo}.
 */
@Timeout(240)
class KeysAndDisplayPageTest {
  static final Duration CONNECT = Duration.ofSeconds(20);
  static final Duration SOON = Duration.ofSeconds(10);
  @TempDir static Path dir;
  static XvncServer xvnc;
  static GatewayHarness gw;
  static Browser browser;
  static String mainWindow;

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(1024, 768).password("webui-keys").start();
    xvnc.setRootColor("#336699");
    gw = GatewayHarness.in(dir).targets(GatewayHarness.target("keys", xvnc.port(), xvnc.passwordFile(), null)).noTcp().webUi().start();
    browser = new Browser(dir);
    mainWindow = browser.driver.getWindowHandle();
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
  }

  @AfterEach
  void reset() {
    if (browser == null) return;
    for (String h : browser.driver.getWindowHandles()) {
      if (!h.equals(mainWindow)) browser.driver.switchTo().window(h).close();
    }
    browser.driver.switchTo().window(mainWindow);
    browser.driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    browser.driver.executeCdpCommand("Emulation.setTouchEmulationEnabled", Map.of("enabled", false));
    browser.driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
    browser.driver.manage().window().setSize(new Dimension(1280, 900));
    if (browser.driver.getCurrentUrl().startsWith(gw.origin())) browser.js("localStorage.clear()");
    browser.driver.get("about:blank");
  }

  private static void openAndControl(String user) {
    browser.driver.get(gw.viewerUrl(gw.token(user, Role.CONTROL), "static/keys", false));
    browser.awaitConnected(CONNECT);
    browser.await(SOON, user + " should control", d -> "YOU CONTROL".equals(browser.text("role-badge")));
  }

  private static void openPanel() {
    if (!browser.visible("keys-panel")) browser.byId("keys").click();
    browser.await(SOON, "the panel should open", d -> browser.visible("keys-panel") && browser.byId("key-esc").isEnabled());
  }

  @Test
  void extraKeysReachTheXServer() throws Exception {
    openAndControl("alice");
    openPanel();
    try (Xev xev = new Xev()) {
      browser.byId("key-esc").click();
      browser.byId("key-tab").click();
      browser.byId("key-printScreen").click();
      new Select(browser.byId("key-ctrlAltF")).selectByValue("1");
      xev.await("Ctrl-Alt-F1 after Esc, Tab, PrintScreen", events -> events.contains("-Alt_L") && events.contains("-Control_L"));
      List<String> events = xev.events();
      assertTrue(containsInOrder(events, "+Escape", "-Escape", "+Tab", "-Tab", "+Print", "-Print", "+Control_L", "+Alt_L"), events.toString());
      // F1 with Ctrl and Alt down: X names it F1 or (with the server's XKB map) XF86_Switch_VT_1
      assertTrue(events.contains("+F1") || events.contains("+XF86_Switch_VT_1"), events.toString());
      assertEquals("", browser.byId("key-ctrlAltF").getAttribute("value"), "the F-key menu returns to its label");

      // a toggled Ctrl stays down until the next key, then comes up by itself
      xev.clear();
      browser.byId("key-ctrl").click();
      assertEquals("true", browser.byId("key-ctrl").getAttribute("aria-pressed"));
      xev.await("Ctrl down", e -> e.contains("+Control_L"));
      assertFalse(xev.events().contains("-Control_L"), "a toggled Ctrl must stay down: " + xev.events());
      browser.byId("key-esc").click();
      xev.await("Ctrl up after Esc", e -> e.contains("-Control_L"));
      assertTrue(containsInOrder(xev.events(), "+Control_L", "+Escape", "-Escape", "-Control_L"), xev.events().toString());
      assertEquals("false", browser.byId("key-ctrl").getAttribute("aria-pressed"));

      // Ctrl-Alt-Del, and Ctrl-Alt-Backspace (which does not stop Xvnc: its keymap has no Terminate_Server)
      xev.clear();
      browser.byId("key-ctrlAltDel").click();
      browser.byId("key-ctrlAltBackspace").click();
      xev.await("Ctrl-Alt-Del and Ctrl-Alt-Backspace", e -> e.stream().filter("-Control_L"::equals).count() == 2);
      assertTrue(containsInOrder(xev.events(), "+Control_L", "+Alt_L", "+Delete", "-Delete", "-Alt_L", "-Control_L",
          "+Control_L", "+Alt_L", "+BackSpace", "-BackSpace", "-Alt_L", "-Control_L"), xev.events().toString());
    }
    assertTrue(xvnc.pointer().startsWith("x:"), "Xvnc still answers after Ctrl-Alt-Backspace");
  }

  @Test
  void hotkeyOpensThePanelAndIsNotSentToTheDesktop() throws Exception {
    openAndControl("alice");
    new Actions(browser.driver).moveToElement(browser.driver.findElement(By.cssSelector("#screen canvas")), 20, 20).click().perform();
    assertFalse(browser.visible("keys-panel"));
    try (Xev xev = new Xev()) {
      hotkey();
      browser.await(SOON, "Ctrl+Alt+Shift should open the panel and put the focus in it", d -> browser.visible("keys-panel")
          && "key-esc".equals(browser.js("return document.activeElement.id")));
      assertTrue(browser.byId("panel-paste").isEnabled(), "the clipboard is in reach of the keyboard");
      // without the mouse: Enter on the focused Esc key sends Escape
      new Actions(browser.driver).sendKeys(Keys.ENTER).perform();
      xev.await("Escape from the panel's key pressed with Enter", e -> e.contains("-Escape"));
      hotkey();
      browser.await(SOON, "Ctrl+Alt+Shift again should close the panel and give the keyboard back to the desktop",
          d -> !browser.visible("keys-panel") && "CANVAS".equals(browser.js("return document.activeElement.tagName")));
      // the witness works: typed keys, Shift held for a capital, arrive
      new Actions(browser.driver).sendKeys("a").keyDown(Keys.SHIFT).sendKeys("b").keyUp(Keys.SHIFT).perform();
      xev.await("a and Shift+b typed into the desktop", e -> e.contains("-Shift_L"));
      List<String> events = xev.events();
      assertTrue(containsInOrder(events, "+Escape", "-Escape", "+a", "-a", "+Shift_L", "+B"), events.toString());
      assertFalse(events.contains("+Return"), "the Enter that pressed the panel's key is the page's: " + events);
      assertEquals(1, events.stream().filter("+Shift_L"::equals).count(), "only the Shift of Shift+b: " + events);
      assertFalse(events.stream().anyMatch(e -> e.contains("Control") || e.contains("Alt")),
          "the hotkey's Ctrl and Alt must not reach the desktop: " + events);
    }
  }

  private static void hotkey() {
    new Actions(browser.driver).keyDown(Keys.CONTROL).keyDown(Keys.ALT).keyDown(Keys.SHIFT)
        .keyUp(Keys.SHIFT).keyUp(Keys.ALT).keyUp(Keys.CONTROL).perform();
  }

  @Test
  void remoteResizeFollowsTheControllersWindowButNotAnObservers() throws Exception {
    openAndControl("alice");
    openPanel();
    browser.byId("display-resize").click();
    assertEquals("true", browser.js("return localStorage.getItem('vncgate.resize')"));
    awaitXSizeIsTheScreens();
    browser.driver.manage().window().setSize(new Dimension(1000, 700));
    String controllerSize = awaitXSizeIsTheScreens();
    assertTrue(!controllerSize.equals("1024x768"), controllerSize);

    browser.driver.switchTo().newWindow(WindowType.WINDOW);
    browser.driver.get(gw.viewerUrl(gw.token("bob", Role.VIEW), "static/keys", true));
    browser.awaitConnected(CONNECT);
    browser.await(SOON, "Bob watches", d -> "VIEW ONLY".equals(browser.text("role-badge")));
    assertEquals("true", browser.js("return localStorage.getItem('vncgate.resize')"), "the setting is the browser's");
    browser.byId("keys").click();
    browser.await(SOON, "the observer is told why his window does not resize the desktop", d -> browser.visible("display-resize-note")
        && !browser.byId("key-esc").isEnabled()
        && browser.byId("key-esc").getAttribute("title").contains("Only the person in control"));
    browser.driver.manage().window().setSize(new Dimension(700, 520));
    Thread.sleep(2000);
    assertEquals(controllerSize, xSize(), "an observer's window must not change the desktop's size");
    // the observer's canvas keeps the desktop's size (scaled by CSS); awaited, as the page may redraw after its window changed
    browser.await(SOON, "the observer's canvas should have the desktop's size " + controllerSize, d -> {
      int[] canvas = browser.canvasSize();
      return controllerSize.equals(canvas[0] + "x" + canvas[1]);
    });
  }

  /** Waits until Xvnc's screen has the size of the page's #screen, and returns it. */
  private static String awaitXSizeIsTheScreens() throws InterruptedException {
    long deadline = System.nanoTime() + SOON.toNanos();
    String want = "";
    String got = "";
    while (System.nanoTime() < deadline) {
      // noVNC asks for the size of its box, rounded down
      want = (String) browser.js("const r = document.getElementById('screen').getBoundingClientRect();"
          + "return Math.floor(r.width) + 'x' + Math.floor(r.height)");
      got = xSize();
      if (got.equals(want)) return got;
      Thread.sleep(200);
    }
    throw new AssertionError("Xvnc's size should follow the window: the page's screen is " + want + ", Xvnc is " + got
        + "; status: " + browser.statusText());
  }

  @Test
  void phoneLayoutKeyboardButtonTouchAndPaste() throws Exception {
    browser.driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        Map.of("width", 390, "height", 844, "deviceScaleFactor", 1, "mobile", true));
    browser.driver.executeCdpCommand("Emulation.setTouchEmulationEnabled", Map.of("enabled", true, "maxTouchPoints", 5));
    openAndControl("alice");
    assertEquals(390L, browser.js("return window.innerWidth"));
    double barHeight = ((Number) browser.js("return document.querySelector('header.bar').getBoundingClientRect().height")).doubleValue();
    assertTrue(barHeight < 56, "the toolbar on a 390-px screen is " + barHeight + " px high");
    for (String id : List.of("keyboard", "keys")) {
      assertTrue(browser.visible(id), id + " should be visible");
      double right = ((Number) browser.js("return document.getElementById(arguments[0]).getBoundingClientRect().right", id)).doubleValue();
      assertTrue(right <= 390, id + " ends at " + right + " px, off the 390-px screen");
    }
    browser.screenshot(Path.of("target", "screenshots", "viewer-phone-390x844.png"));

    try (Xev xev = new Xev()) {
      browser.byId("keyboard").click();
      assertEquals("keyboard-input", browser.js("return document.activeElement.id"), "the keyboard button focuses the text box");
      browser.driver.executeCdpCommand("Input.insertText", Map.of("text", "hi"));
      xev.await("text typed on the on-screen keyboard", e -> e.contains("-i"));
      assertTrue(containsInOrder(xev.events(), "+h", "-h", "+i", "-i"), xev.events().toString());
    }

    // a one-finger tap is a left click at that point (noVNC's gesture handler): the X pointer goes there
    xvnc.movePointer(1, 1);
    @SuppressWarnings("unchecked")
    List<Number> at = (List<Number>) browser.js("const r = document.querySelector('#screen canvas').getBoundingClientRect();"
        + "return [r.left + r.width / 2, r.top + r.height / 2];");
    Map<String, Object> point = Map.of("x", at.get(0).doubleValue(), "y", at.get(1).doubleValue());
    browser.driver.executeCdpCommand("Input.dispatchTouchEvent", Map.of("type", "touchStart", "touchPoints", List.of(point)));
    browser.driver.executeCdpCommand("Input.dispatchTouchEvent", Map.of("type", "touchEnd", "touchPoints", List.of()));
    browser.await(SOON, "a tap should move the X pointer to the middle of the desktop", d -> {
      Matcher m = Pattern.compile("x:(\\d+) y:(\\d+)").matcher(xvnc.pointer());
      return m.find() && Math.abs(Integer.parseInt(m.group(1)) - 512) < 20 && Math.abs(Integer.parseInt(m.group(2)) - 384) < 20;
    });

    // and paste, through the panel's Paste (in reach on 390 px). Here, as on many phones, the page may
    // not read the clipboard itself, so the paste box opens: the person pastes into it (a long press,
    // here the text the phone's paste inserts) and sends it
    String text = "pasted on a phone " + System.nanoTime();
    browser.writeClipboard(text);
    browser.byId("keys").click();
    browser.await(SOON, "the panel should open", d -> browser.visible("panel-paste"));
    double right = ((Number) browser.js("return document.getElementById('panel-paste').getBoundingClientRect().right")).doubleValue();
    assertTrue(right <= 390, "the panel's Paste ends at " + right + " px, off the 390-px screen");
    browser.byId("panel-paste").click();
    browser.await(SOON, "Paste should reach the desktop or open the paste box",
        d -> xvnc.clipboard().equals(text) || browser.visible("paste-dialog"));
    if (!xvnc.clipboard().equals(text)) {
      double boxRight = ((Number) browser.js("return document.getElementById('paste-send').getBoundingClientRect().right")).doubleValue();
      assertTrue(boxRight <= 390, "the paste box's Send ends at " + boxRight + " px, off the 390-px screen");
      browser.byId("paste-text").click();
      browser.driver.executeCdpCommand("Input.insertText", Map.of("text", text));
      browser.byId("paste-send").click();
    }
    browser.await(SOON, "the X clipboard did not get the text pasted on the phone", d -> xvnc.clipboard().equals(text));
  }

  @Test
  void desktopLayoutSettingsAndLightTheme() throws Exception {
    browser.driver.executeCdpCommand("Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
    openAndControl("alice");
    double barHeight = ((Number) browser.js("return document.querySelector('header.bar').getBoundingClientRect().height")).doubleValue();
    assertTrue(barHeight < 56, "one row of toolbar at 1280 px: " + barHeight);
    assertFalse(browser.visible("keyboard"), "no on-screen keyboard button with a mouse on a wide screen");
    assertEquals("rgb(15, 18, 22)", browser.js("return getComputedStyle(document.body).backgroundColor"), "the dark theme");
    openPanel();
    new Select(browser.byId("display-quality")).selectByValue("2");
    new Select(browser.byId("display-compression")).selectByValue("8");
    browser.byId("display-dotCursor").click();
    browser.screenshot(Path.of("target", "screenshots", "viewer-panel-1280.png"));
    assertEquals("2", browser.js("return localStorage.getItem('vncgate.quality')"));
    assertEquals("8", browser.js("return localStorage.getItem('vncgate.compression')"));
    assertEquals("true", browser.js("return localStorage.getItem('vncgate.dotCursor')"));

    browser.driver.executeCdpCommand("Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "light"))));
    browser.driver.navigate().refresh();
    browser.awaitConnected(CONNECT);
    assertEquals("rgb(246, 247, 249)", browser.js("return getComputedStyle(document.body).backgroundColor"), "light theme");
    assertEquals("rgb(255, 255, 255)", browser.js("return getComputedStyle(document.querySelector('header.bar')).backgroundColor"));
    browser.byId("keys").click();
    assertEquals("2", new Select(browser.byId("display-quality")).getFirstSelectedOption().getAttribute("value"), "kept across a reload");
    assertEquals("8", new Select(browser.byId("display-compression")).getFirstSelectedOption().getAttribute("value"));
    assertTrue(browser.byId("display-dotCursor").isSelected());
    browser.screenshot(Path.of("target", "screenshots", "viewer-light-1280.png"));
  }

  // ----- witnesses -----

  private static String xSize() {
    try {
      ProcessBuilder pb = new ProcessBuilder("xdpyinfo").redirectErrorStream(true);
      pb.environment().putAll(xvnc.env());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      Matcher m = Pattern.compile("dimensions:\\s+(\\d+x\\d+) pixels").matcher(out);
      if (!m.find()) throw new AssertionError("xdpyinfo said: " + out);
      return m.group(1);
    } catch (IOException | InterruptedException e) {
      throw new AssertionError("xdpyinfo failed: " + e, e);
    }
  }

  /** True when {@code want} occur in {@code events} in this order (other events may come between). */
  private static boolean containsInOrder(List<String> events, String... want) {
    int i = 0;
    for (String e : events) {
      if (i < want.length && e.equals(want[i])) i++;
    }
    return i == want.length;
  }

  /** {@code xev -root -event keyboard} on Xvnc's display: the key events X clients receive. */
  static final class Xev implements AutoCloseable {
    private static final Pattern EVENT = Pattern.compile("(KeyPress|KeyRelease) event.*?\\(keysym 0x[0-9a-f]+, ([^)]+)\\)", Pattern.DOTALL);
    private final Process process;
    private final Path out;
    private int skip;

    Xev() throws IOException, InterruptedException {
      out = Files.createTempFile(dir, "xev", ".txt");
      ProcessBuilder pb = new ProcessBuilder("stdbuf", "-oL", "xev", "-root", "-event", "keyboard")
          .redirectErrorStream(true).redirectOutput(out.toFile());
      pb.environment().putAll(xvnc.env());
      process = pb.start();
      Thread.sleep(700); // xev selects its events on the root window
      if (!process.isAlive()) throw new AssertionError("xev ended: " + Files.readString(out));
    }

    /** "+Escape" for a press, "-Escape" for a release, since the last clear(). */
    List<String> events() {
      try {
        List<String> all = new ArrayList<>();
        Matcher m = EVENT.matcher(Files.readString(out));
        while (m.find()) all.add((m.group(1).equals("KeyPress") ? "+" : "-") + m.group(2));
        return all.subList(Math.min(skip, all.size()), all.size());
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    void clear() {
      skip += events().size();
    }

    void await(String what, java.util.function.Predicate<List<String>> done) {
      browser.await(SOON, what + " should reach Xvnc; xev saw " + events(), d -> done.test(events()));
    }

    @Override
    public void close() {
      process.destroy();
    }
  }
}
