package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.XvncServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.interactions.Actions;

/**
 * Unmodified noVNC in Chromium opens "my desktop" through the desktop plugin zip: while the
 * launched Xvnc starts (slowed by 2 s with a wrapper, so the start is seen) the page says
 * "Starting your desktop…", then shows the xterm, and a command typed into the page runs in it.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class DesktopInTheBrowserTest {
  @TempDir
  static Path dir;
  static GatewayHarness gw;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.require();
    XvncServer.require();
    Path zip = Path.of(System.getProperty("vncgate.it.zip.desktop", "missing.zip"));
    Files.createDirectories(dir.resolve("plugins"));
    Files.copy(zip, dir.resolve("plugins").resolve(zip.getFileName()));
    // the real Xvnc, started 2 s late: the page is seen waiting for it
    Path slowXvnc = Files.writeString(dir.resolve("slow-xvnc"), "#!/bin/sh\nsleep 2\nexec Xvnc \"$@\"\n");
    Files.setPosixFilePermissions(slowXvnc, PosixFilePermissions.fromString("rwx------"));
    gw = GatewayHarness.in(dir).noTcp().webUi().handshakeTimeout("30s").yaml("""
        providers:
          desktop:
            xvnc: %s
            geometry: 800x600
        """.formatted(slowXvnc)).start();
    browser = new Browser(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
  }

  @Test
  void thePageSaysStartingYourDesktopThenACommandTypedInItRunsInTheXterm() throws Exception {
    browser.driver.get(gw.viewerUrl(gw.token("alice", "desktop/alice", Role.CONTROL), "desktop/alice", false));
    browser.await(Duration.ofSeconds(10), "the page did not say it starts the desktop", d -> browser.visible("overlay")
        && browser.text("overlay-title").equals("Starting your desktop…"));
    assertEquals("Starting your desktop", browser.text("status-text"));
    assertEquals("desktop/alice is being started or prepared for you; this can take a few seconds.",
        browser.text("overlay-detail"));
    browser.screenshot(Path.of("target", "screenshots", "starting-your-desktop.png"));

    browser.awaitConnected(Duration.ofSeconds(30));
    assertArrayEquals(new int[] {800, 600}, browser.canvasSize());
    // openbox puts the xterm (white) in the middle of the screen
    browser.await(Duration.ofSeconds(20), "the xterm did not appear",
        d -> Arrays.equals(new int[] {255, 255, 255}, browser.pixel(400, 420)));
    Thread.sleep(500); // its shell's prompt
    new Actions(browser.driver).moveToElement(browser.driver.findElement(By.cssSelector("#screen canvas")))
        .click().sendKeys("echo typed-in-chromium > $HOME/browser.txt" + Keys.ENTER).perform();
    Path out = dir.resolve("desktops/homes/alice/browser.txt");
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline && !(Files.exists(out) && Files.readString(out).endsWith("\n"))) Thread.sleep(100);
    assertEquals("typed-in-chromium\n", Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "(no file)");
    browser.screenshot(Path.of("target", "screenshots", "desktop-in-the-browser.png"));
  }
}
