package io.vncgate.providers.kubevirt;

import static io.vncgate.testbeds.plugin.ProviderTestConfig.CALLER;
import static io.vncgate.testbeds.plugin.ProviderTestConfig.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.Credentials;
import io.vncgate.spi.ProviderConfigException;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.Route;
import io.vncgate.spi.Sharing;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetRoute;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.kubevirt.KubeRbac;
import io.vncgate.testbeds.kubevirt.KubeVirtTestbed;
import io.vncgate.testbeds.kubevirt.KubeVmi;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import io.vncgate.testbeds.qemu.QemuVncServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider against the KubeVirt testbed (the kube API's wire format over HTTPS with the
 * cluster's own CA, bearer tokens and client certificates, RBAC) in front of a real QEMU VNC server
 * with no password: discovery, selectors, namespaces, a route that really opens the VMI's console,
 * and each refusal in a Kubernetes admin's words.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KubeVirtAgainstTestbedTest {
  private static final String GATEWAY = "tok-gateway-7d1e";
  private static final String LAB_ONLY = "tok-lab-only-3c9a";
  private static final String NO_VNC = "tok-no-vnc-51f0";
  private static final String LIST_ONLY = "tok-list-only-9b2d";

  private static QemuVncServer qemu;
  private static KubeVirtTestbed kube;

  @TempDir
  Path dir;
  private final List<KubeVirtTargetProvider> providers = new ArrayList<>();

  @BeforeAll
  static void start() {
    QemuVncServer.require();
    qemu = QemuVncServer.builder().password(false).start();
    kube = KubeVirtTestbed.builder()
        .vmi(KubeVmi.running("lab", "web", qemu).withLabels(Map.of("vncgate", "true", "app", "web")))
        .vmi(KubeVmi.running("lab", "db", qemu).withLabels(Map.of("app", "db")))
        .vmi(KubeVmi.inPhase("lab", "starting", "Scheduling").withLabels(Map.of("vncgate", "true")))
        .vmi(KubeVmi.running("other", "far", qemu).withLabels(Map.of("vncgate", "true")))
        .serviceAccount("vncgate", "gateway", GATEWAY, KubeRbac.vncgate())
        .serviceAccount("vncgate", "lab-only", LAB_ONLY, KubeRbac.vncgateIn("lab"))
        .serviceAccount("vncgate", "no-vnc", NO_VNC, KubeRbac.none()
            .allow("list", "kubevirt.io", "virtualmachineinstances", null)
            .allow("get", "kubevirt.io", "virtualmachineinstances", null))
        .serviceAccount("vncgate", "list-only", LIST_ONLY, KubeRbac.none()
            .allow("list", "kubevirt.io", "virtualmachineinstances", null))
        .user("alice", KubeRbac.vncgate())
        .start();
  }

  @AfterAll
  static void stop() {
    if (kube != null) kube.close();
    if (qemu != null) qemu.close();
  }

  @AfterEach
  void stopProviders() {
    providers.forEach(KubeVirtTargetProvider::stop);
  }

  private KubeVirtTargetProvider provider(String kubeconfig, String moreYaml) throws Exception {
    Files.writeString(dir.resolve("kubeconfig"), kubeconfig);
    KubeVirtTargetProvider provider = new KubeVirtTargetProvider();
    providers.add(provider);
    provider.start(ProviderTestConfig.context("kubevirt", dir, "kubeconfig: kubeconfig\n" + moreYaml));
    return provider;
  }

  private KubeVirtTargetProvider withToken(String token) throws Exception {
    return provider(kube.kubeconfigWithToken(token), "");
  }

  private static List<String> ids(List<TargetInfo> targets) {
    return targets.stream().map(TargetInfo::id).toList();
  }

  private static ProviderException failure(CompletionStage<?> stage) {
    Throwable t = assertThrows(Throwable.class, () -> await(stage));
    return assertInstanceOf(ProviderException.class, t, () -> "expected a ProviderException, got " + t);
  }

  private static ServerInitInfo openConsole(Route.WebSocket route) throws Throwable {
    try (RouteWebSocket ws = RouteWebSocket.open(route);
         RfbTestClient rfb = RfbTestClient.over(ws.in(), ws.out())) {
      assertEquals("plain.kubevirt.io", ws.subprotocol());
      return rfb.handshakeNone();
    }
  }

  @Test
  void discoveryListsTheVmisOfEveryNamespaceWithPhaseNodeAndTheirLabels() throws Throwable {
    List<TargetInfo> targets = await(withToken(GATEWAY).list(CALLER));
    assertEquals(List.of("kubevirt/lab/db", "kubevirt/lab/starting", "kubevirt/lab/web", "kubevirt/other/far"),
        ids(targets));
    TargetInfo web = targets.get(2);
    assertEquals("web", web.name());
    assertEquals(Map.of("vncgate", "true", "app", "web", "namespace", "lab", "phase", "Running", "node", "node01"),
        web.labels());
    assertEquals("Scheduling", targets.get(1).labels().get("phase"));
    assertFalse(targets.get(1).labels().containsKey("node"), "a VMI still scheduling has no node");
    assertTrue(kube.requests().contains("GET /apis/kubevirt.io/v1/virtualmachineinstances "
        + KubeVirtTestbed.serviceAccountUser("vncgate", "gateway")), kube.requests().toString());
  }

  @Test
  void namespacesAndTheLabelSelectorNarrowTheListAndWhatResolves() throws Throwable {
    KubeVirtTargetProvider p = provider(kube.kubeconfigWithToken(LAB_ONLY),
        "namespaces: [lab]\nlabel-selector: vncgate=true\n");
    assertEquals(List.of("kubevirt/lab/starting", "kubevirt/lab/web"), ids(await(p.list(CALLER))));
    assertTrue(kube.requests().stream().anyMatch(r -> r.startsWith(
        "GET /apis/kubevirt.io/v1/namespaces/lab/virtualmachineinstances?labelSelector=vncgate%3Dtrue ")),
        kube.requests().toString());

    ProviderException db = failure(p.resolve("kubevirt/lab/db", CALLER));
    assertEquals(ProviderException.Kind.NOT_FOUND, db.kind());
    assertEquals("VMI lab/db is not offered: its labels do not match providers.kubevirt.label-selector"
        + " \"vncgate=true\"", db.getMessage());
    ProviderException far = failure(p.resolve("kubevirt/other/far", CALLER));
    assertEquals("VMI other/far is not offered: namespace other is not in providers.kubevirt.namespaces [lab]",
        far.getMessage());
  }

  @Test
  void resolveGivesTheVncSubresourceRouteAndItOpensQemusConsole() throws Throwable {
    KubeVirtTargetProvider p = withToken(GATEWAY);
    assertEquals(Sharing.FAN_OUT, p.sharing("kubevirt/lab/web"), "a VMI takes one VNC connection");
    int before = kube.vncConnections("lab", "web");
    TargetRoute resolved = await(p.resolve("kubevirt/lab/web", CALLER));
    assertEquals(before, kube.vncConnections("lab", "web"), "the provider does not open the stream itself");
    assertInstanceOf(Credentials.None.class, resolved.credentials(), "libvirt's VNC has no password");

    Route.WebSocket route = assertInstanceOf(Route.WebSocket.class, resolved.route());
    assertEquals("wss://127.0.0.1:" + kube.port()
        + "/apis/subresources.kubevirt.io/v1/namespaces/lab/virtualmachineinstances/web/vnc", route.uri().toString());
    assertEquals(List.of("plain.kubevirt.io"), route.subprotocols());
    assertEquals("Bearer " + GATEWAY, route.headers().get("Authorization").reveal());
    assertEquals(Files.readString(kube.caFile()), route.tls().caPem(), "the cluster CA from the kubeconfig");
    assertNull(route.tls().pinnedSha256());
    assertFalse(route.toString().contains(GATEWAY), route.toString());

    ServerInitInfo init = openConsole(route);
    assertEquals(720, init.width());
    assertEquals(400, init.height());
    assertEquals(before + 1, kube.vncConnections("lab", "web"));
    assertEquals("plain.kubevirt.io", kube.vncSubprotocols("lab", "web").get(before));
  }

  /** The testbed keeps KubeVirt's rule, which is why the provider asks for fan-out. */
  @Test
  void aSecondVncConnectionEndsTheFirstAndPreserveSessionIsRefusedWith503() throws Throwable {
    Route.WebSocket route = (Route.WebSocket) await(withToken(GATEWAY)
        .resolve("kubevirt/other/far", CALLER)).route();
    try (RouteWebSocket first = RouteWebSocket.open(route);
         RfbTestClient a = RfbTestClient.over(first.in(), first.out())) {
      a.handshakeNone();
      RouteWebSocket.Refusal busy = RouteWebSocket.Refusal.of(assertThrows(Exception.class,
          () -> RouteWebSocket.open(route, "?preserveSession=true")));
      assertEquals(503, busy.status());
      assertEquals("Active VNC connection. Request denied.", busy.body());
      try (RouteWebSocket second = RouteWebSocket.open(route)) {
        assertTrue(first.closedWithin(5_000), "the first connection was ended by the second");
        assertTrue(kube.vncOpen("other", "far"));
      }
    }
  }

  @Test
  void aWrongTokenIs401InWords() throws Throwable {
    ProviderException e = failure(withToken("tok-wrong-0000").list(CALLER));
    assertEquals(ProviderException.Kind.MISCONFIGURED, e.kind());
    assertTrue(e.getMessage().startsWith("the Kubernetes API at " + kube.url() + " refused the gateway's credentials"
        + " from the kubeconfig " + dir.resolve("kubeconfig") + " (401 Unauthorized)"), e.getMessage());
    assertFalse(e.getMessage().contains("tok-wrong"), "never the token");
  }

  @Test
  void listingAllNamespacesWithANamespacedRoleIs403NamingTheVerbResourceAndScope() throws Throwable {
    ProviderException e = failure(withToken(LAB_ONLY).list(CALLER));
    assertEquals(ProviderException.Kind.MISCONFIGURED, e.kind());
    assertEquals("the gateway's Kubernetes account may not list virtualmachineinstances in API group kubevirt.io in"
        + " all namespaces (cluster scope) (the API server said: virtualmachineinstances.kubevirt.io is forbidden:"
        + " User \"system:serviceaccount:vncgate:lab-only\" cannot list resource \"virtualmachineinstances\" in API"
        + " group \"kubevirt.io\" at the cluster scope): grant it a ClusterRole (with a ClusterRoleBinding) with the"
        + " rule apiGroups: [\"kubevirt.io\"], resources: [\"virtualmachineinstances\"], verbs: [\"list\"]"
        + " (see docs/providers-kubevirt.md)", e.getMessage());
    // and one namespace it lacks makes the whole list fail, rather than silently hide VMIs
    KubeVirtTargetProvider p = provider(kube.kubeconfigWithToken(LAB_ONLY), "namespaces: [lab, other]\n");
    ProviderException other = failure(p.list(CALLER));
    assertTrue(other.getMessage().contains("may not list virtualmachineinstances in API group kubevirt.io in"
        + " namespace \"other\""), other.getMessage());
    assertTrue(other.getMessage().contains("grant it a Role (with a RoleBinding in that namespace)"), other.getMessage());
  }

  @Test
  void resolvingWithoutGetOnVmisIs403InWords() throws Throwable {
    ProviderException e = failure(withToken(LIST_ONLY).resolve("kubevirt/lab/web", CALLER));
    assertEquals(ProviderException.Kind.MISCONFIGURED, e.kind());
    assertTrue(e.getMessage().startsWith("the gateway's Kubernetes account may not get virtualmachineinstances in API"
        + " group kubevirt.io in namespace \"lab\" (the API server said: virtualmachineinstances.kubevirt.io \"web\" is"
        + " forbidden: User \"system:serviceaccount:vncgate:list-only\" cannot get resource"), e.getMessage());
  }

  @Test
  void withoutGetOnTheVncSubresourceTheUpgradeIs403WithTheApiServersWords() throws Throwable {
    Route.WebSocket route = (Route.WebSocket) await(withToken(NO_VNC)
        .resolve("kubevirt/lab/web", CALLER)).route();
    RouteWebSocket.Refusal e = RouteWebSocket.Refusal.of(assertThrows(Exception.class, () -> RouteWebSocket.open(route)));
    assertEquals(403, e.status());
    assertTrue(e.body().contains("virtualmachineinstances.subresources.kubevirt.io \\\"web\\\" is forbidden:"
        + " User \\\"system:serviceaccount:vncgate:no-vnc\\\" cannot get resource \\\"virtualmachineinstances/vnc\\\" in"
        + " API group \\\"subresources.kubevirt.io\\\" in the namespace \\\"lab\\\""), e.body());
  }

  @Test
  void aVmiThatIsNotRunningIsRefusedInWordsWithoutAConsole() throws Throwable {
    KubeVirtTargetProvider p = withToken(GATEWAY);
    ProviderException e = failure(p.resolve("kubevirt/lab/starting", CALLER));
    assertEquals(ProviderException.Kind.UNAVAILABLE, e.kind());
    assertEquals("VMI lab/starting is Scheduling, not Running: it is starting; wait until it runs (kubectl get vmi"
        + " starting -n lab) and open it again", e.getMessage());
    assertEquals(0, kube.vncConnections("lab", "starting"));
    ProviderException gone = failure(p.resolve("kubevirt/lab/nothere", CALLER));
    assertEquals(ProviderException.Kind.NOT_FOUND, gone.kind());
    assertTrue(gone.getMessage().startsWith("no VMI nothere in namespace lab"), gone.getMessage());
  }

  @Test
  void whyAConsoleEndedSaysTheVmiStoppedOrIsGoneAndNothingWhileItRuns() throws Throwable {
    KubeVirtTargetProvider p = withToken(GATEWAY);
    assertEquals(Optional.empty(), await(p.whyEnded("kubevirt/other/far", CALLER)), "it runs");
    assertEquals(Optional.of("VMI lab/starting is Scheduling"),
        await(p.whyEnded("kubevirt/lab/starting", CALLER)));
    assertEquals(Optional.of("VMI lab/nothere is gone (deleted, or its VirtualMachine was stopped)"),
        await(p.whyEnded("kubevirt/lab/nothere", CALLER)));
    KubeVmi far = KubeVmi.running("other", "far", qemu).withLabels(Map.of("vncgate", "true"));
    try {
      kube.putVmi(far.withPhase("Succeeded"));
      assertEquals(Optional.of("VMI other/far stopped (its guest shut down, or it was stopped)"),
          await(p.whyEnded("kubevirt/other/far", CALLER)));
    } finally {
      kube.putVmi(far);
    }
    assertEquals(Optional.empty(), await(p.whyEnded("elsewhere", CALLER)));
  }

  @Test
  void insecureSkipTlsVerifyIsRefusedAtStartNamingTheKey() throws Exception {
    ProviderConfigException e = assertThrows(ProviderConfigException.class,
        () -> provider(kube.kubeconfigInsecure(GATEWAY), ""));
    assertEquals("providers.kubevirt.kubeconfig", e.key());
    assertTrue(e.getMessage().contains("has insecure-skip-tls-verify: true"), e.getMessage());
    assertTrue(e.getMessage().contains("give the cluster's CA as certificate-authority-data"), e.getMessage());
  }

  @Test
  void withoutTheClusterCaTheServerIsNotTrustedAndTheWordsSaySo() throws Throwable {
    ProviderException e = failure(provider(kube.kubeconfigWithoutCa(GATEWAY), "").list(CALLER));
    assertEquals(ProviderException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().startsWith("the Kubernetes API at " + kube.url() + " failed the TLS check"), e.getMessage());
  }

  @Test
  void aClientCertificateFromTheKubeconfigListsAndOpensTheConsole() throws Throwable {
    KubeVirtTargetProvider p = provider(kube.kubeconfigWithClientCertificate("alice", "vncgate-admins"), "");
    assertEquals(4, await(p.list(CALLER)).size());
    assertTrue(kube.requests().contains("GET /apis/kubevirt.io/v1/virtualmachineinstances alice"),
        "the API server saw the certificate's user: " + kube.requests());
    Route.WebSocket route = (Route.WebSocket) await(p.resolve("kubevirt/lab/db", CALLER)).route();
    assertTrue(route.headers().isEmpty(), "no token: the client certificate is the credential");
    assertNotNull(route.tls().clientCertificate());
    assertFalse(route.toString().contains("PRIVATE KEY"), route.toString());
    assertEquals(720, openConsole(route).width());
  }

  @Test
  void aTokenFileIsReadAgainForEveryRoute() throws Throwable {
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, LAB_ONLY + "\n");
    KubeVirtTargetProvider p = provider(kube.kubeconfigWithTokenFile(tokenFile), "namespaces: [lab]\n");
    assertEquals(3, await(p.list(CALLER)).size());
    Route.WebSocket route = (Route.WebSocket) await(p.resolve("kubevirt/lab/web", CALLER)).route();
    assertEquals("Bearer " + LAB_ONLY, route.headers().get("Authorization").reveal());
  }

  @Test
  void inTheClusterTheServiceAccountsTokenAndCaAreUsedAndTheTokenIsReadPerRoute() throws Throwable {
    Path sa = Files.createDirectories(dir.resolve("serviceaccount"));
    Files.writeString(sa.resolve("token"), GATEWAY);
    Files.copy(kube.caFile(), sa.resolve("ca.crt"));
    KubeVirtTargetProvider p = new KubeVirtTargetProvider(
        () -> Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT", String.valueOf(kube.port())), sa);
    providers.add(p);
    p.start(ProviderTestConfig.context("kubevirt", dir, "namespaces: [lab]"));
    assertEquals(3, await(p.list(CALLER)).size());
    Files.writeString(sa.resolve("token"), LAB_ONLY); // the kubelet rotated it
    Route.WebSocket route = (Route.WebSocket) await(p.resolve("kubevirt/lab/web", CALLER)).route();
    assertEquals("Bearer " + LAB_ONLY, route.headers().get("Authorization").reveal());
    assertEquals(720, openConsole(route).width());

    KubeVirtTargetProvider outside = new KubeVirtTargetProvider(Map::of, sa);
    ProviderConfigException e = assertThrows(ProviderConfigException.class,
        () -> outside.start(ProviderTestConfig.context("kubevirt", dir, "namespaces: [lab]")));
    assertEquals("providers.kubevirt.kubeconfig", e.key());
    assertTrue(e.getMessage().contains("does not run in a Kubernetes pod"), e.getMessage());
  }

  @Test
  void configErrorsNameTheKey() {
    ProviderConfigException ns = assertThrows(ProviderConfigException.class,
        () -> provider(kube.kubeconfigWithToken(GATEWAY), "namespaces: [Lab_1]\n"));
    assertEquals("providers.kubevirt.namespaces", ns.key());
    ProviderConfigException sel = assertThrows(ProviderConfigException.class,
        () -> provider(kube.kubeconfigWithToken(GATEWAY), "label-selector: 'env in (a,b)'\n"));
    assertEquals("providers.kubevirt.label-selector", sel.key());
    ProviderConfigException unknown = assertThrows(ProviderConfigException.class,
        () -> provider(kube.kubeconfigWithToken(GATEWAY), "namespace: lab\n"));
    assertTrue(unknown.key().startsWith("providers.kubevirt"), unknown.key());
  }
}
