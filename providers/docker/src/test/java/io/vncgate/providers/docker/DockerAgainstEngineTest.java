package io.vncgate.providers.docker;

import static io.vncgate.testbeds.plugin.ProviderTestConfig.CALLER;
import static io.vncgate.testbeds.plugin.ProviderTestConfig.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.Route;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetRoute;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.VncPasswd;
import io.vncgate.testbeds.docker.DesktopContainer;
import io.vncgate.testbeds.docker.DesktopImage;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The provider against the real Docker Engine, with desktop containers (Xtigervnc from this
 * machine's files, run by Testcontainers) that the test starts and removes: what is listed and
 * what never is, containers coming and going without a restart, a route that really opens the
 * container's VNC server with the password read from inside it, and each failure in words.
 * Skipped, with Testcontainers' reason, where no engine answers.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DockerAgainstEngineTest {
  private static final String PASSWORD = "dk-Pw-71";

  @TempDir
  Path dir;

  private final List<DesktopContainer> containers = new ArrayList<>();
  private final List<DockerTargetProvider> providers = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void start() {
    ((Logger) LoggerFactory.getLogger("io.vncgate.providers.docker")).setLevel(Level.DEBUG);
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
  }

  @AfterEach
  void stop() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    providers.forEach(DockerTargetProvider::stop);
    containers.forEach(DesktopContainer::stop); // Ryuk is off: the test removes what it started
  }

  private static String unique(String name) {
    return name + "-" + Long.toHexString(System.nanoTime() & 0xffffffL);
  }

  private DesktopContainer run(DesktopContainer c) {
    containers.add(c);
    c.start();
    return c;
  }

  private DockerTargetProvider provider(String yaml) throws Exception {
    DockerTargetProvider p = ProviderTestConfig.start(new DockerTargetProvider(), dir, yaml);
    providers.add(p);
    return p;
  }

  private DockerTargetProvider withPasswordInside() throws Exception {
    return provider("password-file-in-container: " + DesktopImage.PASSWORD_FILE);
  }

  private static ProviderException failure(CompletionStage<?> stage) {
    Throwable t = assertThrows(Throwable.class, () -> await(stage));
    return assertInstanceOf(ProviderException.class, t, () -> "expected a ProviderException, got " + t);
  }

  private static Optional<TargetInfo> listed(DockerTargetProvider p, String id) throws Throwable {
    return await(p.list(CALLER)).stream().filter(t -> t.id().equals(id)).findFirst();
  }

  @Test
  void aLabelledContainerIsListedWithItsLabelsAndAnUnlabelledOneNever() throws Throwable {
    DesktopContainer labelled = run(DesktopContainer.offered(unique("desk"), PASSWORD,
        Map.of("vncgate.name", "Build desktop", "vncgate.os", "linux", "vncgate.port", "5900")));
    DesktopContainer plain = run(DesktopContainer.unlabelled(unique("plain"), PASSWORD));
    DesktopContainer offOnPurpose = run(DesktopContainer.unlabelled(unique("off"), PASSWORD)
        .withLabel("vncgate.target", "false"));
    DockerTargetProvider p = withPasswordInside();

    List<TargetInfo> all = await(p.list(CALLER));
    TargetInfo desk = listed(p, "docker/" + labelled.name()).orElseThrow(() -> new AssertionError("not listed: " + all));
    assertEquals("Build desktop", desk.name());
    assertEquals("linux", desk.labels().get("os"));
    assertEquals("5900", desk.labels().get("port"));
    assertEquals(labelled.name(), desk.labels().get("container"));
    assertEquals(DesktopImage.ensure(), desk.labels().get("image"));
    assertFalse(desk.labels().containsKey("target"), desk.labels().toString());
    for (DesktopContainer hidden : List.of(plain, offOnPurpose)) {
      assertTrue(all.stream().noneMatch(t -> t.id().equals("docker/" + hidden.name())), all.toString());
      ProviderException e = failure(p.resolve("docker/" + hidden.name(), CALLER));
      assertEquals(ProviderException.Kind.NOT_FOUND, e.kind());
      assertEquals("no such target: docker/" + hidden.name() + " (no running container of that name carries the"
          + " label vncgate.target=true)", e.getMessage(), "the same words as for a container that does not exist");
    }
    assertEquals(failure(p.resolve("docker/nothing-here", CALLER)).getMessage(),
        "no such target: docker/nothing-here (no running container of that name carries the label vncgate.target=true)");
  }

  @Test
  void whyAContainersConnectionEndedSaysStoppedWithItsExitCodeOrRemovedAndNothingWhileItRuns() throws Throwable {
    DockerTargetProvider p = withPasswordInside();
    DesktopContainer stopped = run(DesktopContainer.offered(unique("why-stop"), PASSWORD, Map.of()));
    DesktopContainer removed = run(DesktopContainer.offered(unique("why-rm"), PASSWORD, Map.of()));
    assertEquals(Optional.empty(), await(p.whyEnded("docker/" + stopped.name(), CALLER)),
        "a running container: the provider does not know");
    var client = DockerClientFactory.instance().client();
    client.stopContainerCmd(stopped.getContainerId()).withTimeout(5).exec();
    String words = await(p.whyEnded("docker/" + stopped.name(), CALLER)).orElseThrow();
    assertTrue(words.matches("container " + stopped.name() + " stopped \\(exit code \\d+\\)"), words);
    client.removeContainerCmd(removed.getContainerId()).withForce(true).exec();
    assertEquals(Optional.of("container " + removed.name() + " was removed"),
        await(p.whyEnded("docker/" + removed.name(), CALLER)));
    assertEquals(Optional.empty(), await(p.whyEnded("not-docker", CALLER)));
  }

  @Test
  void containersThatComeAndGoAreSeenWithoutARestart() throws Throwable {
    DockerTargetProvider p = withPasswordInside();
    String name = unique("comes");
    assertTrue(listed(p, "docker/" + name).isEmpty());
    DesktopContainer c = run(DesktopContainer.offered(name, PASSWORD, Map.of()));
    awaitListed(p, "docker/" + name, true);
    c.stop(); // Testcontainers removes it
    awaitListed(p, "docker/" + name, false);
    ProviderException e = failure(p.resolve("docker/" + name, CALLER));
    assertEquals(ProviderException.Kind.NOT_FOUND, e.kind(), "resolve looks afresh, never at the list");
  }

  private static void awaitListed(DockerTargetProvider p, String id, boolean present) throws Throwable {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (listed(p, id).isPresent() != present) {
      assertTrue(System.nanoTime() < deadline, id + (present ? " never appeared" : " never left the list"));
      Thread.sleep(200);
    }
  }

  @Test
  void theRouteIsTheContainersBridgeAddressAndOpensItsXvncWithThePasswordReadFromInside() throws Throwable {
    DesktopContainer c = run(DesktopContainer.offered(unique("open"), PASSWORD, Map.of()));
    DockerTargetProvider p = withPasswordInside();
    TargetRoute resolved = await(p.resolve("docker/" + c.name(), CALLER));
    Route.Tcp route = assertInstanceOf(Route.Tcp.class, resolved.route());
    assertEquals(c.bridgeAddress(), route.host());
    assertEquals(5900, route.port());
    assertTrue(DockerClientFactory.instance().client().inspectContainerCmd(c.getContainerId()).exec()
        .getNetworkSettings().getPorts().getBindings().values().stream().allMatch(b -> b == null),
        "no port of the container is published on the host");
    Credentials.VncPassword password = assertInstanceOf(Credentials.VncPassword.class, resolved.credentials());
    assertEquals(PASSWORD, password.password().reveal(), "decoded from the vncpasswd file inside the container");

    try (RfbTestClient client = RfbTestClient.connect(route.host(), route.port())) {
      ServerInitInfo init = client.handshakeVncAuth(password.password().reveal());
      assertEquals(DesktopImage.WIDTH, init.width());
      assertEquals(DesktopImage.HEIGHT, init.height());
    }
    assertFalse(logText().contains(PASSWORD), "the password is never logged");
  }

  @Test
  void aGatewaySidePasswordFileWorksTooAndAWrongOneIsRefusedByTheServer() throws Throwable {
    DesktopContainer c = run(DesktopContainer.offered(unique("gwfile"), PASSWORD, Map.of()));
    Files.write(dir.resolve("vnc.pass"), VncPasswd.of(PASSWORD + "\n"));
    DockerTargetProvider p = provider("password-file: vnc.pass");
    TargetRoute resolved = await(p.resolve("docker/" + c.name(), CALLER));
    Route.Tcp route = (Route.Tcp) resolved.route();
    String pw = ((Credentials.VncPassword) resolved.credentials()).password().reveal();
    try (RfbTestClient client = RfbTestClient.connect(route.host(), route.port())) {
      assertEquals(DesktopImage.WIDTH, client.handshakeVncAuth(pw).width());
    }
    try (RfbTestClient client = RfbTestClient.connect(route.host(), route.port())) {
      assertThrows(RfbRefused.class, () -> client.handshakeVncAuth("not-it"), "the server checks the password");
    }
  }

  @Test
  void aPasswordFileMissingInTheContainerIsNamedWithWhatToDo() throws Throwable {
    DesktopContainer c = run(DesktopContainer.offered(unique("nopw"), PASSWORD, Map.of()));
    DockerTargetProvider p = provider("password-file-in-container: /home/desk/.vnc/passwd");
    ProviderException e = failure(p.resolve("docker/" + c.name(), CALLER));
    assertEquals(ProviderException.Kind.MISCONFIGURED, e.kind());
    assertEquals("cannot read the file /home/desk/.vnc/passwd inside container " + c.name() + ": cat:"
        + " /home/desk/.vnc/passwd: No such file or directory (exit 1): create the VNC password file in the container"
        + " (e.g. `docker exec " + c.name() + " vncpasswd`), or change providers.docker.password-file-in-container",
        e.getMessage());
  }

  @Test
  void aStoppedContainerIsRefusedWithHowToStartIt() throws Throwable {
    DesktopContainer c = run(DesktopContainer.offered(unique("stopped"), PASSWORD, Map.of()));
    DockerClientFactory.instance().client().stopContainerCmd(c.getContainerId()).withTimeout(1).exec();
    DockerTargetProvider p = withPasswordInside();
    assertTrue(listed(p, "docker/" + c.name()).isEmpty(), "a stopped container is not listed");
    ProviderException e = failure(p.resolve("docker/" + c.name(), CALLER));
    assertEquals(ProviderException.Kind.UNAVAILABLE, e.kind());
    assertEquals("container " + c.name() + " is exited: start it (`docker start " + c.name() + "`) and open docker/"
        + c.name() + " again", e.getMessage());
  }

  @Test
  void aContainerOffTheConfiguredNetworkIsNamedWithTheCommandThatJoinsIt() throws Throwable {
    DesktopContainer c = run(DesktopContainer.offered(unique("net"), PASSWORD, Map.of()));
    DockerTargetProvider p = provider("network: vncgate-desktops");
    ProviderException e = failure(p.resolve("docker/" + c.name(), CALLER));
    assertEquals("container " + c.name() + " is not on the network vncgate-desktops (providers.docker.network); it is"
        + " on bridge: `docker network connect vncgate-desktops " + c.name() + "`", e.getMessage());
  }

  @Test
  void anImageWithoutCatIsToldToUseTheGatewaySideFile() throws Throwable {
    DesktopContainer c = run(DesktopContainer.offered(unique("nocat"), PASSWORD, Map.of())
        .withCopyToContainer(Transferable.of("not a program", 0644), "/bin/cat"));
    ProviderException e = failure(withPasswordInside().resolve("docker/" + c.name(), CALLER));
    assertEquals(ProviderException.Kind.MISCONFIGURED, e.kind());
    assertTrue(e.getMessage().startsWith("cannot read the file " + DesktopImage.PASSWORD_FILE + " inside container "
        + c.name() + ": the container has no `cat` to read it with (exit 12"), e.getMessage());
    assertTrue(e.getMessage().endsWith("give the password as providers.docker.password-file on the gateway host"
        + " instead, or add cat to the image"), e.getMessage());
  }

  @Test
  void aContainerWithoutANetworkHasNoAddressAndSaysSo() throws Throwable {
    DesktopContainer c = run(DesktopContainer.offered(unique("nonet"), PASSWORD, Map.of()).withNetworkMode("none"));
    ProviderException e = failure(withPasswordInside().resolve("docker/" + c.name(), CALLER));
    assertEquals(ProviderException.Kind.UNAVAILABLE, e.kind());
    assertEquals("container " + c.name() + " has no IP address on its networks none: the gateway connects to the"
        + " container's address, so run it on a network (e.g. the default bridge, or `--network <net>` with"
        + " providers.docker.network)", e.getMessage());
  }

  @Test
  void aBadPortLabelIsNamedOnTheContainer() throws Throwable {
    DesktopContainer c = run(DesktopContainer.offered(unique("port"), PASSWORD, Map.of("vncgate.port", "vnc")));
    ProviderException e = failure(withPasswordInside().resolve("docker/" + c.name(), CALLER));
    assertEquals(ProviderException.Kind.MISCONFIGURED, e.kind());
    assertTrue(e.getMessage().startsWith("container " + c.name() + " has the label vncgate.port=\"vnc\""), e.getMessage());
  }

  private String logText() {
    StringBuilder out = new StringBuilder();
    for (ILoggingEvent e : List.copyOf(logs.list)) out.append(e.getFormattedMessage()).append('\n');
    return out.toString();
  }
}
