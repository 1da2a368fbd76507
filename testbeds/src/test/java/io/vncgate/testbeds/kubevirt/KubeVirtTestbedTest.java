package io.vncgate.testbeds.kubevirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.testbeds.qemu.QemuVncServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The testbed's wire format seen by a plain HTTPS client (the JDK's), trusting only the cluster CA:
 * Status objects for 401, 403 and 404 as the kube-apiserver writes them, the VMI list and object,
 * the label selector, and the vnc subresource's upgrade, session rule and bytes from QEMU.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KubeVirtTestbedTest {
  private static final String TOKEN = "tok-a1";
  private static final String LAB_TOKEN = "tok-lab";
  private static QemuVncServer qemu;
  private static KubeVirtTestbed kube;
  private static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    QemuVncServer.require();
    qemu = QemuVncServer.builder().password(false).start();
    kube = KubeVirtTestbed.builder()
        .vmi(KubeVmi.running("lab", "web", qemu).withLabels(Map.of("vncgate", "true")))
        .vmi(KubeVmi.running("lab", "db", qemu))
        .vmi(KubeVmi.inPhase("lab", "starting", "Scheduling"))
        .serviceAccount("vncgate", "gateway", TOKEN, KubeRbac.vncgate())
        .serviceAccount("vncgate", "lab", LAB_TOKEN, KubeRbac.vncgateIn("lab"))
        .start();
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(kube.caFile())) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    http = HttpClient.newBuilder().sslContext(ssl).build();
  }

  @AfterAll
  static void stop() {
    if (kube != null) kube.close();
    if (qemu != null) qemu.close();
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(kube.url() + path));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aWrongOrMissingTokenIs401WithAStatus() throws Exception {
    for (String token : new String[] {"nope", null}) {
      HttpResponse<String> r = get("/apis/kubevirt.io/v1/virtualmachineinstances", token);
      assertEquals(401, r.statusCode());
      assertEquals(new JsonObject("""
          {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized",
           "reason":"Unauthorized","code":401}"""), new JsonObject(r.body()));
    }
  }

  @Test
  void rbacRefusalsAreTheAuthorizersStatus() throws Exception {
    HttpResponse<String> all = get("/apis/kubevirt.io/v1/virtualmachineinstances", LAB_TOKEN);
    assertEquals(403, all.statusCode());
    JsonObject status = new JsonObject(all.body());
    assertEquals("virtualmachineinstances.kubevirt.io is forbidden: User \"system:serviceaccount:vncgate:lab\" cannot"
        + " list resource \"virtualmachineinstances\" in API group \"kubevirt.io\" at the cluster scope",
        status.getString("message"));
    assertEquals("Forbidden", status.getString("reason"));
    assertEquals(new JsonObject().put("group", "kubevirt.io").put("kind", "virtualmachineinstances"),
        status.getJsonObject("details"));

    HttpResponse<String> other = get("/apis/kubevirt.io/v1/namespaces/other/virtualmachineinstances/x", LAB_TOKEN);
    assertEquals("virtualmachineinstances.kubevirt.io \"x\" is forbidden: User \"system:serviceaccount:vncgate:lab\""
        + " cannot get resource \"virtualmachineinstances\" in API group \"kubevirt.io\" in the namespace \"other\"",
        new JsonObject(other.body()).getString("message"));
  }

  @Test
  void theListIsAVirtualMachineInstanceListFilteredByTheLabelSelector() throws Exception {
    HttpResponse<String> r = get("/apis/kubevirt.io/v1/namespaces/lab/virtualmachineinstances?labelSelector=vncgate%3Dtrue",
        LAB_TOKEN);
    assertEquals(200, r.statusCode());
    JsonObject list = new JsonObject(r.body());
    assertEquals("VirtualMachineInstanceList", list.getString("kind"));
    JsonArray items = list.getJsonArray("items");
    assertEquals(1, items.size());
    JsonObject web = items.getJsonObject(0);
    assertEquals("kubevirt.io/v1", web.getString("apiVersion"));
    assertEquals("web", web.getJsonObject("metadata").getString("name"));
    assertEquals("Running", web.getJsonObject("status").getString("phase"));
    assertEquals("node01", web.getJsonObject("status").getString("nodeName"));
    assertEquals(3, new JsonObject(get("/apis/kubevirt.io/v1/virtualmachineinstances", TOKEN).body())
        .getJsonArray("items").size());
    HttpResponse<String> missing = get("/apis/kubevirt.io/v1/namespaces/lab/virtualmachineinstances/gone", TOKEN);
    assertEquals(404, missing.statusCode());
    assertEquals("virtualmachineinstances.kubevirt.io \"gone\" not found",
        new JsonObject(missing.body()).getString("message"));
  }

  @Test
  void theVncUpgradeChoosesPlainKubevirtIoAndCarriesQemusBannerAndANewOneEndsTheOld() throws Exception {
    String vnc = "/apis/subresources.kubevirt.io/v1/namespaces/lab/virtualmachineinstances/web/vnc";
    Received first = new Received();
    WebSocket a = http.newWebSocketBuilder().header("Authorization", "Bearer " + TOKEN)
        .subprotocols("plain.kubevirt.io").buildAsync(URI.create("wss" + kube.url().substring(5) + vnc), first)
        .get(10, TimeUnit.SECONDS);
    assertEquals("plain.kubevirt.io", a.getSubprotocol());
    assertEquals("RFB 003.008\n", first.banner.get(10, TimeUnit.SECONDS));
    assertTrue(kube.vncOpen("lab", "web"));

    ExecutionException busy = assertThrows(ExecutionException.class, () -> http.newWebSocketBuilder()
        .header("Authorization", "Bearer " + TOKEN).subprotocols("plain.kubevirt.io")
        .buildAsync(URI.create("wss" + kube.url().substring(5) + vnc + "?preserveSession=true"), new Received())
        .get(10, TimeUnit.SECONDS));
    WebSocketHandshakeException refused = (WebSocketHandshakeException) busy.getCause();
    assertEquals(503, refused.getResponse().statusCode());
    assertEquals("Active VNC connection. Request denied.", refused.getResponse().body());

    Received second = new Received();
    http.newWebSocketBuilder().header("Authorization", "Bearer " + TOKEN).subprotocols("plain.kubevirt.io")
        .buildAsync(URI.create("wss" + kube.url().substring(5) + vnc), second).get(10, TimeUnit.SECONDS);
    assertEquals("RFB 003.008\n", second.banner.get(10, TimeUnit.SECONDS));
    first.closed.get(10, TimeUnit.SECONDS);
    assertEquals(2, kube.vncConnections("lab", "web"));

    HttpResponse<String> notRunning = get("/apis/subresources.kubevirt.io/v1/namespaces/lab/virtualmachineinstances"
        + "/starting/vnc", TOKEN);
    assertEquals(400, notRunning.statusCode());
    assertEquals("VMI is not running", new JsonObject(notRunning.body()).getString("message"));
    assertFalse(kube.vncOpen("lab", "starting"));
  }

  /** The first binary message as text, and the close (or the connection's end). */
  private static final class Received implements WebSocket.Listener {
    final CompletableFuture<String> banner = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      banner.complete(new String(b, StandardCharsets.US_ASCII));
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      closed.complete(null);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete(null);
    }
  }
}
