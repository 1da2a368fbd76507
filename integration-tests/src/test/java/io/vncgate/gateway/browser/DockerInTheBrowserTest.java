package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.docker.DesktopContainer;
import io.vncgate.testbeds.docker.DesktopImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Unmodified noVNC in Chromium → the gateway with the docker plugin zip → a desktop container
 * (Xtigervnc, VNC auth with the password file inside the container): the canvas shows the
 * container's screen at its size, and the password is in no URL the page loaded nor in the page.
 * Skipped, with Testcontainers' reason, where no Docker engine answers.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class DockerInTheBrowserTest {
  private static final String PASSWORD = "brw-Pw-3";

  @TempDir
  static Path dir;
  static DesktopContainer desk;
  static GatewayHarness gw;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.require();
    desk = DesktopContainer.offered("browser-desk-" + Long.toHexString(System.nanoTime() & 0xffffffL), PASSWORD,
        Map.of());
    desk.start();
    Path zip = Path.of(System.getProperty("vncgate.it.zip.docker", "missing.zip"));
    Files.createDirectories(dir.resolve("plugins"));
    Files.copy(zip, dir.resolve("plugins").resolve(zip.getFileName()));
    gw = GatewayHarness.in(dir).noTcp().webUi().yaml("""
        providers:
          docker:
            password-file-in-container: %s
        """.formatted(DesktopImage.PASSWORD_FILE)).start();
    browser = new Browser(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
    if (desk != null) desk.stop(); // Ryuk is off: the test removes what it started
  }

  @Test
  void noVncShowsTheContainersScreenAndThePasswordIsNowhereInThePage() throws Exception {
    browser.driver.get(gw.viewerUrl(gw.token("alice", Role.CONTROL), "docker/" + desk.name(), false));
    browser.awaitConnected(Duration.ofSeconds(30));
    assertArrayEquals(new int[] {DesktopImage.WIDTH, DesktopImage.HEIGHT}, browser.canvasSize());
    // X's weave (-retro) lights one pixel in four; a screen that never arrived is all black
    browser.await(Duration.ofSeconds(20), "X's weave on the canvas", d -> browser.nonBlackShare() > 0.2);

    @SuppressWarnings("unchecked")
    List<String> urls = (List<String>) browser.js("return [location.href].concat("
        + "performance.getEntriesByType('resource').map(e => e.name));");
    String page = (String) browser.js("return document.documentElement.outerHTML");
    for (String url : urls) assertFalse(url.contains(PASSWORD), "the VNC password in a URL the browser loaded: " + url);
    assertFalse(page.contains(PASSWORD), "the VNC password in the page");
  }
}
