package io.vncgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.Gateway;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `vncgate open` against a running gateway, with --no-browser so it prints the URL. */
@Timeout(60)
class OpenCommandTest {
  @TempDir static Path dir;
  static GatewayHarness gw;
  static Gateway gateway;
  static Path config;
  static int port;

  record Result(int code, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
    // a fixed port: `vncgate open --config` finds the gateway by the config's server.port
    port = FreePorts.next();
    gw = GatewayHarness.in(dir).httpPort(port).noTcp()
        .targets(GatewayHarness.target("lab1", 5999, null) + GatewayHarness.target("lab2", 5998, null)).start();
    gateway = gw.gateway;
    config = dir.resolve("vncgate.yaml");
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
  }

  static Result run(String... args) {
    // no config from this machine's environment or /etc: only what a test gives
    return runWith(Map.of(), dir.resolve("absent.yaml"), args);
  }

  static Result runWith(Map<String, String> env, Path systemDefault, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    OpenCommand open = cli.getSubcommands().get("open").getCommand();
    open.env = env;
    open.systemDefault = systemDefault;
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  static String tokenIn(String out, String fragmentRest) {
    Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:" + port + "/#token=([\\w.-]+)&" + Pattern.quote(fragmentRest) + "\\s")
        .matcher(out);
    assertTrue(m.find(), "no viewer URL ending in '" + fragmentRest + "' in: " + out);
    return m.group(1);
  }

  static List<String> targetsFor(String token) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/api/v1/targets")).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonArray("targets").stream().map(t -> ((JsonObject) t).getString("id")).toList();
  }

  @Test
  void printsTheViewerUrlWithATokenForThatTargetOnly() throws Exception {
    Result r = run("open", "static/lab1", "--config", config.toString(), "--no-browser", "--user", "operator");
    assertEquals(0, r.code(), r.err());
    String token = tokenIn(r.out(), "target=static/lab1");
    assertFalse(r.out().contains("role=view"), r.out());
    UserPrincipal user = gateway.jwt().verify(token).await(10, TimeUnit.SECONDS);
    assertEquals("operator", user.subject());
    assertEquals(Role.CONTROL, user.role());
    assertEquals(List.of("static/lab1"), targetsFor(token), "the token opens only that target");
  }

  @Test
  void viewOnlyMintsAViewTokenAndAsksThePageForViewOnly() throws Exception {
    Result r = run("open", "static/lab2", "--config", config.toString(), "--no-browser", "--view-only");
    assertEquals(0, r.code(), r.err());
    String token = tokenIn(r.out(), "target=static/lab2&role=view");
    assertEquals(Role.VIEW, gateway.jwt().verify(token).await(10, TimeUnit.SECONDS).role());
  }

  @Test
  void givenTokenIsUsedAsIsAndUnknownTargetsAreNamedWithTheAlternatives() throws Exception {
    String token = gateway.jwt().mint("alice", List.of("**"), Role.CONTROL, Duration.ofMinutes(5));
    String url = "http://127.0.0.1:" + port;
    Result ok = run("open", "static/lab2", "--token", token, "--url", url, "--no-browser");
    assertEquals(0, ok.code(), ok.err());
    assertEquals(token, tokenIn(ok.out(), "target=static/lab2"));

    Result nope = run("open", "static/nope", "--token", token, "--url", url, "--no-browser");
    assertEquals(2, nope.code());
    assertTrue(nope.err().contains("no target static/nope") && nope.err().contains("static/lab1, static/lab2"), nope.err());
    assertFalse(nope.out().contains("#token="), "no URL when the target does not exist");
  }

  @Test
  void anUnknownTargetWithAMintedTokenIsNamed() {
    Result r = run("open", "static/nope", "--config", config.toString(), "--no-browser");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("has no target static/nope"), r.err());
  }

  @Test
  void noRunningGatewayIsExplained() throws Exception {
    int closed = FreePorts.next();
    Result r = run("open", "static/lab1", "--config", config.toString(), "--url", "http://127.0.0.1:" + closed, "--no-browser");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("no gateway answers at http://127.0.0.1:" + closed) && r.err().contains("vncgate serve"), r.err());
  }

  @Test
  void aTokenThatTheGatewayRefusesIsExplained() {
    String bad = gateway.jwt().mint("alice", List.of("**"), Role.CONTROL, Duration.ofMinutes(5)) + "x";
    Result r = run("open", "static/lab1", "--token", bad, "--url", "http://127.0.0.1:" + port, "--no-browser");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("refused the token (HTTP 401)"), r.err());
  }

  @Test
  void findsTheConfigInTheVariableWithoutConfigOption() throws Exception {
    Result r = runWith(Map.of("VNCGATE_CONFIG", config.toString()), dir.resolve("absent.yaml"), "open", "static/lab1", "--no-browser");
    assertEquals(0, r.code(), r.err());
    assertEquals(List.of("static/lab1"), targetsFor(tokenIn(r.out(), "target=static/lab1")));
  }

  @Test
  void needsAConfigOrAToken() {
    Result r = run("open", "static/lab1", "--no-browser");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--config FILE") && r.err().contains("--token JWT"), r.err());
  }

  @Test
  void theBrowserGetsAPrivatePageNotTheTokenOnItsCommandLine() throws Exception {
    String url = "http://127.0.0.1:6080/#token=aaa.bbb.c'c&target=static/lab1";
    Path page = OpenCommand.redirectPage(url);
    try {
      assertFalse(page.toUri().toString().contains("token"), page.toString());
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(page)));
      assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(page.getParent())));
      assertEquals("<!doctype html><meta charset=utf-8><title>vncgate</title><script>location.replace("
          + "'http://127.0.0.1:6080/#token=aaa.bbb.c\\'c&target=static/lab1')</script>\n", java.nio.file.Files.readString(page));
    } finally {
      java.nio.file.Files.deleteIfExists(page);
    }
  }
}
