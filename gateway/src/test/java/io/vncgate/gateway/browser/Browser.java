package io.vncgate.gateway.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Debian's chromedriver through Selenium. Paths are given
 * explicitly so Selenium Manager never runs (and never downloads anything; SE_OFFLINE is set too).
 */
final class Browser implements AutoCloseable {
  static final String CHROMIUM = System.getProperty("vncgate.test.chromium", "/usr/bin/chromium");
  static final String CHROMEDRIVER = System.getProperty("vncgate.test.chromedriver", "/usr/bin/chromedriver");

  final ChromeDriver driver;
  private final Path profile;

  /** Fails, naming the Debian packages, when the browser or its driver is missing (tests never skip for that). */
  static void require() {
    if (!Files.isExecutable(Path.of(CHROMIUM)) || !Files.isExecutable(Path.of(CHROMEDRIVER))) {
      throw new IllegalStateException(CHROMIUM + " or " + CHROMEDRIVER
          + " not found: install chromium and chromium-driver (see .ci/install-deps)");
    }
  }

  Browser(Path tempDir) throws IOException {
    this(tempDir, new String[0]);
  }

  /** @param extraArguments more Chromium switches (e.g. a pinned test certificate) */
  Browser(Path tempDir, String... extraArguments) throws IOException {
    this(tempDir, Map.of(), extraArguments);
  }

  /**
   * A browser whose languages are {@code acceptLanguages} (e.g. "de-DE,de"): navigator.languages
   * and the Accept-Language header, as a browser set up in that language sends them.
   */
  static Browser withLanguages(Path tempDir, String acceptLanguages) throws IOException {
    return new Browser(tempDir, Map.of("intl.accept_languages", acceptLanguages),
        "--lang=" + acceptLanguages.split(",")[0], "--accept-lang=" + acceptLanguages);
  }

  private Browser(Path tempDir, Map<String, Object> prefs, String... extraArguments) throws IOException {
    require();
    profile = Files.createTempDirectory(tempDir, "chromium-profile");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--window-size=1280,900",
        "--user-data-dir=" + profile.toAbsolutePath());
    options.addArguments(extraArguments);
    if (!prefs.isEmpty()) options.setExperimentalOption("prefs", prefs);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER))
        .usingAnyFreePort()
        .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
  }

  /** Lets pages from {@code origin} read and write the clipboard without a prompt (CDP). */
  void grantClipboard(String origin) {
    driver.executeCdpCommand("Browser.grantPermissions", Map.of(
        "origin", origin, "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
  }

  /** Makes the current tab the focused one (clipboard access needs a focused document). */
  void focusPage() {
    driver.executeCdpCommand("Page.bringToFront", Map.of());
  }

  /** Puts text on the browser's clipboard; fails the test if the browser refuses. */
  void writeClipboard(String text) {
    focusPage();
    Object r = asyncJs("navigator.clipboard.writeText(arguments[0]).then(() => arguments[1]('ok'), e => arguments[1](String(e)))", text);
    if (!"ok".equals(r)) throw new AssertionError("the browser refused navigator.clipboard.writeText: " + r);
  }

  String readClipboard() {
    focusPage();
    return (String) asyncJs("navigator.clipboard.readText().then(arguments[0], e => arguments[0]('(refused: ' + e + ')'))");
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  Object asyncJs(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
  }

  <T> T await(Duration timeout, String what, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, timeout).withMessage(() -> what + "; status: " + statusText() + "; log: " + consoleLog())
        .until(condition);
  }

  String text(String id) {
    return driver.findElement(By.id(id)).getText();
  }

  WebElement byId(String id) {
    return driver.findElement(By.id(id));
  }

  boolean visible(String id) {
    return driver.findElement(By.id(id)).isDisplayed();
  }

  String statusText() {
    try {
      return (String) js("const o = document.getElementById('overlay');"
          + "return document.getElementById('status-text').textContent + (o && !o.hidden ? ' | ' + o.innerText.replace(/\\s+/g, ' ') : '');");
    } catch (RuntimeException e) {
      return "?";
    }
  }

  /** Waits until the viewer reports "Connected" and the canvas has the desktop's size. */
  void awaitConnected(Duration timeout) {
    await(timeout, "viewer did not connect", d -> "connected".equals(js(
        "return document.getElementById('status').dataset.state")) && canvasSize()[0] > 0);
  }

  int[] canvasSize() {
    @SuppressWarnings("unchecked")
    List<Long> wh = (List<Long>) js("const c = document.querySelector('#screen canvas');"
        + "return c ? [c.width, c.height] : [0, 0];");
    return new int[] {wh.get(0).intValue(), wh.get(1).intValue()};
  }

  /** The RGB of a pixel of the remote framebuffer (noVNC's canvas, unscaled coordinates). */
  int[] pixel(int x, int y) {
    @SuppressWarnings("unchecked")
    List<Long> rgb = (List<Long>) js("const c = document.querySelector('#screen canvas');"
        + "const d = c.getContext('2d').getImageData(arguments[0], arguments[1], 1, 1).data;"
        + "return [d[0], d[1], d[2]];", x, y);
    return new int[] {rgb.get(0).intValue(), rgb.get(1).intValue(), rgb.get(2).intValue()};
  }

  /** A hash of a region of the canvas, to tell whether it changed. */
  long regionHash(int x, int y, int w, int h) {
    return ((Number) js("const c = document.querySelector('#screen canvas');"
        + "const d = c.getContext('2d').getImageData(arguments[0], arguments[1], arguments[2], arguments[3]).data;"
        + "let h = 0; for (let i = 0; i < d.length; i++) { h = (h * 31 + d[i]) | 0; } return h;", x, y, w, h)).longValue();
  }

  /** The share of non-black pixels in the canvas, 0..1. */
  double nonBlackShare() {
    return ((Number) js("const c = document.querySelector('#screen canvas');"
        + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        + "let n = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] + d[i + 1] + d[i + 2] > 30) n++; }"
        + "return n / (d.length / 4);")).doubleValue();
  }

  void screenshot(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    File shot = driver.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The browser console so far (CSP violations and script errors show up here). */
  String consoleLog() {
    StringBuilder sb = new StringBuilder();
    try {
      for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
        sb.append(e.getLevel()).append(' ').append(e.getMessage()).append('\n');
      }
    } catch (RuntimeException e) {
      sb.append("(no log: ").append(e.getMessage()).append(')');
    }
    return sb.toString();
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temp folder; JUnit's @TempDir removes the rest
      }
    }
  }
}
