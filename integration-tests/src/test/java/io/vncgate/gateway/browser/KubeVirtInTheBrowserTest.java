package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.kubevirt.KubeRbac;
import io.vncgate.testbeds.kubevirt.KubeVirtTestbed;
import io.vncgate.testbeds.kubevirt.KubeVmi;
import io.vncgate.testbeds.qemu.QemuVncServer;
import io.vncgate.testbeds.qemu.SeaBiosScreen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unmodified noVNC in Chromium → the gateway with the kubevirt plugin zip → the KubeVirt testbed
 * (the kube API over HTTPS with the cluster CA, bearer token, the vnc subresource with
 * plain.kubevirt.io) → a real QEMU: the canvas shows QEMU's screen over one upstream connection to
 * the VMI, and the service account's token is in no URL the page loaded nor in the page.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class KubeVirtInTheBrowserTest {
  private static final String TOKEN = "tok-gateway-browser-4e21";

  @TempDir
  static Path dir;
  static QemuVncServer qemu;
  static KubeVirtTestbed kube;
  static GatewayHarness gw;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.require();
    QemuVncServer.require();
    qemu = QemuVncServer.builder().password(false).start();
    kube = KubeVirtTestbed.builder()
        .vmi(KubeVmi.running("lab", "web", qemu))
        .serviceAccount("vncgate", "gateway", TOKEN, KubeRbac.vncgate())
        .start();
    Files.writeString(dir.resolve("kubeconfig"), kube.kubeconfigWithToken(TOKEN));
    Path zip = Path.of(System.getProperty("vncgate.it.zip.kubevirt", "missing.zip"));
    Files.createDirectories(dir.resolve("plugins"));
    Files.copy(zip, dir.resolve("plugins").resolve(zip.getFileName()));
    gw = GatewayHarness.in(dir).noTcp().webUi().yaml("""
        providers:
          kubevirt:
            kubeconfig: kubeconfig
        """).start();
    browser = new Browser(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
    if (kube != null) kube.close();
    if (qemu != null) qemu.close();
  }

  @Test
  void noVncShowsTheVmisScreenOverOneUpstreamAndNoTokenInThePage() throws Exception {
    browser.driver.get(gw.viewerUrl(gw.token("alice", Role.CONTROL), "kubevirt/lab/web", false));
    browser.awaitConnected(Duration.ofSeconds(30));
    assertArrayEquals(new int[] {SeaBiosScreen.WIDTH, SeaBiosScreen.HEIGHT}, browser.canvasSize());
    browser.await(Duration.ofSeconds(20), "SeaBIOS's text on the canvas", d -> browser.nonBlackShare() > 0.001);
    assertEquals(1, kube.vncConnections("lab", "web"), "one upstream connection for the page");
    assertEquals(List.of("plain.kubevirt.io"), kube.vncSubprotocols("lab", "web"));

    @SuppressWarnings("unchecked")
    List<String> urls = (List<String>) browser.js("return [location.href].concat("
        + "performance.getEntriesByType('resource').map(e => e.name));");
    String page = (String) browser.js("return document.documentElement.outerHTML");
    for (String url : urls) assertFalse(url.contains(TOKEN), "the token in a URL the browser loaded: " + url);
    assertFalse(page.contains(TOKEN), "the token in the page");
    assertTrue(urls.get(0).startsWith(gw.origin()), "the browser only talks to the gateway: " + urls);
  }
}
