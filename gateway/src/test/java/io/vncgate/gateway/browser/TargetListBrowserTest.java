package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.FreePorts;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.Select;

/**
 * The list of desktops in a real Chromium against the gateway and a real Xvnc: whether each
 * desktop answers (a closed port is unreachable, in words), who watches and controls (live from
 * the roster while other viewers connect), the label filter, recent desktops first, and the
 * page's language (German from the browser's languages, the switch back to English).
 */
@Timeout(180)
class TargetListBrowserTest {
  static final Duration CONNECT = Duration.ofSeconds(20);
  static final Duration SOON = Duration.ofSeconds(10);
  @TempDir static Path dir;
  static XvncServer xvnc;
  static GatewayHarness gw;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(800, 600).password("webui-list").start();
    gw = GatewayHarness.in(dir).targets(
        GatewayHarness.target("lab1", xvnc.port(), xvnc.passwordFile(), "{os: linux, site: berlin}")
        + GatewayHarness.target("win", xvnc.port(), xvnc.passwordFile(), "{os: windows}")
        + GatewayHarness.target("down", FreePorts.next(), null, "{os: linux}")).noTcp().webUi().start();
    browser = new Browser(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
  }

  /**
   * Forgets the recent desktops and the language between tests, but keeps the page's check
   * answers (60 s): every check is a connect-and-close at Xvnc, and TigerVNC blacklists the
   * gateway's address after 5 of those (XvncServer's blacklist is on, as shipped). The page must
   * not trip it, and these tests would see it if it did.
   */
  @AfterEach
  void forget() {
    if (browser == null) return;
    browser.driver.get(gw.origin() + "/favicon.svg");
    browser.js("Object.keys(localStorage).filter(k => k !== 'vncgate.checks').forEach(k => localStorage.removeItem(k));"
        + "sessionStorage.clear();");
    browser.driver.get("about:blank");
  }

  private static long checkedAt(Browser b, String target) {
    Object at = b.js("const c = JSON.parse(localStorage.getItem('vncgate.checks') || '{}')[arguments[0]]; return c ? c.at : 0;", target);
    return ((Number) at).longValue();
  }

  private static void openList(Browser b, String user) {
    b.driver.get(gw.origin() + "/#token=" + gw.token(user, Role.CONTROL));
    b.await(SOON, "no target list", d -> d.findElements(By.cssSelector("#target-list li")).size() == 3);
  }

  private static WebElement row(Browser b, String target) {
    return b.driver.findElement(By.cssSelector("#target-list li[data-target='" + target + "']"));
  }

  private static String reach(Browser b, String target) {
    return row(b, target).findElement(By.cssSelector(".reach")).getText();
  }

  private static String presence(Browser b, String target) {
    return row(b, target).findElement(By.cssSelector(".presence")).getText();
  }

  private static List<String> shown(Browser b) {
    return b.driver.findElements(By.cssSelector("#target-list li")).stream().map(li -> li.getAttribute("data-target")).toList();
  }

  @Test
  void aRunningDesktopIsReachableAndAClosedPortIsUnreachableInWords() {
    openList(browser, "alice");
    browser.await(SOON, "the checks should finish", d -> reach(browser, "static/lab1").equals("Reachable")
        && reach(browser, "static/down").equals("Unreachable"));
    WebElement down = row(browser, "static/down").findElement(By.cssSelector(".reach"));
    assertEquals("down", down.getAttribute("data-state"));
    assertTrue(down.getAttribute("title").contains("static/down unreachable"), "the gateway's words in the tooltip: " + down.getAttribute("title"));

    // on demand: a click checks again at once (an answer kept from before is not enough)
    long before = checkedAt(browser, "static/lab1");
    row(browser, "static/lab1").findElement(By.cssSelector(".reach")).click();
    browser.await(SOON, "lab1 checked again", d -> checkedAt(browser, "static/lab1") > before
        && reach(browser, "static/lab1").equals("Reachable"));
    WebElement up = row(browser, "static/lab1").findElement(By.cssSelector(".reach"));
    assertEquals("ok", up.getAttribute("data-state"));
    assertTrue(up.getAttribute("title").contains("RFB 003.008"), "the banner in the tooltip: " + up.getAttribute("title"));
  }

