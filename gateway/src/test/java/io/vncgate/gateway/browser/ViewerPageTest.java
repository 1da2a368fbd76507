package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.gateway.auth.Role;
import io.vncgate.testbeds.FreePorts;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.interactions.Actions;

/** The viewer page in a real headless Chromium, against the gateway and a real Xvnc. */
@Timeout(120)
class ViewerPageTest {
  static final Duration CONNECT = Duration.ofSeconds(20);
  static final Duration SOON = Duration.ofSeconds(10);
  static final String ROOT = "#3366cc";
  @TempDir static Path dir;
  static XvncServer xvnc;
  static DroppingProxy proxy;
  static GatewayHarness gw;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(1024, 768).password("webui-t1").start();
    xvnc.setRootColor(ROOT);
    proxy = new DroppingProxy(xvnc.port());
    gw = GatewayHarness.in(dir).targets(GatewayHarness.target("lab1", xvnc.port(), xvnc.passwordFile(), "{os: linux}")
        + GatewayHarness.target("flaky", proxy.port(), xvnc.passwordFile(), null)
        + GatewayHarness.target("down", FreePorts.next(), null)).noTcp().webUi().start();
    browser = new Browser(dir);
    browser.grantClipboard(gw.origin());
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
    if (proxy != null) proxy.close();
    if (xvnc != null) xvnc.close();
  }

  static String mainTab;

  @AfterEach
  void leavePage() {
    if (browser == null) return;
    if (mainTab == null) mainTab = browser.driver.getWindowHandle();
    for (String handle : browser.driver.getWindowHandles()) {
      if (!handle.equals(mainTab)) browser.driver.switchTo().window(handle).close();
    }
    browser.driver.switchTo().window(mainTab);
    browser.focusPage();
    browser.driver.get("about:blank");
  }

  private static void open(String user, Role role, String target, boolean viewOnly) {
    browser.driver.get(gw.viewerUrl(gw.token(user, role), target, viewOnly));
  }

  /** The first viewer that asks for control gets it once its connection is up (shared sessions). */
  private static void awaitControl() {
    browser.await(SOON, "this viewer should control", d -> "YOU CONTROL".equals(browser.text("role-badge")));
  }

  private static WebElement canvas() {
    return browser.driver.findElement(By.cssSelector("#screen canvas"));
  }

  @Test
  void canvasShowsTheDesktopsRootColourAndAScreenshotIsSaved() throws Exception {
    open("alice", Role.CONTROL, "static/lab1", false);
    browser.awaitConnected(CONNECT);
    assertArrayEquals(new int[] {1024, 768}, browser.canvasSize());
    browser.await(SOON, "root colour " + ROOT + " not drawn", d -> {
      int[] p = browser.pixel(512, 384);
      return p[0] == 0x33 && p[1] == 0x66 && p[2] == 0xcc;
    });
    awaitControl();
    assertFalse(browser.visible("viewonly-banner"));
    assertTrue(browser.byId("paste").isEnabled());
    browser.screenshot(Path.of("target", "screenshots", "viewer.png"));
    String console = browser.consoleLog();
    assertFalse(console.contains("Content Security Policy") || console.contains("Refused to"), console);
  }

  @Test
  void tokenMovesFromTheAddressBarToSessionStorage() {
    String token = gw.token("alice", Role.CONTROL);
    browser.driver.get(gw.viewerUrl(token, "static/lab1", false));
    browser.awaitConnected(CONNECT);
    String url = browser.driver.getCurrentUrl();
    assertFalse(url.contains("token"), url);
    assertTrue(url.endsWith("#target=static%2Flab1"), url);
    assertEquals(token, browser.js("return sessionStorage.getItem('vncgate.token')"));
    assertEquals(null, browser.js("return localStorage.getItem('vncgate.token')"));
  }

  @Test
  void toolbarPasteReachesTheXClipboard() throws Exception {
    open("alice", Role.CONTROL, "static/lab1", false);
    browser.awaitConnected(CONNECT);
    awaitControl();
    String text = "pasted through vncgate " + System.nanoTime();
    browser.writeClipboard(text);
    browser.byId("paste").click();
    browser.await(SOON, "the X clipboard did not get the text", d -> xvnc.clipboard().equals(text));
  }

  @Test
  void pasteFallsBackToATextFieldWhenTheBrowserClipboardCannotBeRead() throws Exception {
    open("alice", Role.CONTROL, "static/lab1", false);
    browser.awaitConnected(CONNECT);
    awaitControl();
    // as in a non-secure context or when the user refuses the permission
    browser.js("navigator.clipboard.readText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'))");
    browser.byId("paste").click();
    browser.await(SOON, "the paste dialog did not open", d -> browser.byId("paste-dialog").isDisplayed());
    String text = "typed into the paste box " + System.nanoTime();
    browser.byId("paste-text").sendKeys(text);
    browser.byId("paste-send").click();
    browser.await(SOON, "the X clipboard did not get the text", d -> xvnc.clipboard().equals(text));
  }

  @Test
  void copyIsEnabledWhenTheDesktopsClipboardChangesAndCopiesIt() throws Exception {
    open("alice", Role.CONTROL, "static/lab1", false);
    browser.awaitConnected(CONNECT);
    awaitControl();
    String text = "copied on the desktop " + System.nanoTime();
    xvnc.setClipboard(text);
    browser.await(SOON, "Copy did not become enabled", d -> browser.byId("copy").isEnabled());
    browser.writeClipboard("something else");
    browser.byId("copy").click();
    browser.await(SOON, "the browser clipboard did not get the text", d -> text.equals(browser.readClipboard()));
  }

  @Test
  void observerSeesViewOnlyAndItsPointerDoesNotReachTheServer() throws Exception {
    xvnc.movePointer(5, 5);
    open("bob", Role.VIEW, "static/lab1", true);
    browser.awaitConnected(CONNECT);
    assertEquals("VIEW ONLY", browser.text("role-badge"));
    assertTrue(browser.visible("viewonly-banner"));
    assertTrue(browser.text("viewonly-banner").contains("not sent"));
    assertFalse(browser.byId("paste").isEnabled());
    assertFalse(browser.byId("cad").isEnabled());
    assertTrue(browser.text("user").contains("view only"));
    browser.screenshot(Path.of("target", "screenshots", "observer.png"));

    new Actions(browser.driver).moveToElement(canvas(), 40, 40).click().moveByOffset(30, 30).perform();
    Thread.sleep(500);
    assertEquals("x:5 y:5", xvnc.pointer(), "the observer's pointer must not move the X pointer");

    // the same gesture from a controller does move it: the check above can see a change
    browser.driver.switchTo().newWindow(WindowType.TAB);
    open("alice", Role.CONTROL, "static/lab1", false);
    browser.awaitConnected(CONNECT);
    awaitControl();
    new Actions(browser.driver).moveToElement(canvas(), 40, 40).moveByOffset(30, 30).perform();
    browser.await(SOON, "the controller's pointer did not move the X pointer", d -> !xvnc.pointer().equals("x:5 y:5"));
  }

  @Test
  void anUnreachableTargetIsExplainedInWordsAndRetried() throws Exception {
    open("alice", Role.CONTROL, "static/down", false);
    browser.await(CONNECT, "no explanation shown", d -> browser.visible("overlay")
        && browser.text("overlay-title").contains("not reachable"));
    assertTrue(browser.text("overlay-detail").contains("static/down unreachable"), browser.text("overlay-detail"));
    assertTrue(browser.text("overlay-next").contains("running"), browser.text("overlay-next"));
    browser.await(SOON, "no retry countdown", d -> browser.text("overlay-retry").startsWith("Trying again in")
        || browser.text("status-text").startsWith("Reconnecting"));
    browser.screenshot(Path.of("target", "screenshots", "unreachable.png"));
  }

  @Test
  void aRefusedTokenIsExplainedAndNotRetried() {
    String token = gw.token("alice", Role.CONTROL);
    String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    browser.driver.get(gw.viewerUrl(forged, "static/lab1", false));
    browser.await(CONNECT, "no explanation shown", d -> browser.visible("overlay")
        && browser.text("overlay-title").contains("token was not accepted"));
    assertTrue(browser.text("overlay-next").contains("vncgate open static/lab1"), browser.text("overlay-next"));
    assertEquals("stopped", browser.js("return document.getElementById('status').dataset.state"));
  }

  @Test
  void aDroppedConnectionReconnectsWithAFreshTicket() {
    open("alice", Role.CONTROL, "static/flaky", false);
    browser.awaitConnected(CONNECT);
    int before = proxy.connections.get();
    proxy.dropAll();
    browser.await(SOON, "the drop was not noticed", d -> !"connected".equals(browser.js(
        "return document.getElementById('status').dataset.state")));
    browser.awaitConnected(CONNECT);
    awaitControl();
    assertTrue(proxy.connections.get() > before, "a new upstream connection was made");
    browser.await(SOON, "the desktop is not drawn again", d -> {
      int[] p = browser.pixel(512, 384);
      return p[0] == 0x33 && p[1] == 0x66 && p[2] == 0xcc;
    });
  }

  @Test
  void disconnectStaysDisconnectedUntilReconnect() {
    open("alice", Role.CONTROL, "static/lab1", false);
    browser.awaitConnected(CONNECT);
    browser.byId("disconnect").click();
    browser.await(SOON, "not disconnected", d -> "stopped".equals(browser.js("return document.getElementById('status').dataset.state")));
    assertEquals("Reconnect", browser.text("disconnect"));
    browser.byId("disconnect").click();
    browser.awaitConnected(CONNECT);
  }

  @Test
  void withoutATokenThePageAsksForOneAndAPastedTokenWorks() {
    browser.driver.get(gw.origin() + "/");
    browser.js("sessionStorage.clear()");
    browser.driver.navigate().refresh();
    browser.await(SOON, "no sign-in form", d -> browser.visible("signin-view"));
    assertTrue(browser.text("signin-view").contains("vncgate open"), browser.text("signin-view"));
    browser.byId("signin-token").sendKeys(gw.token("carol", Role.VIEW));
    browser.driver.findElement(By.cssSelector("#signin-form button[type=submit]")).click();
    browser.await(SOON, "no target list after signing in", d -> d.findElements(By.cssSelector("#target-list li")).size() == 3);
    assertTrue(browser.text("user").startsWith("carol"));
    assertTrue(browser.driver.findElements(By.linkText("Open")).isEmpty(), "a view token is offered Watch only");
  }

  @Test
  void targetListOffersOpenAndWatch() {
    browser.driver.get(gw.origin() + "/#token=" + gw.token("alice", Role.CONTROL));
    browser.await(SOON, "no target list", d -> d.findElements(By.cssSelector("#target-list li")).size() == 3);
    WebElement lab1 = browser.driver.findElements(By.cssSelector("#target-list li")).stream()
        .filter(li -> li.getText().contains("static/lab1")).findFirst().orElseThrow();
    assertEquals(java.util.List.of("Open", "Watch"), lab1.findElements(By.cssSelector("a.button")).stream().map(WebElement::getText).toList());
    lab1.findElement(By.linkText("Watch")).click();
    browser.awaitConnected(CONNECT);
    assertEquals("VIEW ONLY", browser.text("role-badge"));
    assertTrue(browser.driver.getCurrentUrl().endsWith("#target=static%2Flab1&role=view"), browser.driver.getCurrentUrl());
  }
}
