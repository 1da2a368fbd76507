package io.vncgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.gateway.e2e.TestCa;
import io.vncgate.gateway.provider.plugin.fixture.FixtureProvider;
import io.vncgate.testbeds.FreePorts;
import io.vncgate.testbeds.PluginZip;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.XvncServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * `vncgate status` against a real gateway: a real Xvnc target (healthy, banner read through the
 * gateway), a target whose VNC port is closed, an expired token signed with the gateway's key, a
 * provider whose plugin did not start, no gateway at all, and an HTTPS gateway whose certificate
 * the client does not trust (then does, with --ca-file).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatusCommandTest {
  @TempDir static Path dir;
  static XvncServer xvnc;
  /** Up at start, killed by one test: a VNC server that went away. */
  static XvncServer doomed;
  static GatewayHarness gw;
  static int closedPort;

  record Result(int code, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(320, 200).password("status-1").start();
    doomed = XvncServer.builder().geometry(320, 200).start();
    closedPort = FreePorts.next();
    // every check connects (no limits.target-check.cache): a killed server shows at once
    gw = GatewayHarness.in(dir).auth("  admins: [ops]\n").yaml("audit: {file: audit.log}\nlimits:\n  target-check: {cache: 0s}\n")
        .targets(GatewayHarness.target("lab1", xvnc.port(), xvnc.passwordFile().toString())
            + GatewayHarness.target("down", closedPort, null)
            + GatewayHarness.target("doomed", doomed.port(), null)).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
    if (doomed != null) doomed.close();
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  static Path tokenFile(String name, String jwt) throws Exception {
    return Files.writeString(dir.resolve(name), jwt + "\n");
  }

  @Test
  void healthyGatewayAndTargetExitZeroWithTheBannerAndWhoControls() throws Exception {
    Path token = tokenFile("alice.token", gw.token("alice", "static/*", Role.CONTROL));
    // a real viewer holds a session on lab1 through the TCP front, so the sessions layer has someone to name
    try (RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      assertEquals(320, viewer.handshakeVncAuth(gw.ticket("static/lab1")).width());
      Result r = run("status", "static/lab1", "--gateway", gw.origin(), "--token-file", token.toString());
      assertEquals(0, r.code(), r.out() + r.err());
      assertTrue(r.out().contains("ok       target     static/lab1: RFB 003.008 (RFB 3.8) in "), r.out());
      assertTrue(r.out().contains("ok       gateway    " + gw.origin() + " answers /healthz"), r.out());
      assertTrue(r.out().contains("ok       token      alice, role control, targets [\"static/*\"]"), r.out());
      assertTrue(r.out().contains("ok       providers  ready: static ready (3)"), r.out());
      assertTrue(r.out().contains("ok       sessions   static/lab1: alice controls, viewers [alice (control)]"), r.out());
      assertTrue(r.out().contains("skipped  tls        plain HTTP"), r.out());
      assertTrue(r.out().strip().endsWith("healthy"), r.out());
      assertFalse(r.out().contains("problem"), r.out());
    }
  }

  @Test
  void targetWhoseVncPortIsClosedSaysUnreachableWithDetailAndRescue() throws Exception {
    Path token = tokenFile("bob.token", gw.token("bob", "**", Role.VIEW));
    Result r = run("status", "static/down", "--gateway", gw.origin(), "--token-file", token.toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("problem  target     static/down: the target is unreachable"), r.out());
    assertTrue(r.out().contains("    problem: the target is unreachable (outcome unreachable)"), r.out());
    // the words a viewer would get: where the target lives is the operator's to know, not the user's
    assertTrue(r.out().contains("    detail:  target static/down unreachable: connection refused\n"), r.out());
    assertFalse(r.out().contains(String.valueOf(closedPort)), r.out());
    assertTrue(r.out().contains("    rescue:  start the VNC server of static/down (e.g. systemctl start vncserver@:1 on"
        + " its host), or fix its host/port: providers.static in the gateway's config"), r.out());
    assertTrue(r.out().contains("    rescue:  curl -H \"Authorization: Bearer $(cat " + token + ")\" " + gw.origin()
        + "/api/v1/targets/static/down/check   # again, once fixed"), r.out());
    assertTrue(r.out().strip().endsWith("unhealthy: [target]"), r.out());
  }

  @Test
  void vncServerKilledAfterAGoodCheckIsThenUnreachable() throws Exception {
    Path token = tokenFile("frank.token", gw.token("frank", "static/doomed", Role.CONTROL));
    Result before = run("status", "static/doomed", "--gateway", gw.origin(), "--token-file", token.toString());
    assertEquals(0, before.code(), before.out());
    assertTrue(before.out().contains("ok       target     static/doomed: RFB 003.008 (RFB 3.8) in "), before.out());
    doomed.kill();
    Result after = run("status", "static/doomed", "--json", "--gateway", gw.origin(), "--token-file", token.toString());
    assertEquals(1, after.code(), after.out());
    JsonObject layer = new JsonObject(after.out()).getJsonArray("layers").stream().map(JsonObject.class::cast)
        .filter(l -> l.getString("layer").equals("target")).findFirst().orElseThrow();
    assertEquals("problem", layer.getString("state"));
    assertEquals("the target is unreachable (outcome unreachable)", layer.getString("problem"));
    assertEquals("target static/doomed unreachable: connection refused", layer.getString("detail"));
    assertEquals("unreachable", layer.getJsonObject("data").getString("outcome"));
    assertTrue(layer.getJsonArray("rescue").getString(0).startsWith("start the VNC server of static/doomed"), layer.encode());
  }

  @Test
  void noSuchTargetOrAForbiddenOneSkipsTheSessionsLayer() throws Exception {
    Path any = tokenFile("gina.token", gw.token("gina", "**", Role.VIEW));
    Result missing = run("status", "static/nothere", "--gateway", gw.origin(), "--token-file", any.toString());
    assertEquals(1, missing.code(), missing.out() + missing.err());
    assertTrue(missing.out().contains("problem  target     static/nothere: no such target"), missing.out());
    assertTrue(missing.out().contains("skipped  sessions   not checked: the gateway has no target static/nothere (see above)"),
        missing.out());
    assertFalse(missing.out().contains("nobody is connected"), missing.out());

    Path narrow = tokenFile("hank.token", gw.token("hank", "static/down", Role.VIEW));
    Result forbidden = run("status", "static/lab1", "--json", "--gateway", gw.origin(), "--token-file", narrow.toString());
    assertEquals(1, forbidden.code(), forbidden.out() + forbidden.err());
    JsonObject sessions = new JsonObject(forbidden.out()).getJsonArray("layers").stream().map(JsonObject.class::cast)
        .filter(l -> l.getString("layer").equals("sessions")).findFirst().orElseThrow();
    assertEquals("skipped", sessions.getString("state"), forbidden.out());
    assertTrue(forbidden.out().contains("not checked: your token does not grant static/lab1 (see above)"), forbidden.out());
    assertTrue(forbidden.out().contains("static/lab1: not granted by your token"), forbidden.out());
  }

  @Test
  void checkEndpointIsRefusedForATargetTheTokenDoesNotGrantAndAnswersTheOutcomeOtherwise() throws Exception {
    HttpResponse<String> refused = gw.get("/api/v1/targets/static/lab1/check", gw.token("carol", "static/down", Role.VIEW));
    assertEquals(403, refused.statusCode(), refused.body());
    assertTrue(new JsonObject(refused.body()).getString("error").startsWith("your token does not grant target static/lab1"),
        refused.body());
    HttpResponse<String> missing = gw.get("/api/v1/targets/static/nope/check", gw.token("carol", "**", Role.VIEW));
    assertEquals(404, missing.statusCode(), missing.body());
    JsonObject downReply = new JsonObject(gw.get("/api/v1/targets/static/down/check", gw.token("carol", "**", Role.VIEW)).body());
    assertEquals(false, downReply.getBoolean("ok"));
    assertEquals("unreachable", downReply.getString("outcome"));
    assertEquals("the target is unreachable", downReply.getString("reason"));
    assertEquals(false, downReply.getBoolean("final"));
    // a check is no viewer: nothing in the roster, no ticket held
    JsonObject ok = new JsonObject(gw.get("/api/v1/targets/static/lab1/check", gw.token("dave", "**", Role.VIEW)).body());
    assertEquals("RFB 003.008", ok.getString("banner"));
    assertEquals(0, gw.gateway.services().tickets().liveTickets("dave"));
    String roster = gw.get("/api/v1/sessions", gw.token("ops", "**", Role.CONTROL)).body();
    assertFalse(roster.contains("\"dave\""), roster);
    // on the record: who checked what, and how it went (the audit is written off the event loop)
    Path audit = dir.resolve("audit.log");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!(Files.exists(audit) && Files.readString(audit).contains("\"user\":\"dave\"")) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    JsonObject checked = Files.readAllLines(audit).stream().map(JsonObject::new)
        .filter(l -> "dave".equals(l.getString("user"))).findFirst().orElseThrow();
    assertEquals("target.checked", checked.getString("event"));
    assertEquals("static/lab1", checked.getString("target"));
    assertEquals("ok", checked.getString("outcome"));
    assertEquals("RFB 003.008", checked.getString("cause"));
    JsonObject down = Files.readAllLines(audit).stream().map(JsonObject::new)
        .filter(l -> "carol".equals(l.getString("user")) && "target.checked".equals(l.getString("event"))).findFirst()
        .orElseThrow();
    assertEquals("static/down", down.getString("target"));
    assertEquals("unreachable", down.getString("outcome"));
    assertEquals("target static/down unreachable: connection refused", down.getString("cause"));
  }

  @Test
  void expiredTokenSignedWithTheGatewaysKeySaysHowToGetANewOneAndJsonParses() throws Exception {
    JsonObject payload = StatusCommand.payload(gw.token("erin", "static/*", Role.CONTROL));
    long now = Instant.now().getEpochSecond();
    payload.put("iat", now - 7200).put("exp", now - 3600);
    Path token = tokenFile("erin.token", hs256(payload));
    // the gateway itself refuses it: signed right (the same payload, not expired, is taken), but expired
    HttpResponse<String> api = gw.get("/api/v1/targets", Files.readString(token).strip());
    assertEquals(401, api.statusCode(), api.body());
    assertEquals(200, gw.get("/api/v1/targets", hs256(payload.copy().put("exp", now + 600))).statusCode());

    Result text = run("status", "--gateway", gw.origin(), "--token-file", token.toString());
    assertEquals(1, text.code(), text.out());
    assertTrue(text.out().contains("problem  token      erin, role control, targets [\"static/*\"]: expired 60 min ago"),
        text.out());
    assertTrue(text.out().contains("    rescue:  vncgate token --config /etc/vncgate/vncgate.yaml --sub erin --targets"
        + " 'static/*' --ttl 8h > " + token), text.out());

    Result json = run("status", "--json", "--gateway", gw.origin(), "--token-file", token.toString());
    assertEquals(1, json.code(), json.out());
    JsonObject report = new JsonObject(json.out());
    assertEquals(false, report.getBoolean("healthy"));
    assertEquals(gw.origin(), report.getString("gateway"));
    JsonArray layers = report.getJsonArray("layers");
    assertEquals(List.of("gateway", "tls", "token", "providers", "sessions"),
        layers.stream().map(l -> ((JsonObject) l).getString("layer")).toList());
    JsonObject tokenLayer = layers.getJsonObject(2);
    assertEquals("problem", tokenLayer.getString("state"));
    assertTrue(tokenLayer.getString("problem").startsWith("the token expired on "), tokenLayer.encode());
    assertTrue(tokenLayer.getJsonArray("rescue").getString(0).startsWith("vncgate token --config "), tokenLayer.encode());
    assertEquals("erin", tokenLayer.getJsonObject("data").getString("subject"));
    assertEquals("ok", layers.getJsonObject(3).getString("state"), "providers from /readyz without a token");
    assertEquals("skipped", layers.getJsonObject(4).getString("state"));
  }

  @Test
  void noGatewayAtTheAddressIsAReachableProblem() {
    String url = "http://127.0.0.1:" + FreePorts.next();
    Result r = run("status", "static/lab1", "--gateway", url, "--token-file", dir.resolve("none").toString());
    assertEquals(1, r.code(), r.out());
    assertTrue(r.out().contains("problem  gateway    no gateway answers at " + url), r.out());
    assertTrue(r.out().contains("    problem: nothing accepts connections at " + url), r.out());
    assertTrue(r.out().contains("    detail:  ConnectException: Connection refused"), r.out());
    assertTrue(r.out().contains("    rescue:  systemctl restart vncgate"), r.out());
    assertTrue(r.out().contains("    rescue:  curl -k " + url + "/healthz"), r.out());
    assertTrue(r.out().contains("skipped  target     not checked: the gateway cannot be used (see above)"), r.out());
  }

  @Test
  void httpsToAPlainHttpGatewayIsATlsProblemPointingAtHttp() {
    String url = "https://127.0.0.1:" + gw.httpPort();
    Result r = run("status", "static/lab1", "--gateway", url, "--token-file", dir.resolve("none").toString());
    assertEquals(1, r.code(), r.out());
    assertTrue(r.out().contains("problem  tls        no TLS handshake with " + url), r.out());
    assertTrue(r.out().contains("    problem: the gateway's port does not speak TLS (no server.tls?)"), r.out());
    assertTrue(r.out().contains("    rescue:  vncgate status --gateway " + gw.origin() + " static/lab1   # if the gateway"
        + " has no server.tls"), r.out());
    assertTrue(r.out().contains("skipped  token      not checked: the gateway cannot be used (see above)"), r.out());
  }

  @Test
  void usageErrorsExitTwo() {
    Result r = run("status", "--gateway", "ftp://127.0.0.1:1");
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("--gateway must look like http://host:port or https://host:port, got 'ftp://127.0.0.1:1'"),
        r.err());
    assertEquals(2, run("status", "--no-such-option").code());
  }

  @Test
  void providerWhosePluginDidNotStartIsAProblemWithItsWordsForAdminsAndTheRescue(@TempDir Path own) throws Exception {
    PluginZip.plugin("fixture").extension(FixtureProvider.class)
        .writeTo(Files.createDirectories(own.resolve("plugins")), "fixture.zip");
    try (GatewayHarness g = GatewayHarness.in(own).noTcp().auth("  admins: [ops]\n")
        .yaml("providers:\n  static: {targets: [{id: s1, host: 127.0.0.1, port: " + xvnc.port() + "}]}\n"
            + "  fixture: {fail-start: \"cannot reach the inventory\"}\n").start()) {
      // the API: states for everyone, the words for operators only
      JsonObject user = new JsonObject(g.get("/api/v1/providers", g.token("alice", "**", Role.VIEW)).body());
      assertEquals(false, user.getBoolean("ready"));
      JsonObject fixture = user.getJsonArray("providers").getJsonObject(0);
      assertEquals("fixture", fixture.getString("name"));
      assertEquals("unavailable", fixture.getString("state"));
      assertNull(fixture.getString("detail"), user.encode());
      assertEquals(new JsonObject().put("name", "static").put("state", "ready").put("ready", true).put("targets", 1),
          user.getJsonArray("providers").getJsonObject(1));

      Path token = Files.writeString(own.resolve("ops.token"), g.token("ops", "**", Role.CONTROL));
      Result r = run("status", "--gateway", g.origin(), "--token-file", token.toString());
      assertEquals(1, r.code(), r.out());
      assertTrue(r.out().contains("problem  providers  not ready: fixture"), r.out());
      assertTrue(r.out().contains("    problem: provider fixture cannot serve targets"), r.out());
      assertTrue(r.out().contains("    detail:  fixture: unavailable: plugin fixture 1.0.0 from ")
          && r.out().contains("failed to start: cannot reach the inventory"), r.out());
      assertTrue(r.out().contains("    rescue:  vncgate plugins --config /etc/vncgate/vncgate.yaml   # why provider fixture"
          + " did not start"), r.out());
      assertTrue(r.out().contains("    rescue:  systemctl restart vncgate   # after fixing providers.fixture or its plugin"),
          r.out());

      // a target of that provider: the check answers in the outcome's words, not an HTTP error
      Result t = run("status", "fixture/a", "--gateway", g.origin(), "--token-file", token.toString());
      assertEquals(1, t.code(), t.out());
      assertTrue(t.out().contains("problem  target     fixture/a: the gateway is not ready"), t.out());
      assertTrue(t.out().contains("    detail:  target fixture/a unavailable: provider fixture is not available: plugin"
          + " fixture 1.0.0 from "), t.out());
      assertTrue(t.out().contains("    rescue:  vncgate plugins --config /etc/vncgate/vncgate.yaml   # why provider fixture"
          + " is not available"), t.out());
    }
  }

  @Test
  void untrustedCertificateIsATlsProblemUntilCaFileIsGivenAndTheGatewayWarnsOfItsExpiry(@TempDir Path own)
      throws Exception {
    TestCa ca = new TestCa(own);
    ca.issue("server", "ec");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    try (GatewayHarness g = GatewayHarness.in(own).noTcp()
        .server("  tls: {cert-file: server.pem, key-file: server.key}\n")
        .targets(GatewayHarness.target("lab1", xvnc.port(), xvnc.passwordFile().toString())).start()) {
      String url = "https://127.0.0.1:" + g.httpPort();
      Path token = Files.writeString(own.resolve("t"), g.token("alice", "**", Role.CONTROL));
      Result r = run("status", "static/lab1", "--gateway", url, "--token-file", token.toString());
      assertEquals(1, r.code(), r.out());
      assertTrue(r.out().contains("problem  tls        the certificate is not trusted"), r.out());
      assertTrue(r.out().contains("    problem: the gateway's certificate (CN=server, issued by CN=vncgate test CA) is not"
          + " trusted here (the system's CAs) or does not name host 127.0.0.1"), r.out());
      assertTrue(r.out().contains("    detail:  PKIX path building failed"), r.out());
      assertTrue(r.out().contains("    rescue:  vncgate status --gateway " + url + " --ca-file /path/to/your-ca.pem static/lab1"),
          r.out());

      Result trusted = run("status", "static/lab1", "--gateway", url, "--token-file", token.toString(),
          "--ca-file", own.resolve("ca.pem").toString());
      assertEquals(0, trusted.code(), trusted.out());
      // TestCa's certificates live a day: a warning, not a problem
      assertTrue(trusted.out().contains("warn     tls        CN=server, trusted, expires "), trusted.out());
      assertTrue(trusted.out().contains("    problem: the certificate expires in 0 days"), trusted.out());
      assertTrue(trusted.out().contains("ok       target     static/lab1: RFB 003.008"), trusted.out());

      // the wrong scheme: http:// to this HTTPS port
      String plain = "http://127.0.0.1:" + g.httpPort();
      Result http = run("status", "--gateway", plain, "--token-file", token.toString());
      assertEquals(1, http.code(), http.out());
      assertTrue(http.out().contains("problem  gateway    " + plain + " does not answer HTTP"), http.out());
      assertTrue(http.out().contains("    rescue:  vncgate status --gateway " + url + "   # if the gateway has server.tls"),
          http.out());

      String logged = logText(logs);
      assertTrue(logged.contains("server.tls: the certificate CN=server expires on ") && logged.contains(", in 0 days; renew it"),
          logged);
    } finally {
      root.detachAppender(logs);
    }
  }

  private static String logText(ListAppender<ILoggingEvent> logs) {
    StringBuilder out = new StringBuilder();
    synchronized (logs) {
      for (ILoggingEvent e : List.copyOf(logs.list)) out.append(e.getFormattedMessage()).append('\n');
    }
    return out.toString();
  }

  /** An HS256 JWT of {@code payload} signed with the gateway's key (jwt.key holds {@link GatewayHarness#SECRET}). */
  private static String hs256(JsonObject payload) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String signed = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(payload.encode().getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(GatewayHarness.SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return signed + "." + b64.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
  }
}
