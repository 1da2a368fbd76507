package io.vncgate.gateway.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.e2e.GatewayHarness;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The web UI as the gateway serves it: files from the webui jar, security headers, the API untouched. */
@Timeout(60)
class WebUiTest {
  @TempDir static Path dir;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayHarness.in(dir).noTcp().webUi().start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
  }

  /** Without a token, as a browser asks for the page. */
  static HttpResponse<String> get(String path) throws Exception {
    return gw.get(path, null);
  }

  @Test
  void pageIsServedFromRootWithSecurityHeaders() throws Exception {
    HttpResponse<String> r = get("/");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
    assertEquals(WebUi.CONTENT_SECURITY_POLICY, csp);
    assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), csp);
    assertTrue(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"), csp);
    assertFalse(csp.contains("http:") || csp.contains("https:") || csp.contains("*"), "no other origins: " + csp);
    assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
    assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(""));
    assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(""));
    assertTrue(r.body().contains("<script type=\"module\" src=\"app/main.js\"></script>"), r.body());
    assertFalse(r.body().matches("(?s).*<script>.*"), "no inline script");
  }

  @Test
  void scriptsAndNoVncCoreAreServedAsJavaScript() throws Exception {
    for (String path : List.of("/app/main.js", "/app/viewer.js", "/novnc/core/rfb.js", "/novnc/vendor/pako/lib/zlib/inflate.js")) {
      HttpResponse<String> r = get(path);
      assertEquals(200, r.statusCode(), path);
      assertTrue(r.headers().firstValue("Content-Type").orElse("").contains("javascript"), path + ": " + r.headers());
      assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), path);
    }
    assertTrue(get("/app/style.css").headers().firstValue("Content-Type").orElse("").startsWith("text/css"));
    assertEquals("1.7.0", new JsonObject(get("/build-info.json").body()).getString("novnc"));
  }

  @Test
  void apiAndUnknownPathsStayJson() throws Exception {
    HttpResponse<String> api = get("/api/v1/nope");
    assertEquals(401, api.statusCode());
    assertTrue(api.headers().firstValue("Content-Security-Policy").isEmpty(), "API replies are not pages");
    HttpResponse<String> missing = get("/no/such/file.js");
    assertEquals(404, missing.statusCode());
    assertTrue(new JsonObject(missing.body()).getString("error").contains("/no/such/file.js"));
    assertEquals(200, get("/healthz").statusCode());
  }

  /**
   * The page's files are listed once, from a jar (the gateway's) or a folder (a build), so that a
   * path the page does not have is answered without a lookup in the jar (some 70 ms of CPU each,
   * measured, for anyone who asks).
   */
  @Test
  void theWebRootIsListedFromAJarAndFromAFolder() throws Exception {
    Path folder = dir.resolve("classes");
    Path root = folder.resolve(WebUi.WEB_ROOT);
    Files.createDirectories(root.resolve("app"));
    Files.writeString(root.resolve("index.html"), "<html>");
    Files.writeString(root.resolve("app/main.js"), "//");
    Files.writeString(folder.resolve("Other.txt"), "not the page's");
    Path jar = dir.resolve("webui.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (String name : List.of(WebUi.WEB_ROOT + "/", WebUi.WEB_ROOT + "/index.html", WebUi.WEB_ROOT + "/app/main.js", "Other.txt")) {
        out.putNextEntry(new JarEntry(name));
        out.closeEntry();
      }
    }
    for (Path where : List.of(folder, jar)) {
      try (URLClassLoader loader = new URLClassLoader(new URL[] {where.toUri().toURL()}, null)) {
        assertEquals(Set.of("index.html", "app/main.js"), WebUi.listFiles(loader), where.toString());
      }
    }
    try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
      assertEquals(Set.of(), WebUi.listFiles(empty), "no page on the class path: no file is served");
    }
  }

  @Test
  void theGatewaysOwnPageIsListedAndServedUnderItsNames() throws Exception {
    Set<String> files = WebUi.listFiles(WebUi.class.getClassLoader());
    assertTrue(files.contains("index.html") && files.contains("app/main.js") && files.contains("novnc/core/rfb.js"), files.toString());
    assertEquals(200, get("/index.html").statusCode());
    assertEquals(404, get("/index.html/").statusCode());
    assertEquals(404, get("/app").statusCode());
  }

  @Test
  void noDirectoryListingsOrPathEscapes() throws Exception {
    assertEquals(404, get("/novnc/core/").statusCode());
    assertEquals(404, get("/../pom.xml").statusCode());
    assertEquals(404, get("/%2e%2e/%2e%2e/etc/passwd").statusCode());
  }
}
