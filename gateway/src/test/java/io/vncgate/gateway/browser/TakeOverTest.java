package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.gateway.auth.Role;
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
import org.openqa.selenium.WindowType;
import org.openqa.selenium.interactions.Actions;

/**
 * Take-over in two pages on the gateway's shared sessions: Alice controls, Bob watches and takes
 * control, both pages flip without reloading (push channel), only the controller's pointer moves
 * the X pointer, and control can be given back.
 */
@Timeout(180)
class TakeOverTest {
  static final Duration CONNECT = Duration.ofSeconds(20);
  static final Duration FLIP = Duration.ofSeconds(5);
  @TempDir static Path dir;
  static XvncServer xvnc;
  static GatewayHarness gw;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(800, 600).password("webui-t2").start();
    xvnc.setRootColor("#225533");
    gw = GatewayHarness.in(dir).targets(GatewayHarness.target("shared", xvnc.port(), xvnc.passwordFile(), null)).noTcp().webUi().start();
    browser = new Browser(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
  }

  @AfterEach
  void closeExtraTabs() {
    if (browser == null) return;
    String first = browser.driver.getWindowHandles().iterator().next();
    for (String h : browser.driver.getWindowHandles()) {
      if (!h.equals(first)) browser.driver.switchTo().window(h).close();
    }
    browser.driver.switchTo().window(first);
    browser.driver.get("about:blank");
  }

  @Test
  void takeOverFlipsBothPagesAndGiveBackFreesControl() throws Exception {
    String origin = gw.origin();
    String alice = browser.driver.getWindowHandle();
    browser.driver.get(origin + "/#token=" + gw.token("alice", Role.CONTROL) + "&target=static/shared");
    browser.awaitConnected(CONNECT);
    assertEquals("YOU CONTROL", browser.text("role-badge"));
    assertFalse(browser.visible("take-control"));

    browser.driver.switchTo().newWindow(WindowType.TAB);
    String bob = browser.driver.getWindowHandle();
    browser.driver.get(origin + "/#token=" + gw.token("bob", Role.CONTROL) + "&target=static/shared");
    browser.awaitConnected(CONNECT);
    browser.await(FLIP, "Bob should join as an observer who may take over", d -> "VIEW ONLY".equals(browser.text("role-badge"))
        && browser.visible("take-control") && browser.text("controller").equals("Controlled by alice"));
    browser.screenshot(Path.of("target", "screenshots", "observer-may-take-over.png"));

    // only the controller's pointer reaches the desktop
    xvnc.movePointer(5, 5);
    moveOverCanvas();
    Thread.sleep(500);
    assertEquals("x:5 y:5", xvnc.pointer(), "Bob, observing, must not move the X pointer");

    browser.byId("take-control").click();
    browser.await(FLIP, "Bob should control after taking over", d -> "YOU CONTROL".equals(browser.text("role-badge")));
    moveOverCanvas();
    browser.await(FLIP, "Bob's pointer should now move the X pointer", d -> !xvnc.pointer().equals("x:5 y:5"));

    browser.driver.switchTo().window(alice);
    browser.await(FLIP, "Alice should learn she only watches now, without reloading", d -> "VIEW ONLY".equals(browser.text("role-badge"))
        && browser.text("controller").equals("Controlled by bob") && browser.visible("take-control") && browser.visible("viewonly-banner"));
    xvnc.movePointer(5, 5);
    moveOverCanvas();
    Thread.sleep(500);
    assertEquals("x:5 y:5", xvnc.pointer(), "Alice, observing now, must not move the X pointer");

    browser.byId("take-control").click();
    browser.await(FLIP, "Alice takes it back", d -> "YOU CONTROL".equals(browser.text("role-badge")));
    browser.driver.switchTo().window(bob);
    browser.await(FLIP, "Bob flips back to watching", d -> "VIEW ONLY".equals(browser.text("role-badge")));

    browser.driver.switchTo().window(alice);
    assertTrue(browser.visible("give-back"));
    browser.byId("give-back").click();
    browser.await(FLIP, "Alice watches after giving control back", d -> "VIEW ONLY".equals(browser.text("role-badge"))
        && browser.visible("take-control"));
    browser.driver.switchTo().window(bob);
    browser.await(FLIP, "Bob sees that nobody controls and may take it", d -> browser.text("controller").equals("Nobody controls")
        && browser.visible("take-control"));
  }

  private static void moveOverCanvas() {
    new Actions(browser.driver).moveToElement(browser.driver.findElement(By.cssSelector("#screen canvas")), 10, 10)
        .moveByOffset(40, 25).perform();
  }
}
