package io.vncgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** `vncgate demo` prints one URL whose page and token work, and stops cleanly. */
@Timeout(60)
class DemoCommandTest {
  private static final Pattern URL = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/#token=([\\w.-]+)&target=static/demo");

  @Test
  void printsOneUrlThatServesThePageAndWhoseTokenOpensTheDemoDesktop() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    Thread run = new Thread(() -> cli.execute("demo", "--port", "0", "--no-xvnc", "--verbose"), "demo-under-test");
    run.start();
    Matcher m = null;
    for (int i = 0; i < 300 && (m == null || !m.find(0)); i++) {
      Thread.sleep(100);
      m = URL.matcher(out.toString());
    }
    assertTrue(m != null && m.find(0), "no URL printed: " + out);
    String printed = out.toString();
    assertEquals(1, printed.split("http://").length - 1, "exactly one URL: " + printed);
    assertTrue(printed.contains("Ctrl-C"), printed);
    String base = "http://127.0.0.1:" + m.group(1);
    HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<script type=\"module\" src=\"app/main.js\">"), page.body());
    assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("frame-ancestors 'none'"));

    HttpResponse<String> targets = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/targets"))
        .header("Authorization", "Bearer " + m.group(2)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, targets.statusCode(), targets.body());
    List<Object> ids = new JsonObject(targets.body()).getJsonArray("targets").stream()
        .map(t -> ((JsonObject) t).getString("id")).map(Object.class::cast).toList();
    assertEquals(List.of("static/demo"), ids);

    run.interrupt();
    run.join(20_000);
    assertFalse(run.isAlive(), "the demo stops");
    try {
      http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
      throw new AssertionError("the gateway still answers after the demo stopped");
    } catch (ConnectException expected) {
      // the port is closed
    }
  }

  @Test
  void aBusyPortIsNamedWithTheOptionToChange() throws Exception {
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      StringWriter err = new StringWriter();
      CommandLine cli = Main.commandLine();
      cli.setOut(new PrintWriter(new StringWriter(), true));
      cli.setErr(new PrintWriter(err, true));
      assertEquals(2, cli.execute("demo", "--port", Integer.toString(busy.getLocalPort()), "--no-xvnc", "--verbose"));
      assertEquals("vncgate: port " + busy.getLocalPort() + " is in use (by pid " + ProcessHandle.current().pid()
          + ") on 127.0.0.1: choose --port or stop it\n", err.toString());
    }
  }
}
