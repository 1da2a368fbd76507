package io.vncgate.providers.proxmox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vncgate.providers.proxmox.tls.TlsContexts;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.Route;
import io.vncgate.spi.Secret;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetRoute;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import io.vncgate.testbeds.plugin.RouteWebSocketStreams;
import io.vncgate.testbeds.pve.PveCall;
import io.vncgate.testbeds.pve.PveGuest;
import io.vncgate.testbeds.pve.PvePermissions;
import io.vncgate.testbeds.pve.PveTestbed;
import io.vncgate.testbeds.qemu.QemuVncServer;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The provider against the PVE testbed (PVE's wire format over HTTPS with a self-signed
 * certificate) in front of a real QEMU VNC server: discovery, one vncproxy per resolve, a route
 * that really opens QEMU's console, and each failure in a PVE admin's words.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProxmoxAgainstTestbedTest {
  private static final String TOKEN = "vncgate@pve!gateway";
  private static final String SECRET = "5f3c2a8e-1b7d-4c9e-a0f1-2d3e4f5a6b7c";
  private static final String AUDITOR = "auditor@pve!ro";
  private static final String AUDITOR_SECRET = "0a1b2c3d-0000-4000-8000-aaaabbbbcccc";
  private static final String USER = "alice@pve";
  private static final String PASSWORD = "alice-Pw-9";

  private static QemuVncServer qemu;

  @TempDir
  Path dir;

  private final List<PveTestbed> beds = new ArrayList<>();
  private final List<ProxmoxTargetProvider> providers = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final MutableClock clock = new MutableClock();
  private PveTestbed pve;

  @BeforeAll
  static void startQemu() {
    QemuVncServer.require();
    qemu = QemuVncServer.start();
  }

  @AfterAll
  static void stopQemu() {
    if (qemu != null) qemu.close();
  }

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("pve.token"), SECRET + "\n");
    Files.writeString(dir.resolve("auditor.token"), AUDITOR_SECRET + "\n");
    Files.writeString(dir.resolve("wrong.token"), "00000000-0000-4000-8000-000000000000\n");
    Files.writeString(dir.resolve("alice.password"), PASSWORD + "\n");
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ((Logger) LoggerFactory.getLogger("io.vncgate.providers.proxmox")).setLevel(Level.DEBUG);
    logs.start();
    root.addAppender(logs);
    pve = bed(PveTestbed.builder());
  }

  @AfterEach
  void stop() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    providers.forEach(ProxmoxTargetProvider::stop);
    beds.forEach(PveTestbed::close);
  }

  /** The lab: a tagged VM in a pool, a container, a stopped VM, a VM on a node the API node cannot reach. */
  private PveTestbed bed(PveTestbed.Builder builder) {
    PveTestbed bed = builder
        .guest(PveGuest.qemu(100, "pve1", "web", qemu).withTags("vnc", "prod").inPool("lab"))
        .guest(PveGuest.lxc(101, "pve1", "ct-db", qemu))
        .guest(PveGuest.stoppedQemu(102, "pve1", "off"))
        .guest(PveGuest.qemu(103, "pve3", "far", qemu))
        .offlineNode("pve3")
        .token(TOKEN, SECRET, PvePermissions.all())
        .token(AUDITOR, AUDITOR_SECRET, PvePermissions.auditOnly())
        .user(USER, PASSWORD, PvePermissions.all())
        .unauthorizedDelay(Duration.ofMillis(50))
        .start();
    beds.add(bed);
    return bed;
  }

  private String cluster(String name, PveTestbed bed, String auth, String trust) {
    return "  - {name: " + name + ", url: '" + bed.url() + "', " + auth + ", " + trust + "}\n";
  }

  /** The route opened as the gateway would: TLS by the plugin's own pinned/CA trust. */
  private static RouteWebSocketStreams openRoute(Route.WebSocket route) throws Exception {
    HttpClient http = HttpClient.newBuilder()
        .sslContext(TlsContexts.forCluster(route.tls().pinnedSha256(), route.tls().caFile())).build();
    return RouteWebSocketStreams.open(http, route, "");
  }

  private static String token(String id, String file) {
    return "token-id: '" + id + "', token-secret-file: " + file;
  }

  private static String pin(PveTestbed bed) {
    return "fingerprint: '" + bed.fingerprint() + "'";
  }

  private ProxmoxTargetProvider provider(String clusters) throws Exception {
    ProxmoxTargetProvider provider = new ProxmoxTargetProvider(clock);
    providers.add(provider);
    provider.start(ProviderTestConfig.context("proxmox", dir, "clusters:\n" + clusters));
    return provider;
  }

  private ProxmoxTargetProvider lab() throws Exception {
    return provider(cluster("lab", pve, token(TOKEN, "pve.token"), pin(pve)));
  }

  private static ProviderException failure(java.util.concurrent.CompletionStage<?> stage) {
    Throwable t = assertThrows(Throwable.class, () -> ProviderTestConfig.await(stage));
    return assertInstanceOf(ProviderException.class, t, () -> "expected a ProviderException, got " + t);
  }

  private String logText() {
    StringBuilder out = new StringBuilder();
    for (ILoggingEvent e : logs.list) {
      out.append(e.getFormattedMessage()).append('\n');
      if (e.getThrowableProxy() != null) out.append(e.getThrowableProxy().getMessage()).append('\n');
    }
    return out.toString();
  }

  @Test
  void discoveryListsQemuAndLxcGuestsWithTheirLabelsStoppedOnesIncluded() throws Throwable {
    List<TargetInfo> targets = ProviderTestConfig.await(lab().list(ProviderTestConfig.CALLER));
    assertEquals(List.of("proxmox/lab/100", "proxmox/lab/101", "proxmox/lab/102", "proxmox/lab/103"),
        targets.stream().map(TargetInfo::id).toList());
    TargetInfo web = targets.get(0);
    assertEquals("web", web.name());
    assertEquals(Map.of("cluster", "lab", "node", "pve1", "type", "qemu", "vmid", "100", "status", "running",
        "tags", "vnc;prod", "pool", "lab"), web.labels());
    assertEquals("lxc", targets.get(1).labels().get("type"));
    assertEquals("stopped", targets.get(2).labels().get("status"));
    assertEquals("unknown", targets.get(3).labels().get("status"), "a guest on an unreachable node");
  }

  @Test
  void tagAndPoolFiltersNarrowTheListAndResolve() throws Throwable {
    ProxmoxTargetProvider byTag = provider(cluster("lab", pve, token(TOKEN, "pve.token"), pin(pve) + ", tags: [vnc]"));
    assertEquals(List.of("proxmox/lab/100"),
        ProviderTestConfig.await(byTag.list(ProviderTestConfig.CALLER)).stream().map(TargetInfo::id).toList());
    ProviderException e = failure(byTag.resolve("proxmox/lab/101", ProviderTestConfig.CALLER));
    assertEquals(ProviderException.Kind.NOT_FOUND, e.kind());
    assertEquals("proxmox/lab/101 (CT 101 ct-db) is not offered: it has none of the tags [vnc]"
        + " (providers.proxmox.clusters[0].tags)", e.getMessage());
    assertEquals(0, pve.vncProxyCount(101));

    ProxmoxTargetProvider byPool = provider(cluster("lab", pve, token(TOKEN, "pve.token"), pin(pve) + ", pools: [lab]"));
    assertEquals(List.of("proxmox/lab/100"),
        ProviderTestConfig.await(byPool.list(ProviderTestConfig.CALLER)).stream().map(TargetInfo::id).toList());
  }

  @Test
  void resolveMakesExactlyOneVncproxyAndARouteThatOpensQemusConsole() throws Throwable {
    ProxmoxTargetProvider provider = lab();
    TargetRoute resolved = ProviderTestConfig.await(provider.resolve("proxmox/lab/100", ProviderTestConfig.CALLER));
    assertEquals(1, pve.vncProxyCount(100), "one vncproxy per resolve");
    assertEquals(0, pve.vncWebSocketCount(100), "the provider does not open the stream itself");

    Route.WebSocket route = assertInstanceOf(Route.WebSocket.class, resolved.route());
    assertEquals("wss", route.uri().getScheme());
    assertEquals(pve.host(), route.uri().getHost());
    assertEquals(pve.port(), route.uri().getPort());
    assertEquals("/api2/json/nodes/pve1/qemu/100/vncwebsocket", route.uri().getPath());
    assertEquals("wss://127.0.0.1:" + pve.port() + "/api2/json/nodes/pve1/qemu/100/vncwebsocket", route.describe(),
        "describe() (what logs show) has no query, so no ticket");
    String query = route.uri().getRawQuery();
    assertTrue(query.matches("port=59\\d\\d&vncticket=[^&]+"), query);
    assertEquals(Map.of("Authorization", Secret.of("PVEAPIToken=" + TOKEN + "=" + SECRET)), route.headers());
    assertEquals(List.of("binary"), route.subprotocols());
    assertEquals(pve.fingerprint(), route.tls().pinnedSha256());
    Credentials.VncPassword password = assertInstanceOf(Credentials.VncPassword.class, resolved.credentials());
    String ticket = URLDecoder.decode(query.substring(query.indexOf("vncticket=") + 10), StandardCharsets.UTF_8);
    assertTrue(ticket.startsWith(password.password().reveal() + ":PVEVNC:"),
        "PVE's ticket is <password>:PVEVNC:...; the VNC password is the vncproxy password");

    // the route as given opens QEMU's console: TLS by the pin, the token header, the ticket, VNC auth
    try (RouteWebSocketStreams ws = openRoute(route);
         RfbTestClient rfb = RfbTestClient.over(ws.in(), ws.out())) {
      assertEquals("binary", ws.subprotocol());
      ServerInitInfo init = rfb.handshakeVncAuth(password.password().reveal());
      assertTrue(rfb.offeredSecurityTypes().contains(2), "QEMU asks for VNC auth: " + rfb.offeredSecurityTypes());
      assertEquals(720, init.width());
      assertEquals(400, init.height());
    }
    assertEquals(1, pve.vncWebSocketCount(100));
    PveCall upgrade = pve.calls().stream().filter(c -> c.isVncWebSocket(100)).findFirst().orElseThrow();
    assertEquals(101, upgrade.status());
    assertEquals(TOKEN, upgrade.principal());

    String logged = logText();
    assertFalse(logged.contains(ticket), logged);
    assertFalse(logged.contains(SECRET), logged);
    assertFalse(logged.contains(password.password().reveal()), logged);
  }

  @Test
  void everyResolveGetsItsOwnConsoleTicket() throws Throwable {
    ProxmoxTargetProvider provider = lab();
    TargetRoute first = ProviderTestConfig.await(provider.resolve("proxmox/lab/100", ProviderTestConfig.CALLER));
    TargetRoute second = ProviderTestConfig.await(provider.resolve("proxmox/lab/100", ProviderTestConfig.CALLER));
    assertEquals(2, pve.vncProxyCount(100));
    assertFalse(first.route().equals(second.route()), "a reconnect gets a fresh ticket");
    assertFalse(first.credentials().equals(second.credentials()), "and a fresh VNC password");
  }

  @Test
  void aContainerConsoleIsAskedOnTheLxcPathAndOpens() throws Throwable {
    TargetRoute resolved = ProviderTestConfig.await(lab().resolve("proxmox/lab/101", ProviderTestConfig.CALLER));
    Route.WebSocket route = (Route.WebSocket) resolved.route();
    assertEquals("/api2/json/nodes/pve1/lxc/101/vncwebsocket", route.uri().getPath());
    assertEquals(1, pve.vncProxyCount(101));
    try (RouteWebSocketStreams ws = openRoute(route);
         RfbTestClient rfb = RfbTestClient.over(ws.in(), ws.out())) {
      rfb.handshakeVncAuth(((Credentials.VncPassword) resolved.credentials()).password().reveal());
    }
  }

  @Test
  void aStoppedGuestSaysSoAndGetsNoConsole() throws Throwable {
    ProviderException e = failure(lab().resolve("proxmox/lab/102", ProviderTestConfig.CALLER));
    assertEquals(ProviderException.Kind.UNAVAILABLE, e.kind());
    assertEquals("proxmox/lab/102 (VM 102 off) is stopped on node pve1: start it (Start in the Proxmox web interface,"
        + " or `qm start 102`) and open it again", e.getMessage());
    assertEquals(0, pve.vncProxyCount(102));
  }

  @Test
  void whyAConsoleEndedSaysTheGuestIsStoppedOrGoneAndNothingWhileItRuns() throws Throwable {
    ProxmoxTargetProvider provider = lab();
    assertEquals(Optional.empty(), ProviderTestConfig.await(provider.whyEnded("proxmox/lab/100", ProviderTestConfig.CALLER)),
        "it runs");
    pve.putGuest(pve.guest(100).withStatus("stopped"));
    Optional<String> words = ProviderTestConfig.await(provider.whyEnded("proxmox/lab/100", ProviderTestConfig.CALLER));
    assertTrue(words.orElseThrow().startsWith("proxmox/lab/100 (VM 100") && words.get().endsWith(" is stopped on node pve1"),
        words.toString());
    assertEquals(Optional.of("proxmox/lab/999 is no longer in Proxmox cluster lab"),
        ProviderTestConfig.await(provider.whyEnded("proxmox/lab/999", ProviderTestConfig.CALLER)));
    assertEquals(Optional.empty(), ProviderTestConfig.await(provider.whyEnded("proxmox/nowhere/100", ProviderTestConfig.CALLER)));
  }

  @Test
  void aGuestStoppedSinceTheListIsRefusedToo() throws Throwable {
    ProxmoxTargetProvider provider = lab();
    ProviderTestConfig.await(provider.list(ProviderTestConfig.CALLER));
    pve.putGuest(pve.guest(100).withStatus("stopped"));
    ProviderException e = failure(provider.resolve("proxmox/lab/100", ProviderTestConfig.CALLER));
    assertTrue(e.getMessage().contains("is stopped on node pve1"), e.getMessage());
    assertEquals(0, pve.vncProxyCount(100));
  }

  @Test
  void aGuestOnAnUnreachableNodeSays595InWords() throws Throwable {
    ProviderException e = failure(lab().resolve("proxmox/lab/103", ProviderTestConfig.CALLER));
    assertEquals(ProviderException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().startsWith("Proxmox cluster lab (" + pve.url() + ") cannot reach node pve3 (595"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("is the node up and in the cluster (`pvecm status`)?"), e.getMessage());
    assertEquals(0, pve.vncProxyCount(103));
  }

  @Test
  void aRefusedTokenNamesTheKeysToCheckAndNotTheSecret() throws Throwable {
    ProxmoxTargetProvider provider = provider(cluster("lab", pve, token(TOKEN, "wrong.token"), pin(pve)));
    ProviderException e = failure(provider.list(ProviderTestConfig.CALLER));
    assertEquals(ProviderException.Kind.MISCONFIGURED, e.kind());
    assertTrue(e.getMessage().startsWith("Proxmox cluster lab (" + pve.url() + ") refused the API token " + TOKEN
        + " (401"), e.getMessage());
    assertTrue(e.getMessage().contains("check providers.proxmox.clusters[0].token-id and the secret in "
        + dir.resolve("wrong.token") + " (providers.proxmox.clusters[0].token-secret-file)"), e.getMessage());
    assertFalse(e.getMessage().contains("00000000-0000"), e.getMessage());
    ProviderException r = failure(provider.resolve("proxmox/lab/100", ProviderTestConfig.CALLER));
    assertTrue(r.getMessage().contains("refused the API token"), r.getMessage());
  }

  @Test
  void aTokenWithoutVmConsoleNamesThePrivilegeAndThePath() throws Throwable {
    ProxmoxTargetProvider provider = provider(cluster("lab", pve, token(AUDITOR, "auditor.token"), pin(pve)));
    assertEquals(4, ProviderTestConfig.await(provider.list(ProviderTestConfig.CALLER)).size(), "VM.Audit is enough to list");
    ProviderException e = failure(provider.resolve("proxmox/lab/100", ProviderTestConfig.CALLER));
    assertEquals(ProviderException.Kind.MISCONFIGURED, e.kind());
    assertTrue(e.getMessage().contains("(403 Permission check failed (/vms/100, VM.Console))"), e.getMessage());
    assertTrue(e.getMessage().contains(AUDITOR + " needs the privilege VM.Console on /vms/100, e.g. `pveum acl modify"
        + " /vms/100 --tokens '" + AUDITOR + "' --roles PVEVMUser`"), e.getMessage());
  }

  @Test
  void aFingerprintMismatchNamesBothFingerprintsAndTheKey() throws Throwable {
    String wrong = ProxmoxConfigTest.FP;
    ProxmoxTargetProvider provider = provider(cluster("lab", pve, token(TOKEN, "pve.token"),
        "fingerprint: '" + wrong + "'"));
    ProviderException e = failure(provider.list(ProviderTestConfig.CALLER));
    assertEquals(ProviderException.Kind.MISCONFIGURED, e.kind());
    assertEquals("certificate fingerprint mismatch: the Proxmox API of cluster lab at " + pve.url() + " presented a"
        + " certificate with SHA-256 fingerprint " + pve.fingerprint() + ", but providers.proxmox.clusters[0].fingerprint"
        + " is " + wrong + ". If the node's certificate was renewed on purpose, set"
        + " providers.proxmox.clusters[0].fingerprint to " + pve.fingerprint() + " (`pvenode cert info` on the node"
        + " shows it); otherwise something else answers at that address", e.getMessage());
    assertTrue(pve.calls().isEmpty(), "no request is sent to a server that is not the pinned one");
  }

  @Test
  void theClusterCaFileIsTrustedAndAnotherCaIsNot() throws Throwable {
    ProxmoxTargetProvider trusted = provider(cluster("lab", pve, token(TOKEN, "pve.token"),
        "ca-file: '" + pve.caFile() + "'"));
    TargetRoute resolved = ProviderTestConfig.await(trusted.resolve("proxmox/lab/100", ProviderTestConfig.CALLER));
    assertEquals(pve.caFile(), ((Route.WebSocket) resolved.route()).tls().caFile());

    PveTestbed other = bed(PveTestbed.builder());
    ProxmoxTargetProvider untrusted = provider(cluster("lab", pve, token(TOKEN, "pve.token"),
        "ca-file: '" + other.caFile() + "'"));
    ProviderException e = failure(untrusted.list(ProviderTestConfig.CALLER));
    assertEquals(ProviderException.Kind.MISCONFIGURED, e.kind());
    assertTrue(e.getMessage().startsWith("TLS to the Proxmox API of cluster lab at " + pve.url() + " failed ("),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("it must be signed by a CA in " + other.caFile()
        + " (providers.proxmox.clusters[0].ca-file) and name the host 127.0.0.1"), e.getMessage());
  }

  @Test
  void aSystemTrustStoreDoesNotTrustASelfSignedNode() throws Throwable {
    ProxmoxTargetProvider provider = provider("  - {name: lab, url: '" + pve.url() + "', "
        + token(TOKEN, "pve.token") + "}\n");
    ProviderException e = failure(provider.list(ProviderTestConfig.CALLER));
    assertTrue(e.getMessage().endsWith("it is not trusted by the JVM's trust store: set"
        + " providers.proxmox.clusters[0].fingerprint to its SHA-256 fingerprint (`pvenode cert info`) or"
        + " providers.proxmox.clusters[0].ca-file to the CA that signed it"), e.getMessage());
  }

  @Test
  void aPasswordLoginSendsTheTicketCookieAndCsrfAndRenewsBeforeTwoHours() throws Throwable {
    ProxmoxTargetProvider provider = provider(cluster("lab", pve, "user: '" + USER + "', password-file: alice.password",
        pin(pve)));
    TargetRoute resolved = ProviderTestConfig.await(provider.resolve("proxmox/lab/100", ProviderTestConfig.CALLER));
    Route.WebSocket route = (Route.WebSocket) resolved.route();
    assertEquals(List.of("Cookie"), List.copyOf(route.headers().keySet()));
    assertTrue(route.headers().get("Cookie").reveal().startsWith("PVEAuthCookie=PVE:" + USER + ":"));
    try (RouteWebSocketStreams ws = openRoute(route);
         RfbTestClient rfb = RfbTestClient.over(ws.in(), ws.out())) {
      rfb.handshakeVncAuth(((Credentials.VncPassword) resolved.credentials()).password().reveal());
    }
    ProviderTestConfig.await(provider.resolve("proxmox/lab/100", ProviderTestConfig.CALLER));
    assertEquals(1, logins(), "one login serves many calls");
    assertEquals(2, pve.vncProxyCount(100), "the POSTs carried the CSRF token (the testbed refuses them without)");

    clock.advance(Duration.ofMinutes(91));
    ProviderTestConfig.await(provider.resolve("proxmox/lab/100", ProviderTestConfig.CALLER));
    assertEquals(2, logins(), "a ticket 91 minutes old is replaced before PVE's 2 h run out");
    assertFalse(logText().contains(PASSWORD), logText());
  }

  @Test
  void aTicketTheApiNoLongerAcceptsIsReplacedByANewLoginOnce() throws Throwable {
    ProxmoxTargetProvider provider = provider(cluster("lab", pve, "user: '" + USER + "', password-file: alice.password",
        pin(pve)));
    ProviderTestConfig.await(provider.resolve("proxmox/lab/100", ProviderTestConfig.CALLER));
    assertEquals(1, logins());
    // PVE's clock runs past the ticket's 2 h while the gateway's does not: the API answers 401
    pve.advanceClock(Duration.ofMinutes(121));
    clock.advance(Duration.ofSeconds(3)); // past the guest list's 2 s reuse, so the list is asked again
    TargetRoute resolved = ProviderTestConfig.await(provider.resolve("proxmox/lab/100", ProviderTestConfig.CALLER));
    assertEquals(2, logins(), "the refused ticket was replaced by one new login");
    assertTrue(pve.calls().stream().anyMatch(c -> c.status() == 401), "the API did refuse the old ticket");
    assertEquals(2, pve.vncProxyCount(100));
    assertTrue(((Route.WebSocket) resolved.route()).headers().get("Cookie").reveal().startsWith("PVEAuthCookie="));
  }

  @Test
  void aWrongPasswordNamesUserAndPasswordFile() throws Throwable {
    Files.writeString(dir.resolve("alice.password"), "not-her-password\n");
    ProxmoxTargetProvider provider = provider(cluster("lab", pve, "user: '" + USER + "', password-file: alice.password",
        pin(pve)));
    ProviderException e = failure(provider.list(ProviderTestConfig.CALLER));
    assertEquals(ProviderException.Kind.MISCONFIGURED, e.kind());
    assertTrue(e.getMessage().contains("refused the login of " + USER + " (401"), e.getMessage());
    assertTrue(e.getMessage().contains("check providers.proxmox.clusters[0].user (with its realm, e.g. @pve or @pam)"
        + " and the password in " + dir.resolve("alice.password")), e.getMessage());
    assertFalse(e.getMessage().contains("not-her-password"));
  }

  @Test
  void severalClustersAreListedAndEachResolvesAgainstItsOwnApi() throws Throwable {
    PveTestbed dc2 = bed(PveTestbed.builder().node("pve1"));
    ProxmoxTargetProvider provider = provider(cluster("lab", pve, token(TOKEN, "pve.token"), pin(pve))
        + cluster("dc2", dc2, token(TOKEN, "pve.token"), pin(dc2)));
    List<String> ids = ProviderTestConfig.await(provider.list(ProviderTestConfig.CALLER)).stream().map(TargetInfo::id).toList();
    assertEquals(8, ids.size(), ids.toString());
    assertTrue(ids.contains("proxmox/dc2/100") && ids.contains("proxmox/lab/100"), ids.toString());
    Route.WebSocket route = (Route.WebSocket) ProviderTestConfig.await(provider.resolve("proxmox/dc2/100", ProviderTestConfig.CALLER))
        .route();
    assertEquals(dc2.port(), route.uri().getPort());
    assertEquals(dc2.fingerprint(), route.tls().pinnedSha256());
    assertEquals(1, dc2.vncProxyCount(100));
    assertEquals(0, pve.vncProxyCount(100));

    dc2.close();
    beds.remove(dc2);
    clock.advance(Duration.ofSeconds(3)); // past the guest list's 2 s reuse
    List<String> left = ProviderTestConfig.await(provider.list(ProviderTestConfig.CALLER)).stream().map(TargetInfo::id).toList();
    assertEquals(List.of("proxmox/lab/100", "proxmox/lab/101", "proxmox/lab/102", "proxmox/lab/103"), left,
        "a cluster that cannot be asked is left out, the others still answer");
  }

  @Test
  void unknownTargetsAreNotFoundInWords() throws Throwable {
    ProxmoxTargetProvider provider = lab();
    assertEquals("no guest 999 in Proxmox cluster lab (deleted, or " + TOKEN + " lacks VM.Audit on /vms/999)",
        failure(provider.resolve("proxmox/lab/999", ProviderTestConfig.CALLER)).getMessage());
    assertEquals("no such target: proxmox/other/100 (no cluster \"other\" in providers.proxmox.clusters)",
        failure(provider.resolve("proxmox/other/100", ProviderTestConfig.CALLER)).getMessage());
    assertEquals(ProviderException.Kind.NOT_FOUND, failure(provider.resolve("proxmox/lab/x", ProviderTestConfig.CALLER)).kind());
  }

  private long logins() {
    return pve.calls().stream().filter(c -> c.path().equals("/api2/json/access/ticket")).count();
  }

  /** A clock the test moves forward. */
  static final class MutableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T10:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
