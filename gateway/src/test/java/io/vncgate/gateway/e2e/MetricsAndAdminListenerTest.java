package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics} of a real gateway: one registry with the JVM's, the process's and the build's
 * meters beside the gateway's and Vert.x's; on the admin listener only when {@code server.admin.port}
 * is set; behind the bearer token of {@code server.admin.metrics-token-file}, refused in JSON words,
 * the token never in a log line or a reply.
 */
@Timeout(120)
class MetricsAndAdminListenerTest {
  private static final String TOKEN = "scrape-me-0123456789-abcdefghij";
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void theMainPortServesJvmProcessAndBuildMetricsFromOneRegistry(@TempDir Path dir) throws Exception {
    try (GatewayHarness gw = GatewayHarness.in(dir).start()) {
      gw.get("/healthz", null); // a request for Vert.x's HTTP meters
      String m = gw.metrics();
      for (String name : new String[] {"jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads ",
          "jvm_classes_loaded_classes ", "process_cpu_usage ", "process_uptime_seconds ", "process_start_time_seconds ",
          "process_files_open_files ", "process_files_max_files ", "vncgate_sessions ", "vncgate_viewers{",
          "vncgate_relayed_bytes_total{", "vncgate_relay_info{", "vncgate_tickets_live ", "vertx_http_server_"}) {
        assertTrue(m.contains("\n" + name) || m.startsWith(name), name + " in:\n" + m);
      }
      Matcher build = Pattern.compile("(?m)^vncgate_build_info\\{commit=\"([^\"]+)\",java=\"([^\"]+)\",version=\"([^\"]+)\"} 1(\\.0)?$")
          .matcher(m);
      assertTrue(build.find(), "vncgate_build_info{commit,java,version} 1:\n" + m);
      assertEquals(Runtime.version().toString(), build.group(2));
      assertTrue(build.group(1).matches("[0-9a-f]{12}|unknown"), build.group(1));
      // one registry: each family once
      assertEquals(1, count(m, "# TYPE vncgate_sessions gauge"), m);
      assertEquals(1, count(m, "# TYPE jvm_threads_live_threads gauge"), m);
      double open = value(m, "process_files_open_files");
      assertTrue(open > 10 && open < 20_000, "open descriptors " + open);
    }
  }

  @Test
  void withAnAdminPortMetricsAndProbesAreThereAndMetricsNotOnTheMainPort(@TempDir Path dir) throws Exception {
    try (GatewayHarness gw = GatewayHarness.in(dir).server("  admin: {port: 0}\n").start()) {
      int admin = gw.gateway.adminPort();
      assertTrue(admin > 0 && admin != gw.httpPort(), "admin port " + admin);
      HttpResponse<String> main = gw.get("/metrics", null);
      assertEquals(404, main.statusCode());
      assertTrue(new JsonObject(main.body()).getString("error").contains("server.admin.port"), main.body());
      HttpResponse<String> scraped = get(admin, "/metrics", null);
      assertEquals(200, scraped.statusCode());
      assertTrue(scraped.body().contains("vncgate_build_info{") && scraped.body().contains("\nvncgate_sessions "), scraped.body());
      assertEquals("up", new JsonObject(get(admin, "/healthz", null).body()).getString("status"));
      HttpResponse<String> ready = get(admin, "/readyz", null);
      assertEquals(200, ready.statusCode(), ready.body());
      assertEquals(404, get(admin, "/api/v1/targets", null).statusCode(), "nothing but metrics and probes there");
      assertEquals(200, gw.get("/healthz", null).statusCode(), "the probes stay on the main port");
    }
  }

  @Test
  void aTokenFileGuardsMetricsOnTheMainPortAndAWrongTokenGetsWordsNotTheToken(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("metrics.token"), TOKEN + "\n");
    ListAppender<ILoggingEvent> logs = watchLogs();
    try (GatewayHarness gw = GatewayHarness.in(dir).server("  admin: {metrics-token-file: metrics.token}\n").start()) {
      HttpResponse<String> none = gw.get("/metrics", null);
      assertEquals(401, none.statusCode());
      assertTrue(new JsonObject(none.body()).getString("error").contains("bearer token"), none.body());
      assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), none.headers().toString());
      HttpResponse<String> wrong = gw.get("/metrics", TOKEN.substring(1) + "x");
      assertEquals(401, wrong.statusCode());
      assertTrue(new JsonObject(wrong.body()).getString("error").contains("not the one in server.admin.metrics-token-file"),
          wrong.body());
      assertFalse(wrong.body().contains(TOKEN.substring(1)), wrong.body());
      HttpResponse<String> right = gw.get("/metrics", TOKEN);
      assertEquals(200, right.statusCode());
      assertTrue(right.body().contains("vncgate_build_info{"));
      assertEquals(200, gw.get("/healthz", null).statusCode(), "the probes want no token");
    } finally {
      root().detachAppender(logs);
    }
    assertTrue(logs.list.stream().noneMatch(e -> e.getFormattedMessage().contains(TOKEN.substring(0, 12))),
        "the token is in no log line");
  }

  @Test
  void theTokenIsAskedOnTheAdminListenerTooAndAShortOneStopsTheStart(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("metrics.token"), TOKEN);
    try (GatewayHarness gw = GatewayHarness.in(dir).server("  admin: {port: 0, metrics-token-file: metrics.token}\n").start()) {
      assertEquals(401, get(gw.gateway.adminPort(), "/metrics", null).statusCode());
      assertEquals(200, get(gw.gateway.adminPort(), "/metrics", TOKEN).statusCode());
    }
    Files.writeString(dir.resolve("short.token"), "short\n");
    Throwable e = GatewayHarness.in(dir).server("  admin: {metrics-token-file: short.token}\n").startFailure();
    assertTrue(e.getMessage().contains("server.admin.metrics-token-file") && e.getMessage().contains("at least 16"),
        e.getMessage());
  }

  private HttpResponse<String> get(int port, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) n++;
    return n;
  }

  private static double value(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(metrics);
    if (!m.find()) throw new AssertionError(name + " not in:\n" + metrics);
    return Double.parseDouble(m.group(1));
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private static ListAppender<ILoggingEvent> watchLogs() {
    ListAppender<ILoggingEvent> a = new ListAppender<>();
    a.setContext(root().getLoggerContext());
    a.start();
    root().addAppender(a);
    return a;
  }
}
