package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.demo.Demo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.interactions.Actions;

/** `vncgate demo`: it starts, serves the page, and the demo desktop connects, renders and lives. */
@Timeout(120)
class DemoPageTest {
  @TempDir Path dir;

  @Test
  void demoStartsServesThePageAndTheDesktopRendersAndTicks() throws Exception {
    try (Demo demo = Demo.start(new Demo.Options(0, false, Duration.ofMinutes(10), "tester"));
        Browser browser = new Browser(dir)) {
      assertTrue(demo.url().matches("http://127\\.0\\.0\\.1:\\d+/#token=[\\w-]+\\.[\\w-]+\\.[\\w-]+&target=static/demo"), demo.url());
      HttpResponse<String> page = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(demo.url().replaceAll("#.*", ""))).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode());

      browser.driver.get(demo.url());
      browser.awaitConnected(Duration.ofSeconds(20));
      assertEquals(1024, browser.canvasSize()[0]);
      browser.await(Duration.ofSeconds(10), "the demo desktop did not draw", d -> browser.nonBlackShare() > 0.9);

      // the clock (top left card) changes every second
      long before = browser.regionHash(40, 100, 440, 90);
      browser.await(Duration.ofSeconds(5), "the clock did not tick", d -> browser.regionHash(40, 100, 440, 90) != before);

      // typed keys are echoed in the keyboard card
      long keyboard = browser.regionHash(40, 270, 440, 120);
      new Actions(browser.driver).moveToElement(browser.driver.findElement(org.openqa.selenium.By.cssSelector("#screen canvas")))
          .click().sendKeys("hello vncgate").perform();
      browser.await(Duration.ofSeconds(5), "typed keys were not echoed", d -> browser.regionHash(40, 270, 440, 120) != keyboard);
      browser.screenshot(Path.of("target", "screenshots", "demo.png"));
      assertNotEquals(before, browser.regionHash(40, 100, 440, 90));
    }
  }
}
