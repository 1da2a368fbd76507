package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.XvncServer;
import io.vncgate.testbeds.oidc.OidcTestbed;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * Sign-in from the viewer page at a real HTTPS identity provider (the OIDC testbed: authorization
 * code with PKCE, CORS on its token endpoint) in a real Chromium: the page offers "Sign in with
 * <issuer host>", goes there and comes back signed in with nothing left in the address bar, lists
 * the targets and opens a real Xvnc desktop; a wrong verifier, a forged state and a denial are
 * refused in words, and so is a token the gateway does not accept; after the provider rotates its
 * signing key a new sign-in still works; an expired one leads back to the sign-in.
 */
@Timeout(180)
class SignInBrowserTest {
  static final Duration SOON = Duration.ofSeconds(15);
  static final String CLIENT = "vncgate-web";
  @TempDir static Path dir;
  static OidcTestbed idp;
  static XvncServer xvnc;
  static GatewayHarness gw;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    idp = OidcTestbed.start();
    idp.user("alice", new JsonObject().put("resource_access", new JsonObject().put("vncgate",
        new JsonObject().put("targets", new JsonArray().add("static/desk")).put("role", "control"))));
    xvnc = XvncServer.builder().geometry(800, 600).password("signin-1").start();
    xvnc.setRootColor("#3366cc");
    Files.copy(idp.caFile(), dir.resolve("idp-ca.pem"));
    gw = GatewayHarness.in(dir).targets(GatewayHarness.target("desk", xvnc.port(), xvnc.passwordFile(), null)).noTcp().webUi()
        .jwt("{}")
        .auth("  oidc: {issuer: \"" + idp.issuer() + "\", audience: vncgate, ca-file: idp-ca.pem, client-id: " + CLIENT
            + ", scopes: \"openid profile\", refetch-interval: 1s}\n"
            + "  claims-path: resource_access.vncgate\n")
        .start();
    // the client as registered at the provider: the page's address is its redirect URI, its origin a web origin
    idp.client(CLIENT, gw.origin() + "/", gw.origin());
    browser = new Browser(dir, "--ignore-certificate-errors-spki-list=" + idp.spkiHash());
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
    if (idp != null) idp.close();
  }

  @AfterEach
  void leave() {
    if (browser == null) return;
    browser.driver.get(gw.origin() + "/");
    browser.js("sessionStorage.clear()");
    browser.driver.get("about:blank");
  }

  /**
   * Loads the page afresh until it offers sign-in. Chromium aborts the loads in flight when it sees
   * the machine's network change (other tests making interfaces: net::ERR_NETWORK_CHANGED in the
   * console), which leaves the page without its scripts: then, and only then, it is loaded again.
   */
  private static void loadSignInPage() {
    for (int attempt = 1; ; attempt++) {
      browser.driver.get(gw.origin() + "/");
      browser.js("sessionStorage.clear()");
      browser.driver.navigate().refresh();
      try {
        browser.await(SOON, "no sign-in button", d -> browser.visible("signin-idp"));
        return;
      } catch (org.openqa.selenium.TimeoutException e) {
        if (attempt >= 3 || !e.getMessage().contains("ERR_NETWORK_CHANGED")) throw e;
      }
    }
  }

  /** A fresh tab state at the page, then "Sign in with ..." pressed. */
  private static void pressSignIn() {
    loadSignInPage();
    assertEquals("Sign in with " + idp.origin().substring("https://".length()), browser.text("signin-idp"));
    browser.byId("signin-idp").click();
  }

  private static void awaitTargets() {
    browser.await(SOON, "not signed in: " + reason(), d -> browser.visible("targets-view")
        && browser.driver.findElements(By.cssSelector("#target-list li")).size() > 0);
  }

  private static String reason() {
    try {
      return browser.text("signin-reason");
    } catch (RuntimeException e) {
      return "?";
    }
  }

  private static void assertNothingInTheAddressBar() {
    String url = browser.driver.getCurrentUrl();
    assertFalse(url.contains("code=") || url.contains("state=") || url.contains("error=") || url.contains("token"), url);
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gw.origin() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String kidOf(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8)).getString("kid");
  }

  @Test
  void theAuthConfigEndpointSaysWhereToSignInWithoutAToken() throws Exception {
    // no Authorization header at all: the page asks before anyone is signed in
    HttpResponse<String> r = get("/api/v1/auth/config");
    assertEquals(200, r.statusCode(), r.body());
    JsonObject s = new JsonObject(r.body()).getJsonObject("signIn");
    assertEquals(idp.issuer(), s.getString("issuer"));
    assertEquals(idp.issuer() + "/protocol/openid-connect/auth", s.getString("authorizationEndpoint"));
    assertEquals(idp.issuer() + "/protocol/openid-connect/token", s.getString("tokenEndpoint"));
    assertEquals(CLIENT, s.getString("clientId"));
    assertEquals(new JsonArray().add("openid").add("profile"), s.getJsonArray("scopes"));
    // the page may fetch the provider's token endpoint, and nothing else outside its origin
    String csp = get("/").headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(csp.contains("connect-src 'self' " + idp.origin() + ";"), csp);
  }

  @Test
  void signInComesBackSignedInListsTargetsAndOpensTheDesktop() throws Exception {
    int issued = idp.tokensIssued();
    pressSignIn();
    awaitTargets();
    assertEquals(issued + 1, idp.tokensIssued());
    assertNothingInTheAddressBar();
    String token = (String) browser.js("return sessionStorage.getItem('vncgate.token')");
    assertTrue(token != null && token.split("\\.").length == 3, String.valueOf(token));
    assertNull(browser.js("return sessionStorage.getItem('vncgate.signin')"), "the verifier is gone once used");
    assertNull(browser.js("return localStorage.getItem('vncgate.token')"));
    assertTrue(browser.text("user").contains("alice"), browser.text("user"));
    assertTrue(browser.text("target-list").contains("static/desk"), browser.text("target-list"));
    browser.driver.findElement(By.cssSelector("#target-list a.accent")).click();
    browser.awaitConnected(Duration.ofSeconds(30));
    browser.await(SOON, "the desktop's root colour not drawn", d -> {
      int[] p = browser.pixel(400, 300);
      return p[0] == 0x33 && p[1] == 0x66 && p[2] == 0xcc;
    });
    browser.screenshot(Path.of("target", "screenshots", "signin-viewer.png"));
    String console = browser.consoleLog();
    assertFalse(console.contains("Content Security Policy") || console.contains("Refused to"), console);
  }

  @Test
  void aVerifierThatDoesNotMatchIsRefusedInWords() {
    idp.corruptNextChallenge();
    pressSignIn();
    browser.await(SOON, "no words for the refused verifier", d -> reason().contains("invalid_grant"));
    assertTrue(reason().contains("refused to finish the sign-in") && reason().contains("code_verifier"), reason());
    assertTrue(browser.visible("signin-view"));
    assertNull(browser.js("return sessionStorage.getItem('vncgate.token')"));
    assertNothingInTheAddressBar();
  }

  @Test
  void anAnswerWithAForgedStateIsRefusedInWords() {
    browser.driver.get(gw.origin() + "/");
    browser.js("sessionStorage.clear()");
    browser.await(SOON, "no sign-in button", d -> browser.visible("signin-idp"));
    // a sign-in started by the page's own code (pending in this tab), then an answer that is not its
    Object started = browser.asyncJs("const done = arguments[0];"
        + "Promise.all([import('./app/signin.js'), fetch('api/v1/auth/config').then(r => r.json())])"
        + ".then(([m, c]) => m.begin(c.signIn, location.href, sessionStorage)).then(u => done('ok'), e => done(String(e)))");
    assertEquals("ok", started);
    browser.driver.get(gw.origin() + "/?code=stolen-code&state=forged-state");
    browser.await(SOON, "no words for the forged state", d -> reason().contains("state mismatch"));
    assertNull(browser.js("return sessionStorage.getItem('vncgate.token')"));
    assertNothingInTheAddressBar();
  }

  @Test
  void aDenialAtTheProviderIsShownInWords() {
    idp.denyNext();
    pressSignIn();
    browser.await(SOON, "no words for the denial", d -> reason().contains("access was denied"));
    assertNothingInTheAddressBar();
  }

  @Test
  void afterTheProviderRotatesItsKeyANewSignInStillWorks() throws Exception {
    pressSignIn();
    awaitTargets();
    String before = kidOf((String) browser.js("return sessionStorage.getItem('vncgate.token')"));
    int fetches = idp.jwksFetches();
    String kid = idp.rotate("RS256");
    browser.js("sessionStorage.clear()");
    pressSignIn();
    awaitTargets();
    String after = kidOf((String) browser.js("return sessionStorage.getItem('vncgate.token')"));
    assertEquals(kid, after);
    assertNotEquals(before, after);
    assertTrue(idp.jwksFetches() > fetches, "the gateway fetched the new key");
  }

  @Test
  void aTokenTheGatewayRefusesSendsThePageBackToSignInWithTheGatewaysWords() {
    idp.accessTokenAudience("another-api");
    try {
      pressSignIn();
      browser.await(SOON, "no words for the refused token", d -> reason().contains("did not accept your sign-in token"));
    } finally {
      idp.accessTokenAudience("vncgate");
    }
    assertTrue(reason().contains("wrong audience (expected vncgate"), reason());
    assertTrue(browser.visible("signin-idp"));
    assertNull(browser.js("return sessionStorage.getItem('vncgate.token')"));
    assertNothingInTheAddressBar();
  }

  @Test
  void anExpiredSignInSendsThePageBackToSignInWithWords() throws Exception {
    idp.tokenTtl(Duration.ofSeconds(3));
    try {
      pressSignIn();
      awaitTargets();
    } finally {
      idp.tokenTtl(Duration.ofMinutes(5));
    }
    Thread.sleep(4000);
    browser.driver.navigate().refresh();
    browser.await(SOON, "no words for the expired token", d -> reason().contains("has expired"));
    assertTrue(browser.visible("signin-idp"));
    assertTrue(reason().contains("Sign in again"), reason());
  }
}
