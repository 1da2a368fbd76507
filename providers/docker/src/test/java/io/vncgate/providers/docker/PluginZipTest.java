package io.vncgate.providers.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.ProviderConfigException;
import io.vncgate.spi.TargetProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;

/** The plugin zip built by this module has PF4J's layout and loads in a real PF4J plugin manager. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PluginZipTest {
  private static final Path ZIP = Path.of(System.getProperty("vncgate.plugin.zip", "missing.zip"));

  @Test
  void zipHoldsDescriptorClassesAndOnlyBundledLibraries() throws IOException {
    assertTrue(Files.isRegularFile(ZIP), "plugin zip not built: " + ZIP);
    try (ZipFile zip = new ZipFile(ZIP.toFile())) {
      Properties descriptor = new Properties();
      try (InputStream in = zip.getInputStream(zip.getEntry("plugin.properties"))) {
        descriptor.load(in);
      }
      assertEquals("docker", descriptor.getProperty("plugin.id"));
      assertEquals("org.pf4j.Plugin", descriptor.getProperty("plugin.class"));
      assertTrue(descriptor.getProperty("plugin.version").matches("\\d+\\.\\d+\\.\\d+.*"),
          descriptor.getProperty("plugin.version"));

      assertNotNull(zip.getEntry("classes/io/vncgate/providers/docker/DockerTargetProvider.class"));
      try (InputStream in = zip.getInputStream(zip.getEntry("classes/META-INF/extensions.idx"))) {
        assertTrue(new String(in.readAllBytes()).contains(DockerTargetProvider.class.getName()));
      }
      List<String> libs = zip.stream().map(ZipEntry::getName).filter(n -> n.startsWith("lib/")).toList();
      for (String bundled : List.of("lib/docker-java-core-", "lib/docker-java-transport-httpclient5-", "lib/httpclient5-",
          "lib/jna-")) {
        assertTrue(libs.stream().anyMatch(n -> n.startsWith(bundled)), bundled + " is bundled: " + libs);
      }
      for (String provided : List.of("lib/pf4j-", "lib/vncgate-", "lib/slf4j-", "lib/logback-", "lib/junit-",
          "lib/netty-", "lib/vertx-", "lib/testcontainers-")) {
        assertTrue(libs.stream().noneMatch(n -> n.startsWith(provided)), provided + " must not be bundled: " + libs);
      }
    }
  }

  @Test
  void pf4jLoadsTheZipAndTheProviderReadsItsConfig(@TempDir Path plugins) throws Throwable {
    Files.copy(ZIP, plugins.resolve(ZIP.getFileName()));
    PluginManager manager = new DefaultPluginManager(plugins);
    manager.setSystemVersion("0.1.0");
    manager.loadPlugins();
    manager.startPlugins();
    try {
      assertEquals(PluginState.STARTED, manager.getPlugin("docker").getPluginState());
      List<TargetProvider> providers = manager.getExtensions(TargetProvider.class, "docker");
      assertEquals(1, providers.size());
      TargetProvider provider = providers.get(0);
      assertEquals("docker", provider.name());
      assertNotEquals(getClass().getClassLoader(), provider.getClass().getClassLoader(),
          "the provider comes from the zip, not the test classpath");
      ProviderConfigException e = assertThrows(ProviderConfigException.class,
          () -> provider.start(TestConfig.context(plugins, "host: 'tcp://127.0.0.1:2375'")));
      assertEquals("providers.docker.host", e.key());
    } finally {
      manager.stopPlugins();
      manager.unloadPlugins();
    }
  }
}