  @Test
  void otherViewersShowUpLiveWithoutReload() throws Exception {
    openList(browser, "carol");
    browser.await(SOON, "nobody there yet", d -> presence(browser, "static/lab1").equals("nobody connected"));
    browser.js("window.__sameList = true;"); // gone if the page reloads
    try (Browser others = new Browser(dir)) {
      others.driver.get(gw.viewerUrl(gw.token("alice", Role.CONTROL), "static/lab1", false));
      others.awaitConnected(CONNECT);
      browser.await(SOON, "alice controls, nobody watches", d -> presence(browser, "static/lab1").equals("0 watching · alice controls"));

      others.driver.switchTo().newWindow(WindowType.TAB);
      others.driver.get(gw.viewerUrl(gw.token("bob", Role.VIEW), "static/lab1", true));
      others.awaitConnected(CONNECT);
      browser.await(SOON, "bob watching should show up", d -> presence(browser, "static/lab1").equals("1 watching · alice controls"));
      assertEquals("1", row(browser, "static/lab1").getAttribute("data-watching"));
      assertEquals("alice", row(browser, "static/lab1").getAttribute("data-controller"));
      assertEquals("nobody connected", presence(browser, "static/win"));
      assertEquals(Boolean.TRUE, browser.js("return window.__sameList === true;"), "the list updated without a reload");
    }
    browser.await(Duration.ofSeconds(20), "the viewers left", d -> presence(browser, "static/lab1").equals("nobody connected"));
  }

  @Test
  void filteringByLabelAndWords() {
    openList(browser, "alice");
    WebElement filter = browser.byId("target-filter");
    filter.sendKeys("os=linux");
    browser.await(SOON, "os=linux", d -> java.util.Set.copyOf(shown(browser)).equals(java.util.Set.of("static/lab1", "static/down")));
    filter.sendKeys(" site=berlin");
    browser.await(SOON, "os=linux site=berlin", d -> shown(browser).equals(List.of("static/lab1")));
    filter.clear();
    filter.sendKeys("x"); // clear() fires no input event: type and delete
    filter.sendKeys(org.openqa.selenium.Keys.BACK_SPACE);
    browser.await(SOON, "all again", d -> shown(browser).size() == 3);

    // a label chip filters by itself
    row(browser, "static/win").findElement(By.xpath(".//button[contains(@class,'chip') and text()='os=windows']")).click();
    browser.await(SOON, "the chip os=windows", d -> shown(browser).equals(List.of("static/win")));
    assertEquals("os=windows", filter.getAttribute("value"));

    filter.clear();
    filter.sendKeys("nothing-like-this");
    browser.await(SOON, "no match in words", d -> shown(browser).isEmpty()
        && browser.text("targets-message").equals("No desktop matches “nothing-like-this”."));
  }

  @Test
  void theDesktopOpenedLastComesFirst() {
    openList(browser, "alice");
    List<String> before = shown(browser);
    assertNotEquals("static/win", before.get(0), "the test needs static/win not first to begin with: " + before);
    row(browser, "static/win").findElement(By.linkText("Watch")).click();
    browser.awaitConnected(CONNECT);
    browser.byId("home").click();
    browser.await(SOON, "back at the list with static/win first", d -> d.findElements(By.cssSelector("#target-list li")).size() == 3
        && shown(browser).get(0).equals("static/win"));
    assertEquals("Recent", row(browser, "static/win").findElement(By.cssSelector(".recent-badge")).getText());
    assertTrue(row(browser, "static/lab1").findElements(By.cssSelector(".recent-badge")).isEmpty());
    String stored = (String) browser.js("return Object.keys(localStorage).filter(k => k.startsWith('vncgate.recent.'))"
        + ".map(k => k + '=' + localStorage.getItem(k)).join(';');");
    assertEquals("vncgate.recent.alice=[\"static/win\"]", stored, "per user, ids only (no token)");
  }

  @Test
  void aGermanBrowserGetsGermanAndTheSwitchGoesBackToEnglish() throws Exception {
    try (Browser german = Browser.withLanguages(dir, "de-DE,de")) {
      openList(german, "alice");
      german.await(SOON, "German words", d -> "de".equals(german.js("return document.documentElement.lang"))
          && german.text("status-text").equals("Desktop wählen")
          && reach(german, "static/lab1").equals("Erreichbar")
          && reach(german, "static/down").equals("Nicht erreichbar"));
      assertEquals("Öffnen", row(german, "static/lab1").findElement(By.cssSelector("a.accent")).getText());
      assertEquals("Filter: Wörter oder schlüssel=wert", german.byId("target-filter").getAttribute("placeholder"));
      german.screenshot(Path.of("target", "screenshots", "target-list-de.png"));

      new Select(german.byId("lang")).selectByValue("en");
      german.await(SOON, "English after the switch", d -> "en".equals(german.js("return document.documentElement.lang"))
          && german.text("status-text").equals("Pick a desktop")
          && reach(german, "static/lab1").equals("Reachable"));
      assertEquals("Open", row(german, "static/lab1").findElement(By.cssSelector("a.accent")).getText());
      assertEquals("All desktops", german.byId("home").getAttribute("title"));

      german.driver.navigate().refresh();
      german.await(SOON, "the choice is kept", d -> d.findElements(By.cssSelector("#target-list li")).size() == 3
          && german.text("status-text").equals("Pick a desktop") && "en".equals(german.js("return document.documentElement.lang")));
    }
  }
}
