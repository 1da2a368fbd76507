package io.vncgate.providers.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.providers.docker.config.DockerSettings;
import io.vncgate.providers.docker.config.SettingsReader;
import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.ProviderConfigException;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code providers.docker}: defaults, and every mistake named by its key. */
class DockerConfigTest {
  @TempDir
  Path dir;

  private DockerSettings read(String yaml) {
    return SettingsReader.read(new ProviderConfig("providers.docker", ProviderTestConfig.parse(yaml)), dir);
  }

  private ProviderConfigException error(String yaml) {
    return assertThrows(ProviderConfigException.class, () -> read(yaml));
  }

  @Test
  void anEmptySectionMeansTheLocalEngineTheFirstNetworkPort5900AndNoPassword() {
    DockerSettings s = read("{}");
    assertEquals("unix:///var/run/docker.sock", s.host().toString());
    assertEquals(Path.of("/var/run/docker.sock"), s.socket());
    assertNull(s.network());
    assertEquals(5900, s.port());
    assertInstanceOf(DockerSettings.NoPassword.class, s.password());
  }

  @Test
  void podmansSocketANetworkAndAPasswordFileInsideTheContainer() {
    DockerSettings s = read("{host: 'unix:///run/podman/podman.sock', network: desktops, port: 5901,"
        + " password-file-in-container: /home/desk/.vnc/passwd}");
    assertEquals(Path.of("/run/podman/podman.sock"), s.socket());
    assertEquals("desktops", s.network());
    assertEquals(5901, s.port());
    assertEquals("/home/desk/.vnc/passwd", ((DockerSettings.InContainer) s.password()).path());
  }

  @Test
  void aGatewaySidePasswordFileResolvesAgainstTheConfigFolder() throws Exception {
    Files.writeString(dir.resolve("vnc.pass"), "secret\n");
    DockerSettings s = read("{password-file: vnc.pass}");
    assertEquals(dir.resolve("vnc.pass"), ((DockerSettings.GatewayFile) s.password()).file());
  }

  @Test
  void aTcpEngineIsRefusedWithTheReason() {
    ProviderConfigException e = error("{host: 'tcp://10.0.0.5:2375'}");
    assertEquals("providers.docker.host", e.key());
    assertTrue(e.getMessage().contains("only a local socket is supported"), e.getMessage());
  }

  @Test
  void aSocketPathMustBeAbsolute() {
    ProviderConfigException e = error("{host: 'unix://var/run/docker.sock'}");
    assertEquals("providers.docker.host", e.key());
    assertTrue(e.getMessage().contains("three slashes"), e.getMessage());
  }

  @Test
  void bothPasswordSourcesAtOnceAreRefused() throws Exception {
    Files.writeString(dir.resolve("vnc.pass"), "secret\n");
    ProviderConfigException e = error("{password-file: vnc.pass, password-file-in-container: /etc/vnc/passwd}");
    assertEquals("providers.docker.password-file-in-container", e.key());
    assertTrue(e.getMessage().contains("not both"), e.getMessage());
  }

  @Test
  void aMissingGatewaySideFileAndARelativeContainerPathAreNamed() {
    assertEquals("providers.docker.password-file", error("{password-file: nope.pass}").key());
    ProviderConfigException e = error("{password-file-in-container: etc/vnc/passwd}");
    assertEquals("providers.docker.password-file-in-container", e.key());
    assertTrue(e.getMessage().contains("absolute path inside the container"), e.getMessage());
  }

  @Test
  void typosAndBadValuesNameTheirKey() {
    assertEquals("providers.docker.netwrok", error("{netwrok: bridge}").key());
    assertEquals("providers.docker.port", error("{port: 70000}").key());
    assertEquals("providers.docker.network", error("{network: 'my net'}").key());
  }

  @Test
  void aTemplateNeedsAnImageAndAContainerNameAndKeepsItsLabelsOwn() {
    DockerSettings s = read("{templates: [{name: xfce, image: 'desk:1', idle-stop: 15m, command: [a, b],"
        + " labels: {os: linux}}]}");
    assertEquals("xfce", s.templates().get(0).name());
    assertEquals(java.time.Duration.ofMinutes(15), s.templates().get(0).idleStop());
    assertEquals(java.util.List.of("a", "b"), s.templates().get(0).command());
    assertEquals(java.time.Duration.ofMinutes(10), read("{templates: [{name: x, image: i}]}").templates().get(0).idleStop());
    assertEquals("providers.docker.templates[0].image", error("{templates: [{name: xfce}]}").key());
    assertEquals("providers.docker.templates[0].name", error("{templates: [{name: 'my desk', image: i}]}").key());
    assertEquals("providers.docker.templates[1].name",
        error("{templates: [{name: a, image: i}, {name: a, image: j}]}").key());
    assertEquals("providers.docker.templates[0].labels.target",
        error("{templates: [{name: a, image: i, labels: {target: 'false'}}]}").key());
    assertEquals("providers.docker.templates[0].idle-stop", error("{templates: [{name: a, image: i, idle-stop: 0s}]}").key());
  }
}
