package io.vncgate.providers.docker;

import static io.vncgate.testbeds.plugin.ProviderTestConfig.CALLER;
import static io.vncgate.testbeds.plugin.ProviderTestConfig.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.Route;
import io.vncgate.spi.TargetInfo;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.docker.DesktopImage;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * {@code providers.docker.templates} against the real engine: opening the template starts its
 * container from the local image, the route opens its Xvnc, and the idle clock (driven here by
 * calling {@code viewers} as the gateway does) removes it after {@code idle-stop} with no viewer
 * and never while someone watches.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TemplatesTest {
  private static final String NAME = "tpl-" + Long.toHexString(System.nanoTime() & 0xffffffL);
  private static final String ID = "docker/" + NAME;

  @TempDir
  Path dir;
  private DockerTargetProvider provider;
  private final DockerClient docker = DockerClientFactory.instance().client();

  @AfterEach
  void stop() {
    if (provider != null) provider.stop();
    try {
      docker.removeContainerCmd(NAME).withForce(true).exec(); // Ryuk is off: the test removes what it made
    } catch (NotFoundException gone) {
      // removed by the provider already
    }
  }

  private DockerTargetProvider start(String image) throws Exception {
    provider = ProviderTestConfig.start(new DockerTargetProvider(), dir, """
        templates:
          - name: %s
            image: '%s'
            command: [':0', '-rfbport', '5900', '-SecurityTypes', 'None', '-geometry', '800x600', '-retro']
            idle-stop: 3s
            labels: {os: linux}
        """.formatted(NAME, image));
    return provider;
  }

  private boolean exists() {
    try {
      return Boolean.TRUE.equals(docker.inspectContainerCmd(NAME).exec().getState().getRunning());
    } catch (NotFoundException e) {
      return false;
    }
  }

  private TargetInfo listed() throws Throwable {
    List<TargetInfo> all = await(provider.list(CALLER));
    List<TargetInfo> mine = all.stream().filter(t -> t.id().equals(ID)).toList();
    assertEquals(1, mine.size(), "listed once, running or not: " + all);
    return mine.get(0);
  }

  @Test
  void openingStartsTheContainerAndItIsRemovedAfterIdleStopWithNoViewerButNeverWhileWatched() throws Throwable {
    start(DesktopImage.ensure());
    assertEquals("starts on open", listed().labels().get("status"));
    assertEquals("linux", listed().labels().get("os"));
    assertFalse(exists());

    Route.Tcp route = assertInstanceOf(Route.Tcp.class, await(provider.resolve(ID, CALLER)).route());
    assertTrue(exists(), "opening started the container");
    try (RfbTestClient client = RfbTestClient.connect(route.host(), route.port())) {
      assertEquals(DesktopImage.WIDTH, client.handshakeNone().width());
      provider.viewers(ID, 1); // as the gateway reports a relaying viewer
      Thread.sleep(1100); // past the list's cache
      assertEquals("running", listed().labels().get("status"));
      Thread.sleep(3000); // longer than idle-stop
      assertTrue(exists(), "never removed while someone watches");
      assertEquals(route, await(provider.resolve(ID, CALLER)).route(), "the running one is reused");
      provider.viewers(ID, 2);
      provider.viewers(ID, 1);
    }
    provider.viewers(ID, 0);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (exists()) {
      assertTrue(System.nanoTime() < deadline, "still running 15 s after the last viewer left (idle-stop 3s)");
      Thread.sleep(200);
    }
    await(provider.resolve(ID, CALLER));
    assertTrue(exists(), "opened again, started again");
  }

  @Test
  void aTemplateWhoseImageIsNotOnTheEngineSaysSoAndPullsNothing() throws Throwable {
    start("vncgate-test/not-built:1");
    Throwable t = assertThrows(Throwable.class, () -> await(provider.resolve(ID, CALLER)));
    ProviderException e = assertInstanceOf(ProviderException.class, t);
    assertTrue(e.getMessage().startsWith("the Docker engine at unix:///var/run/docker.sock could not create container "
        + NAME + " from image vncgate-test/not-built:1 (HTTP 404: No such image: vncgate-test/not-built:1"), e.getMessage());
  }
}
